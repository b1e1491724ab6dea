#!/usr/bin/env node
// DuckDB side of bench/run.sh (uses @duckdb/node-api from tests/peers).
//
//   node duckdb_peer.mjs batch <lake dir> <threads>
//       Reads the current lake manifest of a Tandem stream (lake/_manifest/v*.json), and times the
//       benchmark views' SQL over exactly the Parquet files it lists (CREATE TABLE ... AS SELECT ..., so
//       every result is materialised). Prints {"scenario":"batch","system":"duckdb",...}.
//   node duckdb_peer.mjs batch-tuned <lake dir> <threads>
//       The same, with the `minutes` view written the fast way for DuckDB (see TUNED).
//   node duckdb_peer.mjs serve <lake dir> <threads> <clients> <seconds> <keys>
//       Builds the `users` table from the same files (with a unique index on user_id, as PostgreSQL has a
//       primary key), then runs point lookups and the top-N group-by from <clients> concurrent connections
//       for <seconds> each, in process (no network hop). Prints one JSON line per kind.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The pinned DuckDB of tests/peers (bench/ has no node_modules of its own).
const peers = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'peers', 'package.json');
const { DuckDBInstance } = await import(pathToFileURL(createRequire(peers).resolve('@duckdb/node-api')).href);

export const VIEWS = {
  pages: 'SELECT page, count(*) AS n, avg(latency_ms) AS ms FROM clicks GROUP BY page',
  users: 'SELECT user_id, country, count(*) AS n, sum(latency_ms) AS total_ms, max(latency_ms) AS max_ms FROM clicks GROUP BY user_id, country',
  minutes: "SELECT date_trunc('minute', ts) AS minute, country, count(*) AS n, avg(latency_ms) AS ms FROM clicks GROUP BY date_trunc('minute', ts), country",
};
// The same views as a DuckDB expert would write them: Tandem's lake stores TIMESTAMP as UTC-adjusted INT64
// micros, which DuckDB reads as TIMESTAMP WITH TIME ZONE, and date_trunc over that goes through ICU
// calendars (about 10x slower than the rest of the query). Minute buckets by integer arithmetic instead.
export const TUNED = {
  ...VIEWS,
  minutes: 'SELECT make_timestamp(epoch_us(ts) // 60000000 * 60000000) AS minute, country, count(*) AS n, avg(latency_ms) AS ms FROM clicks GROUP BY 1, country',
};

function lakeFiles(lake) {
  const dir = join(lake, '_manifest');
  const versions = readdirSync(dir).filter((f) => /^v\d+\.json$/.test(f)).sort();
  const m = JSON.parse(readFileSync(join(dir, versions[versions.length - 1]), 'utf8'));
  return { version: m.version, files: m.files.map((f) => join(lake, f.path)), rows: m.files.reduce((a, f) => a + f.rows, 0) };
}

function pct(v, p) {
  if (!v.length) return 0;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))];
}

async function open(threads) {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  return instance;
}

async function batch(lake, threads, tuned) {
  const { files, rows } = lakeFiles(lake);
  const instance = await open(threads);
  const c = await instance.connect();
  const list = '[' + files.map((f) => `'${f}'`).join(',') + ']';
  await c.run(`CREATE VIEW clicks AS SELECT * FROM read_parquet(${list})`);
  const version = (await c.runAndReadAll('SELECT version() AS v')).getRowObjects()[0].v;
  const views = [];
  const t0 = process.hrtime.bigint();
  for (const [name, sql] of Object.entries(tuned ? TUNED : VIEWS)) {
    const s = process.hrtime.bigint();
    await c.run(`CREATE TABLE v_${name} AS ${sql}`);
    const groups = Number((await c.runAndReadAll(`SELECT count(*) AS n FROM v_${name}`)).getRowObjects()[0].n);
    views.push({ name, seconds: Number(process.hrtime.bigint() - s) / 1e9, groups });
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ scenario: 'batch', system: tuned ? 'duckdb-tuned' : 'duckdb', version: String(version), threads, files: files.length, rows, seconds, views }));
}

async function serve(lake, threads, clients, seconds, keys) {
  const { files } = lakeFiles(lake);
  const instance = await open(threads);
  const c0 = await instance.connect();
  const list = '[' + files.map((f) => `'${f}'`).join(',') + ']';
  await c0.run(`CREATE TABLE users AS ${VIEWS.users.replace('FROM clicks', `FROM read_parquet(${list})`)}`);
  await c0.run('CREATE UNIQUE INDEX users_pk ON users (user_id)');
  for (const kind of ['point', 'topn']) {
    const lat = [];
    let done = 0;
    let bad = 0;
    const deadline = Date.now() + seconds * 1000;
    const worker = async (w) => {
      const c = await instance.connect();
      let k = w * 2654435761 + 12345;
      while (Date.now() < deadline) {
        k = (k * 1103515245 + 12345) % 2147483648;
        const q = kind === 'point'
          ? `SELECT n, total_ms FROM users WHERE user_id = ${((k % keys) * 7919) % 1000000}`
          : 'SELECT country, sum(n) AS n FROM users GROUP BY country ORDER BY n DESC LIMIT 5';
        const s = process.hrtime.bigint();
        const rows = (await c.runAndReadAll(q)).getRows();
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (rows.length === 0) bad++;
        done++;
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
    const secs = (Date.now() - t0) / 1000;
    console.log(JSON.stringify({
      scenario: 'serving', system: 'duckdb', kind, clients, seconds: secs, queries: done, empty_or_failed: bad, qps: done / secs,
      latency_ms: { n: lat.length, p50: pct(lat, 0.5), p99: pct(lat, 0.99), p999: pct(lat, 0.999), max: Math.max(...lat) },
    }));
  }
}

const [mode, lake, threads, ...rest] = process.argv.slice(2);
if (mode === 'batch' || mode === 'batch-tuned') await batch(lake, Number(threads), mode === 'batch-tuned');
else if (mode === 'serve') await serve(lake, Number(threads), Number(rest[0]), Number(rest[1]), Number(rest[2]));
else { console.error('usage: duckdb_peer.mjs batch|serve <lake dir> <threads> ...'); process.exit(1); }
