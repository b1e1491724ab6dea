// Tandem's dashboard (docs/dashboard.md): polls GET /v1/status every second and draws the streams and
// views from it; the SQL console posts to /v1/sql. Every URL is relative, so the page talks only to
// the server that served it.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { Status, StreamStatus, ViewStatus, SqlAnswer } from './types';
import { bytes, count, duration, el, seg, short, text } from './dom';
import { showResult } from './console';

const ticks = (_u: uPlot, splits: number[]) => splits.map(short);
const POLL_MS = 1000;
const HISTORY = 300; // samples kept per chart: five minutes at one poll a second
const MAX_REJECTIONS = 5; // of the 10 the server keeps

// A colour key for a ledger bar: [segment class, label] pairs.
function legend(items: [string, string][]): HTMLElement {
  return el('ul', { class: 'key', 'aria-hidden': 'true' },
    ...items.map(([cls, label]) => el('li', {}, el('span', { class: `swatch seg ${cls}` }), label)));
}

// A uPlot chart that follows its container's width.
function chart(container: HTMLElement, opts: Omit<uPlot.Options, 'width'>, data: uPlot.AlignedData): uPlot {
  const u = new uPlot({ ...opts, width: Math.max(200, container.clientWidth) }, data, container);
  new ResizeObserver(() => u.setSize({ width: Math.max(200, container.clientWidth), height: opts.height })).observe(
    container,
  );
  return u;
}

const zeroBased = (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, Math.max(1, max * 1.1)];

class StreamPanel {
  readonly root: HTMLElement;
  private readonly fields = new Map<string, HTMLElement>();
  private readonly horizons: HTMLElement;
  private readonly horizonsText: HTMLElement;
  private readonly partitions: HTMLTableSectionElement;
  private readonly rejections: HTMLTableSectionElement;
  private rateChart: uPlot | null = null;
  private lakeChart: uPlot | null = null;
  private readonly rateBox: HTMLElement;
  private readonly lakeBox: HTMLElement;
  private readonly t: number[] = [];
  private readonly eventRate: (number | null)[] = [];
  private readonly rejectRate: (number | null)[] = [];
  private readonly lakeFiles: number[] = [];
  private readonly lakeLag: number[] = [];
  private last: { t: number; events: number; rejected: number } | null = null;

  constructor(readonly name: string) {
    const id = `stream-${name}`;
    const stat = (key: string, label: string) => {
      const dd = el('dd', { 'data-field': key }, '—');
      this.fields.set(key, dd);
      return el('div', { class: 'stat' }, el('dt', {}, label), dd);
    };
    this.horizons = el('div', { class: 'ledger', role: 'img' });
    this.horizonsText = el('p', { class: 'ledger-text' });
    this.rateBox = el('div', { class: 'chart' });
    this.lakeBox = el('div', { class: 'chart' });
    this.partitions = el('tbody');
    this.rejections = el('tbody');
    this.root = el(
      'article',
      { class: 'card stream', 'data-stream': name, 'aria-labelledby': id },
      el('h3', { id }, 'stream ', el('code', {}, name)),
      el(
        'dl',
        { class: 'stats' },
        stat('events', 'events in the log'),
        stat('rate', 'ingest rate'),
        stat('rejected', 'lines rejected'),
        stat('lake_horizon', 'lake horizon'),
        stat('lake_lag_events', 'lake lag'),
        stat('lake_files', 'lake files'),
        stat('lake_bytes', 'lake size'),
        stat('duplicates_dropped', 'duplicates dropped'),
      ),
      el('h4', {}, 'Log and lake horizons'),
      this.horizons,
      legend([['both', 'in the lake and the log'], ['lake', 'in the lake only (log truncated)'], ['tail', 'log tail, not yet in the lake']]),
      this.horizonsText,
      el('div', { class: 'two' },
        el('figure', {}, el('figcaption', {}, 'Ingest and rejected rate (per second, last 5 minutes)'), this.rateBox),
        el('figure', {}, el('figcaption', {}, 'Lake files and lake lag (compaction shows as a drop)'), this.lakeBox),
      ),
      el('div', { class: 'two' },
        el('div', {},
          el('h4', {}, 'Lake files per partition'),
          el('table', { class: 'grid' },
            el('caption', { class: 'sr-only' }, `Lake files per event-date partition of ${name}`),
            el('thead', {}, el('tr', {}, ...['partition', 'files', 'rows', 'size', 'avg file', 'smallest', 'largest'].map(
              (h, i) => el('th', { scope: 'col', class: i ? 'num' : '' }, h)))),
            this.partitions)),
        el('div', {},
          el('h4', {}, 'Latest rejections (newest first)'),
          el('table', { class: 'grid' },
            el('caption', { class: 'sr-only' }, `The latest rejected lines of ${name}`),
            el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'when'), el('th', { scope: 'col', class: 'num' }, 'line'),
              el('th', { scope: 'col' }, 'column'), el('th', { scope: 'col' }, 'reason'))),
            this.rejections)),
      ),
    );
  }

  update(s: StreamStatus, now: number): void {
    let rate: number | null = null;
    let rejRate: number | null = null;
    if (this.last && now > this.last.t) {
      const dt = (now - this.last.t) / 1000;
      rate = Math.max(0, s.events - this.last.events) / dt;
      rejRate = Math.max(0, s.rejected - this.last.rejected) / dt;
    }
    this.last = { t: now, events: s.events, rejected: s.rejected };
    this.t.push(now / 1000);
    this.eventRate.push(rate);
    this.rejectRate.push(rejRate);
    this.lakeFiles.push(s.lake_files);
    this.lakeLag.push(s.lake_lag_events);
    if (this.t.length > HISTORY) {
      for (const a of [this.t, this.eventRate, this.rejectRate, this.lakeFiles, this.lakeLag]) a.shift();
    }

    const set = (k: string, v: string) => text(this.fields.get(k)!, v);
    set('events', count(s.events));
    set('rate', rate === null ? '—' : `${count(Math.round(rate))}/s`);
    set('rejected', `${count(s.rejected)}${rejRate ? ` (${count(Math.round(rejRate))}/s)` : ''}`);
    set('lake_horizon', count(s.lake_horizon));
    set('lake_lag_events', `${count(s.lake_lag_events)} events`);
    set('lake_files', count(s.lake_files));
    set('lake_bytes', s.lake_bytes === undefined ? '—' : bytes(s.lake_bytes));
    set('duplicates_dropped', count(s.duplicates_dropped));

    // Horizons: [log_first_offset, lake_horizon) is in the lake and still in the log, [lake_horizon, events) only in
    // the log; below log_first_offset the batch layer let the log drop it (it is in the lake).
    const end = Math.max(1, s.events);
    const part = (cls: string, from: number, to: number, title: string) => seg(cls, Math.max(0, to - from) / end, title);
    this.horizons.replaceChildren(
      part('lake', 0, Math.min(s.lake_horizon, s.log_first_offset), 'in the lake only (log truncated)'),
      part('both', Math.min(s.lake_horizon, s.log_first_offset), s.lake_horizon, 'in the lake and the log'),
      part('tail', s.lake_horizon, s.events, 'in the log, not yet in the lake'),
    );
    const desc =
      `log retains offsets ${count(s.log_first_offset)}–${count(s.events)}; lake holds offsets below ` +
      `${count(s.lake_horizon)}; ${count(s.lake_lag_events)} events only in the log tail`;
    this.horizons.setAttribute('aria-label', desc);
    text(this.horizonsText, desc);

    this.partitions.replaceChildren(
      ...(s.lake_partitions ?? []).map((p) =>
        el('tr', {},
          el('th', { scope: 'row' }, p.partition),
          el('td', { class: 'num' }, count(p.files)),
          el('td', { class: 'num' }, count(p.rows)),
          el('td', { class: 'num' }, bytes(p.bytes)),
          el('td', { class: 'num' }, bytes(p.files ? p.bytes / p.files : 0)),
          el('td', { class: 'num' }, bytes(p.min_file_bytes)),
          el('td', { class: 'num' }, bytes(p.max_file_bytes)),
        ),
      ),
    );
    if (!s.lake_partitions?.length) {
      this.partitions.replaceChildren(el('tr', {}, el('td', { colspan: '7', class: 'empty' }, 'no lake files yet')));
    }
    const rej = (s.recent_rejections ?? []).slice(-MAX_REJECTIONS).reverse();
    this.rejections.replaceChildren(
      ...rej.map((r) =>
        el('tr', {},
          el('td', {}, `${duration(r.age_ms)} ago`),
          el('td', { class: 'num' }, String(r.line)),
          el('td', {}, r.column ? el('code', {}, r.column) : '—'),
          el('td', { class: 'reason', title: r.reason }, r.reason),
        ),
      ),
    );
    if (!rej.length) this.rejections.replaceChildren(el('tr', {}, el('td', { colspan: '4', class: 'empty' }, 'none')));

    const rateData: uPlot.AlignedData = [this.t, this.eventRate, this.rejectRate];
    const lakeData: uPlot.AlignedData = [this.t, this.lakeFiles, this.lakeLag];
    if (!this.rateChart) {
      this.rateChart = chart(this.rateBox, {
        height: 150,
        scales: { x: { time: true }, ev: { range: zeroBased }, rej: { range: zeroBased } },
        series: [
          { label: 'time' },
          { label: 'events/s', scale: 'ev', stroke: '#1f4e8c', width: 2, fill: 'rgba(31,78,140,0.10)' },
          { label: 'rejected/s', scale: 'rej', stroke: '#b42318', width: 2 },
        ],
        axes: [
          { stroke: '#3d4653' },
          { scale: 'ev', stroke: '#1f4e8c', size: 55, values: ticks },
          { scale: 'rej', side: 1, stroke: '#b42318', grid: { show: false }, size: 50, values: ticks },
        ],
      }, rateData);
      this.lakeChart = chart(this.lakeBox, {
        height: 150,
        scales: { x: { time: true }, files: { range: zeroBased }, lag: { range: zeroBased } },
        series: [
          { label: 'time' },
          { label: 'lake files', scale: 'files', stroke: '#5b3f99', width: 2, paths: uPlot.paths.stepped!({ align: 1 }) },
          { label: 'lake lag (events)', scale: 'lag', stroke: '#a15c00', width: 1.5 },
        ],
        axes: [
          { stroke: '#3d4653' },
          { scale: 'files', stroke: '#5b3f99', size: 50, values: ticks },
          { scale: 'lag', side: 1, stroke: '#a15c00', grid: { show: false }, size: 55, values: ticks },
        ],
      }, lakeData);
    } else {
      this.rateChart.setData(rateData);
      this.lakeChart!.setData(lakeData);
    }
  }
}

class ViewPanel {
  readonly root: HTMLElement;
  private readonly fields = new Map<string, HTMLElement>();
  private readonly ledger: HTMLElement;
  private readonly ledgerText: HTMLElement;

  constructor(readonly name: string, stream: string) {
    const id = `view-${name}`;
    const stat = (key: string, label: string) => {
      const dd = el('dd', { 'data-field': key }, '—');
      this.fields.set(key, dd);
      return el('div', { class: 'stat' }, el('dt', {}, label), dd);
    };
    this.ledger = el('div', { class: 'ledger', role: 'img' });
    this.ledgerText = el('p', { class: 'ledger-text' });
    this.root = el(
      'article',
      { class: 'card view', 'data-view': name, 'aria-labelledby': id },
      el('h3', { id }, 'view ', el('code', {}, name), el('span', { class: 'muted' }, ` on ${stream}`)),
      el(
        'dl',
        { class: 'stats' },
        stat('batch_version', 'batch'),
        stat('horizon', 'horizon'),
        stat('epochs', 'epochs'),
        stat('speed_events', 'speed events'),
        stat('speed_lag_events', 'speed lag'),
        stat('freshness_ms', 'newest visible'),
        stat('batch_age_ms', 'published'),
        stat('groups', 'rows'),
      ),
      this.ledger,
      legend([['batch', 'batch view'], ['e0', 'speed epochs'], ['lag', 'not yet applied']]),
      this.ledgerText,
    );
  }

  update(v: ViewStatus, logEnd: number): void {
    const speedEvents = v.epochs.reduce((n, e) => n + e.events, 0);
    const set = (k: string, s: string) => text(this.fields.get(k)!, s);
    set('batch_version', v.batch_version ? `v${v.batch_version}` : 'none yet');
    set('horizon', count(v.horizon));
    set('epochs', count(v.epochs.length));
    set('speed_events', count(speedEvents));
    set('speed_lag_events', `${count(v.speed_lag_events)} events`);
    set('freshness_ms', v.freshness_ms < 0 ? 'no events yet' : `${duration(v.freshness_ms)} ago`);
    set('batch_age_ms', v.batch_age_ms < 0 ? 'not yet' : `${duration(v.batch_age_ms)} ago`);
    set('groups', count(v.groups));

    // The ledger: batch covers [0, horizon); each speed epoch [start, end or log end); the rest of the log
    // (speed lag) is durable but not yet applied.
    const end = Math.max(1, logEnd, v.horizon);
    const segs: HTMLElement[] = [
      seg('batch', v.horizon / end, `batch view: offsets below ${count(v.horizon)}`),
    ];
    let applied = v.horizon;
    v.epochs.forEach((e, i) => {
      const from = Math.max(e.start, v.horizon);
      const to = e.end === null ? Math.max(from, logEnd - v.speed_lag_events) : e.end;
      applied = Math.max(applied, to);
      segs.push(seg(`epoch e${i % 2}`, Math.max(0, to - from) / end,
        `speed epoch from ${count(e.start)}${e.end === null ? ' (open)' : ` to ${count(e.end)}`}: ${count(e.events)} events`));
    });
    segs.push(seg('lag', Math.max(0, logEnd - applied) / end, 'durable, not yet applied to the speed layer'));
    this.ledger.replaceChildren(...segs);
    const desc =
      `batch horizon ${count(v.horizon)} | ${v.epochs.length} speed epoch${v.epochs.length === 1 ? '' : 's'} ` +
      `with ${count(speedEvents)} events | log end ${count(logEnd)}`;
    this.ledger.setAttribute('aria-label', desc);
    text(this.ledgerText, desc);
  }
}

// ---- polling -------------------------------------------------------------------------------------

const streamPanels = new Map<string, StreamPanel>();
const viewPanels = new Map<string, ViewPanel>();
let exampleKey = '';

function render(st: Status, now: number): void {
  const streamList = document.getElementById('stream-list')!;
  const viewList = document.getElementById('view-list')!;
  sync(streamPanels, st.streams.map((s) => s.name), streamList, (n) => new StreamPanel(n));
  for (const s of st.streams) streamPanels.get(s.name)!.update(s, now);
  const logEnd = new Map(st.streams.map((s) => [s.name, s.events]));
  sync(viewPanels, st.views.map((v) => v.name), viewList, (n) => new ViewPanel(n, st.views.find((v) => v.name === n)!.stream));
  for (const v of st.views) viewPanels.get(v.name)!.update(v, logEnd.get(v.stream) ?? 0);
  text(
    document.getElementById('batch-summary')!,
    `Batch layer: ${count(st.batch.cycles)} cycle${st.batch.cycles === 1 ? '' : 's'}; last took ${st.batch.last_duration_ms < 0 ? '—' : duration(st.batch.last_duration_ms)}, ` +
      `${st.batch.last_age_ms < 0 ? 'none run yet' : `${duration(st.batch.last_age_ms)} ago`}` +
      (st.last_background_error ? ` · last background error: ${st.last_background_error}` : ''),
  );
  const key = st.views.map((v) => v.name).join(',') + '|' + st.streams.map((s) => s.name).join(',');
  if (key !== exampleKey) {
    exampleKey = key;
    const examples = ['SHOW STREAMS', 'SHOW VIEWS'];
    for (const v of st.views.slice(0, 3)) examples.push(`SELECT * FROM ${v.name} LIMIT 100`);
    for (const s of st.streams.slice(0, 1)) examples.push(`SELECT count(*) AS events FROM ${s.name}`);
    document.getElementById('sql-examples')!.replaceChildren(
      ...examples.map((q) => el('button', { type: 'button', class: 'example', 'data-sql': q }, q)),
    );
  }
}

// Keeps one panel per name, in the order of `names`, inside `parent`.
function sync<P extends { root: HTMLElement }>(panels: Map<string, P>, names: string[], parent: HTMLElement, make: (n: string) => P): void {
  for (const [n, p] of panels) {
    if (!names.includes(n)) {
      p.root.remove();
      panels.delete(n);
    }
  }
  if (names.length === 0) return;
  parent.querySelector(':scope > .empty')?.remove();
  for (const n of names) {
    let p = panels.get(n);
    if (!p) {
      p = make(n);
      panels.set(n, p);
    }
    parent.appendChild(p.root); // moves it into order
  }
}

async function poll(): Promise<void> {
  const conn = document.getElementById('connection')!;
  try {
    const res = await fetch('v1/status', { cache: 'no-store' });
    if (!res.ok) throw new Error(`GET /v1/status answered ${res.status}`);
    const st = (await res.json()) as Status;
    render(st, Date.now());
    conn.className = 'connection ok';
    text(conn, `live · updated ${new Date().toLocaleTimeString('en-GB')}`);
  } catch (e) {
    conn.className = 'connection down';
    text(conn, `not connected: ${(e as Error).message}`);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

// ---- the SQL console -----------------------------------------------------------------------------

async function runSql(sql: string): Promise<void> {
  const summary = document.getElementById('sql-summary')!;
  const errorBox = document.getElementById('sql-error')!;
  const button = document.getElementById('sql-run') as HTMLButtonElement;
  button.disabled = true;
  text(summary, 'running…');
  errorBox.hidden = true;
  const started = performance.now();
  try {
    const res = await fetch('v1/sql', {
      method: 'POST',
      body: sql,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
    const body = await res.text();
    let answer: SqlAnswer | { error: string; code?: string };
    try {
      answer = JSON.parse(body);
    } catch {
      answer = { error: body || `HTTP ${res.status}` };
    }
    const ms = performance.now() - started;
    if (!res.ok || 'error' in answer) {
      const err = answer as { error: string; code?: string };
      showError(sql, `${res.status}${err.code ? ` ${err.code}` : ''}`, err.error);
      text(summary, '');
      showResult(null);
      return;
    }
    showResult(answer as SqlAnswer);
    const a = answer as SqlAnswer;
    text(summary, a.tag ? `${a.tag} · ${Math.round(ms)} ms` : `${count(a.rows.length)} row${a.rows.length === 1 ? '' : 's'} · ${Math.round(ms)} ms`);
  } catch (e) {
    showError(sql, 'request failed', (e as Error).message);
    text(summary, '');
  } finally {
    button.disabled = false;
  }
}

// Shows the server's message and, when it names a position ("line 1, column 8"), the statement's line
// with a caret under that column.
function showError(sql: string, what: string, message: string): void {
  const box = document.getElementById('sql-error')!;
  const parts: (HTMLElement | string)[] = [el('strong', {}, `Error (${what}): `), message];
  const m = /line (\d+), column (\d+)/.exec(message);
  if (m) {
    const line = Number(m[1]);
    const col = Number(m[2]);
    const src = sql.split('\n')[line - 1];
    if (src !== undefined) {
      parts.push(el('pre', { class: 'caret', 'aria-label': `position: line ${line}, column ${col}` },
        `${src}\n${' '.repeat(Math.max(0, col - 1))}^`));
      const ta = document.getElementById('sql-text') as HTMLTextAreaElement;
      const offset = sql.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
      ta.setSelectionRange(offset, Math.min(sql.length, offset + 1));
    }
  }
  box.replaceChildren(...parts);
  box.hidden = false;
}

function start(): void {
  const form = document.getElementById('sql-form') as HTMLFormElement;
  const ta = document.getElementById('sql-text') as HTMLTextAreaElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void runSql(ta.value);
  });
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  document.getElementById('sql-examples')!.addEventListener('click', (e) => {
    const q = (e.target as HTMLElement).closest('button')?.getAttribute('data-sql');
    if (q) {
      ta.value = q;
      form.requestSubmit();
    }
  });
  void poll();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
