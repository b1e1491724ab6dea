#!/usr/bin/env node
// Times SQL statements in an in-memory DuckDB, for bench/parquet_bench.
//
// stdin: {"setup": ["SQL", ...], "timed": [{"name": "...", "sql": "..."}, ...], "repeat": 1}
// stdout: {"results": [{"name": "...", "seconds": [s1, ...], "rows": [{col: value, ...}]}], "version": "..."}
//
// Setup statements run untimed, in order. Each timed statement runs `repeat` times; its result rows
// (small: aggregates) are fully materialised inside the timing and printed with the last run, values
// formatted as duckdb_query.mjs does (numbers beyond 2^53 as strings). Exit 1 with the error on stderr.

import { DuckDBInstance } from '@duckdb/node-api';

async function readStdin() {
  const parts = [];
  for await (const chunk of process.stdin) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

function plain(v) {
  if (typeof v === 'bigint') {
    return v <= 2n ** 53n && v >= -(2n ** 53n) ? Number(v) : v.toString();
  }
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

async function main() {
  const spec = JSON.parse(await readStdin());
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const sql of spec.setup ?? []) await connection.run(sql);
  const version = (await connection.runAndReadAll('SELECT version() AS v')).getRowObjects()[0].v;
  const results = [];
  for (const { name, sql } of spec.timed ?? []) {
    const seconds = [];
    let rows = [];
    for (let i = 0; i < (spec.repeat ?? 1); i++) {
      const start = process.hrtime.bigint();
      const reader = await connection.runAndReadAll(sql);
      rows = reader.getRowObjects();
      seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    results.push({
      name,
      seconds,
      rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]))),
    });
  }
  process.stdout.write(JSON.stringify({ version: String(version), results }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`duckdb_bench: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 1;
});
