#!/bin/sh
# The clv oracle is real, not a frozen file: install Debian's scipy and pandas, recompute every
# BTYD formula and fit with test/oracle/btyd_scipy.py, and check the committed golden numbers
# (fixtures/cdnow/btyd-oracle.json) still match; then the vitest files that read them.
set -eu
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import scipy, pandas' 2>/dev/null; then
  apt-get update -qq
  apt-get install -y -qq python3-scipy python3-pandas
fi
/usr/bin/python3 test/oracle/btyd_scipy.py --check
npx vitest run test/core/clv
