#!/usr/bin/env node
// Turns bench/run.sh's results (one JSON object per line) into <prefix>.json, <prefix>.md and SVG plots,
// and prints the Markdown summary. Hand-written SVG, no plotting packages.
//   node report.mjs results.jsonl bench/results/<date>-peers '{"machine": "...", ...}'
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const [input, prefix, metaJson] = process.argv.slice(2);
const meta = JSON.parse(metaJson);
const rows = readFileSync(input, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const sizes = [...new Set(rows.filter((r) => r.size).map((r) => r.size))].sort((a, b) => a - b);
const fmtN = (n) => (n >= 1e6 ? `${+(n / 1e6).toFixed(n % 1e6 ? 1 : 0)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(0)}k` : `${n}`);
const f = (x, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const ms = (x) => (x === undefined ? '–' : x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(0));
const ratio = (a, b) => (a && b ? a / b : NaN);
const rx = (x) => (Number.isNaN(x) ? '–' : x >= 10 ? `${x.toFixed(0)}x` : `${x.toFixed(2)}x`);
const find = (o) => rows.find((r) => Object.entries(o).every(([k, v]) => r[k] === v));

// ------------------------------------------------------------------ SVG: grouped horizontal bars
function bars(title, unit, groups, { log = false, refs = [] } = {}) {
  // groups: [{label, items: [{label, value}]}]
  const items = groups.flatMap((g) => g.items.map((i) => ({ ...i, group: g.label })));
  const values = items.map((i) => i.value).filter((v) => v > 0).concat(refs.map((r) => r.value));
  const max = Math.max(...values) * 1.1, min = log ? Math.min(...values) / 2 : 0;
  const W = 760, left = 230, right = 90, barH = 18, gap = 6, groupGap = 16, top = 40;
  const scale = (v) => (log ? ((Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) : v / max) * (W - left - right);
  let y = top, body = '';
  const palette = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b7791f', '#9b2c2c'];
  for (const g of groups) {
    body += `<text x="8" y="${y + 12}" font-weight="bold">${g.label}</text>`;
    y += 18;
    g.items.forEach((i, k) => {
      const w = i.value > 0 ? Math.max(1, scale(i.value)) : 0;
      body += `<text x="${left - 6}" y="${y + 13}" text-anchor="end">${i.label}</text>`;
      body += `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${i.color ?? palette[k % palette.length]}"/>`;
      body += `<text x="${left + w + 4}" y="${y + 13}">${i.text ?? i.value}</text>`;
      y += barH + gap;
    });
    y += groupGap;
  }
  for (const r of refs) {
    const x = left + scale(r.value);
    body += `<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${y - groupGap}" stroke="#e53e3e" stroke-dasharray="4 3"/>`;
    body += `<text x="${x - 4}" y="${top - 10}" text-anchor="end" fill="#e53e3e">${r.label}</text>`;
  }
  const H = y + 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">` +
    `<rect width="100%" height="100%" fill="white"/><text x="8" y="18" font-size="14" font-weight="bold">${title}</text>` +
    `<text x="${W - 8}" y="${H - 8}" text-anchor="end" fill="#555">${unit}${log ? ' (log scale)' : ''}</text>${body}</svg>\n`;
}

// ------------------------------------------------------------------ tables
let md = '';
const ingestSystems = ['tandem', 'pg', 'redis-always', 'redis-everysec'];
const names = { tandem: 'Tandem (HTTP NDJSON, fdatasync + speed layer before ack)', pg: 'PostgreSQL COPY (synchronous_commit on)', 'redis-always': 'Redis XADD pipelined, appendfsync always', 'redis-everysec': 'Redis XADD pipelined, appendfsync everysec (not durable at ack)', postgresql: 'PostgreSQL', duckdb: 'DuckDB' };
const ratios = {};

md += `## 1. Durable ingest (events/s, ${meta.clients} clients, ${meta.batch} events per request/transaction/pipeline)\n\n`;
md += `| events | system | events/s | MB/s | request p50 ms | request p99 ms | Tandem ÷ system |\n|---|---|---:|---:|---:|---:|---:|\n`;
for (const size of sizes) {
  const t = find({ scenario: 'ingest', system: 'tandem', size });
  for (const s of ingestSystems) {
    const r = find({ scenario: 'ingest', system: s, size });
    if (!r) continue;
    md += `| ${fmtN(size)} | ${names[s]} | ${f(r.events_per_second)} | ${f(r.events_per_second * r.event_bytes / 1e6, 1)} | ${ms(r.request_ms.p50)} | ${ms(r.request_ms.p99)} | ${s === 'tandem' ? '' : rx(ratio(t?.events_per_second, r.events_per_second))} |\n`;
    if (s !== 'tandem') ratios[`ingest_${fmtN(size)}_tandem_over_${s}`] = ratio(t?.events_per_second, r.events_per_second);
  }
}
md += '\nEvent size: ' + (rows.find((r) => r.scenario === 'ingest')?.event_bytes ?? '?') + ' bytes as NDJSON (the same events, as COPY text rows for PostgreSQL and as one XADD field for Redis).\n\n';

const fr = { tandem: find({ scenario: 'freshness', system: 'tandem' }), pg: find({ scenario: 'freshness', system: 'pg' }) };
if (fr.tandem) {
  md += `## 2. Freshness: ack-to-visible in a merged aggregate, under ${f(fr.tandem.target_rate)} events/s of background load (50% of Tandem's max)\n\n`;
  md += '| system | load achieved events/s | ingest ack p50 / p99 ms | ack→visible p50 ms | p99 ms | p99.9 ms | insert→visible p99 ms |\n|---|---:|---:|---:|---:|---:|---:|\n';
  for (const [s, r] of Object.entries(fr)) {
    if (!r) continue;
    md += `| ${s === 'tandem' ? 'Tandem (view `pages`, speed layer)' : 'PostgreSQL, aggregate table kept by a statement trigger'} | ${f(r.achieved_rate)} | ${ms(r.ingest_ack_ms.p50)} / ${ms(r.ingest_ack_ms.p99)} | ${ms(r.ack_to_visible_ms.p50)} | ${ms(r.ack_to_visible_ms.p99)} | ${ms(r.ack_to_visible_ms.p999)} | ${ms(r.insert_to_visible_ms.p99)} |\n`;
  }
  md += '| reference: Firehose-style 60 s buffer | | | 60,000 | 60,000 | 60,000 | |\n\n';
  ratios.freshness_tandem_p99_ms = fr.tandem.ack_to_visible_ms.p99;
}

md += `## 3. Serving over the \`users\` view (one row per user; ${meta.serve_clients} concurrent clients, ${meta.serve_seconds} s per case)\n\n`;
md += 'Point lookup: `SELECT n, total_ms FROM users WHERE user_id = K`; top-N: `SELECT country, sum(n) AS n FROM users GROUP BY country ORDER BY n DESC LIMIT 5`.\n\n';
md += '| events | keys | query | system | queries/s | p50 ms | p99 ms | p99.9 ms | Tandem p99 ÷ system p99 |\n|---|---:|---|---|---:|---:|---:|---:|---:|\n';
const serveNames = { tandem: 'Tandem (HTTP keep-alive)', pg: 'PostgreSQL (libpq, primary key)', duckdb: 'DuckDB (node, in process, unique index)' };
for (const size of sizes) {
  const groups = find({ scenario: 'batch', system: 'tandem', size })?.views?.find((v) => v.name === 'users')?.groups;
  for (const kind of ['point', 'topn']) {
    const t = find({ scenario: 'serving', system: 'tandem', kind, size });
    for (const s of ['tandem', 'pg', 'duckdb']) {
      const r = find({ scenario: 'serving', system: s, kind, size });
      if (!r) continue;
      md += `| ${fmtN(size)} | ${groups ? fmtN(groups) : '?'} | ${kind} | ${serveNames[s]} | ${f(r.qps, 1)} | ${ms(r.latency_ms.p50)} | ${ms(r.latency_ms.p99)} | ${ms(r.latency_ms.p999)} | ${s === 'tandem' ? '' : rx(ratio(t?.latency_ms.p99, r.latency_ms.p99))} |\n`;
      if (s === 'tandem') ratios[`serving_${fmtN(size)}_${kind}_tandem_p99_ms`] = r.latency_ms.p99;
      else ratios[`serving_${fmtN(size)}_${kind}_tandem_p99_over_${s}`] = ratio(t?.latency_ms.p99, r.latency_ms.p99);
    }
  }
}
md += '\n';

md += '## 4. Batch recompute of the three views (`pages`, `users`, `minutes`) over the lake\n\n';
md += '| events | lake files | system | threads | seconds | Tandem ÷ system |\n|---|---:|---|---:|---:|---:|\n';
for (const size of sizes) {
  const t = find({ scenario: 'batch', system: 'tandem', size });
  for (const r of rows.filter((x) => x.scenario === 'batch' && x.size === size)) {
    const label = r.system === 'tandem' ? 'Tandem `POST /v1/batch?full=true` (wall time incl. HTTP)' : r.system === 'duckdb' ? `DuckDB ${r.version} over the same Parquet files (CREATE TABLE AS), same SQL` : r.system === 'duckdb-tuned' ? `DuckDB ${r.version}, same files, \`minutes\` bucketed by epoch_us arithmetic instead of date_trunc on TIMESTAMPTZ` : `PostgreSQL: ${r.note}`;
    md += `| ${fmtN(size)} | ${r.files ?? ''} | ${label} | ${r.threads ?? (r.system === 'postgresql' ? '1–2' : '')} | ${r.seconds.toFixed(2)} | ${r.system === 'tandem' ? '' : rx(ratio(t?.seconds, r.seconds))} |\n`;
    if (r.system.startsWith('duckdb')) ratios[`batch_${fmtN(size)}_tandem_over_${r.system}_${r.threads}t`] = ratio(t?.seconds, r.seconds);
  }
}
md += '\n';

// ------------------------------------------------------------------ plots
const plots = [];
const svg = (name, content) => { writeFileSync(`${prefix}-${name}.svg`, content); plots.push(`${basename(prefix)}-${name}.svg`); };
svg('ingest', bars('Durable ingest, events/s (higher is better)', 'events/s', sizes.map((size) => ({
  label: `${fmtN(size)} events`,
  items: ingestSystems.map((s) => find({ scenario: 'ingest', system: s, size })).filter(Boolean).map((r) => ({ label: r.system, value: r.events_per_second, text: f(r.events_per_second) })),
}))));
if (fr.tandem) {
  svg('freshness', bars('Ack-to-visible latency (lower is better)', 'milliseconds', Object.entries(fr).filter(([, r]) => r).map(([s, r]) => ({
    label: s === 'tandem' ? 'Tandem' : 'PostgreSQL (trigger)',
    items: ['p50', 'p99', 'p999'].map((p) => ({ label: p === 'p999' ? 'p99.9' : p, value: r.ack_to_visible_ms[p], text: `${ms(r.ack_to_visible_ms[p])} ms` })),
  })), { log: true, refs: [{ value: 60000, label: 'Firehose 60 s buffer' }, { value: 5, label: 'goal 5 ms' }] }));
}
svg('serving', bars('Serving p99 latency over the users view (lower is better)', 'milliseconds', sizes.flatMap((size) => ['point', 'topn'].map((kind) => ({
  label: `${kind === 'point' ? 'point lookup' : 'top-N group-by'}, ${fmtN(size)} events`,
  items: ['tandem', 'pg', 'duckdb'].map((s) => find({ scenario: 'serving', system: s, kind, size })).filter(Boolean).map((r) => ({ label: r.system, value: r.latency_ms.p99, text: `${ms(r.latency_ms.p99)} ms, ${f(r.qps)} q/s` })),
}))), { log: true, refs: [{ value: 1, label: 'goal 1 ms' }] }));
svg('batch', bars('Full batch recompute, seconds (lower is better)', 'seconds', sizes.map((size) => ({
  label: `${fmtN(size)} events`,
  items: rows.filter((x) => x.scenario === 'batch' && x.size === size).map((r) => ({ label: `${r.system}${r.threads ? ` ${r.threads}t` : ''}`, value: r.seconds, text: `${r.seconds.toFixed(2)} s` })),
}))));
md += plots.map((p) => `![${p}](${p})`).join('\n') + '\n';

const head = `Machine: ${meta.machine}. Peers: PostgreSQL ${meta.postgresql}, Redis ${meta.redis}, DuckDB node API ${meta.duckdb_node_api}. Tandem ${meta.tandem_commit}.${meta.quick ? ' **Quick smoke run (--quick): small sizes, short phases.**' : ''}\n\n`;
const doc = `# Tandem vs PostgreSQL, Redis and DuckDB (bench/run.sh)\n\n${head}${md}`;
writeFileSync(`${prefix}.md`, doc);
writeFileSync(`${prefix}.json`, JSON.stringify({ meta, ratios, results: rows }, null, 1) + '\n');
process.stdout.write(doc);
console.log(`\nwrote ${prefix}.json, ${prefix}.md and ${plots.length} SVG plots`);
