#!/usr/bin/env bash
# Tandem against real peers, in one run, as ratios (issue 5).
#
#   bench/run.sh [--quick] [--perf] [--big]
#
# Installs the peers if missing (apt: postgresql-15, redis-server; npm: @duckdb/node-api in tests/peers),
# starts a private PostgreSQL cluster and private Redis instances on free ports bound to 127.0.0.1 (stopped
# at the end), builds Tandem Release, generates the same clickstream events for everyone (bench/peers_bench.cc,
# about 150 bytes as NDJSON), and runs:
#   1. durable ingest   Tandem HTTP NDJSON vs PostgreSQL COPY (synchronous_commit on) vs Redis XADD
#                       pipelined (appendonly yes; appendfsync always, then everysec)
#   2. freshness        ack-to-visible in a merged aggregate view under 50% of Tandem's max ingest vs
#                       PostgreSQL keeping the same aggregate by a statement trigger (insert, then query)
#   3. serving          point lookups and a top-N group-by over the 1M-key view: Tandem HTTP keep-alive vs
#                       PostgreSQL (libpq) vs DuckDB (node, in process)
#   4. batch recompute  POST /v1/batch?full=true vs DuckDB over the same Parquet files, same threads
#   5. growth           1, 3 and 4 at 1M and 10M events (--big: also 100M — about 30 min and ~25 GB of disk)
# and writes bench/results/<date>-peers.{json,md} and bench/results/<date>-peers-*.svg (TANDEM_BENCH_NAME
# replaces "peers"; TANDEM_BENCH_BUILD picks the build tree, default build/bench).
# --quick: a one-minute smoke run (100k / 300k events, short phases). --perf: perf record -g the Tandem
# server during the point-lookup serving phase and the full batch recompute at the largest size.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=0 perf=0 big=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --perf) perf=1 ;;
    --big) big=1 ;;
    *) echo "usage: bench/run.sh [--quick] [--perf] [--big]" >&2; exit 2 ;;
  esac
done
if ((quick)); then
  sizes=(100000 300000); serve_secs=3; probes=100; keys=100000
else
  sizes=(1000000 10000000); serve_secs=10; probes=1000; keys=1000000
  ((big)) && sizes+=(100000000)
fi
redis_events=${sizes[0]}
clients=4 batch=1000 serve_clients=4

# ---------------------------------------------------------------- peers
need=()
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || need+=(postgresql-15)
command -v redis-server >/dev/null || need+=(redis-server)
dpkg -s libpq-dev >/dev/null 2>&1 || need+=(libpq-dev)
command -v node >/dev/null || need+=(nodejs npm)
if ((${#need[@]})); then
  echo "installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [[ ! -d "$root/tests/peers/node_modules/@duckdb/node-api" ]]; then
  (cd "$root/tests/peers" && { npm ci --no-audit --no-fund --loglevel=silent 2>/dev/null ||
                               npm install --no-audit --no-fund --loglevel=error; })
fi

# ---------------------------------------------------------------- build
build="$root/build/bench"
[[ -n "${TANDEM_BENCH_BUILD:-}" ]] && build="$TANDEM_BENCH_BUILD"
export CCACHE_NOHASHDIR=true CCACHE_BASEDIR="$root"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTANDEM_WERROR=OFF >/dev/null
ninja -C "$build" tandem peers_bench >/dev/null
tandem="$build/tandem"
pb="$build/bench/peers_bench"

# ---------------------------------------------------------------- private servers
work="$(mktemp -d /tmp/tandem-peers-XXXXXX)"
chmod 755 "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
pg_data="$work/pg/data"
pgbin=/usr/lib/postgresql/15/bin
cleanup() {
  set +e
  [[ -f "$pg_data/postmaster.pid" ]] && su postgres -c "$pgbin/pg_ctl -D $pg_data -m fast stop" >/dev/null 2>&1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pg_port=$(free_port)
mkdir -p "$pg_data" && chown -R postgres:postgres "$work/pg"
su postgres -c "$pgbin/initdb -D $pg_data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
cat >> "$pg_data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg_data'
synchronous_commit = on
fsync = on
shared_buffers = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min
max_connections = 50
EOF
su postgres -c "$pgbin/pg_ctl -D $pg_data -l $work/pg/server.log -w start" >/dev/null
psqlc() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }
psqlc -d postgres -c "CREATE DATABASE bench" >/dev/null
psqlc -d bench >/dev/null <<'EOF'
CREATE TABLE clicks (ts timestamptz NOT NULL, user_id bigint NOT NULL, session text, page text, country text,
                     device text, latency_ms double precision, status integer);
CREATE TABLE clicks_fresh (LIKE clicks);
CREATE TABLE pages_agg (page text PRIMARY KEY, n bigint NOT NULL, sum_ms double precision);
CREATE FUNCTION pages_agg_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pages_agg AS a (page, n, sum_ms)
    SELECT page, count(*), sum(latency_ms) FROM new_rows GROUP BY page
  ON CONFLICT (page) DO UPDATE SET n = a.n + EXCLUDED.n, sum_ms = a.sum_ms + EXCLUDED.sum_ms;
  RETURN NULL;
END $$;
CREATE TRIGGER pages_agg_trg AFTER INSERT ON clicks_fresh REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION pages_agg_apply();
EOF
pg_version=$(psqlc -d bench -At -c "SHOW server_version")

start_redis() {  # $1 = appendfsync policy; prints the port
  local port dir
  port=$(free_port); dir="$work/redis-$1"; mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --appendonly yes --appendfsync "$1" --save '' \
    --protected-mode yes --daemonize no >"$dir/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  echo "$port"
}
redis_version=$(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')

tandem_port=$(free_port)
tdata="$work/tandem"
"$tandem" serve --data "$tdata" --listen "127.0.0.1:$tandem_port" --batch-interval-ms 0 2>"$work/tandem.log" &
tandem_pid=$!
pids+=($tandem_pid)
for _ in $(seq 100); do curl -sf "127.0.0.1:$tandem_port/health" >/dev/null && break; sleep 0.1; done
tsql() { curl -sf -X POST --data-binary "$1" "127.0.0.1:$tandem_port/v1/sql" >/dev/null || { echo "tandem sql failed: $1" >&2; exit 1; }; }
tsql "CREATE STREAM clicks (ts TIMESTAMP NOT NULL, user_id BIGINT NOT NULL, session VARCHAR, page VARCHAR, country VARCHAR, device VARCHAR, latency_ms DOUBLE, status INTEGER) WITH (event_time = 'ts')"
tsql "CREATE VIEW pages AS SELECT page, count(*) AS n, avg(latency_ms) AS ms FROM clicks GROUP BY page"
tsql "CREATE VIEW users AS SELECT user_id, country, count(*) AS n, sum(latency_ms) AS total_ms, max(latency_ms) AS max_ms FROM clicks GROUP BY user_id, country"
tsql "CREATE VIEW minutes AS SELECT date_trunc('minute', ts) AS minute, country, count(*) AS n, avg(latency_ms) AS ms FROM clicks GROUP BY date_trunc('minute', ts), country"

out="$work/results.jsonl"
: >"$out"
emit() { echo "$1" | tee -a "$out" "$raw" >&2; }   # one JSON object per line
with_size() { node -e 'const o=JSON.parse(process.argv[1]); o.size=Number(process.argv[2]); console.log(JSON.stringify(o))' "$1" "$2"; }
perf_start() { ((perf)) || return 0; perf record -g -F 499 -p "$tandem_pid" -o "$work/perf-$1.data" >/dev/null 2>&1 & perf_pid=$!; }
perf_stop() {
  ((perf)) || return 0
  kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
  perf report -i "$work/perf-$1.data" --stdio --no-children --percent-limit 1 --sort symbol -g none 2>/dev/null \
    | grep -v '^$' | head -120 >"$root/bench/results/$date-$name-perf-$1.txt" || true
}
date="$(date -u +%Y-%m-%d)"
mkdir -p "$root/bench/results"
name="${TANDEM_BENCH_NAME:-peers}"
raw="$root/bench/results/$date-$name.jsonl"   # the raw results as they come (kept if the run is cut short)
: >"$raw"

# ---------------------------------------------------------------- 1 + 5: ingest at each size, then 3 + 4
have=0
last=${sizes[-1]}
for size in "${sizes[@]}"; do
  n=$((size - have))
  echo "== ingest $have..$size ($n events) ==" >&2
  emit "$(with_size "$("$pb" ingest --system tandem --port "$tandem_port" --events "$n" --first "$have" --clients $clients --batch $batch)" "$size")"
  emit "$(with_size "$("$pb" ingest --system pg --port "$pg_port" --events "$n" --first "$have" --clients $clients --batch $batch)" "$size")"
  if ((size == redis_events)); then
    for policy in always everysec; do
      rport=$(start_redis "$policy")
      r="$("$pb" ingest --system redis --port "$rport" --events "$n" --first "$have" --clients $clients --batch $batch)"
      emit "$(with_size "${r/\"system\":\"redis\"/\"system\":\"redis-$policy\"}" "$size")"
      redis-cli -p "$rport" shutdown nosave >/dev/null 2>&1 || true
    done
  fi
  have=$size

  echo "== batch recompute at $size ==" >&2
  curl -sf -X POST -d "" "127.0.0.1:$tandem_port/v1/flush" >/dev/null
  [[ $size == "$last" ]] && perf_start batch
  t=$(curl -sf -o "$work/batch.json" -w '%{time_total}' -X POST -d "" "127.0.0.1:$tandem_port/v1/batch?full=true")
  [[ $size == "$last" ]] && perf_stop batch
  files=$(node -e 'const fs=require("fs");const d=process.argv[1];const v=fs.readdirSync(d).filter(f=>/^v\d+\.json$/.test(f)).sort().pop();const m=JSON.parse(fs.readFileSync(d+"/"+v));console.log(m.files.length)' "$tdata/streams/clicks/lake/_manifest")
  emit "$(node -e 'const b=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(JSON.stringify({scenario:"batch",system:"tandem",threads:1,size:Number(process.argv[3]),files:Number(process.argv[4]),seconds:Number(process.argv[2]),duration_ms:b.duration_ms,views:b.views}))' "$work/batch.json" "$t" "$size" "$files")"
  for th in 1 2; do
    emit "$(with_size "$(node "$root/bench/duckdb_peer.mjs" batch "$tdata/streams/clicks/lake" $th)" "$size")"
  done
  emit "$(with_size "$(node "$root/bench/duckdb_peer.mjs" batch-tuned "$tdata/streams/clicks/lake" 1)" "$size")"

  # PostgreSQL's own "recompute": CREATE TABLE AS for the serving table (also timed, for reference).
  s=$(date +%s.%N)
  psqlc -d bench -c "DROP TABLE IF EXISTS users; CREATE TABLE users AS SELECT user_id, country, count(*) AS n, sum(latency_ms) AS total_ms, max(latency_ms) AS max_ms FROM clicks GROUP BY user_id, country; ALTER TABLE users ADD PRIMARY KEY (user_id); ANALYZE users" >/dev/null
  e=$(date +%s.%N)
  emit "{\"scenario\":\"batch\",\"system\":\"postgresql\",\"size\":$size,\"seconds\":$(awk "BEGIN {printf \"%.3f\", $e - $s}"),\"note\":\"CREATE TABLE users AS ... + primary key + ANALYZE (the users view only)\"}"

  echo "== serving at $size ==" >&2
  for kind in point topn; do
    [[ $size == "$last" && $kind == point ]] && perf_start serve-point
    emit "$(with_size "$("$pb" serve --system tandem --port "$tandem_port" --kind $kind --clients $serve_clients --seconds $serve_secs --keys $((size < keys ? size : keys)))" "$size")"
    [[ $size == "$last" && $kind == point ]] && perf_stop serve-point
    emit "$(with_size "$("$pb" serve --system pg --port "$pg_port" --kind $kind --clients $serve_clients --seconds $serve_secs --keys $((size < keys ? size : keys)))" "$size")"
  done
  node "$root/bench/duckdb_peer.mjs" serve "$tdata/streams/clicks/lake" 2 $serve_clients $serve_secs $((size < keys ? size : keys)) | while read -r l; do emit "$(with_size "$l" "$size")"; done
done

# ---------------------------------------------------------------- 2: freshness at 50% of Tandem's max ingest
max_eps=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse).filter(o=>o.scenario=="ingest"&&o.system=="tandem");console.log(Math.round(Math.max(...l.map(o=>o.events_per_second))))' "$out")
rate=$((max_eps / 2))
echo "== freshness at $rate events/s ==" >&2
emit "$("$pb" fresh --system tandem --port "$tandem_port" --rate $rate --probes $probes --first $((have + 1000000000)))"
emit "$("$pb" fresh --system pg --port "$pg_port" --rate $rate --probes $probes --first $((have + 1000000000)))"

# ---------------------------------------------------------------- report
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(df -PT /tmp | awk 'NR==2 {print $2}') on $(df -P /tmp | awk 'NR==2 {print $1}'), load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
duck_version=$(node -e 'console.log(require(process.argv[1]).version)' "$root/tests/peers/node_modules/@duckdb/node-api/package.json")
node "$root/bench/report.mjs" "$out" "$root/bench/results/$date-$name" \
  "{\"machine\":\"$machine\",\"quick\":$quick,\"postgresql\":\"$pg_version\",\"redis\":\"$redis_version\",\"duckdb_node_api\":\"$duck_version\",\"tandem_commit\":\"$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "${TANDEM_BENCH_COMMIT:-unknown}")\",\"clients\":$clients,\"batch\":$batch,\"serve_clients\":$serve_clients,\"serve_seconds\":$serve_secs}"
