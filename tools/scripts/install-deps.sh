#!/usr/bin/env bash
# Installs the npm dependencies exactly as package-lock.json pins them.
# `npm ci` refuses a lock file that lacks entries for optional platform packages (the
# native builds of @swc/core, nx and unrs-resolver for macOS, Windows, ...). A registry
# mirror that does not carry every platform build of the pinned version produces such a
# lock; then `npm install` installs the same pinned versions (it resolves nothing anew
# for entries the lock has) and skips the unavailable optional builds.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if npm ci --no-audit --no-fund 2>/tmp/toolkit-npm-ci.$$; then
  rm -f /tmp/toolkit-npm-ci.$$
  exit 0
fi
if grep -q 'Missing: .* from lock file' /tmp/toolkit-npm-ci.$$; then
  echo "[deps] npm ci: the lock file lacks optional platform builds this registry does not carry; using npm install" >&2
  rm -f /tmp/toolkit-npm-ci.$$
  exec npm install --no-audit --no-fund
fi
cat /tmp/toolkit-npm-ci.$$ >&2
rm -f /tmp/toolkit-npm-ci.$$
exit 1
