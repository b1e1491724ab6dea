#!/usr/bin/env node
// Runs SQL from stdin in an in-memory DuckDB and prints the result of the last statement as NDJSON:
// one JSON object per row, keys in column order, values formatted as value_format.mjs describes
// (the format Tandem's Column::AppendJson writes). Statements are separated by ';'.
//
//   echo "SELECT 1 AS x; SELECT * FROM 'f.parquet'" | node tests/peers/duckdb_query.mjs
//
// Exit status 0 on success; on any DuckDB error: the message on stderr and exit status 1.
// Results are streamed chunk by chunk, so millions of rows do not have to fit in memory at once.

import { DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';

import {
  formatDate,
  formatDecimal,
  formatDouble,
  formatFloat,
  formatHex,
  formatInteger,
  formatTimestamp,
} from './value_format.mjs';

function formatter(type) {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return (v) => (v ? 'true' : 'false');
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
      return (v) => String(v);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return formatInteger;
    case DuckDBTypeId.FLOAT:
      return formatFloat;
    case DuckDBTypeId.DOUBLE:
      return formatDouble;
    case DuckDBTypeId.DECIMAL:
      return (v) => formatDecimal(v.value, v.scale);
    case DuckDBTypeId.VARCHAR:
      return (v) => JSON.stringify(v);
    case DuckDBTypeId.BLOB:
      return (v) => formatHex(v.bytes);
    case DuckDBTypeId.DATE:
      return (v) => (Number.isFinite(v.days) ? formatDate(v.days) : JSON.stringify(v.toString()));
    case DuckDBTypeId.TIMESTAMP_S:
      return (v) => formatTimestamp(v.seconds, 1n);
    case DuckDBTypeId.TIMESTAMP_MS:
      return (v) => formatTimestamp(v.millis, 1000n);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return (v) => formatTimestamp(v.micros, 1000000n);
    case DuckDBTypeId.TIMESTAMP_NS:
      return (v) => formatTimestamp(v.nanos, 1000000000n);
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const item = nullable(formatter(type.valueType));
      return (v) => '[' + v.items.map(item).join(',') + ']';
    }
    case DuckDBTypeId.STRUCT: {
      const fields = type.entryNames.map((name, i) => [name, nullable(formatter(type.entryTypes[i]))]);
      return (v) =>
        '{' + fields.map(([name, f]) => JSON.stringify(name) + ':' + f(v.entries[name])).join(',') + '}';
    }
    case DuckDBTypeId.MAP: {
      const key = nullable(formatter(type.keyType));
      const value = nullable(formatter(type.valueType));
      return (v) =>
        '[' + v.entries.map((e) => `{"key":${key(e.key)},"value":${value(e.value)}}`).join(',') + ']';
    }
    default:
      return (v) => JSON.stringify(String(v));
  }
}

function nullable(f) {
  return (v) => (v === null || v === undefined ? 'null' : f(v));
}

async function readStdin() {
  const parts = [];
  for await (const chunk of process.stdin) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

// Writes to stdout, waiting for it to drain when its buffer is full.
function write(text) {
  if (process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

async function main() {
  const sql = await readStdin();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const statements = await connection.extractStatements(sql);
  if (statements.count === 0) throw new Error('no SQL statement on stdin');
  for (let i = 0; i + 1 < statements.count; i++) {
    const prepared = await statements.prepare(i);
    await prepared.run();
  }
  const last = await statements.prepare(statements.count - 1);
  const result = await last.stream();
  const names = result.columnNames();
  const keys = names.map((n) => JSON.stringify(n) + ':');
  const formats = result.columnTypes().map((t) => nullable(formatter(t)));
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const columns = chunk.getColumns();
    const rows = chunk.rowCount;
    let out = '';
    for (let r = 0; r < rows; r++) {
      out += '{';
      for (let c = 0; c < columns.length; c++) {
        if (c > 0) out += ',';
        out += keys[c] + formats[c](columns[c][r]);
      }
      out += '}\n';
    }
    await write(out);
  }
  connection.closeSync?.();
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main().catch((err) => {
  process.stderr.write(`duckdb_query: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 1;
});
