#!/usr/bin/env node
// Reads a Parquet file with hyparquet (+ hyparquet-compressors for every codec) and prints NDJSON in the
// format of value_format.mjs, like duckdb_query.mjs does: a second, independent reader to compare with.
//
//   node tests/peers/hyparquet_read.mjs FILE.parquet [--columns a,b]
//
// Limits: flat schemas only (a nested column is an error). hyparquet converts DECIMAL to a JS number, so
// DECIMAL values with more than 15 significant digits are printed approximately; compare those with
// DuckDB instead. Exit status 1 with the error on stderr on failure.

import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

import {
  formatDate,
  formatDouble,
  formatFloat,
  formatHex,
  formatInteger,
  formatTimestamp,
} from './value_format.mjs';

// Tagged values from hyparquet's parsers, so that dates and timestamps keep their exact ticks.
class Ticks {
  constructor(value, perSecond) {
    this.value = value;
    this.perSecond = perSecond;
  }
}
class Days {
  constructor(days) {
    this.days = days;
  }
}

const parsers = {
  timestampFromMilliseconds: (v) => new Ticks(v, 1000n),
  timestampFromMicroseconds: (v) => new Ticks(v, 1000000n),
  timestampFromNanoseconds: (v) => new Ticks(v, 1000000000n),
  dateFromDays: (d) => new Days(d),
};

function formatter(el) {
  const ctype = el.converted_type;
  const ltype = el.logical_type;
  if (ctype === 'DECIMAL' || ltype?.type === 'DECIMAL') {
    const scale = el.scale ?? ltype?.scale ?? 0;
    return (v) => JSON.stringify(Number(v).toFixed(scale));
  }
  switch (el.type) {
    case 'BOOLEAN':
      return (v) => (v ? 'true' : 'false');
    case 'FLOAT':
      return formatFloat;
    case 'DOUBLE':
      return formatDouble;
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return (v) => (typeof v === 'string' ? JSON.stringify(v) : formatHex(v));
    default:
      return (v) => {
        if (v instanceof Ticks) return formatTimestamp(v.value, v.perSecond);
        if (v instanceof Days) return formatDate(v.days);
        if (v instanceof Date) return JSON.stringify(v.toISOString());
        return formatInteger(v);
      };
  }
}

async function main() {
  const args = process.argv.slice(2);
  let path = null;
  let columns;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--columns') columns = args[++i].split(',');
    else if (!path) path = args[i];
    else throw new Error(`unexpected argument ${args[i]}`);
  }
  if (!path) throw new Error('usage: hyparquet_read.mjs FILE.parquet [--columns a,b]');
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const leaves = metadata.schema.slice(1);
  if (leaves.some((el) => el.num_children)) throw new Error(`${path}: nested columns are not supported here`);
  const wanted = columns ?? leaves.map((el) => el.name);
  const fields = wanted.map((name) => {
    const el = leaves.find((e) => e.name === name);
    if (!el) throw new Error(`${path}: no column ${name}`);
    const f = formatter(el);
    return [JSON.stringify(name) + ':', (v) => (v === null || v === undefined ? 'null' : f(v))];
  });
  const rows = await parquetReadObjects({ file, metadata, columns: wanted, compressors, parsers, utf8: false });
  let out = '';
  for (const row of rows) {
    out += '{' + fields.map(([key, f], i) => key + f(row[wanted[i]])).join(',') + '}\n';
    if (out.length > 1 << 20) {
      process.stdout.write(out);
      out = '';
    }
  }
  process.stdout.write(out);
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main().catch((err) => {
  process.stderr.write(`hyparquet_read: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 1;
});
