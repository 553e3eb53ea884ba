#!/usr/bin/env bash
# One command brings the whole system up on this machine:
#   installs dependencies if needed, provisions and starts Kafka and FerretDB
#   (tools/scripts/infra.sh), builds the services, starts a fleet of simulated devices,
#   the four services, loads demo data, and prints the gateway URL and how to
#   authenticate. Ctrl-C (or `npm run down` from another terminal) stops everything it
#   started.
#
#   tools/scripts/up.sh [up]        foreground; Ctrl-C stops
#   tools/scripts/up.sh down        stop a running stack (services, simulator, servers)
#   tools/scripts/up.sh status
#
# Ports: TOOLKIT_GATEWAY_PORT (8000), TOOLKIT_CATALOG_PORT (8101), TOOLKIT_EXECUTOR_PORT
# (8102), TOOLKIT_ANALYTICS_PORT (8103), simulated devices from TOOLKIT_SIM_BASE_PORT (12200),
# TOOLKIT_SIM_COUNT devices (20), their control port TOOLKIT_SIM_CONTROL_PORT (12199).
# A second stack beside the first (the quick-start test runs one): TOOLKIT_STACK_DIR (state,
# secrets and logs; .toolkit/stack) and TOOLKIT_STACK_PREFIX (put before its topics, consumer
# groups and databases; none).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
stack=${TOOLKIT_STACK_DIR:-$repo/.toolkit/stack}
prefix=${TOOLKIT_STACK_PREFIX:-}
gateway_port=${TOOLKIT_GATEWAY_PORT:-8000}
sim_count=${TOOLKIT_SIM_COUNT:-20}
sim_base_port=${TOOLKIT_SIM_BASE_PORT:-12200}
services=(catalog analytics executor gateway)

say() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

port_of() {
  case $1 in
    gateway) echo "$gateway_port" ;;
    catalog) echo "${TOOLKIT_CATALOG_PORT:-8101}" ;;
    executor) echo "${TOOLKIT_EXECUTOR_PORT:-8102}" ;;
    analytics) echo "${TOOLKIT_ANALYTICS_PORT:-8103}" ;;
  esac
}

stop_pid() {
  local name=$1 pidfile=$stack/$1.pid
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  local pid; pid=$(cat "$pidfile")
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

stop_all() {
  for (( i=${#services[@]}-1; i>=0; i-- )); do stop_pid "${services[$i]}"; done
  stop_pid simulator
  if [ -f "$stack/infra-started" ]; then bash tools/scripts/infra.sh down; rm -f "$stack/infra-started"; fi
}

# Secrets for the local stack, generated once and kept in .toolkit/stack/secrets.env
# (git-ignored). Production takes them from Kubernetes secrets.
ensure_secrets() {
  [ -f "$stack/secrets.env" ] && return
  local rnd='require("node:crypto").randomBytes(32)'
  {
    echo "INTERNAL_API_TOKEN=$(node -e "process.stdout.write($rnd.toString('hex'))")"
    echo "CREDENTIAL_KEYS=local1:$(node -e "process.stdout.write($rnd.toString('base64'))")"
    echo "EXECUTION_KEYS=local1:$(node -e "process.stdout.write($rnd.toString('base64'))")"
    echo "SUPERUSER_USERNAME=admin"
    echo "SUPERUSER_PASSWORD=$(node -e "process.stdout.write($rnd.toString('base64url').slice(0, 20))")"
    echo "SUPERUSER_API_TOKEN=$(node -e "process.stdout.write($rnd.toString('hex').slice(0, 40))")"
  } > "$stack/secrets.env"
  chmod 600 "$stack/secrets.env"
}

wait_http() {
  local name=$1 url=$2
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    pid_alive "$stack/$name.pid" || { tail -n 30 "$stack/logs/$name.log" >&2; die "$name exited during start-up (log: $stack/logs/$name.log)"; }
    sleep 0.2
  done
  tail -n 30 "$stack/logs/$name.log" >&2
  die "$name did not become ready at $url"
}

start_service() {
  local name=$1 port; port=$(port_of "$1")
  [ -f "dist/apps/$name/main.js" ] || die "dist/apps/$name/main.js is missing: the build failed"
  pid_alive "$stack/$name.pid" && { say "$name already running"; return; }
  say "starting $name on 127.0.0.1:$port"
  (
    set -a
    # shellcheck disable=SC1091
    . "$stack/secrets.env"
    set +a
    export HTTP_PORT=$port LOG_LEVEL=${LOG_LEVEL:-info}
    export KAFKA_TOPIC_PREFIX=$prefix MONGODB_DB=${prefix}toolkit_$name
    export CATALOG_URL=http://127.0.0.1:$(port_of catalog) ANALYTICS_URL=http://127.0.0.1:$(port_of analytics)
    export PUBLIC_URL=http://127.0.0.1:$gateway_port
    # The simulated fleet's host key is generated at each start: trust on first use, logged.
    export EXECUTOR_KNOWN_HOSTS_MODE=${EXECUTOR_KNOWN_HOSTS_MODE:-accept-new}
    # As deploy/Dockerfile: two glibc malloc arenas instead of 8 per core (less RSS), and
    # the analytics image's heap cap (its exports otherwise let garbage grow RSS to ~200 MB).
    export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
    [ "$name" != analytics ] || export NODE_OPTIONS=${NODE_OPTIONS:---max-old-space-size=128}
    exec node --enable-source-maps "dist/apps/$name/main.js"
  ) >>"$stack/logs/$name.log" 2>&1 &
  echo $! > "$stack/$name.pid"
  wait_http "$name" "http://127.0.0.1:$port/readyz"
}

start_simulator() {
  [ -f dist/apps/simulator/main.js ] || { say "no simulator build: skipping simulated devices"; return; }
  pid_alive "$stack/simulator.pid" && { say "simulator already running"; return; }
  say "starting $sim_count simulated devices from 127.0.0.1:$sim_base_port"
  rm -f "$stack/inventory.json"
  node dist/apps/simulator/main.js --count "$sim_count" --base-port "$sim_base_port" \
    --inventory "$stack/inventory.json" --control-port "${TOOLKIT_SIM_CONTROL_PORT:-12199}" \
    >>"$stack/logs/simulator.log" 2>&1 &
  echo $! > "$stack/simulator.pid"
  for _ in $(seq 1 100); do [ -s "$stack/inventory.json" ] && return; sleep 0.1; done
  die "the simulator did not write its inventory (log: $stack/logs/simulator.log)"
}

seed_demo_data() {
  [ -f tools/scripts/seed-demo.mjs ] || return 0
  say "loading demo data"
  (
    set -a
    . "$stack/secrets.env"
    set +a
    KAFKA_TOPIC_PREFIX=$prefix MONGODB_DB=${prefix}toolkit_catalog \
      GATEWAY_URL=http://127.0.0.1:$gateway_port INVENTORY="$stack/inventory.json" node tools/scripts/seed-demo.mjs
  ) || die "loading demo data failed"
}

up() {
  mkdir -p "$stack/logs"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing dependencies"
    bash tools/scripts/install-deps.sh >&2
  fi
  # Stop on the way out only the servers this run started (not ones already running).
  # Servers of one's own (KAFKA_BROKERS, MONGODB_URI set) are never stopped.
  local infra_status; infra_status=$(bash tools/scripts/infra.sh status)
  if [ -z "${KAFKA_BROKERS:-}${MONGODB_URI:-}" ]; then
    case "$infra_status" in *'kafka: running'*) ;; *) touch "$stack/infra-started" ;; esac
  fi
  bash tools/scripts/infra.sh up >/dev/null
  eval "$(bash tools/scripts/infra.sh env)"
  export KAFKA_BROKERS MONGODB_URI
  # The community TextFSM templates (ntc-templates, pinned): parsed output out of the box.
  TEXTFSM_TEMPLATES_DIR=${TEXTFSM_TEMPLATES_DIR:-$(bash tools/scripts/ntc-templates.sh)} \
    || die "installing the TextFSM template library failed"
  export TEXTFSM_TEMPLATES_DIR
  node tools/scripts/build.mjs
  ensure_secrets
  trap 'echo; stop_all; exit 0' INT TERM
  start_simulator
  for s in "${services[@]}"; do start_service "$s"; done
  seed_demo_data
  # shellcheck disable=SC1091
  . "$stack/secrets.env"
  cat <<EOF

  The toolkit is up.
    API:       http://127.0.0.1:$gateway_port/api/
    Docs:      http://127.0.0.1:$gateway_port/api/docs/
    Token:     $SUPERUSER_API_TOKEN   (user $SUPERUSER_USERNAME, password in $stack/secrets.env)
    Try:       curl -H "Authorization: Token $SUPERUSER_API_TOKEN" http://127.0.0.1:$gateway_port/api/plugins/toolkit/commands/
    Devices:   $stack/inventory.json
    Logs:      $stack/logs/
  Ctrl-C (or npm run down) stops everything.

EOF
  while true; do
    for s in "${services[@]}"; do
      pid_alive "$stack/$s.pid" || { say "$s exited: see $stack/logs/$s.log"; stop_all; exit 1; }
    done
    sleep 2
  done
}

status() {
  for name in simulator "${services[@]}"; do
    if pid_alive "$stack/$name.pid"; then echo "$name: running (pid $(cat "$stack/$name.pid"))"; else echo "$name: stopped"; fi
  done
  bash tools/scripts/infra.sh status
}

case "${1:-up}" in
  up) up ;;
  down) stop_all ;;
  status) status ;;
  *) die "unknown command '$1' (up, down, status)" ;;
esac
