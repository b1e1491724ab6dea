#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs the test suite: every test labelled "fast"
# (unit, property, interop with DuckDB/hyparquet, end-to-end) and a bounded fuzz run of each target.
# Slow tests (label "slow") run with: ctest --test-dir build/release -L slow
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir build/release -L fast --output-on-failure -j"$(nproc)"
if [ "${TANDEM_SKIP_FUZZ:-0}" != 1 ] && [ -x scripts/fuzz.sh ]; then
  bash scripts/fuzz.sh "${TANDEM_FUZZ_SECONDS:-20}"
fi
