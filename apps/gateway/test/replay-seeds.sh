#!/usr/bin/env bash
# Replays the curl examples of /work/shared/seeds/ (the original documents) against a
# running stack and checks status and shape. GATEWAY_URL, GATEWAY_TOKEN (superuser).
# Host names of the documents are replaced by GATEWAY_URL; YOUR_TOKEN placeholders by the token.
set -uo pipefail
: "${GATEWAY_URL:?set GATEWAY_URL}"
: "${GATEWAY_TOKEN:?set GATEWAY_TOKEN}"
base="${GATEWAY_URL%/}"
tag="seed$RANDOM$RANDOM"
fails=0
auth=(-H "Authorization: Token $GATEWAY_TOKEN")

check() { # name expected-status actual-status body jq-filter
  local name="$1" want="$2" got="$3" body="$4" filter="${5:-.}"
  if [[ "$got" == "$want" ]] && echo "$body" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)" "$filter" 2>/dev/null; then
    echo "ok   $name"
  else
    echo "FAIL $name (status $got, want $want): ${body:0:300}"; fails=$((fails + 1))
  fi
}
call() { # method path [body] -> sets status and body
  local method="$1" path="$2" data="${3:-}"
  local out; out="$(mktemp)"
  if [[ -n "$data" ]]; then
    status="$(curl -s -o "$out" -w '%{http_code}' -X "$method" "${auth[@]}" -H 'Content-Type: application/json' -d "$data" "$base$path")"
  else
    status="$(curl -s -o "$out" -w '%{http_code}' -X "$method" "${auth[@]}" -H 'Content-Type: application/json' "$base$path")"
  fi
  body="$(cat "$out")"; rm -f "$out"
}

# 000/001: curl -H "Authorization: Token ..." -H "Content-Type: application/json" .../api/plugins/toolkit/commands/
call GET /api/plugins/toolkit/commands/; check "seed 000/001: list commands" 200 "$status" "$body" "set(d) >= {'count','next','previous','results'}"
call GET "/api/plugins/toolkit/commands/?limit=50&offset=100"; check "seed 000: pagination" 200 "$status" "$body" "'results' in d"
call GET "/api/plugins/toolkit/commands/?platform_slug=cisco_ios&command_type=show"; check "seed 000: filtering" 200 "$status" "$body" "'results' in d"
call GET "/api/plugins/toolkit/command-logs/?ordering=-execution_time"; check "seed 000: ordering logs" 200 "$status" "$body" "'results' in d"
for p in /api/docs/ /api/redoc/ /api/schema/; do
  code="$(curl -s -o /dev/null -w '%{http_code}' "$base$p")"; check "seed 000: $p" 200 "$code" "{}" "True"
done
# 003: sites, IP addresses, devices (create, get, patch, filter, bulk, delete)
call POST /api/dcim/sites/ "{\"name\": \"Matrix $tag\", \"slug\": \"matrix-$tag\", \"status\": \"active\", \"description\": \"3-node Proxmox cluster\"}"
check "seed 003: create site" 201 "$status" "$body" "d['slug'] == 'matrix-$tag'"
site_id="$(echo "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("id",""))' 2>/dev/null)"
call GET /api/dcim/sites/; check "seed 003: get all sites" 200 "$status" "$body" "d['count'] >= 1"
call GET "/api/dcim/sites/$site_id/"; check "seed 003: get site by id" 200 "$status" "$body" "d['id'] == int('$site_id')"
call GET "/api/dcim/sites/?slug=matrix-$tag"; check "seed 003: get site by slug" 200 "$status" "$body" "d['count'] == 1"
call PATCH "/api/dcim/sites/$site_id/" '{"description": "updated"}'; check "seed 003: patch site" 200 "$status" "$body" "d['description'] == 'updated'"
call POST /api/ipam/ip-addresses/ "{\"address\": \"192.168.3.10/24\", \"dns_name\": \"docker-01-$tag.example\", \"status\": \"active\"}"
check "seed 003: create IP address" 201 "$status" "$body" "d['address'] == '192.168.3.10/24'"
ip_id="$(echo "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("id",""))' 2>/dev/null)"
call GET /api/ipam/ip-addresses/; check "seed 003: list IP addresses" 200 "$status" "$body" "'results' in d"
call POST /api/dcim/devices/ "[{\"name\": \"device1-$tag\", \"site\": $site_id}, {\"name\": \"device2-$tag\", \"site\": $site_id}, {\"name\": \"device3-$tag\", \"site\": $site_id}]"
check "seed 003: bulk create devices" 201 "$status" "$body" "len(d) == 3"
ids="$(echo "$body" | python3 -c 'import json,sys; print(",".join(str(x["id"]) for x in json.load(sys.stdin)))' 2>/dev/null)"
IFS=, read -r d1 d2 d3 <<<"$ids"
call GET "/api/dcim/devices/?site_id=$site_id"; check "seed 003: devices of a site" 200 "$status" "$body" "d['count'] == 3"
call GET "/api/dcim/devices/?name__ic=device1-$tag"; check "seed 003: name__ic" 200 "$status" "$body" "d['count'] == 1"
call GET "/api/dcim/devices/?name__isw=device&name__iew=$tag"; check "seed 003: name__isw / name__iew" 200 "$status" "$body" "d['count'] == 3"
call GET "/api/dcim/devices/?q=device2-$tag"; check "seed 003: q" 200 "$status" "$body" "d['count'] == 1"
call GET "/api/dcim/devices/?limit=2&name__iew=$tag"; check "seed 003: limit keeps params in next" 200 "$status" "$body" "d['next'] and 'name__iew=$tag' in d['next']"
call GET "/api/dcim/devices/?fields=name,status&name__iew=$tag"; check "seed 003: fields" 200 "$status" "$body" "all(set(r) <= {'name','status'} for r in d['results'])"
call PUT /api/dcim/devices/ "[{\"id\": $d1, \"status\": \"active\"}, {\"id\": $d2, \"status\": \"active\"}, {\"id\": $d3, \"status\": \"offline\"}]"
check "seed 003: bulk update devices" 200 "$status" "$body" "len(d) == 3"
call GET "/api/dcim/devices/?bogus_filter=1"; check "unknown filter refused" 400 "$status" "$body" "'bogus_filter' in d"
call DELETE /api/dcim/devices/ "[{\"id\": $d1}, {\"id\": $d2}, {\"id\": $d3}]"; check "seed 003: bulk delete devices" 204 "$status" "{}" "True"
call DELETE "/api/ipam/ip-addresses/$ip_id/"; check "seed 003: delete IP address" 204 "$status" "{}" "True"
call DELETE "/api/dcim/sites/$site_id/"; check "seed 003: delete site" 204 "$status" "{}" "True"
# Authentication answers
code="$(curl -s -o /tmp/seed-$tag -w '%{http_code}' "$base/api/dcim/sites/")"; check "no token: 401" 401 "$code" "$(cat /tmp/seed-$tag)" "d == {'detail': 'Authentication credentials were not provided.'}"
code="$(curl -s -o /tmp/seed-$tag -w '%{http_code}' -H 'Authorization: Token YOUR_TOKEN_HERE' "$base/api/dcim/sites/")"; check "placeholder token: 401" 401 "$code" "$(cat /tmp/seed-$tag)" "d == {'detail': 'Invalid token.'}"
rm -f "/tmp/seed-$tag"
echo "replay-seeds: $fails failed"
exit $((fails > 0))
