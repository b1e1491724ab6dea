#!/usr/bin/env node
// Writes a deterministic test file with hyparquet-writer (an independent Parquet writer), so that
// Tandem's reader is tested on files it did not write itself.
//
//   node tests/peers/hyparquet_write.mjs OUT.parquet [--rows N] [--codec UNCOMPRESSED|SNAPPY]
//        [--encoding default|plain|delta|byte_stream_split] [--row-group-rows N]
//
// Columns (every one OPTIONAL, with nulls; hyparquet-writer writes DATA_PAGE_V2 pages):
//   b BOOLEAN, i32 INT32, i64 INT64, u64 INT64+UINT_64, f FLOAT, d DOUBLE, s STRING (with empty strings
//   and non-ASCII text), bin BYTE_ARRAY, ts_ms / ts_us / ts_ns INT64+TIMESTAMP(UTC), dt INT32+DATE,
//   dec9 INT32+DECIMAL(9,2), dec18 INT64+DECIMAL(18,4), dec30 FIXED_LEN_BYTE_ARRAY(13)+DECIMAL(30,5).
// The values are a fixed function of the row number (no clock, no randomness).

import { parquetWriteFile } from 'hyparquet-writer';

function parseArgs(argv) {
  const opts = { out: null, rows: 2500, codec: 'SNAPPY', encoding: 'default', rowGroupRows: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') opts.rows = Number(argv[++i]);
    else if (a === '--codec') opts.codec = argv[++i].toUpperCase();
    else if (a === '--encoding') opts.encoding = argv[++i];
    else if (a === '--row-group-rows') opts.rowGroupRows = Number(argv[++i]);
    else if (!opts.out) opts.out = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!opts.out) throw new Error('usage: hyparquet_write.mjs OUT.parquet [--rows N] [--codec C] [--encoding E]');
  return opts;
}

// A small deterministic generator (64-bit LCG, high bits).
function makeRng(seed) {
  let state = BigInt(seed);
  return () => {
    state = (state * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return state >> 11n;  // 53 random bits as bigint
  };
}

const WORDS = ['', 'alpha', 'beta', 'gamma', 'δέλτα', '日本語', 'x'.repeat(40), 'emoji 🙂', 'tab\there', 'quote"'];

function buildColumns(rows) {
  const rng = makeRng(42);
  const cols = {
    b: [], i32: [], i64: [], u64: [], f: [], d: [], s: [], bin: [],
    ts_ms: [], ts_us: [], ts_ns: [], dt: [], dec9: [], dec18: [], dec30: [],
  };
  for (let r = 0; r < rows; r++) {
    const x = rng();
    const nul = (k) => Number((x >> BigInt(k)) % 13n) === 0;  // ~1 in 13 nulls, varying per column
    const small = Number(x % 2000n) - 1000;
    cols.b.push(nul(1) ? null : (x & 1n) === 1n);
    cols.i32.push(nul(2) ? null : r % 7 === 0 ? (r % 2 ? 2147483647 : -2147483648) : small * 12345);
    cols.i64.push(nul(3) ? null : (x - (1n << 52n)) * (r % 5 === 0 ? 1000n : 1n));
    cols.u64.push(nul(4) ? null : r % 11 === 0 ? 18446744073709551615n - BigInt(r) : x);
    cols.f.push(nul(5) ? null : Math.fround(small / 8));
    cols.d.push(nul(6) ? null : r % 17 === 0 ? -0.25 : Number(x) / 3 - 1e15);
    cols.s.push(nul(7) ? null : WORDS[r % WORDS.length] + (r % 3 === 0 ? '' : String(r % 50)));
    cols.bin.push(nul(8) ? null : Uint8Array.from({ length: r % 6 }, (_, k) => (r * 31 + k * 7) & 0xff));
    const ms = 1714564800000n + BigInt(r) * 1234567n - 86400000n * 20000n * BigInt(r % 2);
    cols.ts_ms.push(nul(9) ? null : ms);
    cols.ts_us.push(nul(10) ? null : ms * 1000n + BigInt(r % 1000));
    cols.ts_ns.push(nul(11) ? null : ms * 1000000n + BigInt(r * 7919 % 1000000));
    cols.dt.push(nul(12) ? null : (r * 37) % 40000 - 20000);
    cols.dec9.push(nul(13) ? null : BigInt(small * 9973));
    cols.dec18.push(nul(14) ? null : (x - (1n << 52n)) * 97n);
    cols.dec30.push(nul(15) ? null : (x - (1n << 52n)) * 100000000000n + BigInt(r));
  }
  return cols;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const cols = buildColumns(opts.rows);
  const opt = (name, extra) => ({ name, repetition_type: 'OPTIONAL', ...extra });
  const schema = [
    { name: 'root', num_children: 15 },
    opt('b', { type: 'BOOLEAN' }),
    opt('i32', { type: 'INT32' }),
    opt('i64', { type: 'INT64' }),
    // converted_type only: DuckDB 1.5 rejects the INTEGER logical type as hyparquet-writer 0.17 encodes it.
    opt('u64', { type: 'INT64', converted_type: 'UINT_64' }),
    opt('f', { type: 'FLOAT' }),
    opt('d', { type: 'DOUBLE' }),
    opt('s', { type: 'BYTE_ARRAY', converted_type: 'UTF8' }),
    opt('bin', { type: 'BYTE_ARRAY' }),
    opt('ts_ms', { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } }),
    opt('ts_us', { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } }),
    opt('ts_ns', { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' } }),
    opt('dt', { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }),
    opt('dec9', { type: 'INT32', converted_type: 'DECIMAL', precision: 9, scale: 2,
      logical_type: { type: 'DECIMAL', precision: 9, scale: 2 } }),
    opt('dec18', { type: 'INT64', converted_type: 'DECIMAL', precision: 18, scale: 4,
      logical_type: { type: 'DECIMAL', precision: 18, scale: 4 } }),
    opt('dec30', { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 13, converted_type: 'DECIMAL', precision: 30,
      scale: 5, logical_type: { type: 'DECIMAL', precision: 30, scale: 5 } }),
  ];
  const encodingFor = (name, type) => {
    switch (opts.encoding) {
      case 'default': return undefined;
      case 'plain': return 'PLAIN';
      case 'delta':
        if (type === 'INT32' || type === 'INT64') return 'DELTA_BINARY_PACKED';
        if (type === 'BYTE_ARRAY') return name === 's' ? 'DELTA_BYTE_ARRAY' : 'DELTA_LENGTH_BYTE_ARRAY';
        return 'PLAIN';
      case 'byte_stream_split':
        // Only FLOAT and DOUBLE: DuckDB, our oracle, refuses BYTE_STREAM_SPLIT on other types.
        if (type === 'FLOAT' || type === 'DOUBLE') return 'BYTE_STREAM_SPLIT';
        return 'PLAIN';
      default: throw new Error(`unknown --encoding ${opts.encoding}`);
    }
  };
  const columnData = schema.slice(1).map((el) => {
    const encoding = encodingFor(el.name, el.type);
    return { name: el.name, data: cols[el.name], ...(encoding ? { encoding } : {}) };
  });
  parquetWriteFile({
    filename: opts.out,
    columnData,
    schema,
    codec: opts.codec,
    rowGroupSize: opts.rowGroupRows,
    statistics: true,
  });
}

try {
  main();
} catch (err) {
  process.stderr.write(`hyparquet_write: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 1;
}
