#!/usr/bin/env bash
# Builds the libFuzzer targets (every src/**/*_fuzz.cc, see fuzz/CMakeLists.txt) with clang and runs each
# for SECONDS over a scratch copy of its seed corpus fuzz/corpus/<name>/. Fails on any finding (crash,
# sanitizer report, leak, timeout, out-of-memory); the reproducer is left in build/fuzz/artifacts/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 60 parquet_reader
#
# SECONDS defaults to 30; TARGET names are without the fuzz_ prefix (default: all targets).
# New interesting inputs found during the run stay in the scratch corpus (printed at the end); copy small
# ones into fuzz/corpus/<name>/ to keep them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2
  exit 2
fi
build="$root/build/fuzz"
jobs="${FUZZ_BUILD_JOBS:-2}"

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (libFuzzer needs clang)" >&2; exit 1; }
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DTANDEM_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  while IFS= read -r src; do
    base="$(basename "$src" .cc)"
    targets+=("${base%_fuzz}")
  done < <(find "$root/src" -name '*_fuzz.cc' | sort)
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz.sh: no fuzz targets (src/**/*_fuzz.cc)" >&2
  exit 1
fi

ninja -C "$build" -j"$jobs" "${targets[@]/#/fuzz_}"

# clang's UBSan recovers by default: make every report a finding.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
mkdir -p "$build/artifacts"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/tandem-fuzz.XXXXXX")"
status=0
for t in "${targets[@]}"; do
  corpus="$scratch/$t"
  mkdir -p "$corpus"
  if [[ -d "$root/fuzz/corpus/$t" ]]; then cp -r "$root/fuzz/corpus/$t/." "$corpus/"; fi
  echo "== fuzz_$t for ${seconds}s (corpus: $(ls "$corpus" | wc -l) files)"
  if ! "$build/fuzz/fuzz_$t" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" 2>"$scratch/$t.log"; then
    echo "fuzz_$t: FINDING (see $build/artifacts/ and the log below)" >&2
    tail -n 60 "$scratch/$t.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "$scratch/$t.log" | tr '\n' ' '
    echo
  fi
done
echo "scratch corpus: $scratch"
exit $status
