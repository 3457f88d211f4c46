#!/usr/bin/env bash
# The admin console's big pages, on the embedded database grown to 5,000 apps, 1,000,000 token records and
# 1,000,000 audit events (bench/GrowConsole.java), as the demo administrator signed in through the login form.
#   bench/console.sh
# Env: REPS (timed requests per page, default 20), WARM (unmeasured requests per page before, default 5),
#      PORT (default 18081), KEEP (a directory that keeps the loaded database between runs: loading takes a
#      few minutes), PROFILE=1 (a JFR recording of the timed part, left in the data directory).
# Each page is fetched one request at a time; the figure is curl's time to the first byte of the answer
# (the pages are rendered whole before they are sent, so this is the server's time plus a loopback hop).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-20}; WARM=${WARM:-5}; PORT=${PORT:-18081}
BASE=http://127.0.0.1:$PORT
if [ -n "${KEEP:-}" ]; then DATA=$KEEP; mkdir -p "$DATA"; else DATA=$(mktemp -d /tmp/ostium-console-bench.XXXXXX); fi
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$DATA"; }
trap cleanup EXIT

./ostium --version >/dev/null   # builds if needed
JAVA=$(ls -d /usr/lib/jvm/temurin-25-jdk-amd64/bin/java 2>/dev/null || command -v java)

start_ostium() {
  OSTIUM_JAVA_OPTS="${1:-}" ./ostium demo --data-dir "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 &
  PID=$!
  until curl -sf "$BASE/oauth2/jwks" >/dev/null; do sleep 0.1; done
}
stop_ostium() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

echo "== Ostium admin console ($(git rev-parse --short HEAD 2>/dev/null || echo worktree), $(date -u +%FT%TZ), ${REPS} timed requests per page after ${WARM})"
if [ ! -f "$DATA/console-bench.env" ]; then
  start_ostium; stop_ostium                     # schema, keys and the demo company
  "$JAVA" -cp "target/ostium.jar:target/lib/*" bench/GrowConsole.java "$DATA"
fi
# shellcheck disable=SC1091
. "$DATA/console-bench.env"
JFR=""
[ "${PROFILE:-0}" = 1 ] && JFR="-XX:StartFlightRecording=filename=$DATA/console.jfr,settings=profile,dumponexit=true"
start_ostium "$JFR"

# Sign in as the demo administrator through the real form: its CSRF field and cookie, then the session cookie.
JAR=$DATA/cookies.txt; rm -f "$JAR"
CSRF=$(curl -s -c "$JAR" -b "$JAR" "$BASE/account/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
[ -n "$CSRF" ] || { echo "no CSRF field on the login page" >&2; exit 1; }
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf=$CSRF" -d username=admin -d password=admin \
  "$BASE/account/login"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" "$BASE/admin/external-apps")
[ "$STATUS" = 200 ] || { echo "not signed in as the administrator (GET /admin/external-apps: $STATUS)" >&2; exit 1; }

TODAY=$(date -u +%F); WEEK_AGO=$(date -u -d '7 days ago' +%F); MONTH_AGO=$(date -u -d '30 days ago' +%F)
echo "data: busiest app $BUSY_APP ($BUSY_APP_TOKENS token records, $BUSY_APP_EVENTS events, table page $BUSY_PAGE); busiest user $BUSY_USER ($BUSY_USER_EVENTS events)"

time_page() { # label path
  local url=$BASE$2 i code
  for ((i = 0; i < WARM; i++)); do curl -s -o /dev/null -b "$JAR" "$url"; done
  code=$(curl -s -o "$DATA/last.html" -w '%{http_code} %{size_download}' -b "$JAR" "$url")
  for ((i = 0; i < REPS; i++)); do curl -s -o /dev/null -w '%{time_starttransfer}\n' -b "$JAR" "$url"; done \
    | sort -n | awk -v label="$1" -v code="$code" '{ t[NR] = $1 * 1000 }
        END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
              printf "%-44s median %6.1f ms  max %6.1f ms  (HTTP %s bytes)\n", label, m, t[NR], code }'
}

echo "-- Settings > External applications (25 apps a page)"
time_page "first page"                        "/admin/external-apps"
time_page "page of the busiest app ($BUSY_PAGE)" "/admin/external-apps?page=$BUSY_PAGE"
time_page "page 100"                          "/admin/external-apps?page=100"
time_page "last page"                         "/admin/external-apps?page=200"
time_page "search 'billing'"                  "/admin/external-apps?q=billing"
time_page "search 'billing', page 3"          "/admin/external-apps?q=billing&page=3"
time_page "type: service accounts"            "/admin/external-apps?type=service"
time_page "type: single-page apps"            "/admin/external-apps?type=spa"
time_page "state: disabled"                   "/admin/external-apps?state=disabled"
time_page "state: expired"                    "/admin/external-apps?state=expired"
time_page "type web + state enabled + search" "/admin/external-apps?q=portal&type=web&state=enabled"
time_page "the busiest app's own page"        "/admin/external-apps/$BUSY_APP"
echo "-- Audit trail (50 events a page)"
time_page "unfiltered, first page"            "/admin/audit"
time_page "app: the busiest"                  "/admin/audit?app=$BUSY_APP"
time_page "app: a typical one"                "/admin/audit?app=$TYPICAL_APP"
time_page "user: the busiest"                 "/admin/audit?user=$BUSY_USER"
time_page "user: user1500"                    "/admin/audit?user=user1500"
time_page "kind: login.failed"                "/admin/audit?kind=login.failed"
time_page "kind: keys.rotated (rare)"         "/admin/audit?kind=keys.rotated"
time_page "kind family: app."                 "/admin/audit?kind=app."
time_page "time: last 7 days"                 "/admin/audit?from=$WEEK_AGO&to=$TODAY"
time_page "time: one day a month ago"         "/admin/audit?from=$MONTH_AGO&to=$MONTH_AGO"
time_page "app + kind + 30 days"              "/admin/audit?app=$BUSY_APP&kind=client_auth.failed&from=$MONTH_AGO&to=$TODAY"
time_page "user + kind family"                "/admin/audit?user=$BUSY_USER&kind=consent."
OLDER=$(sed -n 's/.*href="\/admin\/audit?[^"]*before=\([0-9]*\)".*/\1/p' "$DATA/last.html" | head -1)
time_page "user + kind family, next page"     "/admin/audit?user=$BUSY_USER&kind=consent.&before=${OLDER:-1}"
time_page "unfiltered, page at 500,000"       "/admin/audit?before=500000"
echo "-- Audit trail as CSV (whole answer)"
time_csv() { # label path
  curl -s -o /dev/null -b "$JAR" "$BASE$2"
  curl -s -o /dev/null -b "$JAR" -w "$(printf '%-44s' "$1") first byte %{time_starttransfer} s, all %{time_total} s, HTTP %{http_code}, %{size_download} bytes\n" "$BASE$2"
}
time_csv "app: a typical one"                 "/admin/audit.csv?app=$TYPICAL_APP"
time_csv "app: the busiest"                   "/admin/audit.csv?app=$BUSY_APP"
time_csv "everything"                         "/admin/audit.csv"
echo "server: $(grep -ciE 'OutOfMemory|exception' "$DATA/server.log" || true) exceptions or errors in the log"
stop_ostium
