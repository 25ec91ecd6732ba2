#!/usr/bin/env bash
# Debian's chromium for the browser test (test/browser): playwright-core drives /usr/bin/chromium and never
# downloads a browser build of its own. Idempotent; run from .ci/run before `npm run test:browser`.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
run_as_root=()
if [ "$(id -u)" -ne 0 ]; then
  run_as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update -qq
"${run_as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
