// The value format Tandem's tests compare against: one JSON text per cell, agreeing with
// Column::AppendJson (src/columnar/column.h) wherever the types meet.
//
//   NULL                 null
//   BOOLEAN              true / false
//   integers (any width) JSON number when |v| <= 2^53, else a JSON string of the decimal digits
//   DOUBLE               JSON number, shortest text that reads back to the same double;
//                        NaN / Infinity / -Infinity as the strings "NaN", "Infinity", "-Infinity"
//   FLOAT                as DOUBLE, but the shortest text that reads back to the same *float*
//   DECIMAL(p,s)         JSON string with exactly s decimals: "-12.30"
//   VARCHAR / ENUM       JSON string
//   BLOB                 JSON string of lowercase hex: "00ff"
//   DATE                 "YYYY-MM-DD"
//   TIMESTAMP[_S|_MS|_NS], TIMESTAMPTZ
//                        RFC 3339 UTC "YYYY-MM-DDTHH:MM:SS[.fffffffff]Z", fraction trimmed of trailing zeros
//   LIST / ARRAY         JSON array; STRUCT: JSON object; MAP: array of {"key":..,"value":..}
//   anything else        JSON string of DuckDB's own text for the value
//
// Used by duckdb_query.mjs and hyparquet_read.mjs.

const TWO_53 = 2n ** 53n;

export function formatInteger(v) {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  if (b <= TWO_53 && b >= -TWO_53) return b.toString();
  return JSON.stringify(b.toString());
}

export function formatDouble(x) {
  if (Number.isNaN(x)) return '"NaN"';
  if (x === Infinity) return '"Infinity"';
  if (x === -Infinity) return '"-Infinity"';
  if (Object.is(x, -0)) return '-0';
  return String(x);  // JS Number->String is the shortest round-trip text
}

export function formatFloat(x) {
  if (!Number.isFinite(x) || x === 0) return formatDouble(x);
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

// Decimal from its unscaled integer and scale: exactly `scale` decimals.
export function formatDecimal(unscaled, scale) {
  let v = typeof unscaled === 'bigint' ? unscaled : BigInt(unscaled);
  const neg = v < 0n;
  if (neg) v = -v;
  let digits = v.toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return JSON.stringify((neg ? '-' : '') + digits);
}

export function formatHex(bytes) {
  return JSON.stringify(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

// Days since 1970-01-01 -> [year, month, day] (proleptic Gregorian; H. Hinnant's civil_from_days).
function civilFromDays(days) {
  let z = BigInt(days) + 719468n;
  const era = (z >= 0n ? z : z - 146096n) / 146097n;
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  let y = yoe + era * 400n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  if (m <= 2n) y += 1n;
  return [y, Number(m), Number(d)];
}

function pad(n, w) {
  return String(n).padStart(w, '0');
}

function yearText(y) {
  return y < 0n ? '-' + pad(-y, 4) : pad(y, 4);
}

export function dateText(days) {
  const [y, m, d] = civilFromDays(days);
  return `${yearText(y)}-${pad(m, 2)}-${pad(d, 2)}`;
}

export function formatDate(days) {
  return JSON.stringify(dateText(days));
}

// `value` ticks of 1/perSecond seconds since the epoch (perSecond: 1, 1e3, 1e6, 1e9 as bigint).
export function formatTimestamp(value, perSecond) {
  const v = BigInt(value);
  let secs = v / perSecond;
  let frac = v % perSecond;
  if (frac < 0n) {
    frac += perSecond;
    secs -= 1n;
  }
  let days = secs / 86400n;
  let sod = secs % 86400n;
  if (sod < 0n) {
    sod += 86400n;
    days -= 1n;
  }
  const hh = sod / 3600n;
  const mm = (sod % 3600n) / 60n;
  const ss = sod % 60n;
  let text = `${dateText(days)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}`;
  if (frac !== 0n) {
    const width = perSecond.toString().length - 1;
    text += '.' + pad(frac, width).replace(/0+$/, '');
  }
  return JSON.stringify(text + 'Z');
}
