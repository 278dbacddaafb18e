#!/usr/bin/env bash
# Browser test of the operator console (ctest: Browser.ConsoleShowsEveryPanel).
#   tests/browser/run_console_test.sh HOMEPORT_BIN [SOURCE_DIR]
# Builds a region "sg" with one factory batch on loopback: 30 devices activate on manifest 1,
# 18 of them take the fix (manifest 2, client 1.1.0), 3 activations claim region cn, one user
# sends a feedback ping (a count below the minimum, shown "< 5"), two warranty lookups land in
# the access log. Then it records `homeport stats --json` and `homeport rollout --json` and runs
# console.test.mjs in Debian's Chromium, which checks that the console shows those numbers.
# HOMEPORT_UPDATE_SCREENSHOTS=1 writes the screenshots into docs/console/ (else the temp dir);
# HOMEPORT_CONSOLE_KEEP_SERVING=1 keeps the server running afterwards, for work on the console.
set -euo pipefail

HOMEPORT=$(realpath "${1:?usage: run_console_test.sh HOMEPORT_BIN [SOURCE_DIR]}")
SOURCE_DIR=$(realpath "${2:-$(dirname "$0")/../..}")
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

fail() { echo "console test: $*" >&2; exit 1; }
# make test installs both (scripts/install-deps.sh): a missing one is a failure, not a skip.
[ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing: run scripts/install-deps.sh (Debian's chromium)"
[ -f "$SOURCE_DIR/node_modules/playwright-core/package.json" ] ||
  fail "playwright-core is missing: run scripts/install-deps.sh (npm install)"
command -v node >/dev/null || fail "node is missing: run scripts/install-deps.sh"

WORK=$(mktemp -d /tmp/homeport-console.XXXXXX)
SERVER=
cleanup() {
  local rc=$?
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [ $rc -eq 0 ]; then
    rm -rf "$WORK"
  else
    echo "console test: failed; its files are kept in $WORK (server.log, server.out)" >&2
  fi
}
trap cleanup EXIT
cd "$WORK"
H() { "$HOMEPORT" "$@"; }
started=$(date +%s.%N)

H keys new --out root.key >/dev/null
H factory batch --root-pub root.key.pub --count 30 --model HP7 --sku HP7-64-BLK --variant global \
  --region sg --batch B1 --out batch >/dev/null
H enroll --store sqlite:sg.db --region sg batch/enrollment.csv >/dev/null

TOKEN=console-test-token-$RANDOM$RANDOM$RANDOM
(umask 077 && printf '%s\n' "$TOKEN" >admin.token)
H serve --region sg --store sqlite:sg.db --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
  --admin-token-file admin.token --wrong-region-flush-interval 1 >server.out 2>server.log &
SERVER=$!
for _ in $(seq 200); do
  grep -q 'operator endpoints on' server.out 2>/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || fail "the server exited: $(cat server.log)"
  sleep 0.05
done
URL=$(grep 'listening on' server.out | grep -o 'http://[0-9.:]*' | head -1)
ADMIN_URL=$(grep 'operator endpoints on' server.out | grep -o 'http://[0-9.:]*' | head -1)
[ -n "$URL" ] && [ -n "$ADMIN_URL" ] || fail "no ports in the server's output: $(cat server.out)"
code=$(curl -s -o stats-probe.json -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  "$ADMIN_URL/v1/admin/stats/storage")
[ "$code" = 200 ] || fail "GET /v1/admin/stats/storage answered $code: $(cat stats-probe.json)"

# The batch activates on manifest 1; UX-program participants send their first day, without
# feedback, so the one feedback ping below stays under the minimum count.
H manifest sign --root-key root.key --region sg --variant global --activation-url "$URL" \
  --uxp-url "$URL" --version 1 --out m1.jws >/dev/null
H fleet simulate --batch batch --manifest m1.jws --devices 30 --server "$URL" --concurrency 8 \
  --uxp-share 0.5 --feedback-share 0 --opt-out-share 0 --seed 7 --quiet >fleet1.out

# The fix: manifest 2 and client 1.1.0 reach 18 of the 30 devices (check-ins).
H manifest sign --root-key root.key --region sg --variant global --activation-url "$URL" \
  --uxp-url "$URL" --version 2 --out m2.jws >/dev/null
H fleet simulate --batch batch --manifest m2.jws --devices 18 --client-version 1.1.0 \
  --server "$URL" --concurrency 8 --uxp-share 0 --seed 7 --quiet >fleet2.out

# The 2019 failure, three times: activations claiming region cn (refused, only counted).
for _ in 1 2 3; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/v1/activations" \
    -H 'Content-Type: application/json' \
    -d '{"serial":"X","model":"HP7","sku":"HP7-64-BLK","variant":"global","region":"cn","client_version":"1.0.0","manifest_version":1,"sequence":1}')
  [ "$code" = 421 ] || fail "a cn activation was answered $code, not 421"
done

# One user of the last device (still on manifest 1) sends one feedback ping with a phone number
# for the server to scrub: 1 document and 1 identifier, both shown as "< 5".
last=$(ls batch/devices | sort | tail -1 | sed 's/\.json$//')
P=(--profile "batch/devices/$last.json" --manifest m1.jws --state "state/$last")
H agent uxp opt-in "${P[@]}" >/dev/null
H agent uxp feedback "The screen froze, call me on +65 6123 4567" --rating 2 "${P[@]}" >/dev/null
H agent uxp upload "${P[@]}" >/dev/null

# Two reads of personal data for the access log: through the operator API and the CLI.
first=$(ls batch/devices | sort | head -1 | sed 's/\.json$//')
curl -sf -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/v1/admin/warranty/$first" >/dev/null ||
  fail "the warranty lookup through the operator API failed"
H warranty "$first" --store sqlite:sg.db >/dev/null

# Everything acknowledged is in the store: the pings (ingest log loaded) and the wrong-region
# counts (flushed once a second).
for i in $(seq 200); do
  curl -s "$URL/healthz" | grep -q '"unloaded_bytes":0[,}]' && break
  [ "$i" = 200 ] && fail "the ingest log was not loaded into the store: $(curl -s "$URL/healthz")"
  sleep 0.05
done
for i in $(seq 100); do
  curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/v1/admin/stats/region-alarm" |
    grep -q '"count":3[,}]' && break
  [ "$i" = 100 ] && fail "the 3 wrong-region attempts were not committed: $(curl -s -H "Authorization: Bearer $TOKEN" "$ADMIN_URL/v1/admin/stats/region-alarm")"
  sleep 0.1
done

if [ "${HOMEPORT_UPDATE_SCREENSHOTS:-0}" = 1 ]; then
  SHOTS="$SOURCE_DIR/docs/console"
else
  SHOTS="$WORK/screenshots"
fi
mkdir -p "$SHOTS"
browser_test() {
  H stats --store sqlite:sg.db --json >stats.json &&
    H rollout --store sqlite:sg.db --json >rollout.json &&
    node "$SOURCE_DIR/tests/browser/console.test.mjs" \
      --admin-url "$ADMIN_URL" --token "$TOKEN" --stats stats.json --rollout rollout.json \
      --screenshots "$SHOTS" --chromium "$CHROMIUM" --homeport "$HOMEPORT" --store "sqlite:$WORK/sg.db"
}
prepared=$(date +%s.%N)
day=$(date -u +%F)
if ! browser_test; then
  # The figures are per UTC day: across midnight the page shows a day the JSON did not have.
  [ "$(date -u +%F)" != "$day" ] || exit 1
  echo "console test: the UTC day changed during the run; once more"
  browser_test
fi
finished=$(date +%s.%N)
if [ "${HOMEPORT_CONSOLE_KEEP_SERVING:-0}" = 1 ]; then
  # For work on the console: the filled region stays up until Ctrl-C.
  echo "console test: $ADMIN_URL/console serves; token: $TOKEN (in $WORK/admin.token); Ctrl-C stops it"
  wait "$SERVER" || true
  SERVER=
fi
if [ "${HOMEPORT_UPDATE_SCREENSHOTS:-0}" = 1 ]; then
  where="screenshots written to $SHOTS"
else
  where="HOMEPORT_UPDATE_SCREENSHOTS=1 writes its screenshots into docs/console/"
fi
awk -v a="$started" -v b="$prepared" -v c="$finished" -v w="$where" 'BEGIN {
  printf "console test: passed (region set up in %.1f s, browser %.1f s); %s\n", b - a, c - b, w }'
