#!/usr/bin/env bash
# The one command that runs every test: installs what it needs, typechecks, lints, starts
# the servers it needs (reusing running ones), runs unit and integration tests of every
# project in one Jest run, stops what it started, and ends with `N passed, N failed`.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
summary=$repo/.toolkit/test-summary.txt
mkdir -p .toolkit && rm -f "$summary"

step() { printf '\n== %s\n' "$*"; }
fail() { printf '\n%s\n' "${1:-0 passed, 1 failed}"; exit 1; }

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "install dependencies"
  bash tools/scripts/install-deps.sh || fail
fi
step "system packages"
bash tools/scripts/system-deps.sh || fail
step "template library"
# The community TextFSM templates the catalog serves and the tests parse with (pinned).
TEXTFSM_TEMPLATES_DIR=${TEXTFSM_TEMPLATES_DIR:-$(bash tools/scripts/ntc-templates.sh)} || fail
export TEXTFSM_TEMPLATES_DIR
step "typecheck"
npx tsc -p tsconfig.json --noEmit || fail
step "lint"
npx nx show projects >/dev/null && npx eslint --max-warnings=0 . || fail
step "tests (unit + integration)"
export TOOLKIT_TEST_SUMMARY=$summary
bash tools/scripts/infra.sh run -- npx jest --ci "$@"
code=$?
if [ -f "$summary" ]; then cat "$summary"; else echo "0 passed, 1 failed"; code=${code:-1}; [ "$code" = 0 ] && code=1; fi
exit $code
