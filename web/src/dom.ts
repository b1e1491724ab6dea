// Small DOM and formatting helpers. Nothing here writes HTML strings or style attributes: text goes in
// as text nodes (so names and messages from the server cannot inject markup) and sizes are set through
// the CSSOM (the page's Content-Security-Policy forbids inline styles).

type Child = Node | string | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'style') throw new Error('el(): set styles through the CSSOM, not a style attribute');
    if (v !== '') e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// One segment of a ledger bar: a span whose share of the bar is `grow` (0..1).
export function seg(cls: string, grow: number, title: string): HTMLElement {
  const s = el('span', { class: `seg ${cls}`, title });
  s.style.flexGrow = String(Number.isFinite(grow) ? Math.max(0, grow) : 0);
  return s;
}

export function text(e: HTMLElement, s: string): void {
  if (e.textContent !== s) e.textContent = s;
}

const counter = new Intl.NumberFormat('en-US');
export function count(n: number): string {
  return counter.format(n);
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
// Axis labels: 1.2K, 35M.
export function short(n: number): string {
  return Math.abs(n) < 1000 ? counter.format(n) : compact.format(n);
}

export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    ++i;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
