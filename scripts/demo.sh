#!/usr/bin/env bash
# `make demo`: a maker's whole activation flow on one machine. Keys, region manifests and a
# factory batch in ./demo, a region "sg" server on SQLite, the batch activated through the
# agent, a misbuilt device refused, one user's UX-program data sent, scrubbed and erased — then
# the server keeps running until Ctrl-C.
set -euo pipefail
HOMEPORT=$(realpath "${1:-build/homeport}")
DEMO=${DEMO_DIR:-demo}
DEVICES=${DEMO_DEVICES:-20}

rm -rf "$DEMO"
mkdir -p "$DEMO"
cd "$DEMO"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Until the server's store holds every ping it acknowledged (they land in its ingest log first).
loaded() {
  for _ in $(seq 200); do
    curl -s "$URL/healthz" | grep -q '"unloaded_bytes":0[,}]' && return 0
    sleep 0.05
  done
}

step "maker root key, and the sg region's transparency-log key"
"$HOMEPORT" keys new --out root.key
"$HOMEPORT" keys new --out sg-log.key

step "factory batch of $DEVICES devices for region sg"
"$HOMEPORT" factory batch --root-pub root.key.pub --count "$DEVICES" --model HP7 --sku HP7-64-BLK \
  --variant global --region sg --batch B2026-11 --log-pub sg-log.key.pub --out batch

step "enroll the batch into the sg store (SQLite)"
"$HOMEPORT" enroll --store sqlite:sg.db --region sg batch/enrollment.csv

step "start the sg regional server (operator token in ./admin.token)"
(umask 077; openssl rand -hex 24 >admin.token)
TOKEN=$(cat admin.token)
"$HOMEPORT" serve --region sg --store sqlite:sg.db --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
  --admin-token-file admin.token --wrong-region-flush-interval 1 --log-key sg-log.key \
  >server.out 2>server.log &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'operator endpoints on' server.out && break; sleep 0.1; done
URL=$(grep 'listening on' server.out | grep -o 'http://[0-9.:]*')
ADMIN_URL=$(grep 'operator endpoints on' server.out | grep -o 'http://[0-9.:]*')
echo "server: $URL (pid $SERVER)"

step "sign the region manifests (sg is the right one; cn is the 2019 mistake)"
"$HOMEPORT" manifest sign --root-key root.key --region sg --variant global \
  --activation-url "$URL" --uxp-url "$URL" --version 1 --out manifest-sg.jws
"$HOMEPORT" manifest sign --root-key root.key --region cn --variant global \
  --activation-url "http://zzhc.vnet.cn" --uxp-url "http://zzhc.vnet.cn" --version 1 --out manifest-cn.jws

step "activate every device through the agent"
for profile in batch/devices/*.json; do
  serial=$(basename "$profile" .json)
  start=$("$HOMEPORT" agent activate --profile "$profile" --manifest manifest-sg.jws \
    --state "state/$serial")
  echo "$serial warranty starts $start"
done

step "activate again: answered from the device's state, no network (D2)"
first=$(ls batch/devices | head -1 | sed 's/.json$//')
"$HOMEPORT" agent activate --profile "batch/devices/$first.json" --manifest manifest-sg.jws \
  --state "state/$first"

step "a device built with the China manifest refuses to send anything (D1)"
"$HOMEPORT" agent activate --profile "batch/devices/$first.json" --manifest manifest-cn.jws \
  --state state/misbuilt || true

step "a request claiming region cn is refused by the sg server, nothing stored (S1)"
curl -s -X POST "$URL/v1/activations" -H 'Content-Type: application/json' \
  -d '{"serial":"X","model":"HP7","sku":"HP7-64-BLK","variant":"global","region":"cn","client_version":"1.0.0","manifest_version":1,"sequence":1}'
echo

step "User Experience Program: the user of $first opts in; diagnostics and feedback go up"
P=(--profile "batch/devices/$first.json" --manifest manifest-sg.jws --state "state/$first")
"$HOMEPORT" agent uxp opt-in "${P[@]}"
"$HOMEPORT" agent uxp record diagnostics.crash_count 2 "${P[@]}"
"$HOMEPORT" agent uxp record diagnostics.free_storage 20480 "${P[@]}"
"$HOMEPORT" agent uxp feedback "Screen froze twice. Call me on +65 6123 4567 or mail jo@example.com, IMEI 490154203237518" --rating 2 "${P[@]}"
"$HOMEPORT" agent uxp upload "${P[@]}"
loaded
client=$("$HOMEPORT" agent uxp status "${P[@]}" | sed -n 's/.*"client_id": *"\([^"]*\)".*/\1/p')

step "stored with identifiers scrubbed (S3); no serial anywhere near it (S4)"
"$HOMEPORT" uxp export "$client" --store sqlite:sg.db | grep -E '"feedback.text"|"diagnostics\.' || true

step "the user opts out: a deletion-request erases everything of that client (D3, S6)"
"$HOMEPORT" agent uxp opt-out "${P[@]}"
"$HOMEPORT" uxp export "$client" --store sqlite:sg.db | grep -c '"doc_id"' | sed 's/^/documents left: /' || true

step "the erasure receipt: proof that the erasure is in the region's public log (S7)"
"$HOMEPORT" agent uxp receipt --client-id "$client" "${P[@]}"

step "the whole batch plays a day: simulated devices on one event loop (homeport fleet simulate)"
"$HOMEPORT" fleet simulate --batch batch --manifest manifest-sg.jws --devices "$DEVICES" \
  --concurrency 8 --uxp-share 0.5 --feedback-share 0.5

step "the fix rollout: manifest version 2 and client 1.1.0 reach 60% of the batch (their check-ins)"
"$HOMEPORT" manifest sign --root-key root.key --region sg --variant global \
  --activation-url "$URL" --uxp-url "$URL" --version 2 --out manifest-sg-v2.jws
"$HOMEPORT" fleet simulate --batch batch --manifest manifest-sg-v2.jws --devices $((DEVICES * 6 / 10)) \
  --client-version 1.1.0 --concurrency 8 --uxp-share 0 --quiet

loaded
sleep 1.2  # the wrong-region counts reach the store once a second

step "operator: warranty lookup (logged in the access log) and rollout"
"$HOMEPORT" warranty "$first" --store sqlite:sg.db
"$HOMEPORT" rollout --store sqlite:sg.db

step "the console's figures on the command line (the same numbers as its panels)"
"$HOMEPORT" stats --store sqlite:sg.db --panel region-alarm
"$HOMEPORT" stats --store sqlite:sg.db --panel rollout

step "an outside auditor checks the region's transparency log"
"$HOMEPORT" log verify --url "$URL" --log-pub sg-log.key.pub --state audit-state.json --batch B2026-11

step "metrics"
curl -s "$ADMIN_URL/metrics" | grep -E '^homeport_(activations_total|wrong_region_attempts_total|http_requests_total|uxp_pings_total|scrubbed_identifiers_total)' || true

cat <<INFO

Where to look:
  console       $ADMIN_URL/console  (sign in with the token: $TOKEN)
  server        $URL  (devices: activations, pings, GET /healthz)
  public log    $URL/v1/log/checkpoint  (homeport log verify --url $URL --log-pub sg-log.key.pub)
  operators     $ADMIN_URL/metrics  (and /v1/admin/…, on their own port)
  data catalogue $URL/privacy  (every field the UX program may collect)
  store         $(pwd)/sg.db   (sqlite3 sg.db .tables — no IP, no user agent anywhere)
  ingest log    $(pwd)/sg.db.ingest/  (pings are durable here before they reach the store)
  device state  $(pwd)/state/<serial>/activation.json
  server log    $(pwd)/server.log

The server keeps running; press Ctrl-C to stop it.
INFO
trap - EXIT
trap 'kill -TERM $SERVER; wait $SERVER; exit 0' INT TERM
wait $SERVER
