// The operator console in Debian's Chromium (playwright-core), against a real server that
// run_console_test.sh has filled. Checks what an operator would notice: a wrong token is refused
// on the sign-in form; every panel draws a chart with data and a table whose numbers are those
// of `homeport stats --json` (and, for the rollout, `homeport rollout --json`); the wrong-region
// banner; counts under the minimum shown as "< 5"; the page fits 1280 px and a phone; the page
// talks to no origin but its own, breaks no rule of its Content-Security-Policy; the days
// selector; a rewritten access-log entry shown as CHAIN BROKEN; auto refresh every 30 s, paused
// in a hidden tab; sign-out. Saves screenshots.
//
//   node console.test.mjs --admin-url URL --token TOKEN --stats stats.json \
//     --rollout rollout.json --screenshots DIR --homeport BIN --store sqlite:PATH \
//     [--chromium /usr/bin/chromium]
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    'admin-url': { type: 'string' },
    token: { type: 'string' },
    stats: { type: 'string' },
    rollout: { type: 'string' },
    screenshots: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    // For the access-log check: the binary and the region's SQLite store.
    homeport: { type: 'string' },
    store: { type: 'string' },
  },
});
for (const k of ['admin-url', 'token', 'stats', 'rollout', 'screenshots', 'homeport', 'store']) {
  if (!args[k]) throw new Error(`--${k} is required`);
}
const ADMIN = args['admin-url'].replace(/\/$/, '');
const ORIGIN = new URL(ADMIN).origin;
const TOKEN = args.token;
const STATS = JSON.parse(fs.readFileSync(args.stats, 'utf8'));
const ROLLOUT = JSON.parse(fs.readFileSync(args.rollout, 'utf8'));
const SHOTS = args.screenshots;
const PANELS = ['activations', 'rollout', 'region-alarm', 'uxp', 'storage', 'operator-reads'];
const STATS_KEY = {
  activations: 'activations', rollout: 'rollout', 'region-alarm': 'region_alarm', uxp: 'uxp',
  storage: 'storage', 'operator-reads': 'operator_reads',
};
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
            "connect-src 'self'; frame-ancestors 'none'";

// The checks run in order (each continues from the page the last one left) and stop at the
// first failure.
class CheckFailed extends Error {}
let passed = 0;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    console.error(`✗ ${name}\n${e.stack || e}`);
    throw new CheckFailed(name);
  }
  passed += 1;
  console.log(`✓ ${name} (${Date.now() - t0} ms)`);
}

// ---- what the tables must say, built from the JSON independently of console.js ----

const cell = (v) => (typeof v === 'number' ? String(v) : v == null ? '—' : String(v));
const share = (f) => (f == null ? '—' : `${(f * 100).toFixed(1)}%`);
const sum = (xs) => xs.reduce((a, v) => a + (typeof v === 'number' ? v : 0), 0);
// Per-day tables list the newest day first.
const newestFirst = (days, cellsOf) => days.map((d, i) => [d, ...cellsOf(i)]).reverse();

function expectedTables(s, rollout) {
  const t = {};
  const a = s.activations;
  const aName = (x) => `${x.batch} ${x.model} ${x.variant}`;
  t['activations-daily'] = [
    ['Day', ...a.series.flatMap((x) => [`${aName(x)} activations`, `${aName(x)} check-ins`])],
    ...newestFirst(a.days, (i) => a.series.flatMap((x) => [cell(x.activations[i]), cell(x.checkins[i])])),
    ['Total', ...a.series.flatMap((x) => [cell(sum(x.activations)), cell(sum(x.checkins))])],
  ];

  const r = s.rollout;
  const target = r.target.manifest_version;
  t['rollout-batches'] = [
    ['Batch', 'Enrolled', 'Activated', 'Revoked', 'On target'],
    ...r.batches.map((b) => [b.batch, cell(b.enrolled), cell(b.activated), cell(b.revoked), share(b.on_target)]),
  ];
  t['rollout-versions'] = [
    ['Batch', 'Manifest version', 'Client version', 'Devices'],
    ...r.batches.flatMap((b) => b.versions.map((v) => [b.batch, String(v.manifest_version), v.client_version, cell(v.devices)])),
  ];
  const historyCols = r.batches.flatMap((b) => {
    const on = b.history.activated.map((_, i) => sum(b.history.by_manifest.filter((m) => m.manifest_version >= target).map((m) => m.devices[i])));
    return [
      { label: `${b.batch} activated`, values: b.history.activated.map(cell) },
      { label: `${b.batch} on target`, values: on.map(cell) },
      { label: `${b.batch} share on target`, values: on.map((n, i) => (b.history.activated[i] > 0 ? share(n / b.history.activated[i]) : '—')) },
      ...b.history.by_manifest.map((m) => ({ label: `${b.batch} manifest ${m.manifest_version}`, values: m.devices.map(cell) })),
      ...b.history.by_client.map((c) => ({ label: `${b.batch} client ${c.client_version}`, values: c.devices.map(cell) })),
    ];
  });
  t['rollout-history'] = [['Day', ...historyCols.map((c) => c.label)], ...newestFirst(r.days, (i) => historyCols.map((c) => c.values[i]))];

  const g = s.region_alarm;
  const gName = (x) => `${x.claimed_region} (${x.variant})`;
  t['region-alarm-totals'] = [
    ['Claimed region', 'Variant', 'Attempts', 'First seen', 'Last seen'],
    ...g.series.map((x) => [x.claimed_region, x.variant, cell(x.total), x.first_seen || '—', x.last_seen || '—']),
  ];
  t['region-alarm-daily'] = [['Day', ...g.series.map(gName)], ...newestFirst(g.days, (i) => g.series.map((x) => cell(x.attempts[i])))];

  const u = s.uxp;
  const lines = [...u.pings.map((p) => ({ label: `${p.app} ${p.ping}`, data: p.documents })),
    { label: 'deletion requests', data: u.deletion_requests.per_day }, { label: 'active clients', data: u.active_clients }];
  t['uxp-daily'] = [
    ['Day', ...lines.map((l) => l.label)],
    ...newestFirst(u.days, (i) => lines.map((l) => cell(l.data[i]))),
    ['Total', ...u.pings.map((p) => cell(p.total)), cell(u.deletion_requests.total), '—'],
  ];
  if (u.scrubbed.length) {
    t['uxp-scrubbed'] = [['Day', ...u.scrubbed.map((x) => x.kind)],
      ...newestFirst(u.days, (i) => u.scrubbed.map((x) => cell(x.identifiers[i]))),
      ['Total', ...u.scrubbed.map((x) => cell(x.total))]];
  }
  if (u.schema_violations.length) {
    t['uxp-violations'] = [['Day', ...u.schema_violations.map((v) => `${v.app} ${v.ping} ${v.metric} (${v.problem})`)],
      ...newestFirst(u.days, (i) => u.schema_violations.map((v) => cell(v.pings[i]))),
      ['Total', ...u.schema_violations.map((v) => cell(v.total))]];
  }

  const st = s.storage;
  t.storage = [
    ['App', 'Ping', 'Retention (days)', ...st.age_bands, 'Total', 'Past retention'],
    ...st.pings.map((p) => [p.app, p.ping, cell(p.retention_days), ...p.documents.map(cell), cell(p.total), cell(p.past_retention)]),
  ];

  const o = s.operator_reads;
  const log = o.transparency_log;
  t['transparency-log'] = [['Entries', 'Root (base64)', 'Cosigned by'],
    [cell(log.size), log.root, log.cosigned_by.length ? log.cosigned_by.join(', ') : 'no witness yet']];
  t['operator-reads'] = [['Seq', 'At (UTC)', 'Actor', 'Action', 'Subject'],
    ...o.entries.map((e) => [String(e.seq), e.at, e.actor, e.action, e.subject])];
  const actions = [...new Set(o.entries.map((e) => e.action))].sort();
  if (actions.length) {
    t['operator-reads-daily'] = [['Day', ...actions],
      ...newestFirst(a.days, (i) => actions.map((x) => String(o.entries.filter((e) => e.action === x && e.at.slice(0, 10) === a.days[i]).length)))];
  }

  // `homeport rollout --json` and the rollout panel answer the same question the same way.
  assert.deepEqual(
    rollout.batches.map((b) => [b.batch, cell(b.enrolled), cell(b.activated)]),
    t['rollout-batches'].slice(1).map((row) => row.slice(0, 3)),
    'homeport rollout --json and the stats disagree on the batches');
  const rolloutVersions = [['Batch', 'Manifest version', 'Client version', 'Devices'],
    ...rollout.batches.flatMap((b) => b.versions.map((v) => [b.batch, String(v.manifest_version), v.client_version, cell(v.devices)]))];
  return { tables: t, rolloutVersions };
}

// Every table of the page: {name: [[header cells], [row cells]…]}, numbers without separators.
async function readTables(page) {
  return page.evaluate(() => {
    const out = {};
    for (const table of document.querySelectorAll('table[data-table]')) {
      out[table.dataset.table] = [...table.rows].map((r) => [...r.cells].map((c) => {
        const text = c.textContent.trim();
        return c.classList.contains('num') ? text.replace(/,/g, '') : text;
      }));
    }
    return out;
  });
}

// Colours of Okabe–Ito's palette found on a panel's chart canvas (axes and grid are grey/black).
async function chartFacts(page, panel) {
  return page.evaluate((id) => {
    const box = document.querySelector(`#panel-${id} .chart`);
    const canvas = box && box.querySelector('canvas');
    if (!canvas) return null;
    const palette = [[0, 114, 178], [213, 94, 0], [0, 158, 115], [204, 121, 167], [230, 159, 0], [86, 180, 233], [240, 228, 66]];
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] < 200) continue;
      if (palette.some(([r, g, b]) => Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60)) coloured += 1;
    }
    const rect = canvas.getBoundingClientRect();
    return {
      width: rect.width, height: rect.height, coloured, role: box.getAttribute('role'),
      label: box.getAttribute('aria-label') || '', points: Number(box.dataset.points), nonzero: Number(box.dataset.nonzero),
    };
  }, panel);
}

async function noHorizontalOverflow(page) {
  const m = await page.evaluate(() => ({
    doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, viewport: window.innerWidth,
    widest: Math.max(...[...document.querySelectorAll('.panel, .chart, .uplot')].map((e) => e.getBoundingClientRect().right)),
  }));
  assert.ok(m.doc <= m.viewport && m.body <= m.viewport, `the page is wider than the viewport: ${JSON.stringify(m)}`);
  assert.ok(m.widest <= m.viewport + 0.5, `a panel or chart sticks out of the viewport: ${JSON.stringify(m)}`);
}

async function waitForPanels(page) {
  await page.waitForSelector('#dashboard:not([hidden])');
  await page.waitForFunction((panels) => panels.every((p) => document.querySelector(`#panel-${p} .panel-body`).children.length > 0), PANELS);
  await page.waitForFunction(() => /^Updated /.test(document.getElementById('status').textContent));
}

const started = Date.now();
const browser = await chromium.launch({
  executablePath: args.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none', '--force-color-profile=srgb'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  const requests = [];
  context.on('request', (r) => requests.push({ url: r.url(), headers: r.headers() }));
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const { tables: expected, rolloutVersions } = expectedTables(STATS, ROLLOUT);

  await check('GET /console answers the page with its security headers, and asks for a token', async () => {
    const response = await page.goto(`${ADMIN}/console`);
    assert.equal(response.status(), 200);
    const h = response.headers();
    assert.equal(h['content-type'], 'text/html; charset=utf-8');
    assert.equal(h['content-security-policy'], CSP);
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['cache-control'], 'no-store');
    assert.equal(h['referrer-policy'], 'no-referrer');
    await page.waitForSelector('#sign-in:not([hidden])');
    assert.equal(await page.isVisible('#dashboard'), false);
  });

  await check('a wrong token is refused on the sign-in form and not kept', async () => {
    await page.fill('#token', `${TOKEN}-wrong`);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#sign-in-error:not([hidden])');
    const text = await page.textContent('#sign-in-error');
    assert.match(text, /wrong token/i);
    assert.equal(await page.getAttribute('#sign-in-error', 'role'), 'alert');
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.equal(await page.isVisible('#dashboard'), false);
    await page.screenshot({ path: path.join(SHOTS, 'wrong-token.png') });
  });

  await check('the right token shows all six panels', async () => {
    await page.fill('#token', TOKEN);
    await page.click('#sign-in-form button[type=submit]');
    await waitForPanels(page);
    assert.equal(await page.isVisible('#sign-in'), false);
    const stored = await page.evaluate(() => [...Array(sessionStorage.length).keys()].map((i) => sessionStorage.getItem(sessionStorage.key(i))));
    assert.deepEqual(stored, [TOKEN], 'the token is not (only) in session storage');
    assert.equal(await page.evaluate(() => document.cookie), '');
    for (const p of PANELS) {
      assert.equal(await page.locator(`#panel-${p} .panel-error`).count(), 0,
        `panel ${p}: ${await page.locator(`#panel-${p} .panel-error`).allTextContents()}`);
    }
  });

  await check('every panel draws a chart with data, described in words for screen readers', async () => {
    for (const p of PANELS) {
      const c = await chartFacts(page, p);
      assert.ok(c, `panel ${p} has no chart canvas`);
      assert.ok(c.width > 200 && c.height > 100, `panel ${p}: canvas ${c.width}×${c.height}`);
      assert.ok(c.points > 0 && c.nonzero > 0, `panel ${p}: the chart has no data (${c.points} points, ${c.nonzero} non-zero)`);
      assert.ok(c.coloured >= 10, `panel ${p}: nothing drawn in the series colours (${c.coloured} pixels)`);
      assert.equal(c.role, 'img');
      assert.ok(c.label.length > 40, `panel ${p}: the chart's aria-label says too little: "${c.label}"`);
    }
  });

  await check('the tables show the numbers of homeport stats --json and homeport rollout --json', async () => {
    const actual = await readTables(page);
    for (const [name, rows] of Object.entries(expected)) {
      assert.ok(actual[name], `no table "${name}" on the page (tables: ${Object.keys(actual).join(', ')})`);
      // The first row of the page's table is its header; a caption is not a row.
      assert.deepEqual(actual[name], rows, `table "${name}" differs from the JSON`);
    }
    assert.deepEqual(actual['rollout-versions'], rolloutVersions, 'the rollout table differs from homeport rollout --json');
    for (const p of PANELS) {
      assert.ok(await page.locator(`#panel-${p} table`).count() > 0, `panel ${p} has no table`);
    }
  });

  await check('counts under the minimum are shown as "< 5"', async () => {
    const hidden = await page.locator('td', { hasText: /^< \d+$/ }).allTextContents();
    assert.ok(hidden.length > 0, 'no cell shows "< N"');
    assert.ok(hidden.includes(`< ${STATS.uxp.min_count}`), `cells: ${hidden}`);
  });

  await check('the region alarm is a banner at the top of the page', async () => {
    const al = STATS.region_alarm.alarm;
    assert.equal(al.active, true, 'the fixture should have raised the alarm');
    const banner = page.locator('#region-alarm');
    assert.ok(await banner.isVisible());
    assert.equal(await banner.getAttribute('role'), 'alert');
    const text = await banner.textContent();
    assert.ok(text.startsWith(`Wrong-region activations: ${al.count} since ${al.first_seen}, last ${al.last_seen}`), text);
    for (const sr of STATS.region_alarm.series) assert.ok(text.includes(sr.claimed_region), text);
  });

  await check('the access log badge says whether the chain verifies', async () => {
    const chain = STATS.operator_reads.chain;
    const badge = await page.textContent('#panel-operator-reads .badge');
    assert.ok(chain.verified ? /chain verifies/i.test(badge) : badge.includes(`CHAIN BROKEN: ${chain.problem}`), badge);
  });

  await check('screenshots of each panel at 1280 px, and the page fits', async () => {
    await noHorizontalOverflow(page);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SHOTS, 'overview.png') });
    for (const p of PANELS) await page.locator(`#panel-${p}`).screenshot({ path: path.join(SHOTS, `${p}.png`) });
  });

  await check('the days selector asks for 7 days and redraws', async () => {
    const before = requests.length;
    await page.selectOption('#days', '7');
    await page.waitForFunction(() => document.querySelectorAll('table[data-table="activations-daily"] tbody tr').length === 8);
    const asked = requests.slice(before).map((r) => r.url).filter((u) => u.includes('/v1/admin/stats/'));
    for (const ep of ['activations', 'rollout', 'region-alarm', 'uxp']) {
      assert.ok(asked.some((u) => u.includes(`/v1/admin/stats/${ep}?`) && new URL(u).searchParams.get('days') === '7'), `no ${ep}?days=7 in ${asked}`);
    }
    await page.selectOption('#days', '30');
    await page.waitForFunction(() => document.querySelectorAll('table[data-table="activations-daily"] tbody tr').length === 31);
  });

  await check('on a phone (390×844) it is one column and nothing overflows the page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(() => [...document.querySelectorAll('.uplot')].every((u) => u.getBoundingClientRect().right <= window.innerWidth));
    await noHorizontalOverflow(page);
    const lefts = await page.evaluate(() => [...document.querySelectorAll('.panel')].map((e) => Math.round(e.getBoundingClientRect().left)));
    assert.equal(new Set(lefts).size, 1, `panels side by side on a phone: ${lefts}`);
    // Wide tables scroll inside their panel.
    const wrap = await page.evaluate(() => getComputedStyle(document.querySelector('.table-wrap')).overflowX);
    assert.equal(wrap, 'auto');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, 'phone.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await check('a rewritten access-log entry shows CHAIN BROKEN after a refresh', async () => {
    // What someone with write access to the database might do: change whose record was read.
    const db = args.store.replace(/^sqlite:/, '');
    execFileSync('python3', ['-c', `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
c.execute("UPDATE access_log SET subject = subject || '-edited' WHERE seq = 1")
c.commit()`, db]);
    const after = JSON.parse(execFileSync(args.homeport, ['stats', '--store', args.store, '--json'], { encoding: 'utf8' }));
    assert.equal(after.operator_reads.chain.verified, false, 'the store did not notice the rewrite');
    await page.click('#refresh');
    await page.waitForSelector('#panel-operator-reads .badge.bad');
    const badge = await page.textContent('#panel-operator-reads .badge');
    assert.equal(badge, `CHAIN BROKEN: ${after.operator_reads.chain.problem}`);
    await page.locator('#panel-operator-reads').screenshot({ path: path.join(SHOTS, 'chain-broken.png') });
  });

  await check('sign out forgets the token', async () => {
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in:not([hidden])');
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    assert.equal(await page.isVisible('#dashboard'), false);
    assert.equal(await page.isVisible('#region-alarm'), false);
  });

  await check('the page broke no rule of its Content-Security-Policy and threw nothing', async () => {
    const violations = await page.evaluate(() => window.__violations);
    assert.deepEqual([...problems, ...violations], []);
  });

  await check('auto refresh every 30 s, none while the tab is hidden', async () => {
    const ctx2 = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const seen = [];
    ctx2.on('request', (r) => {
      requests.push({ url: r.url(), headers: r.headers() });
      if (r.url().includes('/v1/admin/stats/')) seen.push(r.url());
    });
    // The page's time stands still from the start and moves only when the test says so. (The
    // installed clock runs until paused; pausing a few seconds ahead is never in its past.)
    const t0 = Date.now();
    await ctx2.clock.install({ time: t0 });
    await ctx2.clock.pauseAt(t0 + 5_000);
    const p2 = await ctx2.newPage();
    await p2.goto(`${ADMIN}/console`);
    await p2.fill('#token', TOKEN);
    await p2.click('#sign-in-form button[type=submit]');
    await waitForPanels(p2);
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    // Until n requests were seen (at most 5 s), then a moment for any extra one to show.
    const waitFor = async (n) => {
      for (let i = 0; i < 100 && seen.length < n; i += 1) await sleep(50);
      await sleep(300);
    };
    assert.equal(seen.length, 6);
    await p2.clock.runFor(29_000);
    await waitFor(6);
    assert.equal(seen.length, 6, 'refreshed before 30 s');
    await p2.clock.runFor(1_500);
    await waitFor(12);
    assert.equal(seen.length, 12, 'no refresh after 30 s');
    await p2.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await p2.clock.runFor(95_000);
    await waitFor(12);
    assert.equal(seen.length, 12, 'refreshed while the tab was hidden');
    await p2.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor(18);
    assert.equal(seen.length, 18, 'no catch-up when the tab was shown again');
    await ctx2.close();
  });

  await check('the page sent nothing to any origin but its own, and the token only as a bearer header', async () => {
    assert.ok(requests.length > 20);
    const foreign = requests.filter((r) => !r.url.startsWith(`${ORIGIN}/`) && r.url !== 'data:,');
    assert.deepEqual(foreign.map((r) => r.url), []);
    for (const r of requests) {
      assert.ok(!r.url.includes(TOKEN), `the token is in a URL: ${r.url}`);
      assert.equal(r.headers.cookie, undefined, `a cookie was sent to ${r.url}`);
      const isStats = new URL(r.url).pathname.startsWith('/v1/admin/');
      if (isStats) assert.match(r.headers.authorization || '', /^Bearer /, r.url);
      else assert.equal(r.headers.authorization, undefined, `the token went to ${r.url}`);
    }
  });
} catch (e) {
  if (!(e instanceof CheckFailed)) console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
console.log(`console test: ${passed} checks passed${process.exitCode ? ', then one failed,' : ''} ` +
            `in ${((Date.now() - started) / 1000).toFixed(1)} s`);
