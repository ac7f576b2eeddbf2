#!/usr/bin/env bash
# CI step for `rfm sql`: installs Debian's PostgreSQL server, then runs the SQL tests for real —
# the generated queries on embedded DuckDB and on a throwaway PostgreSQL cluster (initdb + pg_ctl
# on a free loopback port in a temp dir, torn down after; test/sql/postgres.ts) — with
# RFM_REQUIRE_POSTGRES=1, so that a missing server fails instead of skipping. Run after `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
npx tsc -p tsconfig.json
RFM_REQUIRE_POSTGRES=1 npx vitest run test/sql test/cli/sql.test.ts
