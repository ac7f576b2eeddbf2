#!/usr/bin/env bash
# CI step of the signals branch: test/cli/interrupts.test.ts types Ctrl-C on a real pseudo-terminal
# through util-linux `script` (package bsdutils on Debian). .ci/run installs it already; this keeps
# the dependency stated where the test that needs it lives. Call it from .ci/run before npm test.
set -euo pipefail
if ! command -v script >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq bsdutils >/dev/null
fi
