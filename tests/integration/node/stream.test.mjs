// Integration test: the filtered stream with the real npm client `twitter-api-v2` against a Sluice
// server over TLS: rules (updateStreamRules, streamRules), searchStream with its events
// (ETwitterStreamEvent), keep-alive and reconnect handling, backfill_minutes, X's connection
// limit and disconnects; a slow reader with node's own https client; a batch compliance job.
//
//   bash tests/integration/setup-node.sh
//   SLUICE_BINARY=build/src/sluice node --test tests/integration/node/stream.test.mjs
//
// Nothing here sleeps for a fixed time to let something happen: every wait is for an event
// (or a polled condition) with a timeout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

import { ApiResponseError, ETwitterStreamEvent, TwitterApi, TwitterApiv2 } from 'twitter-api-v2';

import { SluiceServer, withTimeout } from './sluice-server.mjs';

const TEST_TIMEOUT_MS = 60_000;
const WAIT_MS = 15_000; // bound for every wait on an event
const KEEPALIVE_MS = 150; // server.stream_keepalive_ms
const BUFFER_BYTES = 64 * 1024; // server.stream_buffer_bytes
const LONG_POST_CHARS = 20_000; // posts.max_chars: the slow reader's lines are this long
// Words no seeded post holds; a run's own, so rules match only the posts this test writes.
const NONCE = crypto.randomBytes(4).toString('hex');
const WORD = `kestrel${NONCE}`; // the reader's stream
const SLOW_WORD = `heron${NONCE}`; // the slow reader's stream

const SLOW_READER_LINE = // its members in any order
  '{"errors":[{"title":"operational-disconnect","detail":"This stream has been disconnected because your client was reading too slowly.","type":"https://api.twitter.com/2/problems/operational-disconnect","disconnect_type":"SlowReader"}]}';

// As in client.test.mjs: every v2 URL is `prefix + endpoint`; setPrefix is the library's hook.
class SluiceV2 extends TwitterApiv2 {
  constructor(client, prefix) {
    super(client);
    this.setPrefix(prefix);
  }
}

const state = {
  server: undefined,
  agent: undefined,
  ca: undefined,
  origin: undefined,
  reader: undefined, // Pro: one filtered stream at once
  writer: undefined, // Enterprise: writes every post, as its own account
  slowToken: undefined, // Enterprise: the raw slow reader's app
  watchRuleId: undefined, // the reader's rule on WORD, tag "watch"
  posted: 0,
};

// Only loopback, for requests and streams alike.
function loopbackGuard(origin) {
  const check = (url) => {
    if (url.origin !== origin) throw new Error(`refusing non-loopback request to ${url.href}`);
  };
  return {
    onBeforeRequest({ url }) {
      check(url);
    },
    onBeforeStreamRequestConfig({ url }) {
      check(url);
    },
  };
}

// Every event of one TweetStream, in order; waits for the next one that satisfies a predicate.
class StreamWatch {
  constructor(stream) {
    this.stream = stream;
    this.events = [];
    this.waiters = new Set();
    for (const name of Object.values(ETwitterStreamEvent)) stream.on(name, (payload) => this.push(name, payload));
  }

  push(type, payload) {
    this.events.push({ type, payload });
    for (const w of [...this.waiters]) w();
  }

  // The first event at or after index `from` for which `pred(event)` holds; its index is `at`.
  waitFor(pred, what, { from = 0, ms = WAIT_MS } = {}) {
    let check;
    const found = new Promise((resolve) => {
      let next = from;
      check = () => {
        for (; next < this.events.length; next++) {
          if (pred(this.events[next])) {
            this.waiters.delete(check);
            resolve({ ...this.events[next], at: next });
            return;
          }
        }
      };
      this.waiters.add(check);
      check();
    });
    return withTimeout(found, ms, `${what}; events: ${this.describe()}`).finally(() => this.waiters.delete(check));
  }

  // Waits until every id of `ids` arrived as a data line at or after `from`.
  async waitForPosts(ids, what, from = 0) {
    const missing = new Set(ids);
    return this.waitFor(
      (e) => {
        if (e.type === ETwitterStreamEvent.Data) missing.delete(e.payload.data?.id);
        return missing.size === 0;
      },
      `${what}: ${[...missing].join(', ')} not streamed`,
      { from },
    );
  }

  data(from = 0, to = this.events.length) {
    return this.events.slice(from, to).filter((e) => e.type === ETwitterStreamEvent.Data).map((e) => e.payload);
  }

  count(type) {
    return this.events.filter((e) => e.type === type).length;
  }

  describe() {
    const counts = {};
    for (const e of this.events) counts[e.type] = (counts[e.type] ?? 0) + 1;
    return JSON.stringify(counts);
  }
}

// Writes a post holding `word` as the writer's account; returns its id.
async function post(word, extra = '') {
  state.posted += 1;
  const created = await state.writer.tweet(`${word} stream test post ${state.posted} ${extra}`.trim());
  assert.match(created.data.id, /^[0-9]{1,19}$/);
  return created.data.id;
}

// Waits until the server holds no stream open (its sluice_streams_open gauge), polling.
async function waitForNoStreams() {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const open = await metric('sluice_streams_open');
    if (open === 0) return;
    assert.ok(Date.now() < deadline, `${open} streams still open after ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Connects with `connect` once the server has seen the app's previous stream go. Until it has
// also left the app's connection count (a moment later), X's 429: tried again, 50 ms apart.
async function connectWhenFree(connect) {
  await waitForNoStreams();
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      return await connect();
    } catch (e) {
      if (!(e instanceof ApiResponseError && e.code === 429 && e.data?.title === 'ConnectionException') || Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

// A filtered stream of `v2`, connected by the library (connect(connectOptions)), watched.
function openStream(v2, params, connectOptions = {}) {
  return connectWhenFree(async () => {
    const stream = v2.searchStream({ ...params, autoConnect: false });
    const watch = new StreamWatch(stream);
    try {
      await stream.connect({ autoReconnect: false, ...connectOptions });
    } catch (e) {
      stream.destroy();
      throw e;
    }
    return watch;
  });
}

// The library's own reconnection of a closed stream: the same request again.
function reconnect(watch) {
  return connectWhenFree(() => watch.stream.reconnect());
}

// GET `target` on the server with node's https client; resolves to { status, body }.
function httpsGet(target, headers = {}) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = https.get(`${state.origin}${target}`, { ca: state.ca, agent: false, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
    }),
    WAIT_MS,
    `GET ${target}`,
  );
}

// A counter of the server's /metrics (Prometheus text), 0 when absent.
async function metric(line) {
  const { status, body } = await httpsGet('/metrics');
  assert.equal(status, 200);
  const found = body.split('\n').find((l) => l.startsWith(line + ' '));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

const FIELDS = {
  'tweet.fields': ['created_at', 'author_id', 'lang'],
  expansions: ['author_id'],
  'user.fields': ['username', 'name'],
};

describe('twitter-api-v2 filtered stream against sluice over TLS', { timeout: 10 * TEST_TIMEOUT_MS }, () => {
  before(async () => {
    state.server = new SluiceServer('sluice-node-stream-');
    const cert = state.server.makeCertificate();
    state.ca = fs.readFileSync(cert);
    state.server.seed(['--users', '50', '--posts', '300', '--seed', '5']);
    const config = path.join(state.server.dir, 'stream.toml');
    fs.writeFileSync(
      config,
      [
        '[server]',
        `stream_keepalive_ms = ${KEEPALIVE_MS}`,
        `stream_buffer_bytes = ${BUFFER_BYTES}`,
        // The slow reader's socket takes nothing while its queue fills: not the send deadline's
        // case (a dead peer), so it must not end it first.
        'send_timeout_ms = 120000',
        '[posts]',
        `max_chars = ${LONG_POST_CHARS}`,
        '',
      ].join('\n'),
    );
    const reader = state.server.createApp('node-stream-reader', 'pro', ['--config', config]);
    const writer = state.server.createApp('node-stream-writer', 'enterprise', ['--config', config]);
    const slow = state.server.createApp('node-stream-slow', 'enterprise', ['--config', config]);
    state.origin = await state.server.start({ extra: ['--config', config] });
    state.agent = new https.Agent({ ca: state.ca, keepAlive: true });
    const v2For = (token) =>
      new SluiceV2(new TwitterApi(token, { httpAgent: state.agent, plugins: [loopbackGuard(state.origin)] }), `${state.origin}/2/`);
    state.reader = v2For(reader.bearer_token);
    state.writer = v2For(writer.bearer_token);
    state.slowToken = slow.bearer_token;
    state.slowV2 = v2For(slow.bearer_token);
  });

  after(async () => {
    state.agent?.destroy();
    await state.server?.stop();
  });

  test('rules: add with tags, dry_run, list, delete by ids; duplicate and invalid rules as X answers', { timeout: TEST_TIMEOUT_MS }, async () => {
    const v2 = state.reader;
    const empty = await v2.streamRules();
    assert.equal(empty.data, undefined, 'a new app holds no rules');
    assert.equal(empty.meta.result_count, 0);
    assert.ok(!Number.isNaN(Date.parse(empty.meta.sent)));

    // dry_run: the same answer, nothing kept.
    const add = { add: [{ value: WORD, tag: 'watch' }, { value: `${WORD} lang:en`, tag: 'english' }, { value: `from:${NONCE}x` }] };
    const dry = await v2.updateStreamRules(add, { dry_run: true });
    assert.deepEqual(dry.meta.summary, { created: 3, not_created: 0, valid: 3, invalid: 0 });
    assert.equal(dry.data.length, 3);
    assert.equal((await v2.streamRules()).meta.result_count, 0, 'dry_run kept a rule');

    const added = await v2.updateStreamRules(add);
    assert.deepEqual(added.meta.summary, { created: 3, not_created: 0, valid: 3, invalid: 0 });
    assert.equal(added.errors, undefined);
    assert.deepEqual(added.data.map((r) => [r.value, r.tag]), add.add.map((r) => [r.value, r.tag]));
    for (const r of added.data) assert.match(r.id, /^[0-9]{1,19}$/);
    const [watch, english, noTag] = added.data;
    state.watchRuleId = watch.id;

    const listed = await v2.streamRules();
    assert.equal(listed.meta.result_count, 3);
    assert.deepEqual(
      listed.data.map((r) => ({ ...r })).sort((a, b) => a.id.localeCompare(b.id)),
      added.data.map((r) => ({ ...r })).sort((a, b) => a.id.localeCompare(b.id)),
    );
    const one = await v2.streamRules({ ids: [english.id] });
    assert.deepEqual(one.data, [english]);

    // A duplicate is not an error response (X: 200): the rule holding the value is named.
    const dup = await v2.updateStreamRules({ add: [{ value: WORD, tag: 'again' }] });
    assert.equal(dup.data, undefined);
    assert.equal(dup.meta.summary.created, 0);
    assert.equal(dup.meta.summary.not_created, 1);
    assert.equal(dup.errors.length, 1);
    assert.equal(dup.errors[0].title, 'DuplicateRule');
    assert.equal(dup.errors[0].value, WORD);
    assert.equal(dup.errors[0].id, watch.id);
    assert.match(dup.errors[0].type, /\/2\/problems\/duplicate-rules$/);

    // An invalid rule: X's 400, which the library throws as ApiResponseError; nothing added.
    await assert.rejects(v2.updateStreamRules({ add: [{ value: `${WORD}2`, tag: 'fine' }, { value: `(${WORD}3`, tag: 'bad' }] }), (err) => {
      assert.ok(err instanceof ApiResponseError, `not an ApiResponseError: ${err}`);
      assert.equal(err.code, 400);
      assert.equal(err.isAuthError, false);
      assert.equal(err.rateLimitError, false);
      assert.equal(err.errors.length, 1);
      const e = err.errors[0];
      assert.equal(e.title, 'UnprocessableEntity');
      assert.equal(e.value, `(${WORD}3`);
      assert.match(e.type, /\/2\/problems\/invalid-rules$/);
      assert.ok(Array.isArray(e.details) && e.details.length >= 1 && typeof e.details[0] === 'string', JSON.stringify(e));
      assert.deepEqual(err.data.meta.summary, { created: 0, not_created: 2, valid: 1, invalid: 1 });
      // The library's message for a v2 error names it.
      assert.match(err.message, /^Request failed with code 400/);
      return true;
    });
    assert.equal((await v2.streamRules()).meta.result_count, 3, 'a refused add kept a rule');

    // Delete by ids: dry_run first, then for real; a missing id is reported.
    const dryDelete = await v2.updateStreamRules({ delete: { ids: [english.id, noTag.id] } }, { dry_run: true });
    assert.deepEqual(dryDelete.meta.summary, { deleted: 2, not_deleted: 0 });
    assert.equal((await v2.streamRules()).meta.result_count, 3, 'a dry_run delete removed a rule');
    const deleted = await v2.updateStreamRules({ delete: { ids: [english.id, noTag.id] } });
    assert.deepEqual(deleted.meta.summary, { deleted: 2, not_deleted: 0 });
    const left = await v2.streamRules();
    assert.deepEqual(left.data, [watch]);
    // By value: the rule holding it goes.
    const byValue = await v2.updateStreamRules({ add: [{ value: `${WORD}4`, tag: 'by value' }] });
    assert.equal(byValue.meta.summary.created, 1);
    const deletedByValue = await v2.updateStreamRules({ delete: { values: [`${WORD}4`] } });
    assert.deepEqual(deletedByValue.meta.summary, { deleted: 1, not_deleted: 0 });
    assert.deepEqual((await v2.streamRules()).data, [watch]);
    const again = await v2.updateStreamRules({ delete: { ids: [english.id] } });
    assert.deepEqual(again.meta.summary, { deleted: 0, not_deleted: 1 });
    assert.equal(again.errors[0].errors[0].message, 'Rule does not exist');
    assert.deepEqual(again.errors[0].errors[0].parameters.ids, [english.id]);
  });
  test('searchStream delivers a written post with matching_rules, fields and includes.users', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.watchRuleId, 'needs the rules test');
    const watch = await openStream(state.reader, FIELDS);
    assert.equal(watch.count(ETwitterStreamEvent.Connected), 1);
    const head = watch.stream.originalResponse;
    assert.equal(head.statusCode, 200);
    assert.match(head.headers['content-type'], /^application\/json/);
    assert.ok(Number(head.headers['x-rate-limit-limit']) > 0, 'x-rate-limit-limit on the stream');

    const id = await post(WORD, 'first');
    const { payload } = await watch.waitFor((e) => e.type === ETwitterStreamEvent.Data && e.payload.data?.id === id, `post ${id}`);
    assert.deepEqual(payload.matching_rules, [{ id: state.watchRuleId, tag: 'watch' }]);
    assert.equal(payload.data.text, `${WORD} stream test post ${state.posted} first`);
    assert.deepEqual(payload.data.edit_history_tweet_ids, [id]);
    assert.match(payload.data.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(payload.data.author_id, /^[0-9]{1,19}$/);
    assert.equal(typeof payload.data.lang, 'string');
    assert.equal(payload.includes.users.length, 1);
    const [author] = payload.includes.users;
    assert.equal(author.id, payload.data.author_id);
    assert.equal(typeof author.username, 'string');
    assert.equal(typeof author.name, 'string');

    // A post no rule matches is not streamed: the next one that matches comes, and only it.
    const from = watch.events.length;
    const unmatched = await post(`plover${NONCE}`);
    const matched = await post(WORD, 'second');
    const done = await watch.waitForPosts([matched], 'the second post', from);
    assert.deepEqual(watch.data(from, done.at + 1).map((p) => p.data.id).filter((x) => x === unmatched || x === matched), [matched]);
    assert.equal(watch.count(ETwitterStreamEvent.DataError), 0);
    assert.equal(watch.count(ETwitterStreamEvent.TweetParseError), 0);
    watch.stream.close();
    assert.equal(watch.count(ETwitterStreamEvent.ConnectionClosed), 1);
  });

  test('keep-alive: the library sees X\'s \\r\\n keep-alives and its own keep-alive timeout never fires', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The library reconnects when nothing came for keepAliveTimeout; the server's keep-alive
    // (every stream_keepalive_ms of silence) must keep that from happening.
    const watch = await openStream(state.reader, {}, { keepAliveTimeout: 20 * KEEPALIVE_MS });
    let seen = 0;
    await watch.waitFor((e) => e.type === ETwitterStreamEvent.DataKeepAlive && ++seen >= 5, 'five keep-alives');
    // Longer than the library's keep-alive timeout has passed since the stream opened.
    const id = await post(WORD, 'after keep-alives');
    await watch.waitForPosts([id], 'a post after the keep-alives');
    seen = 0;
    await watch.waitFor((e) => e.type === ETwitterStreamEvent.DataKeepAlive && ++seen >= 1, 'a keep-alive after the post', {
      from: watch.events.length,
    });
    for (const type of [ETwitterStreamEvent.ConnectionLost, ETwitterStreamEvent.ConnectionError, ETwitterStreamEvent.ReconnectAttempt, ETwitterStreamEvent.TweetParseError, ETwitterStreamEvent.DataError])
      assert.equal(watch.count(type), 0, `${type}: ${watch.describe()}`);
    watch.stream.close();
  });

  test('a second connection past the plan\'s limit (Pro: 1) is X\'s 429 ConnectionException; the first keeps streaming', { timeout: TEST_TIMEOUT_MS }, async () => {
    const first = await openStream(state.reader, {});
    await assert.rejects(state.reader.searchStream(), (err) => {
      assert.ok(err instanceof ApiResponseError, `not an ApiResponseError: ${err}`);
      assert.equal(err.code, 429);
      assert.equal(err.rateLimitError, true);
      assert.equal(err.data.title, 'ConnectionException');
      assert.equal(err.data.connection_issue, 'TooManyConnections');
      assert.equal(err.data.type, 'https://api.twitter.com/2/problems/streaming-connection');
      assert.equal(err.data.status, 429);
      assert.equal(err.data.detail, 'This stream is currently at the maximum allowed connection limit.');
      assert.equal(err.message, `Request failed with code 429`);
      return true;
    });
    const id = await post(WORD, 'to the first connection');
    await first.waitForPosts([id], 'the first connection after the refusal');
    assert.equal(first.count(ETwitterStreamEvent.ConnectionError), 0);
    first.stream.close();
  });

  test('bad stream parameters are X\'s 400, and the sample stream is Enterprise\'s, as the library reports them', { timeout: TEST_TIMEOUT_MS }, async () => {
    await waitForNoStreams();
    await assert.rejects(state.reader.searchStream({ backfill_minutes: 6 }), (err) => {
      assert.ok(err instanceof ApiResponseError, `not an ApiResponseError: ${err}`);
      assert.equal(err.code, 400);
      assert.deepEqual(err.errors[0].parameters, { backfill_minutes: ['6'] });
      assert.match(err.data.type, /\/2\/problems\/invalid-request$/);
      return true;
    });
    await assert.rejects(state.reader.searchStream({ 'tweet.fields': ['nonsense'] }), (err) => {
      assert.ok(err instanceof ApiResponseError, `not an ApiResponseError: ${err}`);
      assert.equal(err.code, 400);
      assert.deepEqual(err.errors[0].parameters, { 'tweet.fields': ['nonsense'] });
      return true;
    });
    await assert.rejects(state.reader.sampleStream(), (err) => {
      assert.ok(err instanceof ApiResponseError, `not an ApiResponseError: ${err}`);
      assert.equal(err.code, 403);
      assert.match(err.data.type, /\/2\/problems\/client-forbidden$/);
      return true;
    });
    // Enterprise: the sample stream opens, and keeps alive.
    const sample = new StreamWatch(state.writer.sampleStream({ autoConnect: false }));
    await sample.stream.connect({ autoReconnect: false });
    await sample.waitFor((e) => e.type === ETwitterStreamEvent.DataKeepAlive, 'a keep-alive on the sample stream');
    sample.stream.close();
  });

  test('reconnect with backfill_minutes=1: the posts written while closed arrive exactly once, oldest first, then live ones', { timeout: TEST_TIMEOUT_MS }, async () => {
    const watch = await openStream(state.reader, { ...FIELDS, backfill_minutes: 1 });
    const before = await post(WORD, 'before the close');
    await watch.waitForPosts([before], 'a post before the close');
    watch.stream.close();
    await watch.waitFor((e) => e.type === ETwitterStreamEvent.ConnectionClosed, 'the close');

    const missed = [];
    for (let i = 0; i < 3; i++) missed.push(await post(WORD, `missed ${i}`));
    const from = watch.events.length;
    await reconnect(watch); // the library's reconnect: the same request, backfill_minutes=1 again
    await watch.waitFor((e) => e.type === ETwitterStreamEvent.Reconnected, 'the reconnection', { from });
    const live = await post(WORD, 'live after the reconnect');
    await watch.waitForPosts([...missed, live], 'the missed posts and a live one', from);
    // One more live post: whatever came before it came once.
    const last = await post(WORD, 'last');
    const done = await watch.waitForPosts([last], 'the last post', from);
    const got = watch.data(from, done.at + 1);
    const gotIds = got.map((p) => p.data.id);
    assert.equal(new Set(gotIds).size, gotIds.length, `a post streamed twice after the reconnect: ${gotIds.join(', ')}`);
    const order = [...missed, live, last].map((id) => gotIds.indexOf(id));
    assert.deepEqual([...order].sort((a, b) => a - b), order, `not oldest first: ${gotIds.join(', ')}`);
    for (const p of got) {
      if (!missed.includes(p.data.id)) continue;
      assert.deepEqual(p.matching_rules, [{ id: state.watchRuleId, tag: 'watch' }]);
      assert.equal(p.includes.users[0].id, p.data.author_id, 'the backfill has the connection\'s expansions');
      assert.ok(p.data.created_at, 'the backfill has the connection\'s fields');
    }
    assert.equal(watch.count(ETwitterStreamEvent.DataError), 0);
    watch.stream.close();
  });

  test('autoReconnect: a dropped connection is reconnected by the library, and streams again', { timeout: TEST_TIMEOUT_MS }, async () => {
    const watch = await openStream(state.reader, {}, { autoReconnect: true, autoReconnectRetries: 100, nextRetryTimeout: () => 100 });
    const id = await post(WORD, 'before the drop');
    await watch.waitForPosts([id], 'a post before the drop');
    const from = watch.events.length;
    watch.stream.originalResponse.socket.destroy(); // the network drops the connection
    await watch.waitFor((e) => e.type === ETwitterStreamEvent.ConnectionError, 'the connection error', { from });
    await watch.waitFor((e) => e.type === ETwitterStreamEvent.Reconnected, 'the reconnection', { from });
    // Until the server saw the old connection go, X's 429: a reconnect error the library retries.
    for (const e of watch.events.slice(from)) {
      if (e.type !== ETwitterStreamEvent.Error || e.payload.type !== ETwitterStreamEvent.ReconnectError) continue;
      assert.ok(e.payload.error instanceof ApiResponseError && e.payload.error.code === 429, `reconnect error: ${e.payload.error}`);
      assert.equal(e.payload.error.data.title, 'ConnectionException');
    }
    const after = await post(WORD, 'after the drop');
    await watch.waitForPosts([after], 'a post after the reconnection', from);
    assert.equal(watch.count(ETwitterStreamEvent.ReconnectLimitExceeded), 0);
    watch.stream.close();
  });

  test('a slow reader gets X\'s SlowReader disconnect once its buffer passes the bound; another stream is not slowed', { timeout: 2 * TEST_TIMEOUT_MS }, async () => {
    // The slow app is Enterprise: two connections at once. One is the library's, which reads
    // everything; the other node's own https client, which stops reading once the head came.
    const rules = await state.slowV2.updateStreamRules({ add: [{ value: SLOW_WORD, tag: 'slow' }] });
    assert.equal(rules.meta.summary.created, 1);
    const fast = await openStream(state.slowV2, {});
    const slowBefore = await metric('sluice_stream_disconnects_total{reason="slow_reader"}');
    let res;
    const req = https.get(`${state.origin}/2/tweets/search/stream?tweet.fields=note_tweet`, {
      ca: state.ca,
      agent: false,
      headers: { Authorization: `Bearer ${state.slowToken}` },
    });
    try {
      res = await withTimeout(
        new Promise((resolve, reject) => {
          req.once('response', resolve);
          req.once('error', reject);
        }),
        WAIT_MS,
        'the slow stream\'s head',
      );
      assert.equal(res.statusCode, 200);
      res.pause();

      // Long posts, 8 at a time, until the server has cut the slow reader (its queue passed
      // stream_buffer_bytes once the sockets' buffers were full). While it holds its connection
      // the app is at its limit and a third is refused; once it is cut, a third is taken.
      const filler = Array.from({ length: 4000 }, (_, i) => `w${i % 97}`).join(' ').slice(0, LONG_POST_CHARS - 200);
      const written = [];
      for (let round = 0; ; round++) {
        assert.ok(round < 500, `no SlowReader disconnect after ${written.length} posts`);
        written.push(...(await Promise.all(Array.from({ length: 8 }, () => post(SLOW_WORD, filler)))));
        try {
          const probe = await state.slowV2.searchStream();
          probe.close();
          break;
        } catch (e) {
          if (!(e instanceof ApiResponseError && e.code === 429 && e.data.title === 'ConnectionException')) throw e;
        }
      }

      // The other stream took every post meanwhile.
      await fast.waitForPosts(written, 'the other stream');
      assert.equal(fast.count(ETwitterStreamEvent.ConnectionError), 0);
      assert.equal(fast.count(ETwitterStreamEvent.DataError), 0);

      // The slow reader reads at last: posts, then the disconnect, then the end.
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.resume();
      await withTimeout(
        new Promise((resolve, reject) => {
          res.once('end', resolve);
          res.once('error', reject);
        }),
        WAIT_MS,
        'the slow stream\'s end',
      );
      assert.equal(res.complete, true, 'the last chunk came');
      assert.ok(body.endsWith('\r\n'), 'the body ends with a line');
      const lines = body.split('\r\n').slice(0, -1).filter((l) => l.length > 0);
      assert.deepEqual(JSON.parse(lines.at(-1)), JSON.parse(SLOW_READER_LINE));
      const streamed = lines.slice(0, -1).map((l) => JSON.parse(l));
      const ids = streamed.map((p) => p.data.id).filter((x) => written.includes(x));
      assert.ok(ids.length > 0, 'the slow reader got none of the posts');
      assert.ok(ids.length < written.length, `the slow reader got all ${written.length} posts`);
      assert.equal(new Set(ids).size, ids.length);
      for (const p of streamed) {
        if (!written.includes(p.data.id)) continue; // a trap record
        assert.deepEqual(p.matching_rules, [{ id: rules.data[0].id, tag: 'slow' }]);
        assert.ok(p.data.note_tweet.text.startsWith(SLOW_WORD), 'note_tweet has the whole text');
      }
      // Its end counted as a slow reader's once its last bytes were written.
      const deadline = Date.now() + WAIT_MS;
      while ((await metric('sluice_stream_disconnects_total{reason="slow_reader"}')) === slowBefore) {
        assert.ok(Date.now() < deadline, 'the slow reader\'s end is not counted');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      req.destroy();
      fast.stream.close();
    }
  });

  test('a batch compliance job with sendComplianceJob and complianceJobResult names the deleted post', { timeout: TEST_TIMEOUT_MS }, async () => {
    const kept = await post(WORD, 'kept');
    const gone = await post(WORD, 'deleted');
    assert.deepEqual((await state.writer.deleteTweet(gone)).data, { deleted: true });
    const job = await state.reader.sendComplianceJob({ type: 'tweets', name: `node ${NONCE}`, ids: [kept, gone] });
    // X's BatchComplianceJob, as the library types it.
    assert.equal(job.data.type, 'tweets');
    assert.equal(job.data.name, `node ${NONCE}`);
    assert.equal(job.data.resumable, false);
    assert.equal(job.data.status, 'created');
    assert.match(job.data.id, /^[0-9]{1,19}$/);
    for (const at of ['created_at', 'upload_expires_at', 'download_expires_at'])
      assert.ok(!Number.isNaN(Date.parse(job.data[at])), `${at}: ${job.data[at]}`);
    assert.ok(job.data.upload_url.startsWith(`${state.origin}/`), job.data.upload_url);
    assert.ok(job.data.download_url.startsWith(`${state.origin}/`), job.data.download_url);
    const result = await withTimeout(state.reader.complianceJobResult(job.data), WAIT_MS * 2, 'the compliance job');
    assert.equal(result.length, 1, JSON.stringify(result));
    assert.equal(result[0].id, gone);
    assert.equal(result[0].action, 'delete');
    assert.equal(result[0].reason, 'deleted');
    assert.ok(!Number.isNaN(Date.parse(result[0].created_at)));
    assert.ok(!Number.isNaN(Date.parse(result[0].redacted_at)));
    assert.equal((await state.reader.complianceJob(job.data.id)).data.status, 'complete');
    const listed = await state.reader.complianceJobs({ type: 'tweets' });
    assert.ok(listed.data.some((j) => j.id === job.data.id && j.status === 'complete'), JSON.stringify(listed));
  });

  // Last: it stops the server.
  test('the server drains: the library gets X\'s OperationalDisconnect as a data error, then the connection ends', { timeout: TEST_TIMEOUT_MS }, async () => {
    const watch = await openStream(state.reader, {});
    const id = await post(WORD, 'before the drain');
    await watch.waitForPosts([id], 'a post before the drain');
    const from = watch.events.length;
    const stopped = state.server.stop();
    const { payload, at } = await watch.waitFor((e) => e.type === ETwitterStreamEvent.DataError, 'the disconnect line', { from });
    assert.equal(payload.errors.length, 1);
    assert.equal(payload.errors[0].title, 'operational-disconnect');
    assert.equal(payload.errors[0].disconnect_type, 'OperationalDisconnect');
    assert.equal(payload.errors[0].type, 'https://api.twitter.com/2/problems/operational-disconnect');
    assert.equal(typeof payload.errors[0].detail, 'string');
    await watch.waitFor((e) => e.type === ETwitterStreamEvent.ConnectionError, 'the connection error', { from: at });
    await watch.waitFor((e) => e.type === ETwitterStreamEvent.ConnectionClosed, 'the connection closed', { from: at });
    await stopped;
  });
});
