// The SQL console's result: a table of the rows and a chart of them — a time series when a column is a
// TIMESTAMP or DATE (x) and others are numbers (y), bars of the first numeric column by the first other
// column otherwise.
import uPlot from 'uplot';
import type { SqlAnswer } from './types';
import { count, el, short } from './dom';

const ticks = (_u: uPlot, splits: number[]) => splits.map(short);
const MAX_TABLE_ROWS = 1000;
const MAX_BARS = 40;
const MAX_SERIES = 5;
const COLORS = ['#1f4e8c', '#b42318', '#1b7f3b', '#5b3f99', '#a15c00'];

let current: uPlot | null = null;
let resize: ResizeObserver | null = null;

const isNumeric = (type: string) => /^(TINYINT|SMALLINT|INT|INTEGER|BIGINT|FLOAT|REAL|DOUBLE|DECIMAL)/i.test(type);
const isTime = (type: string) => /^(TIMESTAMP|DATE)/i.test(type);

function cell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return Number.isInteger(v) ? count(v) : String(Math.round(v * 1e6) / 1e6);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function showResult(a: SqlAnswer | null): void {
  const tableBox = document.getElementById('sql-result')!;
  const chartBox = document.getElementById('sql-chart')!;
  current?.destroy();
  current = null;
  resize?.disconnect();
  resize = null;
  chartBox.replaceChildren();
  chartBox.hidden = true;
  if (!a) {
    tableBox.replaceChildren();
    return;
  }

  const shown = a.rows.slice(0, MAX_TABLE_ROWS);
  const table = el(
    'table',
    { class: 'grid result', id: 'sql-table' },
    el('caption', { class: 'sr-only' }, 'Query result'),
    el('thead', {}, el('tr', {}, ...a.columns.map((c) =>
      el('th', { scope: 'col', class: isNumeric(c.type) ? 'num' : '' }, c.name, el('span', { class: 'type' }, c.type))))),
    el('tbody', {}, ...shown.map((r) =>
      el('tr', {}, ...r.map((v, i) => el('td', { class: isNumeric(a.columns[i]?.type ?? '') ? 'num' : '' }, cell(v)))))),
  );
  tableBox.replaceChildren(table);
  if (a.rows.length > shown.length) {
    tableBox.append(el('p', { class: 'muted' }, `showing the first ${count(shown.length)} of ${count(a.rows.length)} rows`));
  }
  drawChart(a, chartBox);
}

function drawChart(a: SqlAnswer, box: HTMLElement): void {
  if (a.rows.length === 0) return;
  const timeCol = a.columns.findIndex((c) => isTime(c.type));
  const numCols = a.columns.map((c, i) => (isNumeric(c.type) && i !== timeCol ? i : -1)).filter((i) => i >= 0).slice(0, MAX_SERIES);
  if (numCols.length === 0) return;
  let opts: Omit<uPlot.Options, 'width'>;
  let data: uPlot.AlignedData;
  let caption: string;

  if (timeCol >= 0) {
    const rows = a.rows
      .map((r) => ({ t: Date.parse(String(r[timeCol])), r }))
      .filter((x) => Number.isFinite(x.t))
      .sort((x, y) => x.t - y.t);
    if (rows.length === 0) return;
    data = [rows.map((x) => x.t / 1000), ...numCols.map((c) => rows.map((x) => toNumber(x.r[c])))];
    opts = {
      height: 240,
      scales: { x: { time: true } },
      series: [{ label: a.columns[timeCol].name }, ...numCols.map((c, i) => ({
        label: a.columns[c].name, stroke: COLORS[i], width: 2, points: { show: rows.length < 60 },
      }))],
      axes: [{ stroke: '#3d4653' }, { stroke: '#3d4653', size: 55, values: ticks }],
    };
    caption = `${numCols.map((c) => a.columns[c].name).join(', ')} by ${a.columns[timeCol].name}`;
  } else {
    const labelCol = a.columns.findIndex((_c, i) => !numCols.includes(i));
    const rows = a.rows.slice(0, MAX_BARS);
    const labels = rows.map((r, i) => (labelCol >= 0 ? cell(r[labelCol]) : String(i + 1)));
    const y = numCols[0];
    data = [rows.map((_r, i) => i), rows.map((r) => toNumber(r[y]))];
    opts = {
      height: 240,
      scales: { x: { time: false, range: (_u, _min, _max) => [-0.5, rows.length - 0.5] } },
      series: [
        { label: labelCol >= 0 ? a.columns[labelCol].name : 'row', value: (_u, v) => (v === null ? '—' : labels[v] ?? '') },
        { label: a.columns[y].name, stroke: COLORS[0], fill: 'rgba(31,78,140,0.55)', paths: uPlot.paths.bars!({ size: [0.7, 60] }), points: { show: false } },
      ],
      axes: [
        {
          stroke: '#3d4653',
          splits: () => {
            const every = Math.max(1, Math.ceil(rows.length / Math.max(1, box.clientWidth / 70)));
            return labels.map((_l, i) => i).filter((i) => i % every === 0);
          },
          values: (_u, splits) => splits.map((i) => { const l = labels[i] ?? ''; return l.length > 12 ? l.slice(0, 11) + '…' : l; }),
          grid: { show: false },
        },
        { stroke: '#3d4653', size: 55, values: ticks },
      ],
    };
    caption = `${a.columns[y].name} by ${labelCol >= 0 ? a.columns[labelCol].name : 'row'}` +
      (a.rows.length > rows.length ? ` (first ${rows.length} rows)` : '');
  }
  box.hidden = false;
  const fig = el('figure', {}, el('figcaption', {}, `Chart: ${caption}`));
  const plot = el('div');
  fig.append(plot);
  box.append(fig);
  current = new uPlot({ ...opts, width: Math.max(200, box.clientWidth) }, data, plot);
  const u = current;
  resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, box.clientWidth), height: opts.height }));
  resize.observe(box);
}
