#!/usr/bin/env python3
"""Writes the same small transaction log as .xlsx workbooks with real writers (fixtures/xlsx/).

usage: /usr/bin/python3 test/oracle/make_xlsx_fixtures.py OUT_DIR
(test/oracle/make-xlsx-fixtures.sh runs this, then LibreOffice and gnumeric, then the pandas oracle.)

The log: every row of 40 customers of fixtures/online_retail_sample.csv that have 2-8 invoices and
at least one cancellation, plus 12 rows without a customer id, in file order (~12 months of dates).
Every workbook has a first sheet "Notes" and the log on a second sheet "Orders", with InvoiceDate
as real date cells and Customer ID as numbers (empty when missing), as Excel users have it.

Written here:
  orders.csv               the rows every workbook holds, as the sample CSV has them
  openpyxl.xlsx            openpyxl (sheet XML before sharedStrings.xml and workbook.xml in the zip)
  xlsxwriter.xlsx          XlsxWriter
  xlsxwriter-1904.xlsx     XlsxWriter with the 1904 date system (<workbookPr date1904="1"/>)
  pandas-openpyxl.xlsx     pandas DataFrame.to_excel, engine openpyxl
  pandas-xlsxwriter.xlsx   pandas DataFrame.to_excel, engine xlsxwriter
  no-r.xlsx                built by hand with zipfile (no writer omits them): no r= on any row or
                           cell, inline strings, rich-text shared strings, formulas with cached
                           values, a built-in date format (id 22), entries in openpyxl's order.
Needs Debian's python3-openpyxl, python3-xlsxwriter and python3-pandas.
"""
import csv
import datetime as dt
import os
import sys
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import xlsxwriter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "fixtures", "online_retail_sample.csv")
HEADER = ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"]
NOTES = [["Note"], ['The transactions are on the sheet "Orders".'], ["Copied from fixtures/online_retail_sample.csv."]]


def load_rows():
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    invoices, cancelled = {}, set()
    for r in rows:
        cid = r["Customer ID"]
        if cid:
            invoices.setdefault(cid, set()).add(r["Invoice"])
            if r["Invoice"].startswith("C"):
                cancelled.add(cid)
    chosen = sorted(c for c, inv in invoices.items() if 2 <= len(inv) <= 8 and c in cancelled)[:40]
    chosen = set(chosen)
    missing = [r for r in rows if not r["Customer ID"]][:12]
    keep = [r for r in rows if r["Customer ID"] in chosen or any(r is m for m in missing)]
    raw = []
    out = []
    for r in keep:
        raw.append([r[h] for h in HEADER])
        out.append([
            r["Invoice"], r["StockCode"], r["Description"], int(r["Quantity"]),
            dt.datetime.strptime(r["InvoiceDate"], "%Y-%m-%d %H:%M:%S"), float(r["Price"]),
            int(float(r["Customer ID"])) if r["Customer ID"] else None, r["Country"],
        ])
    return raw, out


FIXED = dt.datetime(2024, 1, 1)


def with_openpyxl(path, rows):
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    for n in NOTES:
        notes.append(n)
    ws = wb.create_sheet("Orders")
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    for cell in ws["E"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    wb.properties.created = wb.properties.modified = FIXED
    wb.save(path)


def with_xlsxwriter(path, rows, date_1904=False):
    wb = xlsxwriter.Workbook(path, {"date_1904": date_1904})
    wb.set_properties({"created": FIXED})
    when = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    notes = wb.add_worksheet("Notes")
    for i, n in enumerate(NOTES):
        notes.write_row(i, 0, n)
    ws = wb.add_worksheet("Orders")
    ws.write_row(0, 0, HEADER)
    for i, r in enumerate(rows, start=1):
        ws.write_string(i, 0, r[0])
        ws.write_string(i, 1, r[1])
        ws.write_string(i, 2, r[2])
        ws.write_number(i, 3, r[3])
        ws.write_datetime(i, 4, r[4], when)
        ws.write_number(i, 5, r[5])
        if r[6] is not None:
            ws.write_number(i, 6, r[6])
        ws.write_string(i, 7, r[7])
    wb.close()


def with_pandas(path, rows, engine):
    df = pd.DataFrame(rows, columns=HEADER)
    with pd.ExcelWriter(path, engine=engine) as w:
        pd.DataFrame(NOTES[1:], columns=NOTES[0]).to_excel(w, sheet_name="Notes", index=False)
        df.to_excel(w, sheet_name="Orders", index=False)


def excel_serial(when):
    delta = when - dt.datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400


def by_hand_no_r(path, rows):
    """Rows and cells without r=; inline strings, rich text, cached formula values; no writer needed."""
    shared, index = [], {}

    def sst(text, rich=False):
        key = (text, rich)
        if key not in index:
            index[key] = len(shared)
            if rich and " " in text:
                a, b = text.split(" ", 1)
                shared.append(f'<si><r><t>{escape(a)}</t></r><r><rPr><b/></rPr><t xml:space="preserve"> {escape(b)}</t></r></si>')
            else:
                shared.append(f"<si><t>{escape(text)}</t></si>")
        return index[key]

    def inline(text):
        return f'<c t="inlineStr"><is><t>{escape(text)}</t></is></c>'

    def shared_cell(text, rich=False):
        return f'<c t="s"><v>{sst(text, rich)}</v></c>'

    def number(x, style=None, formula=None):
        s = f' s="{style}"' if style is not None else ""
        f = f"<f>{formula}</f>" if formula else ""
        return f"<c{s}>{f}<v>{repr(x)}</v></c>"

    def sheet(body_rows):
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                + "".join(f"<row>{''.join(cells)}</row>" for cells in body_rows)
                + "</sheetData></worksheet>")

    notes = [[shared_cell(n[0])] for n in NOTES]
    orders = [[shared_cell(h) for h in HEADER]]
    for r in rows:
        orders.append([
            inline(r[0]), shared_cell(r[1]), shared_cell(r[2], rich=True), number(r[3]),
            number(excel_serial(r[4]), style=1), number(r[5], formula=f"{repr(r[5])}*1"),
            number(r[6]) if r[6] is not None else "<c/>", shared_cell(r[7]),
        ])
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = [
        ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
         '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
         '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
         '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        ("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        # The sheets first, as openpyxl orders them: the order exceljs's stream reader got wrong.
        ("xl/worksheets/sheet1.xml", sheet(notes)),
        ("xl/worksheets/sheet2.xml", sheet(orders)),
        ("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(shared)}" uniqueCount="{len(shared)}">{"".join(shared)}</sst>'),
        ("xl/styles.xml", f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {ns}><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
         '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
         '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
         '<cellXfs count="2"><xf numFmtId="0" xfId="0"/><xf numFmtId="22" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'),
        ("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
         f'<Relationship Id="rId2" Type="{rel}/worksheet" Target="/xl/worksheets/sheet2.xml"/>'
         f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>'
         f'<Relationship Id="rId4" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        ("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets>'
         '<sheet name="Notes" sheetId="1" r:id="rId1"/><sheet name="Orders" sheetId="2" r:id="rId2"/></sheets></workbook>'),
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text, compress_type=zipfile.ZIP_DEFLATED)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    raw, rows = load_rows()
    with open(os.path.join(out, "orders.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(raw)
    with_openpyxl(os.path.join(out, "openpyxl.xlsx"), rows)
    with_xlsxwriter(os.path.join(out, "xlsxwriter.xlsx"), rows)
    with_xlsxwriter(os.path.join(out, "xlsxwriter-1904.xlsx"), rows, date_1904=True)
    with_pandas(os.path.join(out, "pandas-openpyxl.xlsx"), rows, "openpyxl")
    with_pandas(os.path.join(out, "pandas-xlsxwriter.xlsx"), rows, "xlsxwriter")
    by_hand_no_r(os.path.join(out, "no-r.xlsx"), rows)
    print(f"wrote orders.csv and 6 workbooks of {len(rows)} rows to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
