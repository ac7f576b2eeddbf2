#!/usr/bin/env bash
# CI step for the test oracles (issue 19): installs Debian's pandas, numpy and XlsxWriter, re-runs
# the scripts whose committed output the test suite compares with, and fails if it moved:
#   test/oracle/segments_oracle.py  -> fixtures/oracle/sample-oracle.json   (test/cli/oracle.test.ts)
#   test/oracle/make_rich_xlsx.py   -> fixtures/xlsx-cells/rich-cells.xlsx  (test/cli/unreached.test.ts;
#                                      compared as rfm clean reads it: the zip bytes vary by version)
# Run after `npm ci` (dist/ built).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import pandas, numpy, xlsxwriter' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pandas python3-numpy python3-xlsxwriter >/dev/null
fi
/usr/bin/python3 test/oracle/segments_oracle.py --check fixtures/oracle/sample-oracle.json

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 test/oracle/make_rich_xlsx.py "$work/rich-cells.xlsx"
node bin/rfm.js clean "$work/rich-cells.xlsx" --format csv -q >"$work/fresh.csv"
node bin/rfm.js clean fixtures/xlsx-cells/rich-cells.xlsx --format csv -q >"$work/committed.csv"
diff -u "$work/committed.csv" "$work/fresh.csv"
echo "fixtures/xlsx-cells/rich-cells.xlsx: XlsxWriter writes the same cells afresh" >&2
