#!/usr/bin/env bash
# Durable ingest throughput and acknowledgement-to-visible latency over HTTP (bench/ingest_bench.cc).
# Builds a Release tree, runs the benchmark, and writes bench/results/<date>-ingest.{json,md}.
#   bench/ingest_bench.sh [--events N] [--clients C] [--batch B] [--probes P]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build/bench"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTANDEM_WERROR=OFF >/dev/null
ninja -C "$build" ingest_bench >/dev/null
date="$(date -u +%Y-%m-%d)"
mkdir -p "$root/bench/results"
json="$root/bench/results/$date-ingest.json"
out="$("$build/bench/ingest_bench" --json "$json" "$@")"
echo "$out"
{
  echo "# Durable ingest and freshness, $date"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB;"
  echo "data directory on $(df -P /tmp | awk 'NR==2 {print $1}') (/tmp)."
  echo
  echo "Method: bench/ingest_bench.cc starts the engine and its HTTP server in one process; client threads"
  echo "POST NDJSON bodies over keep-alive connections; a 200 means the events are fdatasync'ed in the log"
  echo "(group commit) and applied to the speed layer. The lake writer runs meanwhile (1 s flushes)."
  echo "Freshness: under a steady load at half the measured maximum, a probe ingests one event and queries the"
  echo "merged view until the event is counted; the time from the acknowledgement to that answer is reported."
  echo
  echo '```'
  echo "$out"
  echo '```'
} > "$root/bench/results/$date-ingest.md"
echo "wrote $json and ${json%.json}.md"
