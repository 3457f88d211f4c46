#!/usr/bin/env bash
# The refresh_token grant alone, for before/after comparisons of one change: a fresh demo server, a web app
# with offline access, 64 starting tokens from real codes (bench/refresh-tokens.sh), a warm-up load, then
# RUNS measured loads with ../shared/peers/refresh-load.sh, each followed by the server's CPU time per request,
# split by thread (requests, rotation writer, JIT compilers, GC), and the whole machine's.
# PROFILE=1 adds a JFR recording of the last measured run and prints where the CPU samples fell
# (KEEP_JFR=FILE keeps the recording).
# Env: SECS (default 20), WARM (warm-up seconds, default 30), RUNS (default 1), PORT (default 18080),
#      FILL (seconds of client_credentials load first, default 0: the database then holds as many token
#      records as bench/run.sh leaves before its refresh scenario, about a million for FILL=100),
#      OSTIUM_JAVA_OPTS (passed to the launcher, e.g. a bigger heap).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
PORT=${PORT:-18080}; BASE=http://127.0.0.1:$PORT; SECS=${SECS:-20}; WARM=${WARM:-30}; RUNS=${RUNS:-1}
DATA=$(mktemp -d /tmp/ostium-refresh.XXXXXX); PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"' EXIT
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
./ostium --version >/dev/null   # builds if needed; finds the JDK
start() {
  ./ostium demo --data-dir "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 & PID=$!
  until curl -sf "$BASE/oauth2/jwks" >/dev/null; do
    kill -0 "$PID" 2>/dev/null || { cat "$DATA/server.log" >&2; exit 1; }
    sleep 0.1
  done
}
# The first launch writes the class cache; the measured server is a normal restart.
start; kill "$PID"; wait "$PID" 2>/dev/null || true
start
JPID=$(pgrep -P "$PID" java || echo "$PID")
JAVA_BIN=$(dirname "$(readlink -f "/proc/$JPID/exe")")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$JPID/stat"; }
# CPU ticks of the server's threads, grouped by what they do (a thread's name is cut to 15 characters).
thread_ticks() {
  for t in /proc/"$JPID"/task/*; do
    printf '%s %s\n' "$(awk '{print $14 + $15}' "$t/stat")" "$(cat "$t/comm")"
  done | awk '{ n = $2
    if (n ~ /^ForkJoinPool/) g = "requests"; else if (n ~ /^ostium-rotat/) g = "rotation-writer"
    else if (n ~ /^C[12]/) g = "JIT-compilers"; else if (n == "VM" || n == "GC") g = "GC-and-safepoints"; else g = "other"
    c[g] += $1 } END { for (g in c) print g, c[g] }' | sort
}
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }   # busy, idle
if [ "${FILL:-0}" -gt 0 ]; then
  read -r SID SSECRET < <(./ostium apps create --server "$BASE" --name bench-fill --user alice --scope rest.all \
    | awk '/client_id/ {id=$2} /client_secret/ {s=$2} END {print id, s}')
  "$PEERS/oauth-load.sh" "$BASE/oauth2/token" "$SID" "$SSECRET" "" "$FILL" 32 | sed 's/^/fill: /'
fi
REDIRECT=http://127.0.0.1:9/cb
read -r ID SECRET < <(./ostium apps create --server "$BASE" --type web --name bench-refresh --redirect-uri "$REDIRECT" \
  --scope "openid rest.all" --offline-access | awk '/client_id/ {id=$2} /client_secret/ {s=$2} END {print id, s}')
bench/refresh-tokens.sh "$BASE" "$ID" "$SECRET" "$REDIRECT" 64 >"$DATA/warm.txt"
"$PEERS/refresh-load.sh" "$BASE/oauth2/token" "$ID" "$SECRET" "$DATA/warm.txt" "$WARM" 32 >/dev/null
echo "== $(git rev-parse --short HEAD 2>/dev/null || echo worktree), $(date -u +%FT%TZ), ${SECS}s x 32 connections"
for i in $(seq 1 "$RUNS"); do
  bench/refresh-tokens.sh "$BASE" "$ID" "$SECRET" "$REDIRECT" 64 >"$DATA/tokens.txt"
  [ -n "${PROFILE:-}" ] && [ "$i" = "$RUNS" ] && "$JAVA_BIN/jcmd" "$JPID" JFR.start name=refresh settings=profile filename="$DATA/refresh.jfr" >/dev/null
  T0=$(cpu_ticks); thread_ticks >"$DATA/threads0"; read -r B0 I0 < <(machine_ticks)
  OUT=$("$PEERS/refresh-load.sh" "$BASE/oauth2/token" "$ID" "$SECRET" "$DATA/tokens.txt" "$SECS" 32)
  REQS=$(awk '{print $2}' <<<"$OUT"); N=$(( ${REQS%.*} * SECS ))
  echo "$OUT  server CPU $(( ($(cpu_ticks) - T0) * 10000 / N )) µs/request"
  # Where the server's CPU went (µs per request, 1 tick = 10 ms), and the whole machine's: busy minus the
  # server is mostly the load generator.
  thread_ticks | join "$DATA/threads0" - | awk -v n="$N" '{printf "  %s %d", $1, ($3 - $2) * 10000 / n} END {print ""}'
  read -r B1 I1 < <(machine_ticks)
  echo "  machine: busy $(( (B1 - B0) * 10000 / N )) µs/request, idle $(( (I1 - I0) * 10000 / N )) µs/request"
done
if [ -n "${PROFILE:-}" ]; then
  "$JAVA_BIN/jcmd" "$JPID" JFR.stop name=refresh >/dev/null
  [ -n "${KEEP_JFR:-}" ] && cp "$DATA/refresh.jfr" "$KEEP_JFR"
  "$JAVA_BIN/jfr" print --stack-depth 200 --events jdk.ExecutionSample "$DATA/refresh.jfr" | awk '
    /jdk.ExecutionSample/ { if (s != "") out(); s = ""; next }
    { s = s "\n" $0 }
    function out() { n++
      if (s ~ /P256Signer|ECDSA|ECOperations|IntegerPolynomial|bouncycastle.math/) c["ID token signature"]++
      else if (s ~ /GroupCommit/) c["rotation writer (group commit)"]++
      else if (s ~ /TokenFamilies.refreshToken/) c["read: refresh token and family"]++
      else if (s ~ /Consents.find/) c["read: consent"]++
      else if (s ~ /currentUser/) c["read: user"]++
      else if (s ~ /ClientAuthenticator/) c["client authentication"]++
      else if (s ~ /IdTokens/) c["ID token, besides the signature"]++
      else if (s ~ /dev.ostium/) c["rest of Ostium code"]++
      else if (s ~ /eclipse.jetty/) c["Jetty"]++
      else c["other (GC, JIT, idle threads)"]++ }
    END { out(); for (k in c) printf "%5.1f%%  %s\n", 100 * c[k] / n, k; print n " CPU samples" }' | sort -rn
  "$JAVA_BIN/jfr" print --events jdk.GarbageCollection "$DATA/refresh.jfr" | awk '
    /sumOfPauses/ { v = $3; if ($4 == "us") v /= 1000; if ($4 == "s") v *= 1000; n++; sum += v; if (v > max) max = v }
    END { printf "GC: %d collections, %.0f ms paused in all, longest %.1f ms\n", n, sum, max }'
fi
