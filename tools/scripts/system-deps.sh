#!/usr/bin/env bash
# System packages the tests use as real peers: OpenSSH's sshd and ssh client (Linux
# targets), Python's TextFSM (the reference implementation for differential tests),
# FRRouting (a real routing stack with an industry-standard CLI), PostgreSQL 15 (the
# backend of the local FerretDB, see infra.sh) and Prometheus (its promtool checks and
# unit-tests the alerting rules in deploy/prometheus). Installed with apt when missing and
# running as root; otherwise says what to install.
#   system-deps.sh                  every package below
#   system-deps.sh --only PKG...    only these of them (infra.sh asks for postgresql-15)
set -euo pipefail
only=()
if [ "${1:-}" = --only ]; then shift; only=("$@"); fi
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null || need+=(openssh-client)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
/usr/bin/python3 -c 'import textfsm' 2>/dev/null || need+=(python3-textfsm)  # Debian's python, not a pyenv one
[ -x /usr/lib/frr/zebra ] || need+=(frr)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
command -v promtool >/dev/null || need+=(prometheus)
if [ ${#only[@]} -gt 0 ]; then
  wanted=()
  for p in "${need[@]}"; do [[ " ${only[*]} " == *" $p "* ]] && wanted+=("$p"); done
  need=("${wanted[@]}")
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[deps] installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  # The packages' services are not wanted: tests start their own on loopback ports.
  for s in ssh frr postgresql prometheus; do (service "$s" stop || true) >/dev/null 2>&1; done
else
  echo "[deps] missing system packages: ${need[*]} (install them with apt-get as root)" >&2
  exit 1
fi
