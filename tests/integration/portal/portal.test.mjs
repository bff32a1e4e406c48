// The portal (web/, built into web/dist and served by `sluice serve` at /portal/) in headless
// Chromium: playwright-core drives Debian's /usr/bin/chromium (scripts/install-deps; Playwright
// downloads nothing) against a real server on a seeded data directory. A project signs in with
// its console key, sees its usage bar and chart move as its app calls the API, creates and
// revokes a key (the API then answers the key 401), downloads an invoice CSV, and never sees
// another project; /portal refuses path traversal; the operator signs in with the admin token
// and sees projects, the ledger (verify) and trace runs. No console error on any page;
// screenshots of every page at 1280 and 390 px wide in SLUICE_SCREENSHOT_DIR.
// Without chromium the whole file is skipped: exit code 77 (ctest SKIP_RETURN_CODE).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SluiceServer, withTimeout } from '../node/sluice-server.mjs';

const CHROMIUM = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIP: ${CHROMIUM} not found (run scripts/install-deps, which installs Debian's chromium, or set SLUICE_CHROMIUM)`);
  process.exit(77);
}
const { chromium } = await import('playwright-core');

const TEST_TIMEOUT_MS = 120_000;
const WIDTHS = [1280, 390];
// The flags the machine's Chromium needs (no network beyond loopback, no first-run work).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const state = {};

async function api(method, target, { token, body, headers = {} } = {}) {
  const res = await fetch(state.origin + target, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, headers: res.headers };
}

async function admin(method, target, body) {
  const r = await api(method, target, { token: state.adminToken, body });
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${target} answered ${r.status}: ${r.text}`);
  return r.json.data;
}

// One raw request, the target sent as it is (no URL normalisation); the status line's code.
function rawStatus(target) {
  return new Promise((resolve, reject) => {
    const { port } = new URL(state.origin);
    const socket = net.connect(Number(port), '127.0.0.1');
    let out = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`raw ${target}: timeout`)));
    socket.on('connect', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    socket.on('data', (d) => { out += d.toString('latin1'); });
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(out.slice(9, 12)), raw: out }));
  });
}

// A page whose console errors and uncaught exceptions are collected. A failed fetch the test
// provokes on purpose (401 before sign-in, the other project's 404) is logged by Chromium as
// "Failed to load resource"; `allowed` lists those as [status, url-part].
async function openPage(allowed = []) {
  const context = await state.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url ?? '';
    const ok = allowed.some(([status, part]) => m.text().includes(`status of ${status}`) && url.includes(part));
    if (!ok) errors.push(`console: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => d.accept());
  return { context, page, errors };
}

const BEFORE_SIGN_IN = [401, '/admin/v1/session'];

async function signIn(page, secret) {
  await page.goto(state.origin + '/');
  await page.getByLabel('Console key or admin token').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#sign-out').waitFor();
}

async function shoot(page, name) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);  // the chart follows the width
    const file = path.join(state.shots, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    // Readable at this width: nothing wider than the viewport but scrolling tables.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `${name} at ${width} px is ${overflow} px wider than the viewport`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function usageNumbers(page) {
  const text = await page.locator('#usage-text').textContent();
  const now = Number(await page.locator('#usage-bar').getAttribute('aria-valuenow'));
  const fill = await page.locator('#usage-bar .bar-fill').evaluate((e) => e.getBoundingClientRect().width);
  return { text, now, fill };
}

// Search calls that deliver posts with the app's token; the posts' ids.
async function searchAs(token, n) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const r = await api('GET', `/2/tweets/search/recent?query=${encodeURIComponent(state.query[i % state.query.length])}&max_results=10`, { token });
    assert.equal(r.status, 200, r.text);
    for (const p of r.json.data ?? []) ids.push(p.id);
  }
  return ids;
}

describe('the portal in headless Chromium against sluice', { timeout: 10 * TEST_TIMEOUT_MS }, () => {
  before(async () => {
    state.shots = process.env.SLUICE_SCREENSHOT_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-portal-screenshots-'));
    fs.mkdirSync(state.shots, { recursive: true });
    console.log(`portal.test.mjs: screenshots in ${state.shots}`);
    const server = (state.server = new SluiceServer('sluice-portal-'));
    server.seed(['--users', '200', '--posts', '3000', '--seed', '7']);
    state.origin = await server.start();
    state.adminToken = fs.readFileSync(path.join(server.data, 'admin.token'), 'utf8').trim();
    assert.match(state.adminToken, /^sluice_admin_[A-Za-z0-9_-]{43}$/);
    // Two projects, each with an app, made through the admin API.
    state.alpha = await admin('POST', '/admin/v1/projects', { name: 'Alpha Research', plan: 'pro' });
    state.beta = await admin('POST', '/admin/v1/projects', { name: 'Beta Secret Labs', plan: 'pro' });
    state.alphaApp = await admin('POST', `/admin/v1/projects/${state.alpha.id}/apps`, { name: 'alpha-crawler' });
    state.betaApp = await admin('POST', `/admin/v1/projects/${state.beta.id}/apps`, { name: 'beta-hidden-app' });
    // Words the seeded posts use, for searches that deliver posts.
    state.query = ['the', 'a', 'new'];
    state.browser = await withTimeout(chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }), 30_000, 'chromium to start');
  });

  after(async () => {
    await state.browser?.close();
    await state.server?.stop();
  });

  test('a project signs in with its console key; its usage bar and chart move as its app calls the API', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, errors } = await openPage([BEFORE_SIGN_IN]);
    try {
      await page.goto(state.origin + '/');  // 302 to /portal/, whose script shows the sign-in page
      await page.waitForURL(/\/portal\/#\/signin$/);
      await page.getByLabel('Console key or admin token').waitFor();
      // Platform accounts are sent to their own page: the apps they authorised (docs/oauth.md).
      assert.equal(await page.locator('#account-apps a').getAttribute('href'), '/i/account/apps');
      const accountPage = await api('GET', '/i/account/apps', {});
      assert.equal(accountPage.status, 200, accountPage.text.slice(0, 200));
      await shoot(page, 'signin');
      await signIn(page, state.alpha.console_key);
      await page.getByRole('heading', { level: 1, name: 'Alpha Research' }).waitFor();
      // The heading comes before the first usage answer: read the bar once it has been drawn,
      // or a slow first answer (seen under TSan) is taken for the move.
      await page.waitForFunction(() => /of 1,000,000 posts/.test(document.querySelector('#usage-text')?.textContent ?? ''));
      const before = await usageNumbers(page);
      assert.equal(before.now, 0, 'the new project has used nothing');
      const delivered = await searchAs(state.alphaApp.bearer_token, 5);
      assert.ok(delivered.length > 0, 'the searches delivered posts');
      // The overview polls every few seconds: the bar and the text move without a reload.
      await page.waitForFunction((old) => Number(document.querySelector('#usage-bar')?.getAttribute('aria-valuenow')) > old, before.now, { timeout: 15_000 });
      const afterCalls = await usageNumbers(page);
      assert.ok(afterCalls.now > before.now, `the bar's value: ${before.now} → ${afterCalls.now}`);
      assert.ok(afterCalls.fill > before.fill, `the bar's fill: ${before.fill} px → ${afterCalls.fill} px`);
      assert.notEqual(afterCalls.text, before.text);
      assert.match(afterCalls.text, /of 1,000,000 posts/);
      assert.match(await page.locator('#usage-reset').textContent(), /^Resets \d{4}-\d{2}-\d{2}/);
      // The chart: a uPlot canvas with a series named after the app, and its data table.
      await page.locator('#usage-chart canvas').first().waitFor();
      assert.ok(await page.locator('#usage-chart .u-legend').textContent().then((t) => t.includes('alpha-crawler')));
      await page.locator('#usage-chart-table td', { hasText: 'alpha-crawler' }).first().waitFor({ state: 'attached' });
      assert.match(await page.locator('#credit-balance').textContent(), /^-?\$\d/);
      await shoot(page, 'overview');

      // Keyboard: on a fresh load the first Tab reaches the skip link, and Enter on it focuses
      // the content; the next Tab reaches the navigation's first link.
      await page.reload();
      await page.locator('#usage-text').waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
      assert.match(page.url(), /#\/p\/\d+\/overview$/);

      // Limits and licence pages render for this project.
      await page.goto(`${state.origin}/portal/#/p/${state.alpha.id}/limits`);
      await page.locator('#limits-table').waitFor();
      assert.ok((await page.locator('#limits-table tbody tr').count()) > 0);
      await shoot(page, 'limits');
      await page.goto(`${state.origin}/portal/#/p/${state.alpha.id}/license`);
      await page.locator('#license-terms').waitFor();
      assert.match(await page.locator('#license-uses').textContent(), /search: permitted/);
      await shoot(page, 'license');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a key created in the portal works, and once revoked the API answers it 401', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, errors } = await openPage([BEFORE_SIGN_IN]);
    try {
      await signIn(page, state.alpha.console_key);
      await page.getByRole('link', { name: 'Apps and keys' }).click();
      await page.locator('#apps-table').waitFor();
      await page.getByLabel('App name').fill('portal-made');
      await page.getByRole('button', { name: 'Create app' }).click();
      const secret = page.locator('#new-token .secret-value');
      await secret.waitFor();
      const token = (await secret.textContent()).trim();
      assert.ok(token.length > 20, token);
      await page.locator('#apps-table td', { hasText: 'portal-made' }).first().waitFor();
      await shoot(page, 'apps');
      assert.equal((await api('GET', '/2/tweets/search/recent?query=the', { token })).status, 200);
      await page.getByRole('button', { name: 'Revoke portal-made' }).click();
      await page.locator('#apps-table tr', { hasText: 'portal-made' }).locator('td', { hasText: 'Revoked' }).waitFor();
      assert.equal((await api('GET', '/2/tweets/search/recent?query=the', { token })).status, 401);
      // The first app still works.
      assert.equal((await api('GET', '/2/tweets/search/recent?query=the', { token: state.alphaApp.bearer_token })).status, 200);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the invoice CSV downloads', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, errors } = await openPage([BEFORE_SIGN_IN]);
    try {
      await signIn(page, state.alpha.console_key);
      await page.goto(`${state.origin}/portal/#/p/${state.alpha.id}/invoices`);
      await page.locator('#invoices-table').waitFor();
      await page.locator('#invoices-table button').first().click();
      await page.locator('#invoice-detail table').waitFor();
      await shoot(page, 'invoices');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#invoices-table a.csv').first().click()]);
      assert.match(download.suggestedFilename(), new RegExp(`^sluice-invoice-${state.alpha.id}-\\d{4}-\\d{2}\\.csv$`));
      const file = await download.path();
      const csv = fs.readFileSync(file, 'utf8');
      assert.ok(csv.split('\n').length >= 2, csv);
      assert.match(csv.split('\n')[0], /,/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("a project never sees another project's data", { timeout: TEST_TIMEOUT_MS }, async () => {
    const other = state.beta.id;
    const { context, page, errors } = await openPage([BEFORE_SIGN_IN, [404, `/admin/v1/projects/${other}`]]);
    try {
      await signIn(page, state.alpha.console_key);
      // The session's own cookie, fetched directly: the other project is not found, like an id
      // that does not exist; the operator's list is forbidden.
      const csrf = await page.evaluate(async () => (await (await fetch('/admin/v1/session')).json()).data.csrf_token);
      for (const target of [`/admin/v1/projects/${other}`, `/admin/v1/projects/${other}/apps`, `/admin/v1/projects/${other}/usage`,
        `/admin/v1/projects/${other}/invoices`, '/admin/v1/projects/999999999']) {
        const r = await context.request.get(state.origin + target);
        assert.equal(r.status(), 404, `${target}: ${await r.text()}`);
        assert.ok(!(await r.text()).includes('Beta Secret'), target);
      }
      const list = await context.request.get(state.origin + '/admin/v1/projects');
      assert.equal(list.status(), 403);
      const revoke = await context.request.post(`${state.origin}/admin/v1/apps/${state.betaApp.id}/revoke`, { headers: { 'X-CSRF-Token': csrf } });
      assert.equal(revoke.status(), 404);
      assert.equal((await api('GET', '/2/tweets/search/recent?query=the', { token: state.betaApp.bearer_token })).status, 200);
      // The portal at the other project's pages shows no data of it.
      await page.goto(`${state.origin}/portal/#/p/${other}/overview`);
      await page.locator('main .error').waitFor();
      assert.match(await page.locator('main .error').textContent(), /404/);
      const text = await page.locator('body').textContent();
      assert.ok(!text.includes('Beta Secret') && !text.includes('beta-hidden-app'), text);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('path traversal under /portal is refused', { timeout: TEST_TIMEOUT_MS }, async () => {
    const index = await api('GET', '/portal/');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-security-policy'), /default-src 'self'/);
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    const dataDir = state.server.data;
    for (const target of ['/portal/../healthz', '/portal/%2e%2e/%2e%2e/etc/passwd', '/portal/..%2f..%2fetc%2fpasswd',
      '/portal/assets/../../../../etc/passwd', '/portal/..\\..\\etc\\passwd', '/portal/%00', `/portal/${dataDir}/admin.token`,
      '/portal/.%2e/admin.token', '/portal//etc/passwd']) {
      const r = await rawStatus(target);
      assert.ok(r.status === 400 || r.status === 404, `${target}: ${r.raw.slice(0, 200)}`);
      assert.ok(!r.raw.includes('root:') && !r.raw.includes('sluice_admin_'), target);
    }
  });

  test('the operator signs in with the admin token, sees projects and plans, adds credits', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, errors } = await openPage([BEFORE_SIGN_IN]);
    try {
      await signIn(page, state.adminToken);
      await page.locator('#projects-table').waitFor();
      for (const name of ['Alpha Research', 'Beta Secret Labs'])
        await page.locator('#projects-table td', { hasText: name }).first().waitFor();
      await page.locator('#plans-table').waitFor();
      await shoot(page, 'admin-projects');
      // Credits added through the form show in the project's balance.
      await page.getByLabel('Project', { exact: true }).selectOption(state.beta.id);
      await page.getByLabel('Amount in US dollars').fill('12.50');
      await page.getByRole('button', { name: 'Add credits' }).click();
      await page.locator('#credit-result', { hasText: 'Balance' }).waitFor();
      const credits = await admin('GET', `/admin/v1/projects/${state.beta.id}/credits`);
      assert.ok(credits.entries.some((e) => e.micro_usd === 12_500_000), JSON.stringify(credits));

      // The operator opens a project's overview.
      await page.getByRole('link', { name: 'Open Alpha Research' }).click();
      await page.getByRole('heading', { level: 1, name: 'Alpha Research' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the operator verifies the ledger and runs a trace that names the app, with its evidence', { timeout: TEST_TIMEOUT_MS }, async () => {
    const probe = await api('GET', '/admin/v1/ledger', { token: state.adminToken });
    assert.equal(probe.status, 200, probe.text);
    const { context, page, errors } = await openPage([BEFORE_SIGN_IN]);
    try {
      await signIn(page, state.adminToken);
      await page.locator('#projects-table').waitFor();
      await page.getByRole('link', { name: 'Ledger' }).click();
      await page.locator('#ledger-status').waitFor();
      await page.getByRole('button', { name: 'Verify now' }).click();
      await page.locator('#verify-result', { hasText: 'Verified: intact' }).waitFor();
      await shoot(page, 'admin-ledger');

      // A trace run over posts the alpha app received: it names the app, with its p-value.
      const ids = await searchAs(state.alphaApp.bearer_token, 3);
      const posts = [];
      for (let i = 0; i < ids.length; i += 100) {
        const r = await api('GET', `/2/tweets?ids=${ids.slice(i, i + 100).join(',')}`, { token: state.alphaApp.bearer_token });
        posts.push(...r.json.data);
      }
      const leak = path.join(state.server.dir, 'leak.jsonl');
      fs.writeFileSync(leak, posts.map((p) => JSON.stringify(p)).join('\n') + '\n');
      await page.getByRole('link', { name: 'Traces' }).click();
      await page.getByLabel('Or a path on the server').fill(leak);
      await page.getByRole('button', { name: 'Start' }).click();
      await page.locator('#trace-apps td', { hasText: 'alpha-crawler' }).first().waitFor({ timeout: 60_000 });
      const row = page.locator('#trace-apps tr', { hasText: 'alpha-crawler' });
      assert.match(await row.textContent(), /Named/);
      assert.match(await row.textContent(), /\d\.\d+e[-+]\d+/);
      const [evidence] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /evidence/i }).click()]);
      const bundle = JSON.parse(fs.readFileSync(await evidence.path(), 'utf8'));
      assert.ok(bundle && typeof bundle === 'object');
      await shoot(page, 'admin-traces');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
