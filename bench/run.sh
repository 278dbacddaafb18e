#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — the activation benchmark (`make bench`). One run on this machine:
#   1. ed25519_verify_per_s    libsodium verify on one core: the crypto ceiling
#   2. nginx_rps               nginx answering the same POSTs with 204: the HTTP ceiling
#   3. activations_rps_sqlite  homeport serve, SQLite store, unique enrolled devices, durable
#   4. pings_rps_sqlite        homeport serve, small Glean diagnostics pings, unique doc_ids, durable
#   5. pings_scrub_rps_sqlite  the same with ~2 KB feedback pings the server scrubs of identifiers
# and writes bench/results.json plus a Markdown table on stdout. See bench/README.md.
#
# Settings (environment): BENCH_SECONDS (5), WRK_THREADS (1), WRK_CONNECTIONS (64),
# VERIFY_SECONDS (2), BENCH_DEVICES (enough that homeport never sees a device twice),
# BENCH_PINGS (150000 diagnostics pings), BENCH_FEEDBACK_PINGS (75000 feedback pings),
# BENCH_RESULTS (bench/results.json), BENCH_NICE (unset: run at the caller's priority; e.g. -10
# on a machine shared with builds, to give everything measured the larger share of the CPU —
# recorded in results.json).
set -euo pipefail

# With autogroup scheduling (Linux's default) nice only ranks processes of one session against
# each other, so the benchmark gets a session of its own, with that nice value.
if [[ -n ${BENCH_NICE:-} && -z ${HOMEPORT_BENCH_SESSION:-} ]]; then
  HOMEPORT_BENCH_SESSION=1 setsid "$0" "$@" &
  child=$!
  trap 'kill -TERM $child 2>/dev/null' INT TERM
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
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD="$ROOT/$BUILD"

SECONDS_PER_RUN=${BENCH_SECONDS:-5}
WRK_THREADS=${WRK_THREADS:-1}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
VERIFY_SECONDS=${VERIFY_SECONDS:-2}
PINGS=${BENCH_PINGS:-150000}
FEEDBACK_PINGS=${BENCH_FEEDBACK_PINGS:-75000}
PING_CLIENTS=1000
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results.json}
REGION=sg

HOMEPORT="$BUILD/homeport"
BENCH_TOOL="$BUILD/homeport_bench"
LUA="$BENCH_DIR/posts.lua"  # the one wrk script: every peer and every run


log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAILED: %s\n' "$*" >&2; exit 1; }

for tool in wrk nginx python3 curl; do
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
HOMEPORT_PID=
WRK_PID=
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
  stop_pid "$HOMEPORT_PID" TERM
  stop_pid "$NGINX_PID" QUIT
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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

# run_wrk NAME URL OUT PID...: the same load for every peer. The script's BENCH line, and the
# cores kept busy by the peer's processes (PIDs), by wrk and by the whole machine, go to OUT.
run_wrk() {
  local name=$1 url=$2 out=$3
  shift 3
  log "$name: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${SECONDS_PER_RUN}s $url"
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$LUA" "$url" \
    -- "$REQUESTS" "$WRK_THREADS" >"$WORK/$name.wrk" 2>&1 &
  WRK_PID=$!
  local wrk_pid=$WRK_PID last now window peer0 wrk0 busy0 t0 peer1 wrk1 busy1 t1
  # The load has started once the peer burns CPU; then sample the middle of the run.
  last=$(process_ticks "$@")
  for _ in $(seq 300); do
    sleep 0.05
    now=$(process_ticks "$@")
    ((now - last >= 2)) && break
    last=$now
    kill -0 "$wrk_pid" 2>/dev/null || break
  done
  window=$(awk "BEGIN {print $SECONDS_PER_RUN * 0.6}")
  sleep 0.3
  peer0=$(process_ticks "$@"); wrk0=$(process_ticks "$wrk_pid"); busy0=$(machine_busy_ticks)
  t0=$(date +%s.%N)
  sleep "$window"
  peer1=$(process_ticks "$@"); wrk1=$(process_ticks "$wrk_pid"); busy1=$(machine_busy_ticks)
  t1=$(date +%s.%N)
  wait "$wrk_pid" || {
    WRK_PID=
    cat "$WORK/$name.wrk" >&2
    die "wrk against $name failed"
  }
  WRK_PID=
  sed 's/^/    /' "$WORK/$name.wrk" | grep -v '^    BENCH' >&2
  grep '^BENCH ' "$WORK/$name.wrk" | sed 's/^BENCH //' >"$out" || die "wrk printed no BENCH line for $name"
  awk "BEGIN {s = ($t1 - $t0) * $TICKS_PER_S;
              printf \" peer_cores=%.2f wrk_cores=%.2f machine_busy_cores=%.2f\\n\",
                     ($peer1 - $peer0) / s, ($wrk1 - $wrk0) / s, ($busy1 - $busy0) / s}" >>"$out"
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
# never to wrap, and never fewer than 150000.
CORES=$(nproc)
DEVICES=${BENCH_DEVICES:-$(python3 -c "import math; print(max(150000, math.ceil($VERIFY * $CORES * $SECONDS_PER_RUN * 1.5)))")}
DB="$WORK/homeport.db"
REQUESTS="$WORK/requests.txt"
log "fixture: $DEVICES devices"
"$BENCH_TOOL" fixture --store "sqlite:$DB" --region "$REGION" --devices "$DEVICES" --out "$REQUESTS" \
  || die "fixture failed"

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

# start_homeport DB [ARGS...]: homeport serve on a port the kernel picks; sets HOMEPORT_PID
# and HOMEPORT_PORT, fails with its output if it does not come up.
start_homeport() {
  local db=$1
  shift
  # The files exist before the server starts: the redirections below happen in the child.
  : >"$WORK/serve.out"
  : >"$WORK/serve.err"
  "$HOMEPORT" serve --region "$REGION" --store "sqlite:$db" --listen 127.0.0.1:0 "$@" \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  HOMEPORT_PID=$!
  HOMEPORT_PORT=
  for _ in $(seq 200); do
    HOMEPORT_PORT=$(sed -n 's#^homeport serve: region .* listening on http://127\.0\.0\.1:\([0-9]*\)$#\1#p' \
      "$WORK/serve.out") || true
    [[ -n $HOMEPORT_PORT ]] && break
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

# --- 3. homeport serve, SQLite ------------------------------------------------------------
start_homeport "$DB"
BEFORE=$("$BENCH_TOOL" count --store "sqlite:$DB") || die "cannot count activations"
[[ $BEFORE = 0 ]] || die "the fixture store already has $BEFORE activations"
run_wrk homeport "http://127.0.0.1:$HOMEPORT_PORT/v1/activations" "$WORK/homeport.bench" \
  "$HOMEPORT_PID"
curl -s "http://127.0.0.1:$HOMEPORT_PORT/metrics" >"$WORK/metrics.txt" || true
stop_pid "$HOMEPORT_PID" TERM
HOMEPORT_PID=
# Counted once the server has stopped: every request it answered 2xx is committed (S5).
COMMITTED=$("$BENCH_TOOL" count --store "sqlite:$DB") || die "cannot count activations"
if command -v sqlite3 >/dev/null; then
  SQL_COUNT=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM activations')
  [[ $SQL_COUNT = "$COMMITTED" ]] || die "Store says $COMMITTED activations, sqlite3 says $SQL_COUNT"
fi
[[ $(field "$WORK/homeport.bench" wrapped) = false ]] ||
  die "homeport was sent some devices twice ($(field "$WORK/homeport.bench" generated) requests for" \
      "$DEVICES devices): raise BENCH_DEVICES"

# --- 4./5. homeport serve, SQLite: UX-program pings ------------------------------------------
# POST /submit/homeport-agent/<ping>/1/<doc_id>, plain JSON, a fresh doc_id per request, spread
# over $PING_CLIENTS client ids; the per-client rate limit is lifted so that it is the server's
# work that is measured, not the limiter. Each kind gets a fresh store, and the figure is the
# documents in it after the server has stopped (a 2xx comes only after the commit, S5) / wrk's
# duration.
# run_pings NAME PING COUNT: generate, serve, load, stop, count; the count goes to WORK/NAME.stored.
run_pings() {
  local name=$1 ping=$2 count=$3 db="$WORK/$1.db" stored status
  REQUESTS="$WORK/$name.txt"
  log "$name: $count $ping pings over $PING_CLIENTS clients"
  python3 "$BENCH_DIR/pings.py" --kind "$ping" --count "$count" --clients "$PING_CLIENTS" \
    --out "$REQUESTS" || die "pings.py failed"
  start_homeport "$db" --client-rate 1000000 --client-burst 1000000
  # One request by hand, outside the measurement, from a file of its own (its doc_id is not in
  # the load): the server must store it, or the load would only measure refusals.
  python3 "$BENCH_DIR/pings.py" --kind "$ping" --count 1 --clients 1 --out "$WORK/$name.probe"
  IFS=$'\t' read -r probe_path probe_body <"$WORK/$name.probe"
  status=$(curl -s -o "$WORK/$name.probe.out" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' --data-binary "$probe_body" \
    "http://127.0.0.1:$HOMEPORT_PORT$probe_path")
  [[ $status = 200 ]] || die "homeport answered $status to a $ping ping: $(cat "$WORK/$name.probe.out")"
  run_wrk "$name" "http://127.0.0.1:$HOMEPORT_PORT/" "$WORK/$name.bench" "$HOMEPORT_PID"
  curl -s "http://127.0.0.1:$HOMEPORT_PORT/metrics" >"$WORK/$name.metrics.txt" || true
  stop_pid "$HOMEPORT_PID" TERM
  HOMEPORT_PID=
  stored=$(sqlite3 "$db" "SELECT COUNT(*) FROM uxp_documents WHERE doc_type = '$ping'") ||
    die "cannot count the $ping documents"
  echo $((stored - 1)) >"$WORK/$name.stored"  # less the probe
  [[ $(field "$WORK/$name.bench" wrapped) = false ]] ||
    die "$name: some doc_ids were sent twice ($(field "$WORK/$name.bench" generated) requests for" \
        "$count lines): raise BENCH_PINGS / BENCH_FEEDBACK_PINGS"
  rm -f "$REQUESTS"
}
command -v sqlite3 >/dev/null || die "sqlite3 is not installed: it counts the stored pings"
run_pings pings diagnostics "$PINGS"
run_pings pings_scrub feedback "$FEEDBACK_PINGS"

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- results ------------------------------------------------------------------------------
export RESULTS VERIFY VERIFY_ON_CPU JWS_VERIFY DEVICES COMMITTED CORES LOAD_BEFORE LOAD_AFTER SECONDS_PER_RUN \
  WRK_THREADS WRK_CONNECTIONS VERIFY_SECONDS ROOT BUILD WORK REGION PINGS FEEDBACK_PINGS PING_CLIENTS
python3 "$BENCH_DIR/report.py"
