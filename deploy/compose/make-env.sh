#!/usr/bin/env bash
# Writes the compose stack's .env from .env.example with fresh random secrets (openssl).
#   ./make-env.sh [OUTPUT]     default: .env beside this script; never overwrites a file
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/.env}
[ -e "$out" ] && { echo "$out exists: remove it first to generate new secrets" >&2; exit 1; }
key() { echo "$1:$(openssl rand -base64 32)"; }
token() { openssl rand -hex "$1"; }
umask 077
sed -e "s|^INTERNAL_API_TOKEN=$|INTERNAL_API_TOKEN=$(token 32)|" \
  -e "s|^CREDENTIAL_KEYS=$|CREDENTIAL_KEYS=$(key c1)|" \
  -e "s|^EXECUTION_KEYS=$|EXECUTION_KEYS=$(key e1)|" \
  -e "s|^SUPERUSER_PASSWORD=$|SUPERUSER_PASSWORD=$(token 12)|" \
  -e "s|^SUPERUSER_API_TOKEN=$|SUPERUSER_API_TOKEN=$(token 20)|" \
  -e "s|^GRAFANA_ADMIN_PASSWORD=$|GRAFANA_ADMIN_PASSWORD=$(token 12)|" \
  "$here/.env.example" > "$out"
echo "wrote $out (superuser token: grep SUPERUSER_API_TOKEN $out)" >&2
