#!/usr/bin/env python3
"""Writes fixtures/xlsx-cells/rich-cells.xlsx with XlsxWriter (a real writer): the cell kinds a
hand-typed workbook has that the plain fixtures do not.

usage: /usr/bin/python3 test/oracle/make_rich_xlsx.py [OUT.xlsx]

Sheet "Orders", 3 orders of 2 customers:
  E2  Customer ID "C-17" as a rich-text shared string: a bold run "C-" and a plain run "17"
  D3  Price as the formula =3*4 with its cached value 12
  E3  Customer ID "C-18" as a hyperlink cell (the link in the sheet's relationships)
  F3  a rich-text note "see " + italic "site"
Worked by hand (as-of 2011-12-04): C-17 = 2 × 5.50 = 11, last bought 2011-12-01 10:00 (2 days);
C-18 = 1 × 12 + 1 × 7 = 19 in 2 invoices, last bought 2011-12-03 10:00 (0 days).
test/cli/unreached.test.ts reads it with rfm rfm and rfm clean. Needs Debian's python3-xlsxwriter.
"""
import datetime as dt
import os
import sys

import xlsxwriter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fixtures", "xlsx-cells", "rich-cells.xlsx")
wb = xlsxwriter.Workbook(out)
wb.set_properties({"created": dt.datetime(2026, 12, 1)})  # a fixed date: the same bytes each run
ws = wb.add_worksheet("Orders")
bold = wb.add_format({"bold": True})
italic = wb.add_format({"italic": True})
when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
for c, h in enumerate(["Invoice", "InvoiceDate", "Quantity", "Price", "Customer ID", "Note"]):
    ws.write_string(0, c, h)
ws.write_string(1, 0, "1")
ws.write_datetime(1, 1, dt.datetime(2011, 12, 1, 10), when)
ws.write_number(1, 2, 2)
ws.write_number(1, 3, 5.5)
ws.write_rich_string(1, 4, bold, "C-", "17")
ws.write_string(1, 5, "plain")
ws.write_string(2, 0, "2")
ws.write_datetime(2, 1, dt.datetime(2011, 12, 2, 10), when)
ws.write_number(2, 2, 1)
ws.write_formula(2, 3, "=3*4", None, 12)
ws.write_url(2, 4, "https://example.com/customers/C-18", string="C-18")
ws.write_rich_string(2, 5, "see ", italic, "site")
ws.write_string(3, 0, "3")
ws.write_datetime(3, 1, dt.datetime(2011, 12, 3, 10), when)
ws.write_number(3, 2, 1)
ws.write_number(3, 3, 7)
ws.write_string(3, 4, "C-18")
ws.write_string(3, 5, "x")
wb.close()
print(f"wrote {out}", file=sys.stderr)
