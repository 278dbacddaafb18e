#!/usr/bin/env bash
# The verifier's benchmark: `homeport audit capture --json` on generated captures of several
# shapes (bench/capture_gen.cc: bulk, short-flows, identifier-heavy, quic-heavy), each against
# tshark extracting the same names (DNS query names, TLS SNI, HTTP Host) and against `cat` (the
# read ceiling), same run, plus homeport's peak memory on each and its start-up time on a tiny
# capture.
#   bench/capture.sh BUILD_DIR WORK_DIR
# Writes WORK_DIR/capture.bench (key=value lines: one per shape, one for start-up; report.py
# --capture reads them) and prints a summary with the goals: >= 20x tshark, >= 0.3x cat,
# peak RSS <= 256 MB on every shape, start-up well under 100 ms.
#
# Settings (environment):
#   CAPTURE_SHAPES      the shapes to measure (default: all four)
#   CAPTURE_MB          size of each capture in MB (1024)
#   CAPTURE_DATA        where the generated captures are kept and reused (bench/work/captures:
#                       about 4.3 GB for the four shapes at 1 GB). A capture is made once per
#                       shape, size and seed; delete it after changing the generator.
#   CAPTURE_SEED        the generator's seed (1)
#   CAPTURE_RUNS        timed runs of homeport and cat per shape, the best counts (3)
#   TSHARK_RUNS         timed runs of tshark per shape (1: tshark takes minutes per GB)
#   TSHARK_SLICE_MB     tshark reads a capture of this many MB of the same shape and seed (the
#                       first part of the big one) and its rate is taken from that; the output
#                       and the table say so (100: tshark takes 10-20 minutes for 1 GB of the
#                       short-flows or identifier-heavy shape). 0: the same file as homeport.
#   STARTUP_RUNS        audits of the tiny capture for the start-up figure (20; the median counts)
#   CAPTURE_MEMORY_LIMIT_MB  address-space limit of each homeport run (8192): a run that needs
#                       more fails, is reported as failed with its peak RSS, and the next shape
#                       is measured
set -euo pipefail
BUILD=${1:-build}
WORK=${2:-bench/work}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
[[ $BUILD = /* ]] || BUILD="$ROOT/$BUILD"
mkdir -p "$WORK"
SHAPES=${CAPTURE_SHAPES:-bulk short-flows identifier-heavy quic-heavy}
MB=${CAPTURE_MB:-1024}
DATA=${CAPTURE_DATA:-$ROOT/bench/work/captures}
SEED=${CAPTURE_SEED:-1}
RUNS=${CAPTURE_RUNS:-3}
TSHARK_RUNS=${TSHARK_RUNS:-1}
TSHARK_SLICE_MB=${TSHARK_SLICE_MB:-100}
STARTUP_RUNS=${STARTUP_RUNS:-20}
MEMORY_LIMIT_MB=${CAPTURE_MEMORY_LIMIT_MB:-8192}
BIN="$BUILD/homeport"
GEN="$BUILD/homeport_bench"
mkdir -p "$DATA"
die() { printf 'capture.sh: FAILED: %s\n' "$*" >&2; exit 1; }
[[ -x $BIN ]] || die "$BIN not found: build it first"
[[ -x $GEN ]] || die "$GEN not found: build it first"
command -v tshark >/dev/null || die "tshark is not installed (scripts/install-deps.sh installs it)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is not installed (Debian package time)"

POLICY="$WORK/capture-policy.json"
echo '{"region":"sg","allow_hosts":["*.sg.example.com"],"allow_countries":["SG"],"allow_cleartext":false}' >"$POLICY"

# capture SHAPE MB: the path of the generated capture, made if missing (to a temp name first, so
# that an interrupted run leaves no half file to be reused).
capture() {
  local path="$DATA/capture-$1-${2}m-s$SEED.pcap"
  if [[ ! -f $path ]]; then
    local avail_mb
    avail_mb=$(df -Pm "$DATA" | awk 'NR == 2 {print $4}')
    ((avail_mb > $2 + 512)) || die "$DATA has $avail_mb MB free, too little for a $2 MB capture"
    "$GEN" capture-gen --shape "$1" --megabytes "$2" --seed "$SEED" --out "$path.partial" >&2 ||
      die "capture-gen --shape $1 failed"
    mv "$path.partial" "$path"
  fi
  echo "$path"
}

# timed OUT_PREFIX CMD...: wall-clock microseconds of one run to OUT_PREFIX.us, peak RSS (KB)
# to OUT_PREFIX.rss, its exit status returned. `audit capture` exits 1 on these captures (they
# hold violations on purpose).
timed() {
  local out=$1 rc=0 t0 t1
  shift
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$out.rss" bash -c 'ulimit -v "$0"; exec "$@"' \
    $((MEMORY_LIMIT_MB * 1024)) "$@" >/dev/null 2>"$out.err" || rc=$?
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000)) >"$out.us"
  return $rc
}

# best RUNS NAME CMD...: the best wall-clock seconds over RUNS runs and the largest peak RSS (MB),
# as "seconds rss_mb"; "failed rss_mb" when a run exits above 1 (the rest are not made).
best() {
  local runs=$1 name=$2 best_us="" rss_kb=0 us kb rc
  shift 2
  for ((i = 0; i < runs; i++)); do
    rc=0
    timed "$WORK/$name" "$@" || rc=$?
    us=$(cat "$WORK/$name.us")
    kb=$(grep -E '^[0-9]+$' "$WORK/$name.rss" | tail -n 1)
    ((${kb:-0} > rss_kb)) && rss_kb=$kb
    if ((rc > 1)); then
      awk -v kb="$rss_kb" 'BEGIN {printf "failed %.1f\n", kb / 1024}'
      return 0
    fi
    [[ -z $best_us || $us -lt $best_us ]] && best_us=$us
  done
  awk -v us="$best_us" -v kb="$rss_kb" 'BEGIN {printf "%.3f %.1f\n", us / 1e6, kb / 1024}'
}

: >"$WORK/capture.bench"
printf 'capture.sh: %s MB per shape, homeport and cat best of %s, tshark %s run(s); goals: >= 20x tshark, >= 0.3x cat, RSS <= 256 MB\n' \
  "$MB" "$RUNS" "$TSHARK_RUNS" >&2
for shape in $SHAPES; do
  file=$(capture "$shape" "$MB")
  size_mb=$(stat -c %s "$file" | awk '{print $1 / 1e6}')
  cat "$file" >/dev/null  # into the page cache
  result=$(best "$RUNS" "cat-$shape" cat "$file")
  read -r read_s _ <<<"$result"
  [[ $read_s != failed ]] || die "cat $file failed"
  result=$(best "$RUNS" "homeport-$shape" "$BIN" audit capture "$file" --policy "$POLICY" --json)
  read -r homeport_s rss_mb <<<"$result"
  homeport_err=$(grep -v -E '^(warning|Command exited)' "$WORK/homeport-$shape.err" | head -n 1 || true)
  if [[ $homeport_s = failed ]]; then
    echo "shape=$shape capture_mb=$(awk -v mb="$size_mb" 'BEGIN {printf "%.0f", mb}') capture_failed=1 capture_rss_mb=$rss_mb read_s=$read_s" >>"$WORK/capture.bench"
    printf '%-17s homeport FAILED (limit %s MB of address space, peak RSS %s MB): %s\n' \
      "$shape" "$MEMORY_LIMIT_MB" "$rss_mb" "$homeport_err" >&2
    continue
  fi
  tshark_file=$file
  tshark_mb=$size_mb
  if ((TSHARK_SLICE_MB > 0 && TSHARK_SLICE_MB < MB)); then
    tshark_file=$(capture "$shape" "$TSHARK_SLICE_MB")
    tshark_mb=$(stat -c %s "$tshark_file" | awk '{print $1 / 1e6}')
    cat "$tshark_file" >/dev/null
  fi
  result=$(MEMORY_LIMIT_MB=$((1 << 22)) best "$TSHARK_RUNS" "tshark-$shape" tshark -r "$tshark_file" -T fields \
    -e dns.qry.name -e tls.handshake.extensions_server_name -e http.host)
  read -r tshark_s _ <<<"$result"
  [[ $tshark_s != failed ]] || die "tshark failed on $tshark_file: $(tail -n 2 "$WORK/tshark-$shape.err")"
  awk -v shape="$shape" -v mb="$size_mb" -v r="$read_s" -v h="$homeport_s" -v t="$tshark_s" \
      -v tmb="$tshark_mb" -v rss="$rss_mb" 'BEGIN {
    printf "shape=%s capture_mb=%.0f capture_s=%.3f capture_mb_per_s=%.1f tshark_mb=%.0f ", shape, mb, h, mb / h, tmb
    printf "tshark_s=%.3f tshark_mb_per_s=%.1f read_mb_per_s=%.1f capture_rss_mb=%.1f\n", t, tmb / t, mb / r, rss
  }' >>"$WORK/capture.bench"
  awk -v shape="$shape" -v mb="$size_mb" -v r="$read_s" -v h="$homeport_s" -v t="$tshark_s" \
      -v tmb="$tshark_mb" -v rss="$rss_mb" 'BEGIN {
    hr = mb / h; tr = tmb / t; rr = mb / r
    printf "%-17s %5.0f MB: homeport %7.1f MB/s (%5.1f s), tshark %5.1f MB/s%s -> %5.1fx tshark (goal >= 20: %s), ",
      shape, mb, hr, h, tr, (tmb < mb - 1 ? sprintf(" on a %.0f MB slice", tmb) : ""), hr / tr, (hr / tr >= 20 ? "met" : "NOT met")
    printf "cat %6.0f MB/s -> %4.2fx (goal >= 0.3: %s), peak RSS %6.1f MB (goal <= 256: %s)\n",
      rr, hr / rr, (hr / rr >= 0.3 ? "met" : "NOT met"), rss, (rss <= 256 ? "met" : "NOT met")
  }' >&2
  [[ -z $homeport_err ]] || printf '  homeport said: %s\n' "$homeport_err" >&2
done

# Start-up: a capture of a few sessions, audited STARTUP_RUNS times; the median wall-clock time,
# with the geo data as found by default (the compiled ASN table where the build or install made
# one) and with the CSV files (the npm folder, which holds no compiled table).
tiny="$DATA/capture-bulk-tiny-s$SEED.pcap"
[[ -f $tiny ]] || "$GEN" capture-gen --shape bulk --megabytes 0.05 --seed "$SEED" --out "$tiny" >&2 2>/dev/null
median_ms() {
  local samples=()
  for ((i = 0; i < STARTUP_RUNS; i++)); do
    local rc=0
    timed "$WORK/startup" "$@" || rc=$?
    ((rc <= 1)) || die "$* exited $rc: $(tail -n 2 "$WORK/startup.err")"
    samples+=("$(cat "$WORK/startup.us")")
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.1f\n", a[int((NR + 1) / 2)] / 1000}'
}
startup_ms=$(median_ms "$BIN" audit capture "$tiny" --policy "$POLICY" --json)
# The CPU time (user + system) of the same audit, median: on a machine busy with other work the
# wall-clock time includes waiting for a core; this does not.
startup_cpu_ms=$(python3 - "$STARTUP_RUNS" "$BIN" audit capture "$tiny" --policy "$POLICY" --json <<'PY'
import resource, statistics, subprocess, sys
samples = []
for _ in range(int(sys.argv[1])):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    samples.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
print(f"{statistics.median(samples):.1f}")
PY
)
startup_warning=$(grep -m 1 'warning' "$WORK/startup.err" || true)
startup_csv_ms=$(median_ms "$BIN" audit capture "$tiny" --policy "$POLICY" --json \
  --geo-db "$ROOT/node_modules/@ip-location-db")
echo "startup_ms=$startup_ms startup_cpu_ms=$startup_cpu_ms startup_csv_ms=$startup_csv_ms startup_capture_kb=$(($(stat -c %s "$tiny") / 1024)) startup_runs=$STARTUP_RUNS" \
  >>"$WORK/capture.bench"
printf 'start-up on a %s KB capture: %s ms (median of %s; %s ms of CPU) with the default geo data, %s ms reading the ASN CSV files (goal: well under 100 ms)\n' \
  "$(($(stat -c %s "$tiny") / 1024))" "$startup_ms" "$STARTUP_RUNS" "$startup_cpu_ms" "$startup_csv_ms" >&2
[[ -z $startup_warning ]] || printf '  homeport said: %s\n' "$startup_warning" >&2
