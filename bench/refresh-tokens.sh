#!/usr/bin/env bash
# Print N fresh refresh tokens of user alice for a web app of a running Ostium, one a line, each from its
# own authorization code obtained through the real flow: log in once, approve once, then one code per
# token (the consent is remembered), each exchanged with the app's secret.
# Usage: bench/refresh-tokens.sh BASE CLIENT_ID SECRET REDIRECT_URI [N] > tokens.txt
set -euo pipefail
BASE=$1; ID=$2; SECRET=$3; REDIRECT=$4; N=${5:-64}
case "$BASE" in http://127.*|http://localhost*) ;; *) echo "loopback only" >&2; exit 2;; esac
JAR=$(mktemp); trap 'rm -f "$JAR"' EXIT
enc() { python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$1"; }
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1; }
AUTHZ="/oauth2/authorize?response_type=code&client_id=$ID&redirect_uri=$(enc "$REDIRECT")&scope=openid%20rest.all"

TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$BASE/account/login" | csrf)
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf=$TOKEN" -d username=alice -d password=alice \
  --data-urlencode "return_to=/account/" "$BASE/account/login"
PAGE=$(curl -s -c "$JAR" -b "$JAR" "$BASE$AUTHZ")
if grep -q 'name="decision"' <<<"$PAGE"; then   # first time: the consent screen
  FIELDS=$(sed -n 's/.*<input type="hidden" name="\([^"]*\)" value="\([^"]*\)">.*/\1=\2/p' <<<"$PAGE" | grep -v '^csrf=' \
    | python3 -c 'import sys,html,urllib.parse;print("&".join(urllib.parse.quote(k)+"="+urllib.parse.quote(html.unescape(v)) for k,v in (l.rstrip("\n").split("=",1) for l in sys.stdin)))')
  curl -s -o /dev/null -c "$JAR" -b "$JAR" -d "$FIELDS" --data-urlencode "csrf=$(csrf <<<"$PAGE")" -d decision=allow \
    "$BASE/oauth2/consent"
fi
for _ in $(seq 1 "$N"); do
  LOCATION=$(curl -s -o /dev/null -w '%{redirect_url}' -c "$JAR" -b "$JAR" "$BASE$AUTHZ")
  CODE=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.parse_qs(urllib.parse.urlparse(sys.argv[1]).query)["code"][0])' "$LOCATION")
  curl -s -u "$ID:$SECRET" -d grant_type=authorization_code -d "code=$CODE" --data-urlencode "redirect_uri=$REDIRECT" \
    "$BASE/oauth2/token" | python3 -c 'import sys,json;print(json.load(sys.stdin)["refresh_token"])'
done
