#!/usr/bin/env bash
# Crash loop: SIGKILLs `tandem serve` under concurrent ingest CYCLES times (default 200), restarting it and
# verifying after every restart that every acknowledged event is present exactly once and that every view
# equals its recompute from scratch. See docs/reliability.md.
#
#   bash scripts/crash_loop.sh [CYCLES] [extra tandem_crash_driver flags...]
#   BUILD_DIR=build/release (default) selects the build; WORK_DIR (default /tmp/tandem-crash-loop) the data.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build/release}"
WORK_DIR="${WORK_DIR:-/tmp/tandem-crash-loop}"
CYCLES="${1:-200}"
shift || true
DRIVER="$BUILD_DIR/src/tools/tandem_crash_driver"
TANDEM="$BUILD_DIR/tandem"
if [[ ! -x "$DRIVER" || ! -x "$TANDEM" ]]; then
  echo "crash_loop: build first: ninja -C $BUILD_DIR tandem tandem_crash_driver" >&2
  exit 2
fi
echo "crash_loop: $CYCLES cycles, started $(date -u +%FT%TZ), work dir $WORK_DIR" >&2
start=$(date +%s)
rc=0
"$DRIVER" --tandem "$TANDEM" --dir "$WORK_DIR" --cycles "$CYCLES" "$@" || rc=$?
echo "crash_loop: finished $(date -u +%FT%TZ) after $(( $(date +%s) - start )) s, exit $rc" >&2
exit $rc
