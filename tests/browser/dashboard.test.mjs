// The dashboard's browser test (docs/dashboard.md; ctest "dashboard_browser", label fast).
//
// Starts `tandem serve` on a free loopback port with a temporary data directory, creates a stream and two
// views, opens the dashboard in Debian's chromium (driven by playwright-core, installed by
// scripts/setup.sh with `npm ci` here) and, while the page is open, sends events over HTTP. It checks that
// the page finds the stream and its views, that the event count it shows grows to what was sent, that the
// latest rejection reasons, lake partitions and batch versions appear, that the SQL console shows a
// query's rows (the same as the API answers) and a chart, and a bad query's message and position, and that
// the browser console has no errors. It saves a screenshot at 1280x800 (TANDEM_SCREENSHOT, default
// dashboard.png in the working directory; docs/dashboard.png is one of them).
//
// Waits are for conditions, never for times; their timeouts only stop a hung run.
//   TANDEM_BIN=build/release/src/cli/tandem node tests/browser/dashboard.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const TANDEM = process.env.TANDEM_BIN || path.join(repo, 'build/release/src/cli/tandem');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = process.env.TANDEM_SCREENSHOT || path.resolve('dashboard.png');
const WAIT = { timeout: 60_000 };

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  throw new Error(`playwright-core is not installed in tests/browser: run bash scripts/setup.sh ` +
                  `(it runs npm ci there). ${e.message}`);
}
if (!fs.existsSync(CHROMIUM)) {
  throw new Error(`no chromium at ${CHROMIUM}: run bash scripts/setup.sh (apt-get install chromium)`);
}
if (!fs.existsSync(TANDEM)) throw new Error(`no tandem binary at ${TANDEM} (set TANDEM_BIN)`);

// Starts `tandem serve --listen 127.0.0.1:0` and resolves with its URL once it prints the port it bound.
function startServer(dataDir) {
  const proc = spawn(TANDEM, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0',
                              '--flush-interval-ms', '300', '--batch-interval-ms', '0'],
                     { stdio: ['ignore', 'inherit', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr.on('data', (d) => {
      err += d;
      process.stderr.write(d);
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.on('exit', (code) => reject(new Error(`tandem serve exited with ${code}: ${err}`)));
  });
}

async function api(url, method, pathname, body) {
  const res = await fetch(url + pathname, { method, body, headers: { 'Content-Type': 'text/plain' } });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const PAGES = ['/', '/search', '/cart', '/checkout', '/product/1', '/product/2'];

// `n` events spread over the last few minutes, plus `bad` lines the stream rejects.
function events(n, bad, seq) {
  const now = Date.now();
  const lines = [];
  for (let i = 0; i < n; ++i) {
    const k = seq * n + i;
    lines.push(JSON.stringify({ ts: now - (k % 240) * 1000, user_id: k % 97, page: PAGES[k % PAGES.length],
                                latency_ms: 10 + (k % 50) }));
  }
  for (let i = 0; i < bad; ++i) lines.push(`{"ts": "not a time", "user_id": ${i}, "page": "/"}`);
  return lines.join('\n') + '\n';
}

const digits = (s) => Number(String(s).replace(/[^0-9]/g, ''));

test('the dashboard shows live streams and views and runs SQL', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-dashboard-'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-chromium-'));
  const { proc, url } = await startServer(dataDir);
  let context;
  t.after(async () => {
    await context?.close().catch(() => {});
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  });

  // A stream and two views, before the page opens.
  let r = await api(url, 'POST', '/v1/sql',
    'CREATE STREAM clicks (ts TIMESTAMP NOT NULL, user_id BIGINT NOT NULL, page VARCHAR NOT NULL, ' +
    "latency_ms DOUBLE) WITH (event_time = 'ts')");
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await api(url, 'POST', '/v1/sql',
    'CREATE VIEW pages AS SELECT page, count(*) AS views, avg(latency_ms) AS avg_ms FROM clicks GROUP BY page');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await api(url, 'POST', '/v1/sql',
    "CREATE VIEW per_minute AS SELECT date_trunc('minute', ts) AS minute, count(*) AS events FROM clicks GROUP BY 1");
  assert.equal(r.status, 200, JSON.stringify(r.json));

  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  let badQuery = false;
  // Chromium itself logs "Failed to load resource" for a 4xx answer; that of the deliberately bad query
  // (below) is expected, every other console error fails the test.
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const expected = badQuery && /status of 400/.test(m.text()) && m.location().url.endsWith('/v1/sql');
    if (!expected) problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (q) => problems.push(`request failed: ${q.url()} ${q.failure()?.errorText}`));
  // Every answer is a success except the one bad query the test sends on purpose.
  page.on('response', (q) => {
    if (q.status() >= 400 && !(badQuery && q.status() === 400 && q.url().endsWith('/v1/sql'))) {
      problems.push(`HTTP ${q.status()}: ${q.url()}`);
    }
  });

  await page.goto(url + '/');
  assert.equal(await page.title(), 'Tandem dashboard');
  const stream = page.locator('[data-stream="clicks"]');
  await stream.waitFor(WAIT);
  await page.locator('[data-view="pages"]').waitFor(WAIT);
  await page.locator('[data-view="per_minute"]').waitFor(WAIT);
  assert.match(await page.locator('[data-view="pages"] h3').innerText(), /pages\s+on clicks/);

  // Events sent while the page is open: the count it shows follows them.
  const eventsField = stream.locator('[data-field="events"]');
  let sent = 0;
  for (let seq = 0; seq < 3; ++seq) {
    r = await api(url, 'POST', '/v1/streams/clicks/events', events(400, seq === 1 ? 2 : 0, seq));
    assert.equal(r.status, 200, JSON.stringify(r.json));
    sent += r.json.accepted;
    const expected = sent;
    await page.waitForFunction(
      ([sel, n]) => Number(document.querySelector(sel)?.textContent.replace(/[^0-9]/g, '')) === n,
      ['[data-stream="clicks"] [data-field="events"]', expected], WAIT);
  }
  assert.equal(sent, 1200);
  assert.equal(digits(await eventsField.innerText()), 1200);
  await page.locator('[data-stream="clicks"] [data-field="rejected"]', { hasText: /^2\b/ }).waitFor(WAIT);
  await stream.locator('td.reason').first().waitFor(WAIT);
  assert.match(await stream.locator('td.reason').first().innerText(), /ts|time|timestamp/i);

  // A batch cycle: the views show the version it published; the lake shows its partition(s).
  r = await api(url, 'POST', '/v1/batch');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const published = r.json.views.find((v) => v.name === 'pages');
  assert.equal(published.horizon, 1200);
  await page.locator('[data-view="pages"] [data-field="batch_version"]',
                     { hasText: new RegExp(`^v${published.version}$`) }).waitFor(WAIT);
  assert.match(await page.locator('#batch-summary').innerText(), /1 cycle;/);
  await stream.locator('tbody th[scope="row"]').first().waitFor(WAIT);
  assert.match(await stream.locator('tbody th[scope="row"]').first().innerText(), /^\d{4}-\d{2}-\d{2}$/);

  // More events after the batch: they land in a speed epoch above the horizon.
  for (let seq = 3; seq < 6; ++seq) {
    r = await api(url, 'POST', '/v1/streams/clicks/events', events(400, 0, seq));
    sent += r.json.accepted;
  }
  await page.waitForFunction(
    ([sel, n]) => Number(document.querySelector(sel)?.textContent.replace(/[^0-9]/g, '')) === n,
    ['[data-stream="clicks"] [data-field="events"]', sent], WAIT);
  await page.locator('[data-view="pages"] [data-field="speed_events"]', { hasText: '1,200' }).waitFor(WAIT);
  assert.match(await page.locator('[data-view="pages"] .ledger-text').innerText(),
               /batch horizon 1,200 \| 1 speed epoch with 1,200 events \| log end 2,400/);

  // The SQL console: rows of a query over a view, the same as the API's answer, as a table and a chart.
  const query = 'SELECT page, views FROM pages ORDER BY views DESC, page';
  await page.getByLabel(/SQL statement/).fill(query);
  await page.getByRole('button', { name: 'Run' }).click();
  await page.locator('#sql-summary', { hasText: /6 rows/ }).waitFor(WAIT);
  const shown = await page.locator('#sql-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const expected = (await api(url, 'POST', '/v1/sql', query)).json.rows;
  assert.deepEqual(shown, expected.map(([p, v]) => [p, v.toLocaleString('en-US')]));
  assert.equal(shown.reduce((n, row) => n + digits(row[1]), 0), sent);
  assert.deepEqual(await page.locator('#sql-table thead th').evaluateAll((ths) => ths.map((th) => th.firstChild.textContent)),
                   ['page', 'views']);
  await page.locator('#sql-chart canvas').waitFor(WAIT);

  // A bad query: the server's message and a caret under the position it names.
  await page.getByLabel(/SQL statement/).fill('SELECT page FROM pages WHER views > 1');
  badQuery = true;
  await page.getByRole('button', { name: 'Run' }).click();
  const error = page.getByRole('alert');
  await error.waitFor(WAIT);
  assert.match(await error.innerText(), /line 1, column \d+/);
  assert.match(await error.locator('pre.caret').innerText(), /\n\s*\^$/);
  assert.equal(await page.locator('#sql-table').count(), 0);

  // A time series: the per-minute view charted over its time column.
  badQuery = false;  // (the console message of the bad query's answer has arrived by now: it came first)
  await page.getByLabel(/SQL statement/).fill('SELECT minute, events FROM per_minute ORDER BY minute');
  await page.getByRole('button', { name: 'Run' }).click();
  await page.locator('#sql-chart figcaption', { hasText: 'events by minute' }).waitFor(WAIT);
  await page.locator('#sql-table tbody tr').first().waitFor(WAIT);
  await page.getByRole('alert').waitFor({ state: 'hidden', ...WAIT });

  // Keep the rate chart moving for the screenshot, then take it at 1280x800 from the top of the page.
  for (let seq = 6; seq < 9; ++seq) {
    r = await api(url, 'POST', '/v1/streams/clicks/events', events(300 + 100 * (seq % 3), seq === 7 ? 1 : 0, seq));
    sent += r.json.accepted;
    await page.waitForFunction(
      ([sel, n]) => Number(document.querySelector(sel)?.textContent.replace(/[^0-9]/g, '')) === n,
      ['[data-stream="clicks"] [data-field="events"]', sent], WAIT);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: SCREENSHOT });
  assert.deepEqual(page.viewportSize(), { width: 1280, height: 800 });
  console.log(`screenshot: ${SCREENSHOT}`);

  assert.deepEqual(problems, [], 'the browser reported errors');
});
