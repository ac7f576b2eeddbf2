#!/usr/bin/env bash
# CI step for the .xlsx reader: installs the real writers (openpyxl, XlsxWriter, pandas, LibreOffice
# Calc, gnumeric's ssconvert), then test/writers/ writes the transaction log with each of them afresh
# and compares `rfm rfm` on every workbook with pandas' RFM of it, and the fresh pandas tables with
# the committed fixtures/xlsx/*.rfm.csv. Run after `npm ci` (dist/ built).
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(python3-openpyxl python3-xlsxwriter python3-pandas libreoffice-calc-nogui gnumeric)
if ! /usr/bin/python3 -c 'import openpyxl, xlsxwriter, pandas' 2>/dev/null || ! command -v soffice >/dev/null || ! command -v ssconvert >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
npx tsc -p tsconfig.json
npx vitest run --config test/writers/vitest.config.ts
