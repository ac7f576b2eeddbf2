#!/usr/bin/env python3
"""pandas' RFM of the "Orders" sheet of a workbook: the expected file our `rfm rfm` must equal.

usage: /usr/bin/python3 test/oracle/xlsx_rfm_pandas.py WORKBOOK.xlsx SHEET OUT.csv

An independent reader: pd.read_excel with the openpyxl engine (it honours the 1904 date system and
cells without r= on its own). The rules are DESIGN.md section 2, as in
fixtures/golden/make-pandas-golden.py: drop rows without a Customer ID, with Quantity <= 0 or
Price <= 0, or an Invoice that is C + digits; line value = Quantity * Price; ids lose a trailing
".0"; frequency = distinct invoices; as-of = latest kept timestamp + 1 day; recency = days.
Output: customer_id,recency,frequency,monetary sorted by id, monetary in repr precision.
Needs Debian's python3-pandas and python3-openpyxl.
"""
import csv
import sys

import pandas as pd

path, sheet, out = sys.argv[1:4]
df = pd.read_excel(path, sheet_name=sheet, engine="openpyxl", dtype={"Invoice": str, "StockCode": str})
if not pd.api.types.is_datetime64_any_dtype(df.InvoiceDate):
    sys.exit(f"{path}: InvoiceDate was not read as dates ({df.InvoiceDate.dtype})")
df = df[df["Customer ID"].notna()]
df = df[(df.Quantity > 0) & (df.Price > 0) & ~df.Invoice.str.strip().str.fullmatch(r"C\d+")]
df["amt"] = df.Quantity * df.Price
df["cid"] = df["Customer ID"].map(lambda v: str(int(v)) if float(v).is_integer() else str(v))
ref = df.InvoiceDate.max() + pd.Timedelta(days=1)
g = df.groupby("cid")
rfm = pd.DataFrame({"recency": (ref - g.InvoiceDate.max()).dt.days, "frequency": g.Invoice.nunique(), "monetary": g.amt.sum()}).sort_index()
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["customer_id", "recency", "frequency", "monetary"])
    for cid, row in rfm.iterrows():
        w.writerow([cid, int(row.recency), int(row.frequency), repr(float(row.monetary))])
print(f"wrote {out}: {len(rfm)} customers from {len(df)} kept rows, as-of {ref}", file=sys.stderr)
