#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs the demo: a live clickstream through every layer of
# Tandem, merged answers updating in the terminal, ending with a summary. Extra arguments go to
# `tandem demo` (e.g. --seconds 60, --forever, --rate 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec build/release/tandem demo "$@"
