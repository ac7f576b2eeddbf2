#!/bin/sh
# Writes fixtures/xlsx/: the same transaction log as .xlsx by real writers, and for each workbook
# the RFM pandas computes from it (WORKBOOK.rfm.csv), which test/io/xlsx-writers-fixtures.test.ts
# and the CLI test compare us against customer for customer.
#   sh test/oracle/make-xlsx-fixtures.sh [OUT_DIR]     (default fixtures/xlsx)
# Needs the packages .ci/xlsx.sh installs: python3-openpyxl python3-xlsxwriter python3-pandas
# (test/oracle/make_xlsx_fixtures.py), libreoffice-calc-nogui (soffice) and gnumeric (ssconvert).
# LibreOffice and gnumeric re-save openpyxl's workbook with their own writers.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../../fixtures/xlsx"}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/rfm-xlsx-fixtures.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

/usr/bin/python3 "$here/make_xlsx_fixtures.py" "$out"

# LibreOffice: a private profile in the work dir, so a desktop session's profile is not touched.
lo() { soffice "-env:UserInstallation=file://$work/profile" --headless --calc --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir "$work/lo" "$1" >/dev/null; }
lo "$out/openpyxl.xlsx"
mv "$work/lo/openpyxl.xlsx" "$out/libreoffice.xlsx"
lo "$out/xlsxwriter-1904.xlsx"
mv "$work/lo/xlsxwriter-1904.xlsx" "$out/libreoffice-1904.xlsx"

ssconvert --export-type=Gnumeric_Excel:xlsx2 "$out/openpyxl.xlsx" "$out/gnumeric.xlsx" 2>/dev/null

for book in "$out"/*.xlsx; do
  /usr/bin/python3 "$here/xlsx_rfm_pandas.py" "$book" Orders "${book%.xlsx}.rfm.csv"
done
