#!/usr/bin/env bash
# CI step for the test oracles (issue 19): installs Debian's pandas and numpy, re-runs the scripts
# whose committed numbers the test suite compares with, and fails if the numbers moved:
#   test/oracle/segments_oracle.py  -> fixtures/oracle/sample-oracle.json (test/cli/oracle.test.ts)
# Run after `npm ci` (dist/ built).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import pandas, numpy' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pandas python3-numpy >/dev/null
fi
/usr/bin/python3 test/oracle/segments_oracle.py --check fixtures/oracle/sample-oracle.json
