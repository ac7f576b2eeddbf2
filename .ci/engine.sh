#!/usr/bin/env bash
# CI step for `--engine duckdb`: the slow engine tests (every command on the whole committed sample
# through both engines, --scores/--as-of, a gzip copy, Parquet in and out), which npm test leaves
# out; the fast ones (test/engine/*.test.ts) run in npm test. @duckdb/node-api ships its native
# library in an npm package (@duckdb/node-bindings-linux-x64): nothing to apt-get. Run after npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
npx vitest run --config test/engine/vitest.slow.config.ts
