#!/usr/bin/env bash
# Ostium under load, optionally beside the Keycloak peer in the same sitting.
#   bench/run.sh              Ostium only
#   bench/run.sh --keycloak   Ostium, then Keycloak (../shared/peers/keycloak), same load
# Scenarios: client_credentials + introspection (oauth-load.sh), JWT access tokens, and the refresh_token
# grant with rotation (refresh-load.sh: each request spends one refresh token, each answer adds the new one).
# Env: SECS (measured seconds per scenario, default 20), WARM (warm-up seconds, default 30), CONN (connections,
# default 32), PORT (default 18080).
# Each scenario on each server gets one unmeasured load run of WARM seconds first (JIT warm-up: after 20 s of it the
# compilers still took 15-17 % of the server's CPU in the refresh scenario), then the measured one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECS=${SECS:-20}; WARM=${WARM:-30}; CONN=${CONN:-32}; PORT=${PORT:-18080}
LOAD=${LOAD:-$ROOT/../shared/peers/oauth-load.sh}
PEERS=$(dirname "$LOAD")
REFRESH_LOAD=${REFRESH_LOAD:-$PEERS/refresh-load.sh}
TOKENS=$(( CONN * 2 ))
WITH_KC=0; [ "${1:-}" = "--keycloak" ] && WITH_KC=1
BASE=http://127.0.0.1:$PORT
DATA=$(mktemp -d /tmp/ostium-bench.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; [ -n "${KEEP_LOG:-}" ] && cp "$DATA/server.log" "$KEEP_LOG"; rm -rf "$DATA"; }
trap cleanup EXIT

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
./ostium --version >/dev/null   # builds if needed

start_ostium() {
  ./ostium demo --data-dir "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 &
  PID=$!
}
wait_ready() { # url -> ms until it answers
  local t0; t0=$(date +%s%N)
  until curl -sf "$1" >/dev/null; do sleep 0.01; done
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
tree_rss_kb() { # pid -> resident KiB of the process and all its descendants (Keycloak runs java under kc.sh)
  local total=0 p
  for p in $1 $(pgrep -P "$1" 2>/dev/null); do
    [ "$p" = "$1" ] || { total=$((total + $(tree_rss_kb "$p"))); continue; }
    total=$((total + $(ps -o rss= -p "$p" 2>/dev/null | tr -d ' ' || echo 0)))
  done
  echo "$total"
}
peak_rss_during() { # pid command... -> runs the command, prints its output, then "peak_rss_mb N"
  local pid=$1; shift
  local peak=0 rss
  "$@" &
  local job=$!
  while kill -0 "$job" 2>/dev/null; do
    rss=$(tree_rss_kb "$pid")
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.5
  done
  wait "$job"
  echo "peak_rss_mb $((peak / 1024))"
}

echo "== Ostium ($(git rev-parse --short HEAD 2>/dev/null || echo worktree), $(date -u +%FT%TZ), ${SECS}s x ${CONN} connections)"
# First launch creates the data and the class-data archive; the measured launch is a normal restart.
start_ostium; wait_ready "$BASE/oauth2/jwks" >/dev/null; kill "$PID"; wait "$PID" 2>/dev/null || true
start_ostium; READY=$(wait_ready "$BASE/.well-known/openid-configuration")
echo "ready_ms $READY"
creds() { awk '/client_id/ {id=$2} /client_secret/ {s=$2} END {print id, s}'; }
read -r ID SECRET < <(./ostium apps create --server "$BASE" --name bench-opaque --user alice --scope rest.all | creds)
read -r JID JSECRET < <(./ostium apps create --server "$BASE" --name bench-jwt --user alice --scope rest.all --token-format jwt | creds)
"$LOAD" "$BASE/oauth2/token" "$ID" "$SECRET" "$BASE/oauth2/introspect" "$WARM" "$CONN" >/dev/null
peak_rss_during "$PID" "$LOAD" "$BASE/oauth2/token" "$ID" "$SECRET" "$BASE/oauth2/introspect" "$SECS" "$CONN"
echo "-- JWT (ES256) access tokens"
"$LOAD" "$BASE/oauth2/token" "$JID" "$JSECRET" "" "$WARM" "$CONN" >/dev/null
"$LOAD" "$BASE/oauth2/token" "$JID" "$JSECRET" "" "$SECS" "$CONN"
echo "-- refresh_token with rotation (a web app with offline access; $TOKENS starting tokens from real codes)"
REDIRECT=http://127.0.0.1:9/cb
read -r WID WSECRET < <(./ostium apps create --server "$BASE" --type web --name bench-web --redirect-uri "$REDIRECT" \
  --scope "openid rest.all" --offline-access | creds)
bench/refresh-tokens.sh "$BASE" "$WID" "$WSECRET" "$REDIRECT" "$TOKENS" >"$DATA/warm.txt"
"$REFRESH_LOAD" "$BASE/oauth2/token" "$WID" "$WSECRET" "$DATA/warm.txt" "$WARM" "$CONN" >/dev/null
bench/refresh-tokens.sh "$BASE" "$WID" "$WSECRET" "$REDIRECT" "$TOKENS" >"$DATA/tokens.txt"
"$REFRESH_LOAD" "$BASE/oauth2/token" "$WID" "$WSECRET" "$DATA/tokens.txt" "$SECS" "$CONN"
./ostium apps list --server "$BASE" | sed -n '1,3p'
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

if [ $WITH_KC = 1 ]; then
  echo "== Keycloak (peer)"
  KC_START=$(date +%s%N)
  "$PEERS/keycloak/start.sh" >/dev/null
  echo "ready_ms $(( ($(date +%s%N) - KC_START) / 1000000 )) (includes the realm setup requests of start.sh)"
  KPID=$(cat "${KC_WORK:-/tmp/peer-keycloak}/keycloak.pid")
  KC=http://127.0.0.1:${KC_PORT:-18090}/realms/bench/protocol/openid-connect
  "$LOAD" "$KC/token" svc svc-secret-0123456789 "$KC/token/introspect" "$WARM" "$CONN" >/dev/null
  peak_rss_during "$KPID" "$LOAD" "$KC/token" svc svc-secret-0123456789 "$KC/token/introspect" "$SECS" "$CONN"
  echo "-- refresh_token with rotation (client web, user alice)"
  "$PEERS/keycloak/refresh-tokens.sh" "$TOKENS" >"$DATA/kc-warm.txt"
  "$REFRESH_LOAD" "$KC/token" web web-secret-0123456789 "$DATA/kc-warm.txt" "$WARM" "$CONN" >/dev/null
  "$PEERS/keycloak/refresh-tokens.sh" "$TOKENS" >"$DATA/kc-tokens.txt"
  "$REFRESH_LOAD" "$KC/token" web web-secret-0123456789 "$DATA/kc-tokens.txt" "$SECS" "$CONN"
  "$PEERS/keycloak/stop.sh"
fi
