// Integration test: OAuth 2.0 Authorization Code with PKCE (issue 15) as a real client app and a
// real browser drive it: twitter-api-v2's OAuth 2.0 helpers (generateOAuth2AuthLink,
// loginWithOAuth2, refreshOAuth2Token, revokeOAuth2Token) against `sluice serve` over TLS, and
// the sign-in, consent and account pages in headless Chromium (playwright-core, Debian's
// /usr/bin/chromium from scripts/install-deps; Playwright downloads nothing).
//
//   bash tests/integration/setup-node.sh
//   SLUICE_BINARY=build/src/sluice node --test tests/integration/node/oauth.test.mjs
//
// Screenshots of every page go to $SLUICE_SCREENSHOT_DIR (ctest: build/tests/integration/screenshots)
// or to a temporary folder named in the log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';
import { ApiResponseError, TwitterApi } from 'twitter-api-v2';

import { SluiceServer, withTimeout } from './sluice-server.mjs';

const CHROMIUM = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';
const TEST_TIMEOUT_MS = 60_000;
const PHONE = { width: 390, height: 844 };
const PASSWORD = 'correct horse battery staple';
const APP = 'Scheduler';
const PUBLIC_APP = 'Phone app';

// X's words for the scopes asked (src/core/scopes.h), as the consent page must show them.
const SCOPE_WORDS = {
  'tweet.read': 'View all posts you can see, including those from protected accounts.',
  'users.read': 'View any account you can see, including protected accounts.',
  'tweet.write': 'Create and repost on your behalf.',
  'like.write': 'Like and unlike Posts on your behalf.',
  'offline.access': 'Request a refresh token for the app.',
};
const SCOPES = Object.keys(SCOPE_WORDS);

// alice (200) signs in; carol (300) wrote post 1000, which alice likes.
const DATA = [
  { id: '200', username: 'alice', name: 'Alice' },
  { id: '300', username: 'carol', name: 'Carol' },
  { id: '1000', text: 'carol says hi', author_id: '300', created_at: '2021-11-15T19:08:05.069Z' },
];

const state = {
  server: undefined,
  agent: undefined,
  callbackServer: undefined,
  callback: undefined, // the redirect URI: http://127.0.0.1:PORT/callback
  browser: undefined,
  shots: undefined, // screenshot folder
  confidential: undefined, // apps create output
  publicClient: undefined,
};

// twitter-api-v2 sends every request to https://api.x.com (API calls and the token and revoke
// endpoints alike, as absolute URLs): this plugin rewrites each to the Sluice server before the
// client builds it, and refuses anything else.
function toSluice(origin) {
  return {
    onBeforeRequestConfig({ params }) {
      const u = new URL(params.url);
      if (u.origin !== 'https://api.x.com') throw new Error(`unexpected request to ${u.href}`);
      params.url = origin + u.pathname + u.search;
    },
    onBeforeRequest({ url }) {
      if (url.origin !== origin) throw new Error(`refusing non-loopback request to ${url.href}`);
    },
  };
}

function apiClient(credentials) {
  return new TwitterApi(credentials, { httpAgent: state.agent, plugins: [toSluice(state.server.origin)] });
}

// generateOAuth2AuthLink points at X's page; the same path and query on Sluice.
function onSluice(link) {
  const u = new URL(link.url);
  assert.equal(u.origin + u.pathname, 'https://x.com/i/oauth2/authorize');
  return state.server.origin + u.pathname + u.search;
}

// A new browser context (no cookies) at a phone's width whose pages record console errors and
// uncaught page errors in `errors`.
async function newBrowser() {
  const context = await state.browser.newContext({ ignoreHTTPSErrors: true, viewport: PHONE });
  const errors = [];
  context.on('page', (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console error on ${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error on ${page.url()}: ${e.message}`));
  });
  const page = await context.newPage();
  return { context, page, errors };
}

// Runs `fn` with a new browser; the pages must have logged no error. An API error names its
// request and the server's answer.
async function inBrowser(fn) {
  const browser = await newBrowser();
  try {
    await fn(browser);
    assert.deepEqual(browser.errors, [], 'the pages log no error');
  } catch (e) {
    if (e instanceof ApiResponseError) {
      throw new Error(`${e.request?.method} ${e.request?.path}: ${e.message}: ${JSON.stringify(e.data)}`, { cause: e });
    }
    throw e;
  } finally {
    await browser.context.close();
  }
}

// Fits a phone: nothing wider than the viewport (no horizontal scroll). Saves a screenshot.
async function checkPage(page, name) {
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${name}: the page is ${width} px wide at a ${PHONE.width} px viewport`);
  await page.screenshot({ path: path.join(state.shots, `${name}.png`), fullPage: true });
}

async function signIn(page, name) {
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill(PASSWORD);
  await checkPage(page, `${name}-sign-in`);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// The consent page of `app` for SCOPES: names the app, its owner and every scope in words.
async function checkConsent(page, app, name) {
  await page.getByRole('heading', { name: `Authorize ${app} to use your account?` }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(`Signed in as @alice`));
  assert.match(text, new RegExp(`${app}, an app of \\S.*, asks to:`));
  const items = await page.getByRole('listitem').allInnerTexts();
  assert.deepEqual(
    items.map((i) => i.trim()).sort(),
    SCOPES.map((s) => `${SCOPE_WORDS[s]} ${s}`).sort(),
    'the consent page lists each scope asked, in words',
  );
  await checkPage(page, `${name}-consent`);
}

// The query of the redirect the browser followed to the callback.
async function landedOnCallback(page) {
  await page.waitForURL((u) => u.href.startsWith(`${state.callback}?`));
  return new URL(page.url()).searchParams;
}

// Signs alice in if needed, allows, and returns {link, code} of the authorization of `api`.
async function authorize(page, api, app, name, { signInFirst }) {
  const link = api.generateOAuth2AuthLink(state.callback, { scope: SCOPES });
  await page.goto(onSluice(link));
  if (signInFirst) await signIn(page, name);
  await checkConsent(page, app, name);
  await page.getByRole('button', { name: 'Authorize app' }).click();
  const q = await landedOnCallback(page);
  assert.equal(q.get('state'), link.state);
  assert.equal(q.get('error'), null);
  const code = q.get('code');
  assert.match(code ?? '', /^[A-Za-z0-9_-]{64}$/);
  return { link, code };
}

// The request must fail with an OAuth error (RFC 6749 5.2) or X's problem of `status`.
async function refused(promise, status, error) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof ApiResponseError, `expected an ApiResponseError, got ${e}`);
    assert.equal(e.code, status, JSON.stringify(e.data));
    if (error) assert.equal(e.data.error, error, JSON.stringify(e.data));
    return true;
  });
}

describe('OAuth 2.0 with twitter-api-v2 and headless Chromium against sluice', { timeout: 5 * TEST_TIMEOUT_MS }, () => {
  before(async () => {
    assert.ok(
      fs.existsSync(CHROMIUM),
      `${CHROMIUM} not found: run scripts/install-deps (it installs Debian's chromium), or set SLUICE_CHROMIUM`,
    );
    state.shots = process.env.SLUICE_SCREENSHOT_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-oauth-screenshots-'));
    fs.mkdirSync(state.shots, { recursive: true });
    console.log(`oauth.test.mjs: screenshots in ${state.shots}`);

    // The client's own site: answers the redirect with a page (the browser lands there).
    state.callbackServer = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><title>Callback</title><p>Back at the app.</p></html>');
    });
    await new Promise((resolve) => state.callbackServer.listen(0, '127.0.0.1', resolve));
    state.callback = `http://127.0.0.1:${state.callbackServer.address().port}/callback`;

    const server = (state.server = new SluiceServer('sluice-oauth-'));
    const cert = server.makeCertificate();
    fs.mkdirSync(server.data, { recursive: true });
    const file = path.join(server.dir, 'data.jsonl');
    fs.writeFileSync(file, DATA.map((d) => JSON.stringify(d)).join('\n') + '\n');
    server.run(['import', '--data', server.data, file]);
    server.run(['users', 'set-password', '--data', server.data, '--username', 'alice'], `${PASSWORD}\n`);
    state.confidential = server.createApp(APP, 'pro', ['--redirect-uri', state.callback]);
    state.publicClient = server.createApp(PUBLIC_APP, 'pro', ['--redirect-uri', state.callback, '--public-client']);
    assert.equal(typeof state.confidential.client_secret, 'string');
    assert.equal(state.publicClient.client_secret, undefined);
    await server.start({ appTokensWrite: false }); // X's rule: app tokens do not write

    state.agent = new https.Agent({ ca: fs.readFileSync(cert), keepAlive: true });
    state.browser = await withTimeout(chromium.launch({ executablePath: CHROMIUM }), 30_000, 'chromium to start');
  });

  after(async () => {
    await state.browser?.close();
    state.agent?.destroy(); // close kept-alive connections so shutdown is not waiting on us
    state.callbackServer?.close();
    await state.server?.stop();
  });

  test('a confidential client: browser consent, loginWithOAuth2, acting as the account, refresh, revoke, replay', { timeout: TEST_TIMEOUT_MS }, async () => {
    await inBrowser(async ({ page }) => {
      const api = apiClient({ clientId: state.confidential.client_id, clientSecret: state.confidential.client_secret });
      const { link, code } = await authorize(page, api, APP, 'confidential', { signInFirst: true });

      const login = await api.loginWithOAuth2({ code, codeVerifier: link.codeVerifier, redirectUri: state.callback });
      assert.equal(login.expiresIn, 7200);
      assert.deepEqual([...login.scope].sort(), [...SCOPES].sort());
      assert.match(login.accessToken, /^slu_/);
      assert.match(login.refreshToken, /^slr_/);

      // The token acts for alice: who she is, what she posts, what she likes.
      const alice = login.client;
      const me = await alice.v2.me();
      assert.deepEqual(me.data, { id: '200', name: 'Alice', username: 'alice' });
      const posted = await alice.v2.tweet('posted for alice by twitter-api-v2');
      const post = await alice.v2.singleTweet(posted.data.id, { 'tweet.fields': ['author_id'] });
      assert.equal(post.data.author_id, '200');
      assert.equal(post.data.text, 'posted for alice by twitter-api-v2');
      const liked = await alice.v2.like(me.data.id, '1000');
      assert.equal(liked.data.liked, true);
      const carols = await alice.v2.singleTweet('1000', { 'tweet.fields': ['public_metrics'] });
      assert.equal(carols.data.public_metrics.like_count, 1);

      // Refresh: new tokens; the old refresh token is spent.
      const refreshed = await api.refreshOAuth2Token(login.refreshToken);
      assert.notEqual(refreshed.accessToken, login.accessToken);
      assert.notEqual(refreshed.refreshToken, login.refreshToken);
      assert.deepEqual([...refreshed.scope].sort(), [...SCOPES].sort());
      assert.equal((await refreshed.client.v2.me()).data.username, 'alice');

      // RFC 7009: revoking the new access token ends it alone.
      await api.revokeOAuth2Token(refreshed.accessToken, 'access_token');
      await refused(refreshed.client.v2.me(), 401);

      // Replay: the spent refresh token again is refused and revokes the grant, so the refresh
      // token that replaced it is refused too.
      await refused(api.refreshOAuth2Token(login.refreshToken), 400, 'invalid_grant');
      await refused(api.refreshOAuth2Token(refreshed.refreshToken), 400, 'invalid_grant');

    });
  });

  test('a public client (no secret): the whole flow; revoking its refresh token ends the grant', { timeout: TEST_TIMEOUT_MS }, async () => {
    await inBrowser(async ({ page }) => {
      const api = apiClient({ clientId: state.publicClient.client_id });
      const { link, code } = await authorize(page, api, PUBLIC_APP, 'public', { signInFirst: true });
      // The verifier binds the code to this client: a wrong one is refused, the right one is not.
      await refused(api.loginWithOAuth2({ code, codeVerifier: 'x'.repeat(64), redirectUri: state.callback }), 400, 'invalid_grant');
      const login = await api.loginWithOAuth2({ code, codeVerifier: link.codeVerifier, redirectUri: state.callback });
      assert.equal((await login.client.v2.me()).data.username, 'alice');

      const refreshed = await api.refreshOAuth2Token(login.refreshToken);
      assert.equal((await refreshed.client.v2.me()).data.username, 'alice');
      await api.revokeOAuth2Token(refreshed.refreshToken, 'refresh_token');
      await refused(refreshed.client.v2.me(), 401);
      await refused(api.refreshOAuth2Token(refreshed.refreshToken), 400, 'invalid_grant');
    });
  });

  test('a code replayed is refused and ends the tokens it gave', { timeout: TEST_TIMEOUT_MS }, async () => {
    await inBrowser(async ({ page }) => {
      const api = apiClient({ clientId: state.confidential.client_id, clientSecret: state.confidential.client_secret });
      const { link, code } = await authorize(page, api, APP, 'replay', { signInFirst: true });
      const exchange = { code, codeVerifier: link.codeVerifier, redirectUri: state.callback };
      const login = await api.loginWithOAuth2(exchange);
      assert.equal((await login.client.v2.me()).data.username, 'alice');
      // Whoever presents it second, thief or client, the grant ends (RFC 6749 10.5).
      await refused(api.loginWithOAuth2(exchange), 400, 'invalid_grant');
      await refused(login.client.v2.me(), 401);
      await refused(api.refreshOAuth2Token(login.refreshToken), 400, 'invalid_grant');
    });
  });

  test('deny sends error=access_denied and the state back to the redirect URI', { timeout: TEST_TIMEOUT_MS }, async () => {
    await inBrowser(async ({ page }) => {
      const api = apiClient({ clientId: state.confidential.client_id, clientSecret: state.confidential.client_secret });
      const link = api.generateOAuth2AuthLink(state.callback, { scope: SCOPES });
      await page.goto(onSluice(link));
      await signIn(page, 'deny');
      await checkConsent(page, APP, 'deny');
      await page.locator('button[name="decision"][value="deny"]').click();
      const q = await landedOnCallback(page);
      assert.equal(q.get('error'), 'access_denied');
      assert.equal(q.get('state'), link.state);
      assert.equal(q.get('code'), null);
    });
  });

  test('with the keyboard alone; the account page lists the app and its Revoke button ends its tokens', { timeout: TEST_TIMEOUT_MS }, async () => {
    await inBrowser(async ({ page }) => {
      const api = apiClient({ clientId: state.confidential.client_id, clientSecret: state.confidential.client_secret });
      const link = api.generateOAuth2AuthLink(state.callback, { scope: SCOPES });
      await page.goto(onSluice(link));

      // Tab reaches the username, then the password; Enter submits the form.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.name), 'username');
      await page.keyboard.type('alice');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.name), 'password');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await checkConsent(page, APP, 'keyboard');

      // Tab to the allow button (past the link to the account page), Enter presses it.
      let focused;
      for (let i = 0; i < 10; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => `${document.activeElement?.tagName}:${document.activeElement?.value ?? ''}`);
        if (focused === 'BUTTON:allow') break;
      }
      assert.equal(focused, 'BUTTON:allow', 'Tab reaches the allow button');
      await page.keyboard.press('Enter');
      const q = await landedOnCallback(page);
      assert.equal(q.get('state'), link.state);
      const login = await api.loginWithOAuth2({ code: q.get('code'), codeVerifier: link.codeVerifier, redirectUri: state.callback });
      assert.equal((await login.client.v2.me()).data.username, 'alice');

      // The account page (the session cookie of the sign-in above) lists the app and revokes it.
      await page.goto(`${state.server.origin}/i/account/apps`);
      await page.getByRole('heading', { name: 'Apps you authorized' }).waitFor();
      const section = page.getByRole('region', { name: APP });
      await section.getByRole('heading', { name: APP }).waitFor();
      const items = await section.getByRole('listitem').allInnerTexts();
      for (const s of SCOPES) assert.ok(items.some((i) => i.includes(SCOPE_WORDS[s])), `${s} listed on the account page: ${items}`);
      await checkPage(page, 'account-apps');
      await section.getByRole('button', { name: `Revoke access of ${APP}` }).click();
      await page.getByRole('status').filter({ hasText: `${APP} can no longer use your account.` }).waitFor();
      assert.equal(await page.getByRole('region', { name: APP }).count(), 0, 'the app is gone from the page');
      await checkPage(page, 'account-apps-revoked');

      await refused(login.client.v2.me(), 401);
      await refused(api.refreshOAuth2Token(login.refreshToken), 400, 'invalid_grant');
    });
  });
});
