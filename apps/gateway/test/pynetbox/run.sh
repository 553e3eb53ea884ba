#!/usr/bin/env bash
# Runs pynetbox against a running gateway: GATEWAY_URL (e.g. http://127.0.0.1:8000) and
# GATEWAY_TOKEN (a superuser's API token). Creates a temporary virtualenv each time.
set -euo pipefail
: "${GATEWAY_URL:?set GATEWAY_URL}"
: "${GATEWAY_TOKEN:?set GATEWAY_TOKEN}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(mktemp -d -t pynetbox-venv-XXXXXX)"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "pynetbox${PYNETBOX_VERSION:+==$PYNETBOX_VERSION}"
"$venv/bin/python" "$here/pynetbox_check.py"
