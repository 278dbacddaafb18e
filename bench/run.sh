#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — the benchmark (`make bench`). One run on this machine:
#   ed25519_verify_per_s      libsodium verify on one core: the crypto ceiling
#   nginx_rps                 nginx answering the same POSTs with 204: the HTTP ceiling
#   influxdb_rps              InfluxDB 1.6 storing the diagnostics pings as line-protocol points,
#                             durably: an ingestion server as a peer
#   activations_rps_sqlite    homeport serve, SQLite store, unique enrolled devices, durable
#   activations_rps_postgres  the same on the PostgreSQL store
#   pings_rps_sqlite          homeport serve, small Glean diagnostics pings, unique doc_ids, durable
#   pings_rps_postgres        the same on the PostgreSQL store
#   pings_scrub_rps_sqlite    ~2 KB feedback pings the server scrubs of identifiers (SQLite)
#   pings_p99_ms_half_load    p99 latency of pings offered at half of pings_rps_sqlite, open loop
#                             over WRK_CONNECTIONS (64) connections
#   pings_p99_ms_half_load_1k the same over 1,000 connections
#   rss_mb_10k_connections    homeport serve's resident memory with 10,000 idle keep-alive
#                             connections open
#   sqlite_insert_rps         the ping rows inserted raw through libsqlite3, batches of 64,
#                             durable: SQLite's storage ceiling
#   fdatasync_p50_ms          one fdatasync of a 64 KiB append on the benchmark's disk: the
#                             floor under every durable answer
#   postgres_insert_rps       the same through libpq (pipeline, multi-row INSERT and COPY; the
#                             best of the three): PostgreSQL's storage ceiling
# and writes bench/results.json plus a Markdown table on stdout. See bench/README.md.
#
# The PostgreSQL runs use BENCH_POSTGRES_URL (a durable server; run.sh creates databases in it)
# or, when that is unset, a throwaway durable cluster: run.sh runs itself under
# scripts/with-postgres.sh --durable.
#
# Settings (environment): BENCH_SECONDS (5), WRK_THREADS (1), WRK_CONNECTIONS (64),
# VERIFY_SECONDS (2), BENCH_DEVICES (enough that homeport never sees a device twice),
# BENCH_PINGS (150000 diagnostics pings), BENCH_FEEDBACK_PINGS (75000 feedback pings),
# BENCH_INFLUX_POINTS (200000), BENCH_LATENCY_SECONDS (10: the open-loop run),
# BENCH_CONNECTIONS (10000: the memory run), BENCH_INSERT_BATCH (64), BENCH_POSTGRES_URL,
# BENCH_RESULTS (bench/results.json), BENCH_NICE (unset: run at the caller's priority; e.g. -10
# on a machine shared with builds, to give everything measured the larger share of the CPU —
# recorded in results.json).
set -euo pipefail

# With autogroup scheduling (Linux's default) nice only ranks processes of one session against
# each other, so the benchmark gets a session of its own, with that nice value.
if [[ -n ${BENCH_NICE:-} && -z ${HOMEPORT_BENCH_SESSION:-} ]]; then
  # exec in a subshell: $! is then setsid itself, which becomes the session and process group
  # leader (a background job of a script is never a group leader, so setsid does not fork).
  (HOMEPORT_BENCH_SESSION=1 exec setsid "$0" "$@") &
  child=$!
  # The whole group, not only its leader: with-postgres.sh, the leader once run.sh has exec'd
  # it, acts on a signal only after its command has ended.
  trap 'kill -TERM -- -$child 2>/dev/null' INT TERM
  rc=0
  while :; do
    wait "$child" && break || rc=$?
    kill -0 "$child" 2>/dev/null || break  # a signal ended `wait`, not the benchmark
  done
  exit $rc
fi
if [[ -n ${BENCH_NICE:-} ]]; then
  if [[ -w /proc/self/autogroup ]]; then
    echo "$BENCH_NICE" >/proc/self/autogroup
  fi
  renice -n "$BENCH_NICE" -p $$ >/dev/null
fi

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")

# A durable PostgreSQL for the whole run, started and removed by with-postgres.sh (inside the
# session BENCH_NICE made above, so that it runs at the same priority).
if [[ -z ${BENCH_POSTGRES_URL:-} ]]; then
  if [[ -z ${HOMEPORT_BENCH_UNDER_POSTGRES:-} ]]; then
    HOMEPORT_BENCH_UNDER_POSTGRES=1 exec "$ROOT/scripts/with-postgres.sh" --durable "$0" "$@"
  fi
  BENCH_POSTGRES_URL=$HOMEPORT_TEST_POSTGRES_URL
fi
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD="$ROOT/$BUILD"

SECONDS_PER_RUN=${BENCH_SECONDS:-5}
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
VERIFY_SECONDS=${VERIFY_SECONDS:-2}
PINGS=${BENCH_PINGS:-150000}
FEEDBACK_PINGS=${BENCH_FEEDBACK_PINGS:-75000}
PING_CLIENTS=1000
INFLUX_POINTS=${BENCH_INFLUX_POINTS:-200000}
LATENCY_SECONDS=${BENCH_LATENCY_SECONDS:-10}
HOLD_CONNECTIONS=${BENCH_CONNECTIONS:-10000}
# The batch the group-commit writer forms under the pings load at most: with WRK_CONNECTIONS
# connections, each waiting for its answer, no more than that many pings wait for one commit.
INSERT_BATCH=${BENCH_INSERT_BATCH:-64}
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results.json}
REGION=sg

HOMEPORT="$BUILD/homeport"
BENCH_TOOL="$BUILD/homeport_bench"
LUA="$BENCH_DIR/posts.lua"  # the one wrk script: every peer and every run


log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAILED: %s\n' "$*" >&2; exit 1; }

for tool in wrk nginx influxd python3 curl sqlite3 psql; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh installs it)"
done
[[ -x $HOMEPORT ]] || die "$HOMEPORT not found: build it first (make build)"
[[ -x $BENCH_TOOL ]] || die "$BENCH_TOOL not found: build it first (cmake --build $BUILD --target homeport_bench)"
# Both link the store library: one built before it changed may disagree on the schema version.
STORE_LIB="$BUILD/src/store/libhomeport_store.a"
for bin in "$HOMEPORT" "$BENCH_TOOL"; do
  [[ ! $STORE_LIB -nt $bin ]] || die "$bin is older than $STORE_LIB: rebuild (make build)"
done

# Everything started here is stopped on exit, whatever the exit.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/homeport-bench.XXXXXX")
NGINX_PID=
INFLUX_PID=
HOMEPORT_PID=
WRK_PID=
HOLD_PID=
PG_DATABASES=()  # created in BENCH_POSTGRES_URL's server; dropped on exit
stop_pid() {  # stop_pid PID SIGNAL: signal, wait up to 15 s, then SIGKILL
  local pid=$1 sig=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIG$sig for 15 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_pid "$WRK_PID" TERM
  stop_pid "$HOLD_PID" TERM
  stop_pid "$HOMEPORT_PID" TERM
  stop_pid "$NGINX_PID" QUIT
  stop_pid "$INFLUX_PID" TERM
  local db
  for db in "${PG_DATABASES[@]}"; do
    psql "$BENCH_POSTGRES_URL" -qAtX -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The binaries are copied first: the shared build directory may be rebuilt while the benchmark
# runs, and every run must use the same build.
mkdir "$WORK/bin"
cp "$HOMEPORT" "$BENCH_TOOL" "$WORK/bin/"
HOMEPORT="$WORK/bin/homeport"
BENCH_TOOL="$WORK/bin/homeport_bench"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT PID NAME: until PORT accepts connections; fails if PID exits first.
wait_for_port() {
  local port=$1 pid=$2 name=$3
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 1
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  die "$name did not accept connections on 127.0.0.1:$port within 10 s"
}

# CPU accounting, to tell a busy server from a waiting one, or from a machine shared with other
# work: user+system clock ticks of processes and of the whole machine, sampled over a window in
# the middle of the load (wrk's own start-up, reading the requests file, is left out).
TICKS_PER_S=$(getconf CLK_TCK)
process_ticks() {  # process_ticks PID...: all threads of these processes
  local total=0 pid t
  for pid in "$@"; do
    t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null) || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
machine_busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# sample_cpu DURATION LOAD_PID PID...: once the peer's processes (PIDs) burn CPU, i.e. the load
# has started, the cores kept busy by them, by the load generator, by the database server
# (DB_PIDS, when set) and by the whole machine over the middle 60 % of a DURATION-second load:
# "peer_cores=… load_cores=… db_cores=… machine_busy_cores=…".
DB_PIDS=()
sample_cpu() {
  local duration=$1 load_pid=$2 last now window peer0 load0 db0 busy0 t0 peer1 load1 db1 busy1 t1
  shift 2
  last=$(process_ticks "$@")
  for _ in $(seq 300); do
    sleep 0.05
    now=$(process_ticks "$@")
    ((now - last >= 2)) && break
    last=$now
    kill -0 "$load_pid" 2>/dev/null || break
  done
  window=$(awk "BEGIN {print $duration * 0.6}")
  sleep 0.3
  peer0=$(process_ticks "$@"); load0=$(process_ticks "$load_pid")
  db0=$(process_ticks "${DB_PIDS[@]}"); busy0=$(machine_busy_ticks); t0=$(date +%s.%N)
  sleep "$window"
  peer1=$(process_ticks "$@"); load1=$(process_ticks "$load_pid")
  db1=$(process_ticks "${DB_PIDS[@]}"); busy1=$(machine_busy_ticks); t1=$(date +%s.%N)
  awk "BEGIN {s = ($t1 - $t0) * $TICKS_PER_S;
              printf \"peer_cores=%.2f load_cores=%.2f db_cores=%.2f machine_busy_cores=%.2f\\n\",
                     ($peer1 - $peer0) / s, ($load1 - $load0) / s, ($db1 - $db0) / s,
                     ($busy1 - $busy0) / s}"
}

# run_wrk NAME URL OUT PID...: the same load for every peer. The script's BENCH line, and the
# cores kept busy by the peer's processes (PIDs), by wrk and by the whole machine, go to OUT.
run_wrk() {
  local name=$1 url=$2 out=$3 cpu
  shift 3
  log "$name: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${SECONDS_PER_RUN}s $url"
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$LUA" "$url" \
    -- "$REQUESTS" "$WRK_THREADS" >"$WORK/$name.wrk" 2>&1 &
  WRK_PID=$!
  cpu=$(sample_cpu "$SECONDS_PER_RUN" "$WRK_PID" "$@")
  wait "$WRK_PID" || {
    WRK_PID=
    cat "$WORK/$name.wrk" >&2
    die "wrk against $name failed"
  }
  WRK_PID=
  sed 's/^/    /' "$WORK/$name.wrk" | grep -v '^    BENCH' >&2
  grep '^BENCH ' "$WORK/$name.wrk" | sed 's/^BENCH //' >"$out" || die "wrk printed no BENCH line for $name"
  echo " ${cpu/load_cores/wrk_cores}" >>"$out"
}

# field FILE KEY: a key=value from a BENCH line.
field() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p"; }

# --- the machine ------------------------------------------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before: $LOAD_BEFORE"

# --- 1. crypto ceiling --------------------------------------------------------------------
log "ed25519: verifying on one core for ${VERIFY_SECONDS}s"
"$BENCH_TOOL" verify-rate --seconds "$VERIFY_SECONDS" >"$WORK/verify" 2>"$WORK/verify.err" || {
  cat "$WORK/verify.err" >&2
  die "verify-rate failed"
}
cat "$WORK/verify.err" >&2
VERIFY=$(cat "$WORK/verify")
# The share of the time the verifying thread was on a CPU tells whether other work took turns.
VERIFY_ON_CPU=$(sed -n 's/.*on_cpu=\([0-9.]*\).*/\1/p' "$WORK/verify.err")
JWS_VERIFY=$("$BENCH_TOOL" verify-rate --seconds "$VERIFY_SECONDS" --jws) || die "verify-rate --jws failed"
log "ed25519_verify_per_s=$VERIFY (on a CPU $VERIFY_ON_CPU of the time) jws_verify_per_s=$JWS_VERIFY"

# --- fixture: unique enrolled devices and their signed requests ---------------------------
# homeport cannot go faster than every core verifying; 1.5x that for the whole run is enough
# never to wrap, and never fewer than 150000. The same devices are enrolled in the PostgreSQL
# store (through `homeport enroll` and the enrollment.csv the fixture writes).
CORES=$(nproc)
DEVICES=${BENCH_DEVICES:-$(python3 -c "import math; print(max(150000, math.ceil($VERIFY * $CORES * $SECONDS_PER_RUN * 1.5)))")}
DB="$WORK/homeport.db"
ACTIVATIONS="$WORK/requests.txt"
log "fixture: $DEVICES devices"
"$BENCH_TOOL" fixture --store "sqlite:$DB" --region "$REGION" --devices "$DEVICES" \
  --out "$ACTIVATIONS" --enrollment-csv "$WORK/enrollment.csv" || die "fixture failed"
REQUESTS=$ACTIVATIONS

# --- 2. HTTP ceiling: nginx ---------------------------------------------------------------
NGINX_PREFIX="$WORK/nginx"
mkdir -p "$NGINX_PREFIX"
NGINX_PORT=$(free_port)
sed -e "s#@PREFIX@#$NGINX_PREFIX#g" -e "s#@PORT@#$NGINX_PORT#g" \
  "$BENCH_DIR/peers/nginx.conf.in" >"$NGINX_PREFIX/nginx.conf"
nginx -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" -e "$NGINX_PREFIX/error.log" \
  >"$NGINX_PREFIX/stdout" 2>&1 &
NGINX_PID=$!
wait_for_port "$NGINX_PORT" "$NGINX_PID" nginx || {
  cat "$NGINX_PREFIX/stdout" "$NGINX_PREFIX/error.log" >&2 2>/dev/null || true
  die "nginx failed to start on 127.0.0.1:$NGINX_PORT"
}
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data '{}' "http://127.0.0.1:$NGINX_PORT/v1/activations")
[[ $STATUS = 204 ]] || die "nginx answered $STATUS, not 204, to POST /v1/activations"
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/v1/activations" "$WORK/nginx.bench" \
  "$NGINX_PID" $(ps -o pid= --ppid "$NGINX_PID")
stop_pid "$NGINX_PID" QUIT
NGINX_PID=

# --- 3. the ingestion peer: InfluxDB ------------------------------------------------------
# The diagnostics pings as line-protocol points (bench/pings.py --influx), one point per POST
# like one ping per POST, loaded by wrk with the same script and settings. The figure is the
# points InfluxDB holds after the run / wrk's duration.
INFLUX_DIR="$WORK/influxdb"
INFLUX_DB=homeport_bench
mkdir -p "$INFLUX_DIR"
INFLUX_PORT=$(free_port)
INFLUX_RPC_PORT=$(free_port)
sed -e "s#@DIR@#$INFLUX_DIR#g" -e "s#@HTTP_PORT@#$INFLUX_PORT#g" -e "s#@RPC_PORT@#$INFLUX_RPC_PORT#g" \
  "$BENCH_DIR/peers/influxdb.conf.in" >"$INFLUX_DIR/influxdb.conf"
log "influxdb: $INFLUX_POINTS diagnostics pings as line-protocol points"
python3 "$BENCH_DIR/pings.py" --kind diagnostics --count "$INFLUX_POINTS" --clients "$PING_CLIENTS" \
  --influx "$INFLUX_DB" --out "$WORK/influxdb.txt" || die "pings.py --influx failed"
influxd -config "$INFLUX_DIR/influxdb.conf" >"$INFLUX_DIR/influxd.log" 2>&1 &
INFLUX_PID=$!
wait_for_port "$INFLUX_PORT" "$INFLUX_PID" influxd || {
  cat "$INFLUX_DIR/influxd.log" >&2
  die "influxd failed to start on 127.0.0.1:$INFLUX_PORT"
}
# influx_query Q: a query's JSON answer.
influx_query() {
  curl -sf -XPOST "http://127.0.0.1:$INFLUX_PORT/query" --data-urlencode "db=$INFLUX_DB" \
    --data-urlencode "q=$1"
}
influx_query "CREATE DATABASE $INFLUX_DB" >/dev/null || die "influxdb: CREATE DATABASE failed"
# One point by hand, from a file of its own, outside the measurement: it must be stored (204).
python3 "$BENCH_DIR/pings.py" --kind diagnostics --count 1 --clients 1 --influx "$INFLUX_DB" \
  --out "$WORK/influxdb.probe"
IFS=$'\t' read -r probe_path probe_body <"$WORK/influxdb.probe"
STATUS=$(curl -s -o "$WORK/influxdb.probe.out" -w '%{http_code}' -X POST --data-binary "$probe_body" \
  "http://127.0.0.1:$INFLUX_PORT$probe_path")
[[ $STATUS = 204 ]] || die "influxdb answered $STATUS to a point: $(cat "$WORK/influxdb.probe.out")"
REQUESTS="$WORK/influxdb.txt"
run_wrk influxdb "http://127.0.0.1:$INFLUX_PORT/" "$WORK/influxdb.bench" "$INFLUX_PID"
[[ $(field "$WORK/influxdb.bench" wrapped) = false ]] ||
  die "influxdb was sent some points twice ($(field "$WORK/influxdb.bench" generated) requests for" \
      "$INFLUX_POINTS lines): raise BENCH_INFLUX_POINTS"
INFLUX_STORED=$(influx_query 'SELECT COUNT(crash_count) FROM "diagnostics"' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["results"][0]["series"][0]["values"][0][1])') ||
  die "cannot count the points in influxdb"
echo $((INFLUX_STORED - 1)) >"$WORK/influxdb.stored"  # less the probe
INFLUX_VERSION=$(influxd version 2>/dev/null | head -1)
stop_pid "$INFLUX_PID" TERM
INFLUX_PID=
rm -f "$WORK/influxdb.txt"

# start_homeport STORE_URL [ARGS...]: homeport serve on a port the kernel picks; sets
# HOMEPORT_PID, HOMEPORT_PORT and ADMIN_PORT (its /metrics), fails with its output if it does not come up.
start_homeport() {
  local store=$1
  shift
  # The files exist before the server starts: the redirections below happen in the child.
  : >"$WORK/serve.out"
  : >"$WORK/serve.err"
  # Each server its own ingest log (a PostgreSQL store needs one named).
  SERVE_COUNT=$((${SERVE_COUNT:-0} + 1))
  "$HOMEPORT" serve --region "$REGION" --store "$store" --listen 127.0.0.1:0 \
    --admin-listen 127.0.0.1:0 --ingest-log "$WORK/serve-$SERVE_COUNT.ingest" "$@" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  HOMEPORT_PID=$!
  HOMEPORT_PORT=
  for _ in $(seq 200); do
    HOMEPORT_PORT=$(sed -n 's#^homeport serve: region .* listening on http://127\.0\.0\.1:\([0-9]*\)$#\1#p' \
      "$WORK/serve.out") || true
    ADMIN_PORT=$(sed -n 's#^homeport serve: operator endpoints on http://127\.0\.0\.1:\([0-9]*\)$#\1#p' \
      "$WORK/serve.out") || true
    [[ -n $HOMEPORT_PORT && -n $ADMIN_PORT ]] && break
    kill -0 "$HOMEPORT_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $HOMEPORT_PORT ]]; then
    cat "$WORK/serve.out" "$WORK/serve.err" >&2
    if kill -0 "$HOMEPORT_PID" 2>/dev/null; then
      die "homeport serve printed no \"listening on\" line within 20 s"
    fi
    local rc=0
    wait "$HOMEPORT_PID" || rc=$?
    HOMEPORT_PID=
    die "homeport serve failed to start (exit status $rc)"
  fi
}

# --- PostgreSQL: the server with-postgres.sh started (or BENCH_POSTGRES_URL) ----------------
# Every PostgreSQL run gets a fresh database of its own in it.
PG_SETTINGS=$(psql "$BENCH_POSTGRES_URL" -AtX -F= -c \
  "SELECT name, current_setting(name) FROM pg_settings WHERE name IN
     ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers')
   ORDER BY name" | tr '\n' ' ') || die "cannot reach PostgreSQL at $BENCH_POSTGRES_URL"
[[ $PG_SETTINGS = *fsync=on* && $PG_SETTINGS = *synchronous_commit=on* ]] ||
  die "PostgreSQL at $BENCH_POSTGRES_URL is not durable ($PG_SETTINGS): the figures would mean nothing"
PG_VERSION=$(psql "$BENCH_POSTGRES_URL" -AtX -c 'SHOW server_version')
log "postgresql $PG_VERSION: $PG_SETTINGS"
# The postmaster, when the server runs here: its processes' CPU is accounted in the runs.
PG_PID=
PG_DATA=$(psql "$BENCH_POSTGRES_URL" -AtX -c 'SHOW data_directory' 2>/dev/null) || true
[[ -r $PG_DATA/postmaster.pid ]] && PG_PID=$(head -1 "$PG_DATA/postmaster.pid")
# pg_ctl put the server in a session (and so a scheduling autogroup) of its own.
if [[ -n ${BENCH_NICE:-} && -n $PG_PID && -w /proc/$PG_PID/autogroup ]]; then
  echo "$BENCH_NICE" >"/proc/$PG_PID/autogroup" || true
fi
# postgres_pids: the server's processes now (the connections' backends come and go).
postgres_pids() { [[ -z $PG_PID ]] || { echo "$PG_PID"; ps -o pid= --ppid "$PG_PID" | tr -d ' '; }; }
# pg_database NAME: creates database NAME and prints its URL.
pg_database() {
  PGOPTIONS='-c client_min_messages=warning' psql "$BENCH_POSTGRES_URL" -qAtX \
    -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" ||
    die "cannot create database $1"
  python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' \
    "$BENCH_POSTGRES_URL" "$1"
}

# --- 4. homeport serve: activations, SQLite and PostgreSQL ----------------------------------
# run_activations NAME STORE_URL: serve, load, stop, count; the count goes to WORK/NAME.stored.
run_activations() {
  local name=$1 store=$2 before committed
  start_homeport "$store"
  before=$("$BENCH_TOOL" count --store "$store") || die "cannot count activations"
  [[ $before = 0 ]] || die "the $name store already has $before activations"
  REQUESTS=$ACTIVATIONS
  [[ $store = sqlite:* ]] || mapfile -t DB_PIDS < <(postgres_pids)
  run_wrk "$name" "http://127.0.0.1:$HOMEPORT_PORT/v1/activations" "$WORK/$name.bench" "$HOMEPORT_PID"
  DB_PIDS=()
  curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" >"$WORK/$name.metrics.txt" || true
  stop_pid "$HOMEPORT_PID" TERM
  HOMEPORT_PID=
  # Counted once the server has stopped: every request it answered 2xx is committed (S5).
  committed=$("$BENCH_TOOL" count --store "$store") || die "cannot count activations"
  [[ $committed = $(count_rows "$store" activations) ]] ||
    die "$name: Store and SQL disagree on the activations committed"
  [[ $(field "$WORK/$name.bench" wrapped) = false ]] ||
    die "$name: some devices were sent twice ($(field "$WORK/$name.bench" generated) requests for" \
        "$DEVICES devices): raise BENCH_DEVICES"
  echo "$committed" >"$WORK/$name.stored"
}
# count_rows STORE_URL TABLE [WHERE]: rows, counted with the database's own client.
count_rows() {
  local q="SELECT COUNT(*) FROM $2${3:+ WHERE $3}"
  case $1 in
    sqlite:*) sqlite3 "${1#sqlite:}" "$q" ;;
    *) psql "$1" -AtX -c "$q" ;;
  esac
}

run_activations homeport "sqlite:$DB"
PG_DATABASES+=(homeport_bench_activations)
PG_ACTIVATIONS=$(pg_database homeport_bench_activations)
log "homeport enroll: $DEVICES devices into PostgreSQL"
"$HOMEPORT" enroll --store "$PG_ACTIVATIONS" --region "$REGION" "$WORK/enrollment.csv" >&2 ||
  die "homeport enroll into PostgreSQL failed"
run_activations homeport_postgres "$PG_ACTIVATIONS"

# --- 5. homeport serve: UX-program pings ------------------------------------------------------
# POST /submit/homeport-agent/<ping>/1/<doc_id>, plain JSON, a fresh doc_id per request, spread
# over $PING_CLIENTS client ids; the per-client rate limit and the global ingest budget are
# lifted so that it is the server's work that is measured, not the limiters. Each run gets a fresh store, and the figure is the
# documents in it after the server has stopped (a 2xx comes only after the commit, S5) / wrk's
# duration.
PING_LIMITS=(--client-rate 1000000 --client-burst 1000000
             --ingest-budget-docs 1000000 --ingest-budget-bytes 100000000000)
# run_pings NAME PING COUNT STORE_URL: generate, serve, load, stop, count; the count goes to
# WORK/NAME.stored.
run_pings() {
  local name=$1 ping=$2 count=$3 store=$4 stored status
  REQUESTS="$WORK/$name.txt"
  log "$name: $count $ping pings over $PING_CLIENTS clients"
  python3 "$BENCH_DIR/pings.py" --kind "$ping" --count "$count" --clients "$PING_CLIENTS" \
    --out "$REQUESTS" || die "pings.py failed"
  start_homeport "$store" "${PING_LIMITS[@]}"
  # One request by hand, outside the measurement, from a file of its own (its doc_id is not in
  # the load): the server must store it, or the load would only measure refusals.
  python3 "$BENCH_DIR/pings.py" --kind "$ping" --count 1 --clients 1 --out "$WORK/$name.probe"
  IFS=$'\t' read -r probe_path probe_body <"$WORK/$name.probe"
  status=$(curl -s -o "$WORK/$name.probe.out" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' --data-binary "$probe_body" \
    "http://127.0.0.1:$HOMEPORT_PORT$probe_path")
  [[ $status = 200 ]] || die "homeport answered $status to a $ping ping: $(cat "$WORK/$name.probe.out")"
  [[ $store = sqlite:* ]] || mapfile -t DB_PIDS < <(postgres_pids)
  run_wrk "$name" "http://127.0.0.1:$HOMEPORT_PORT/" "$WORK/$name.bench" "$HOMEPORT_PID"
  DB_PIDS=()
  # The answers came from the ingest log: how long the store then took to hold all of them (0
  # when the loader kept up during the run).
  local unloaded lag0 lag1
  lag0=$(date +%s.%N)
  unloaded=$(curl -s "http://127.0.0.1:$HOMEPORT_PORT/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ingest"]["unloaded_bytes"])')
  echo "unloaded_bytes_at_end=$unloaded" >"$WORK/$name.lag"
  while [[ $unloaded != 0 ]]; do
    sleep 0.05
    unloaded=$(curl -s "http://127.0.0.1:$HOMEPORT_PORT/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ingest"]["unloaded_bytes"])')
  done
  lag1=$(date +%s.%N)
  awk -v a="$lag0" -v b="$lag1" 'BEGIN {printf "load_lag_s=%.3f\n", b - a}' >>"$WORK/$name.lag"
  curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" >"$WORK/$name.metrics.txt" || true
  stop_pid "$HOMEPORT_PID" TERM
  HOMEPORT_PID=
  stored=$(count_rows "$store" uxp_documents "doc_type = '$ping'") ||
    die "cannot count the $ping documents"
  echo $((stored - 1)) >"$WORK/$name.stored"  # less the probe
  [[ $(field "$WORK/$name.bench" wrapped) = false ]] ||
    die "$name: some doc_ids were sent twice ($(field "$WORK/$name.bench" generated) requests for" \
        "$count lines): raise BENCH_PINGS / BENCH_FEEDBACK_PINGS"
  rm -f "$REQUESTS"
}
run_pings pings diagnostics "$PINGS" "sqlite:$WORK/pings.db"
PG_DATABASES+=(homeport_bench_pings)
PG_PINGS=$(pg_database homeport_bench_pings)
run_pings pings_postgres diagnostics "$PINGS" "$PG_PINGS"
run_pings pings_scrub feedback "$FEEDBACK_PINGS" "sqlite:$WORK/pings_scrub.db"

# --- 6. latency at half load: open loop -------------------------------------------------------
# Diagnostics pings offered at a fixed rate, half of pings_rps_sqlite, for LATENCY_SECONDS over
# WRK_CONNECTIONS keep-alive connections (homeport_bench open-loop); each latency runs from the
# time its request was due, so a stall also counts against the requests queued behind it.
HALF_RATE=$(awk -v n="$(cat "$WORK/pings.stored")" -v us="$(field "$WORK/pings.bench" duration_us)" \
  'BEGIN {printf "%d", n / (us / 1e6) / 2}')
log "half_load: diagnostics pings at $HALF_RATE/s (open loop) for ${LATENCY_SECONDS}s"
python3 "$BENCH_DIR/pings.py" --kind diagnostics --clients "$PING_CLIENTS" --out "$WORK/half_load.txt" \
  --count "$(awk -v r="$HALF_RATE" -v s="$LATENCY_SECONDS" 'BEGIN {printf "%d", r * s + 1}')" ||
  die "pings.py failed"
# half_load NAME CONNECTIONS: the open-loop run over CONNECTIONS keep-alive connections.
half_load() {
  local name=$1 connections=$2
  start_homeport "sqlite:$WORK/$name.db" "${PING_LIMITS[@]}"
  "$BENCH_TOOL" open-loop --port "$HOMEPORT_PORT" --requests "$WORK/half_load.txt" --rate "$HALF_RATE" \
    --seconds "$LATENCY_SECONDS" --connections "$connections" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  LOAD_PID=$!
  CPU=$(sample_cpu "$LATENCY_SECONDS" "$LOAD_PID" "$HOMEPORT_PID")
  wait "$LOAD_PID" || { cat "$WORK/$name.err" >&2; die "open-loop against homeport failed"; }
  sed 's/^/    /' "$WORK/$name.err" >&2
  { cat "$WORK/$name.out"; echo " $CPU"; } >"$WORK/$name.bench"
  curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" >"$WORK/$name.metrics.txt" || true
  stop_pid "$HOMEPORT_PID" TERM
  HOMEPORT_PID=
  count_rows "sqlite:$WORK/$name.db" uxp_documents >"$WORK/$name.stored"
}
half_load half_load "$WRK_CONNECTIONS"
log "half_load_1k: the same over 1000 connections"
half_load half_load_1k 1000
rm -f "$WORK/half_load.txt"

# --- 7. memory with 10,000 open connections ---------------------------------------------------
# homeport_bench hold-connections opens HOLD_CONNECTIONS keep-alive connections, makes one
# GET /healthz on each and holds them idle; the server's VmRSS is read before and while they
# are held (within its 60 s idle timeout). Both processes need a descriptor per connection.
NEED_FDS=$((HOLD_CONNECTIONS + 256))
if (($(ulimit -n) < NEED_FDS)); then
  ulimit -n "$NEED_FDS" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
(($(ulimit -n) >= HOLD_CONNECTIONS + 64)) ||
  die "ulimit -n is $(ulimit -n) (hard limit $(ulimit -Hn)): $HOLD_CONNECTIONS connections need more"
vmrss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
start_homeport "sqlite:$WORK/connections.db"
curl -sf "http://127.0.0.1:$HOMEPORT_PORT/healthz" >/dev/null || die "homeport does not answer /healthz"
sleep 1
RSS_IDLE_KB=$(vmrss_kb "$HOMEPORT_PID")
log "connections: holding $HOLD_CONNECTIONS keep-alive connections (ulimit -n $(ulimit -n)); RSS idle ${RSS_IDLE_KB} kB"
"$BENCH_TOOL" hold-connections --port "$HOMEPORT_PORT" --connections "$HOLD_CONNECTIONS" \
  >"$WORK/hold.out" 2>"$WORK/hold.err" &
HOLD_PID=$!
for _ in $(seq 1200); do
  grep -q '^ready ' "$WORK/hold.out" && break
  kill -0 "$HOLD_PID" 2>/dev/null || break
  sleep 0.1
done
grep -q '^ready ' "$WORK/hold.out" || { cat "$WORK/hold.err" >&2; die "hold-connections did not get ready"; }
sleep 1  # let the server settle
RSS_HELD_KB=$(vmrss_kb "$HOMEPORT_PID")
SERVER_FDS=$(find "/proc/$HOMEPORT_PID/fd" -mindepth 1 -maxdepth 1 | wc -l)
SERVER_THREADS=$(awk '/^Threads:/ {print $2}' "/proc/$HOMEPORT_PID/status")
HOLD_RC=0
kill -TERM "$HOLD_PID"
wait "$HOLD_PID" || HOLD_RC=$?
HOLD_PID=
sed 's/^/    /' "$WORK/hold.err" >&2
{
  sed -n 's/^ready //p' "$WORK/hold.out"
  sed -n 's/^released open=/released_open=/p' "$WORK/hold.out"
  echo "rss_idle_kb=$RSS_IDLE_KB rss_held_kb=$RSS_HELD_KB server_fds=$SERVER_FDS"
  echo "server_threads=$SERVER_THREADS holder_status=$HOLD_RC nofile=$(ulimit -n)"
} >"$WORK/connections.bench"
log "connections: RSS ${RSS_HELD_KB} kB with $(field "$WORK/connections.bench" open) open," \
    "$SERVER_FDS descriptors in the server"
stop_pid "$HOMEPORT_PID" TERM
HOMEPORT_PID=

# --- 8. the storage ceilings: raw batched inserts -----------------------------------------------
# The rows homeport stores for the diagnostics pings, inserted by homeport_bench insert-rate
# straight through libsqlite3 / libpq in transactions of INSERT_BATCH rows, with the store's
# durability (SQLite WAL + synchronous=FULL; PostgreSQL's default synchronous_commit).
python3 "$BENCH_DIR/pings.py" --kind diagnostics --count "$PINGS" --clients "$PING_CLIENTS" \
  --out "$WORK/rows.txt" || die "pings.py failed"
# insert_rate NAME STORE_URL [ARGS...]: the run's line, with the machine's busy cores, to WORK/NAME.bench.
insert_rate() {
  local name=$1 store=$2 busy0 busy1 t0 t1
  shift 2
  log "$name: batches of $INSERT_BATCH for ${SECONDS_PER_RUN}s $*"
  busy0=$(machine_busy_ticks); t0=$(date +%s.%N)
  "$BENCH_TOOL" insert-rate --store "$store" --requests "$WORK/rows.txt" --batch "$INSERT_BATCH" \
    --seconds "$SECONDS_PER_RUN" "$@" >"$WORK/$name.bench" || die "insert-rate $name failed"
  busy1=$(machine_busy_ticks); t1=$(date +%s.%N)
  awk "BEGIN {printf \" machine_busy_cores=%.2f\\n\", ($busy1 - $busy0) / (($t1 - $t0) * $TICKS_PER_S)}" \
    >>"$WORK/$name.bench"
}
insert_rate sqlite_insert "sqlite:$WORK/insert.db"
for method in pipeline multirow copy; do
  PG_DATABASES+=("homeport_bench_insert_$method")
  PG_INSERT=$(pg_database "homeport_bench_insert_$method")
  insert_rate "postgres_insert_$method" "$PG_INSERT" --method "$method"
done
rm -f "$WORK/rows.txt"

# --- 9. the disk: what one synced answer costs -------------------------------------------------
# 200 appends of 64 KiB to a file in WORK (the disk of the ingest log and the databases), each
# followed by fdatasync: a durable answer waits for at least one, so over C connections a
# closed-loop client cannot exceed about C / (this latency) answers a second.
python3 - "$WORK/fsync.probe" >"$WORK/fsync.bench" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
block, times = b"x" * 65536, []
for _ in range(200):
    os.write(fd, block)
    t = time.perf_counter()
    os.fdatasync(fd)
    times.append(time.perf_counter() - t)
os.close(fd)
os.unlink(sys.argv[1])
times.sort()
print(f"p50_us={times[100] * 1e6:.0f} p90_us={times[180] * 1e6:.0f} p99_us={times[198] * 1e6:.0f}")
PY
log "fdatasync of a 64 KiB append: $(cat "$WORK/fsync.bench")"

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- results ------------------------------------------------------------------------------
export RESULTS VERIFY VERIFY_ON_CPU JWS_VERIFY DEVICES CORES LOAD_BEFORE LOAD_AFTER SECONDS_PER_RUN \
  WRK_THREADS WRK_CONNECTIONS VERIFY_SECONDS ROOT BUILD WORK REGION PINGS FEEDBACK_PINGS PING_CLIENTS \
  INFLUX_POINTS INFLUX_VERSION PG_VERSION PG_SETTINGS HALF_RATE LATENCY_SECONDS HOLD_CONNECTIONS \
  INSERT_BATCH
python3 "$BENCH_DIR/report.py"

# --- the verifier: audit capture against tshark and the read ceiling (bench/capture.sh) -------
"$BENCH_DIR/capture.sh" "$BUILD" "$WORK" || die "capture.sh failed"
python3 "$BENCH_DIR/report.py" --capture
