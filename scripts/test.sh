#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs the test suite: a bounded fuzz run of each libFuzzer
# target (scripts/fuzz.sh), then every test labelled "fast" (unit, property, interop with DuckDB and
# hyparquet, end-to-end). Slow tests (label "slow") run with: ctest --test-dir build/release -L slow
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${TANDEM_SKIP_FUZZ:-0}" != 1 ] && [ -f scripts/fuzz.sh ]; then
  bash scripts/fuzz.sh "${TANDEM_FUZZ_SECONDS:-20}"
fi
ctest --test-dir build/release -L fast --output-on-failure -j"$(nproc)"
