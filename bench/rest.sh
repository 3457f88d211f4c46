#!/usr/bin/env bash
# The business REST API under load, on the embedded database grown to 100,000 records per module.
#   bench/rest.sh
# Env: SECS (measured seconds per scenario, default 20), WARM (unmeasured warm-up seconds, default 10),
#      CONN (connections, default 32), PORT (default 18080),
#      RECORDS (generated records per module, default 100000), PROFILE=1 (JFR profile of the query scenario:
#      the share of CPU samples spent validating the access token).
# Scenarios: the seed's query (SELECT * FROM Invoice LIMIT 20;) and GET /restapi/v1/Accounts/{id}, both
# with a valid opaque bearer token of a service account bound to alice (owner, group and role rules apply).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECS=${SECS:-20}; WARM=${WARM:-10}; CONN=${CONN:-32}; PORT=${PORT:-18080}; RECORDS=${RECORDS:-100000}
BASE=http://127.0.0.1:$PORT
DATA=$(mktemp -d /tmp/ostium-rest-bench.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
./ostium --version >/dev/null   # builds if needed
JAVA=$(ls -d /usr/lib/jvm/temurin-25-jdk-amd64/bin/java 2>/dev/null || command -v java)

start_ostium() {
  OSTIUM_JAVA_OPTS="${1:-}" ./ostium demo --data-dir "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 &
  PID=$!
  until curl -sf "$BASE/oauth2/jwks" >/dev/null; do sleep 0.05; done
}
stop_ostium() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

echo "== Ostium REST API ($(git rev-parse --short HEAD 2>/dev/null || echo worktree), $(date -u +%FT%TZ), ${SECS}s x ${CONN} connections, ${RECORDS} records per module)"
start_ostium; stop_ostium                       # schema, keys and the demo company
"$JAVA" -cp "target/ostium.jar:target/lib/*" bench/GrowCrm.java "$DATA" "$RECORDS"
JFR=""
[ "${PROFILE:-0}" = 1 ] && JFR="-XX:StartFlightRecording=filename=$DATA/rest.jfr,settings=profile,delay=15s,dumponexit=true"
start_ostium "$JFR"
read -r ID SECRET < <(./ostium apps create --server "$BASE" --name bench-rest --user alice --scope rest.all \
  | awk '/client_id/ {id=$2} /client_secret/ {s=$2} END {print id, s}')
TOKEN=$(curl -s -u "$ID:$SECRET" -d grant_type=client_credentials "$BASE/oauth2/token" \
  | python3 -c 'import sys,json;print(json.load(sys.stdin)["access_token"])')
ACCOUNT=$(curl -s "$BASE/restapi/v1/vtews/query" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"query": "SELECT id FROM Accounts ORDER BY id DESC LIMIT 1;"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["result"][0]["id"])')
echo "invoices alice sees: $(curl -s "$BASE/restapi/v1/vtews/query" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"query": "SELECT count(*) FROM Invoice;"}')"

cat >"$DATA/query.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"query": "SELECT * FROM Invoice LIMIT 20;"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
cat >"$DATA/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA

run() { # name lua url
  wrk -t2 -c"$CONN" -d"${WARM}s" -s "$2" "$3" >/dev/null      # JIT warm-up, unmeasured
  echo "-- $1"
  wrk -t2 -c"$CONN" -d"${SECS}s" --latency -s "$2" "$3" | grep -E 'Requests/sec|Non-2xx|Latency |  50%|  99%'
}
run "query: SELECT * FROM Invoice LIMIT 20;" "$DATA/query.lua" "$BASE/restapi/v1/vtews/query"
run "GET /restapi/v1/Accounts/$ACCOUNT" "$DATA/get.lua" "$BASE/restapi/v1/Accounts/$ACCOUNT"
stop_ostium

if [ -n "$JFR" ]; then
  # Share of CPU samples (all threads) whose stack passes through token validation.
  "$(dirname "$JAVA")/jfr" print --events jdk.ExecutionSample "$DATA/rest.jfr" | awk '
    /jdk.ExecutionSample/ { total++; hit = 0 }
    /AccessTokens.validate|BearerToken.require/ { if (!hit) { tokens++; hit = 1 } }
    END { printf "token validation: %d of %d CPU samples (%.1f %%)\n", tokens, total, 100 * tokens / (total ? total : 1) }'
fi
