#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang under ASan/UBSan in build-fuzz/ and runs
# each for FUZZ_SECONDS (default 60), one after the other. A target's new inputs go to its
# working corpus (build-fuzz/corpus/<target>/, seeded from tests/fuzz/corpus/<target>/), and
# whatever crashes, leaks or hangs lands in build-fuzz/crashes/<target>/. Exits non-zero when
# any target found something.
#
#   scripts/fuzz.sh [target...]      default: every target
#   FUZZ_SECONDS=600 FUZZ_JOBS=2 FUZZ_BUILD=build-fuzz scripts/fuzz.sh http_router
# FUZZ_JOBS > 1 runs that many processes per target (libFuzzer's -fork), which go on past a
# crash; the default, 1, stops a target at its first crash.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FUZZ_BUILD:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
jobs="${FUZZ_JOBS:-1}"
cxx="${FUZZ_CXX:-clang++-15}"

if [ ! -f "$build/build.ninja" ]; then
  # -O1 and line tables only: the sanitizers' usual setting, and a much faster build than -O2 -g.
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
    -DHOMEPORT_FUZZ=ON >/dev/null
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in "$root"/tests/fuzz/*_fuzz.cc; do
    name="$(basename "$src" _fuzz.cc)"
    targets+=("$name")
  done
fi

cmake --build "$build" -j "$(nproc)" --target "${targets[@]/%/_fuzz}"

found=()
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$crashes/")
  # Parallel jobs keep going after a crash; one process stops at the first, as a replay would.
  [ "$jobs" -gt 1 ] && args+=(-fork="$jobs" -ignore_crashes=1)
  [ -f "$root/tests/fuzz/$t.dict" ] && args+=(-dict="$root/tests/fuzz/$t.dict")
  echo "fuzz: $t for ${seconds}s (crashes go to $crashes/)"
  log="$build/fuzz-$t.log"
  # Crashes from earlier runs stay in the directory (fixed ones replay from tests/fuzz/crashes);
  # only what this run adds counts.
  started="$build/fuzz-$t.started"
  touch "$started"
  set +e
  (cd "$build" && UBSAN_OPTIONS=print_stacktrace=1 nice "$build/tests/fuzz/${t}_fuzz" "${args[@]}" "$corpus" "$root/tests/fuzz/corpus/$t" \
    >"$log" 2>&1)
  rc=$?
  set -e
  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$log" | tail -2 | sed "s/^/fuzz: $t: /"
  if [ $rc -ne 0 ] || [ -n "$(find "$crashes" -type f -newer "$started")" ]; then
    found+=("$t")
    echo "fuzz: $t found something: see $crashes/ and $log" >&2
  fi
done

if [ ${#found[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${found[*]} (under $build/crashes/)" >&2
  exit 1
fi
echo "fuzz: no crashes in ${#targets[@]} targets (${seconds}s each)"
