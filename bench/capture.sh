#!/usr/bin/env bash
# The verifier's benchmark: `homeport audit capture` against tshark extracting the same names
# from the same synthetic capture, and against `cat` (the read ceiling), plus homeport's peak
# memory on a 0.25 GB and a 1 GB capture (it should not grow with the capture).
#   bench/capture.sh BUILD_DIR WORK_DIR
# Writes WORK_DIR/capture.bench (key=value, for report.py) and prints a summary.
set -euo pipefail
BUILD=${1:-build}
WORK=${2:-bench/work}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$WORK"
BIN="$BUILD/homeport"
POLICY="$WORK/capture-policy.json"
echo '{"region":"sg","allow_hosts":["*.sg.example.com"],"allow_countries":["SG"],"allow_cleartext":false}' >"$POLICY"

gen() { [ -f "$WORK/$1" ] || "$BUILD/homeport_bench" capture-gen --out "$WORK/$1" --megabytes "$2"; }
gen capture-256m.pcap 256
gen capture-1g.pcap 1024
BIG="$WORK/capture-1g.pcap"
SIZE_MB=$(stat -c %s "$BIG" | awk '{print $1 / 1e6}')

# Best of three wall-clock seconds of a command (the file stays in the page cache throughout).
best_of_3() {
  local best="" t0 t1 s
  for _ in 1 2 3; do
    t0=$(date +%s.%N)
    # audit capture exits 1: the capture has violations on purpose; anything else is a failure.
    local rc=0
    "$@" >/dev/null 2>"$WORK/capture.err" || rc=$?
    if [ "$rc" -gt 1 ]; then
      echo "capture.sh: $* failed (exit $rc): $(cat "$WORK/capture.err")" >&2
      exit 1
    fi
    t1=$(date +%s.%N)
    s=$(awk "BEGIN {print $t1 - $t0}")
    if [ -z "$best" ] || awk "BEGIN {exit !($s < $best)}"; then best=$s; fi
  done
  echo "$best"
}
max_rss_mb() {
  /usr/bin/time -f "%M" -o "$WORK/capture.rss" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$WORK/capture.rss" | awk '{print $1 / 1024}'
}

cat "$BIG" >/dev/null  # into the page cache
read_s=$(best_of_3 cat "$BIG")
homeport_s=$(best_of_3 "$BIN" audit capture "$BIG" --policy "$POLICY" --json)
tshark_s=$(best_of_3 tshark -r "$BIG" -T fields -e dns.qry.name \
  -e tls.handshake.extensions_server_name -e http.host)
rss_small=$(max_rss_mb "$BIN" audit capture "$WORK/capture-256m.pcap" --policy "$POLICY" --json)
rss_big=$(max_rss_mb "$BIN" audit capture "$BIG" --policy "$POLICY" --json)

awk -v mb="$SIZE_MB" -v r="$read_s" -v h="$homeport_s" -v t="$tshark_s" \
    -v small="$rss_small" -v big="$rss_big" 'BEGIN {
  printf "capture_mb=%.0f capture_mb_per_s=%.1f tshark_mb_per_s=%.1f read_mb_per_s=%.1f ", mb, mb / h, mb / t, mb / r
  printf "capture_rss_mb=%.1f capture_rss_mb_256m=%.1f\n", big, small
}' >"$WORK/capture.bench"
awk -v mb="$SIZE_MB" -v r="$read_s" -v h="$homeport_s" -v t="$tshark_s" \
    -v small="$rss_small" -v big="$rss_big" 'BEGIN {
  printf "audit capture on %.0f MB: %.0f MB/s; tshark %.0f MB/s (homeport %.1fx, goal >= 20x); ", mb, mb / h, mb / t, t / h
  printf "cat %.0f MB/s (homeport %.2fx of the read ceiling, goal >= 0.3x); ", mb / r, r / h
  printf "max RSS %.0f MB at 0.25 GB, %.0f MB at 1 GB\n", small, big
}'
