#!/usr/bin/env bash
# Builds Tandem with a sanitizer and runs the fast test suite under it.
#
#   scripts/sanitize.sh asan [CTEST_ARGS...]   build/asan: -fsanitize=address,undefined; any UBSan report is
#                                              fatal (UBSAN_OPTIONS=halt_on_error=1), leaks are reported
#   scripts/sanitize.sh tsan [CTEST_ARGS...]   build/tsan: -fsanitize=thread; any race is fatal
#
# Extra arguments go to ctest (e.g. -R log to run one test). SANITIZE_JOBS sets the build and ctest
# parallelism (default 2). The compiler is the default C++ compiler (GCC 12 on Debian 12); CXX=clang++ works
# too. Exits non-zero when the build fails or any test fails or reports an error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-}"
shift || true
jobs="${SANITIZE_JOBS:-2}"

case "$mode" in
  asan)
    build="$root/build/asan"
    sanitize="address,undefined"
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
    # Every fast test works under ASan/UBSan (the DuckDB/hyparquet peers run as separate, uninstrumented
    # node processes spawned with system(), which ASan does not mind).
    exclude=""
    ;;
  tsan)
    build="$root/build/tsan"
    sanitize="thread"
    export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
    # Every fast test runs under TSan; add a test name here (a ctest -E regex) only with the reason why it
    # cannot work under the sanitizer.
    exclude=""
    ;;
  *)
    echo "usage: scripts/sanitize.sh asan|tsan [CTEST_ARGS...]" >&2
    exit 2
    ;;
esac

export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}" CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTANDEM_SANITIZE="$sanitize" >/dev/null
# Build only what the fast tests run: the test executables (unit tests, fuzz corpus replays), `tandem`
# and the reliability tools (the crash_loop and stress tests), not the benchmarks.
mapfile -t test_bins < <(ninja -C "$build" -t targets all | sed -nE 's/^((\S+\/)?(tandem_\w+_test|fuzz_\w+_replay)): .*/\1/p')
test_bins+=(tandem tandem_stress tandem_crash_driver)
if [[ ${#test_bins[@]} -eq 0 ]]; then
  echo "sanitize.sh: no test executables in $build" >&2
  exit 1
fi
ninja -C "$build" -j"$jobs" "${test_bins[@]}"

ctest_args=(--test-dir "$build" -L fast --output-on-failure -j"$jobs")
if [[ -n "$exclude" ]]; then ctest_args+=(-E "$exclude"); fi
ctest "${ctest_args[@]}" "$@"
