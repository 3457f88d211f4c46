#!/usr/bin/env bash
# The business REST API under load, on the embedded database grown to 100,000 records per module.
#   bench/rest.sh
# Env: SECS (measured seconds per scenario, default 20), WARM (unmeasured warm-up seconds, default 30: the JIT needs that long on two busy cores),
#      CONN (connections, default 32), THREADS (wrk threads driving them, default 1), PORT (default 18080),
#      KEEP (a directory that keeps the grown database between runs),
#      RECORDS (generated records per module, default 100000), PROFILE=1 (JFR profile of the query scenario:
#      the share of CPU samples spent validating the access token).
# wrk shares the machine's two cores with the server. One wrk thread drives the 32 connections at well
# over the target rate; with two, each wrk thread also waits for a core, and answers sitting in its
# sockets meanwhile are counted as server latency (query p99 39-48 ms instead of 8-12 ms, same server).
# Scenarios: the seed's query (SELECT * FROM Invoice LIMIT 20;) and GET /restapi/v1/Accounts/{id}, both
# with a valid opaque bearer token of a service account bound to alice (owner, group and role rules apply).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECS=${SECS:-20}; WARM=${WARM:-30}; CONN=${CONN:-32}; PORT=${PORT:-18080}; RECORDS=${RECORDS:-100000}
THREADS=${THREADS:-1}
BASE=http://127.0.0.1:$PORT
# KEEP=DIR keeps the grown database in DIR for the next run (growing it takes a minute or two).
if [ -n "${KEEP:-}" ]; then DATA=$KEEP; mkdir -p "$DATA"; else DATA=$(mktemp -d /tmp/ostium-rest-bench.XXXXXX); fi
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$DATA"; }
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

echo "== Ostium REST API ($(git rev-parse --short HEAD 2>/dev/null || echo worktree), $(date -u +%FT%TZ), ${SECS}s x ${CONN} connections on ${THREADS} wrk thread(s), ${RECORDS} records per module)"
start_ostium; stop_ostium                       # schema, keys and the demo company
"$JAVA" -cp "target/ostium.jar:target/lib/*" bench/GrowCrm.java "$DATA" "$RECORDS"
start_ostium
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

JCMD="$(dirname "$JAVA")/jcmd"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
run() { # name lua url [profile]
  wrk -t"$THREADS" -c"$CONN" -d"${WARM}s" -s "$2" "$3" >/dev/null      # JIT warm-up, unmeasured
  # The recording starts after the warm-up (a JVM option would also change the launcher's class cache).
  [ -n "${4:-}" ] && "$JCMD" "$PID" JFR.start name=rest settings=profile filename="$DATA/rest.jfr" >/dev/null
  echo "-- $1"
  local cpu0 out; cpu0=$(cpu_ticks)
  out=$(wrk -t"$THREADS" -c"$CONN" -d"${SECS}s" --latency -s "$2" "$3")
  echo "$out" | grep -E 'Requests/sec|Non-2xx|Latency |  50%|  99%'
  # The server's own CPU time per answered request: steadier than req/s when the machine is shared.
  awk -v t="$(( $(cpu_ticks) - cpu0 ))" -v hz="$(getconf CLK_TCK)" '/^Requests\/sec/ { rps = $2 }
    /requests in/ { n = $1 } END { printf "    server CPU per request: %.0f us\n", t / hz * 1e6 / n }' <<<"$out"
  [ -n "${4:-}" ] && "$JCMD" "$PID" JFR.stop name=rest >/dev/null
  return 0
}
PROFILE_QUERY=""; [ "${PROFILE:-0}" = 1 ] && PROFILE_QUERY=yes
run "query: SELECT * FROM Invoice LIMIT 20;" "$DATA/query.lua" "$BASE/restapi/v1/vtews/query" "$PROFILE_QUERY"
run "GET /restapi/v1/Accounts/$ACCOUNT" "$DATA/get.lua" "$BASE/restapi/v1/Accounts/$ACCOUNT"
stop_ostium

if [ -n "$PROFILE_QUERY" ]; then
  # Share of CPU samples (all threads) whose stack passes through token validation.
  "$(dirname "$JAVA")/jfr" print --stack-depth 200 --events jdk.ExecutionSample "$DATA/rest.jfr" | awk '
    /jdk.ExecutionSample/ { total++; hit = 0 }
    /AccessTokens.validate|BearerToken.require/ { if (!hit) { tokens++; hit = 1 } }
    END { printf "token validation: %d of %d CPU samples (%.1f %%)\n", tokens, total, 100 * tokens / (total ? total : 1) }'
  "$(dirname "$JAVA")/jfr" summary "$DATA/rest.jfr" | grep -E 'jdk.GarbageCollection ' || true
  "$(dirname "$JAVA")/jfr" print --events jdk.GarbageCollection "$DATA/rest.jfr" | awk '
    /longestPause/ { v = $3; if ($4 == "s") v *= 1000; if (v > max) max = v; sum += v; n++ }
    END { printf "GC pauses during the query run: %d, longest %.1f ms, total %.0f ms\n", n, max, sum }'
fi
