#!/usr/bin/env bash
# CI step for rfm report and the rfm serve page: installs Debian's Chromium (and a font, so pages
# lay out as they do on a desktop), then test/browser/ renders the report and the served page in
# it through playwright-core: screenshots, the form round-trip, no request off localhost, every
# chart titled and tabled, the PDF, and a hostile model shown as text with no script run.
# Run after `npm ci` (dist/ built). RFM_SCREENSHOTS=docs/screenshots refreshes the README's images.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${RFM_CHROMIUM:-}" ] && ! [ -x /usr/bin/chromium ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
chromium_path="${RFM_CHROMIUM:-/usr/bin/chromium}"
# The tests skip without a browser; here they must run.
[ -x "$chromium_path" ] || { echo ".ci/report.sh: no Chromium at $chromium_path after installing it" >&2; exit 1; }
npx tsc -p tsconfig.json
npx vitest run --config test/browser/vitest.config.ts
