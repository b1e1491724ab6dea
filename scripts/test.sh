#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs the test suite: a bounded fuzz run of each libFuzzer
# target (scripts/fuzz.sh), then every ctest test: "fast" (unit, property, interop with DuckDB and
# hyparquet, end-to-end) and "slow" (e.g. all 3M rows of flights-3m compared with DuckDB, ~1 min).
# While developing, `ctest --test-dir build/release -L fast` skips the slow ones.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${TANDEM_SKIP_FUZZ:-0}" != 1 ] && [ -f scripts/fuzz.sh ]; then
  bash scripts/fuzz.sh "${TANDEM_FUZZ_SECONDS:-20}"
fi
ctest --test-dir build/release --output-on-failure -j"$(nproc)"
