#!/usr/bin/env bash
# Builds parquet_bench in a Release tree (build/bench) and runs it: Tandem's Parquet writer and reader
# against DuckDB's, single-threaded, on a generated clickstream. See bench/parquet_bench.cc for what is
# timed. Results: bench/results/<date>-parquet.{json,md}.
#
#   bench/parquet_bench.sh [ROWS]      (default 10000000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:-10000000}"
build="$root/build/bench"
if [[ ! -d "$root/tests/peers/node_modules/@duckdb/node-api" ]]; then
  (cd "$root/tests/peers" && npm ci --no-audit --no-fund)
fi
# Warnings are not errors here: CI enforces them at -O2, and GCC 12 at -O3 has false positives.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTANDEM_WERROR=OFF >/dev/null
ninja -C "$build" -j"${BENCH_BUILD_JOBS:-2}" parquet_bench
scratch="$(mktemp -d "${TMPDIR:-/tmp}/tandem-parquet-bench.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
"$build/bench/parquet_bench" --rows "$rows" --dir "$scratch" --peers "$root/tests/peers" \
  --results "$root/bench/results"
