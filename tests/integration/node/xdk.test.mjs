// Integration test: X's official TypeScript SDK (@xdevplatform/xdk) against a real Sluice
// server, through the SDK's own methods with their default (current) parameter names:
// post.fields, expansions, next_token; every endpoint of the SDK that Sluice serves. The SDK turns response keys into camelCase
// (authorId, meta.nextToken); the assertions read them as a user of the SDK does.
//
//   bash tests/integration/setup-node.sh
//   SLUICE_BINARY=build/src/sluice node --test tests/integration/node/xdk.test.mjs
//
// Every response is also recorded for openapi.test.mjs when SLUICE_RESPONSE_LOG is set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { SluiceServer, recordingFetch } from './sluice-server.mjs';

const TEST_TIMEOUT_MS = 60_000;
const MAX_PAGES = 200;
const CANDIDATE_QUERIES = ['the', 'le', 'de'];

const state = {
  server: undefined,
  requested: [],
  pro: undefined, // a Pro app's client (app-only bearer token)
  writer: undefined, // the same token given as a user access token: the SDK sends writes (and the
  // calls X's document gives user-context security only: likes, users search) only with one
  basic: undefined,
  enterprise: undefined, // follows lookup is Enterprise-only, as on X (a user access token for the SDK)
  query: undefined, // a query with several pages
  sample: [], // posts of its first page
};

// The SDK binds globalThis.fetch once, when it loads: record and guard every request from then on.
const realFetch = globalThis.fetch;
const recorded = recordingFetch(realFetch);
globalThis.fetch = (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input.url);
  state.requested.push(url.href);
  if (url.origin !== state.server?.origin) throw new Error(`refusing non-loopback request to ${url.href}`);
  return recorded(input, init);
};
const { ApiError, Client, PostPaginator } = await import('@xdevplatform/xdk');

function client(config) {
  return new Client({ baseUrl: state.server.origin, retry: false, ...config });
}

async function apiError(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected the SDK's ApiError, got ${e}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('X official SDK (@xdevplatform/xdk) against sluice', { timeout: 6 * TEST_TIMEOUT_MS }, () => {
  before(async () => {
    state.server = new SluiceServer('sluice-xdk-');
    state.server.seed(['--users', '200', '--posts', '3000', '--seed', '5']);
    const pro = state.server.createApp('xdk-pro', 'pro');
    const basic = state.server.createApp('xdk-basic', 'basic');
    const enterprise = state.server.createApp('xdk-enterprise', 'enterprise');
    await state.server.start();
    state.pro = client({ bearerToken: pro.bearer_token });
    state.writer = client({ accessToken: pro.bearer_token });
    state.basic = client({ bearerToken: basic.bearer_token });
    state.enterprise = client({ accessToken: enterprise.bearer_token });
  });

  after(async () => {
    await state.server?.stop();
  });

  test('posts.searchRecent with post.fields and expansions; pages walked with the SDK paginator', { timeout: TEST_TIMEOUT_MS }, async () => {
    for (const q of CANDIDATE_QUERIES) {
      const page = await state.pro.posts.searchRecent(q, {
        maxResults: 10,
        postFields: ['author_id', 'created_at', 'public_metrics', 'lang'],
        expansions: ['author_id'],
        userFields: ['username', 'public_metrics'],
      });
      if (page.meta?.nextToken) {
        state.query = q;
        state.sample = page.data;
        assert.equal(page.meta.resultCount, 10);
        const users = new Map(page.includes.users.map((u) => [u.id, u]));
        for (const p of page.data) {
          assert.match(p.id, /^[0-9]{1,19}$/);
          assert.ok(users.has(p.authorId), `author ${p.authorId} of ${p.id} in includes.users`);
          assert.ok(!Number.isNaN(Date.parse(p.createdAt)));
          // X's document names both; Sluice serves both with one value (docs/api.md).
          assert.equal(p.publicMetrics.repostCount, p.publicMetrics.retweetCount);
          assert.equal(p.editHistoryTweetIds.at(-1), p.id, 'a list serves the latest version of an edited post');
        }
        break;
      }
    }
    assert.ok(state.query, `none of ${CANDIDATE_QUERIES} has a second page`);

    const paginator = new PostPaginator((token) =>
      state.pro.posts.searchRecent(state.query, { maxResults: 100, ...(token ? { nextToken: token } : {}) }));
    let pages = 0;
    while (!paginator.done && pages < MAX_PAGES) {
      await paginator.fetchNext();
      pages++;
    }
    assert.ok(paginator.done, `more than ${MAX_PAGES} pages`);
    const ids = paginator.posts.map((p) => p.id);
    assert.ok(pages >= 1);
    assert.equal(new Set(ids).size, ids.length, 'no post twice across pages');
    for (let i = 1; i < ids.length; i++) assert.ok(BigInt(ids[i - 1]) > BigInt(ids[i]), `newest first at ${i}`);
    const counts = await state.pro.posts.getCountsRecent(state.query, { granularity: 'day' });
    assert.equal(counts.meta.totalTweetCount, ids.length, 'counts/recent counts what search returns');
    assert.equal(counts.data.reduce((s, b) => s + b.tweetCount, 0), ids.length);
  });

  test('posts.getById and posts.getByIds link data to includes', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.sample.length > 0, 'needs the search test');
    const first = state.sample[0];
    const one = await state.pro.posts.getById(first.id, { expansions: ['author_id'], userFields: ['created_at'] });
    assert.equal(one.data.id, first.id);
    assert.equal(one.data.authorId, first.authorId, 'the expansion brings author_id into data');
    assert.equal(one.includes.users[0].id, first.authorId);
    assert.ok(!Number.isNaN(Date.parse(one.includes.users[0].createdAt)));

    const wanted = state.sample.slice(0, 3).map((p) => p.id);
    const many = await state.pro.posts.getByIds([...wanted, '1'], { postFields: ['conversation_id'] });
    assert.deepEqual(many.data.map((p) => p.id), wanted);
    for (const p of many.data) assert.match(p.conversationId, /^[0-9]+$/);
    assert.equal(many.errors.length, 1);
    assert.equal(many.errors[0].resourceId, '1');
    assert.equal(many.errors[0].title, 'Not Found Error');
  });

  test('users: by id, ids, username, usernames; timeline and mentions', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.sample.length > 0, 'needs the search test');
    const authorId = state.sample[0].authorId;
    const user = await state.pro.users.getById(authorId, { userFields: ['public_metrics', 'created_at', 'most_recent_tweet_id'] });
    assert.equal(user.data.id, authorId);
    assert.equal(user.data.publicMetrics.postCount, user.data.publicMetrics.tweetCount);
    const byName = await state.pro.users.getByUsername(user.data.username);
    assert.equal(byName.data.id, authorId);
    const byNames = await state.pro.users.getByUsernames([user.data.username, user.data.username, 'nosuchuser_zz9']);
    assert.deepEqual(byNames.data.map((u) => u.id), [authorId], 'a username asked twice is served once');
    assert.equal(byNames.errors[0].value, 'nosuchuser_zz9');
    const byIds = await state.pro.users.getByIds([authorId]);
    assert.equal(byIds.data[0].username, user.data.username);

    const timeline = await state.pro.users.getPosts(authorId, { maxResults: 5, postFields: ['author_id'] });
    assert.ok(timeline.data.length > 0);
    for (const p of timeline.data) assert.equal(p.authorId, authorId);
    assert.equal(timeline.data[0].id, user.data.mostRecentTweetId, 'most_recent_tweet_id is the newest post');

    const mentions = await state.pro.users.getMentions(authorId, { maxResults: 5, postFields: ['entities'] });
    for (const p of mentions.data ?? []) {
      assert.ok(p.entities.mentions.some((m) => m.username.toLowerCase() === user.data.username.toLowerCase()));
    }

    const unknown = await state.pro.users.getPosts('1');
    assert.equal(unknown.data, undefined);
    assert.equal(unknown.errors[0].title, 'Not Found Error');
  });

  test('posts.getQuoted answers a page in X\'s shape', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.sample.length > 0, 'needs the search test');
    const quoted = await state.pro.posts.getQuoted(state.sample[0].id, { maxResults: 10 });
    assert.equal(quoted.meta.resultCount, (quoted.data ?? []).length);
  });

  test('posts.create and posts.delete; the post is served in between, Not Found after', { timeout: TEST_TIMEOUT_MS }, async () => {
    const text = `written through the official SDK ${Date.now()} 日本 😀`;
    const created = await state.writer.posts.create({ text });
    assert.match(created.data.id, /^[0-9]+$/);
    assert.equal(created.data.text, text);
    const read = await state.pro.posts.getById(created.data.id);
    assert.equal(read.data.text, text);
    const deleted = await state.writer.posts.delete(created.data.id);
    assert.deepEqual(deleted.data, { deleted: true });
    const gone = await state.pro.posts.getById(created.data.id);
    assert.equal(gone.data, undefined);
    assert.equal(gone.errors[0].resourceId, created.data.id);
  });

  test('usage.get with usage.fields', { timeout: TEST_TIMEOUT_MS }, async () => {
    const usage = await state.pro.usage.get({ usageFields: ['cap_reset_day', 'project_cap', 'project_usage', 'daily_project_usage'] });
    assert.ok(Number(usage.data.projectCap) > 0);
    assert.ok(Number(usage.data.projectUsage) > 0, 'the reads above are counted');
    assert.ok(Array.isArray(usage.data.dailyProjectUsage.usage));
  });

  test('full archive: posts.searchAll and posts.getCountsAll agree', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.query, 'needs the search test');
    const paginator = new PostPaginator((token) =>
      state.pro.posts.searchAll(state.query, { maxResults: 500, postFields: ['created_at'], ...(token ? { nextToken: token } : {}) }));
    let pages = 0;
    while (!paginator.done && pages < MAX_PAGES) {
      await paginator.fetchNext();
      pages++;
    }
    assert.ok(paginator.done);
    const ids = paginator.posts.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'no post twice across pages');
    let counted = 0;
    let token;
    do {
      const counts = await state.pro.posts.getCountsAll(state.query, { granularity: 'day', ...(token ? { nextToken: token } : {}) });
      counted += counts.meta.totalTweetCount;
      token = counts.meta.nextToken;
    } while (token);
    assert.equal(counted, ids.length, 'counts/all counts what search/all returns (the default 30 days)');
  });

  test('the social graph through the SDK: likes, reposts, followers, following', { timeout: TEST_TIMEOUT_MS }, async () => {
    // A post with likes and a user with followers, from the seed's graph.
    const page = await state.pro.posts.searchRecent(state.query, { maxResults: 100, postFields: ['public_metrics', 'author_id'] });
    const liked = page.data.find((p) => p.publicMetrics.likeCount > 0);
    assert.ok(liked, 'no liked post on the page');
    const likers = await state.writer.posts.getLikingUsers(liked.id, { maxResults: 100, userFields: ['created_at'] });
    assert.ok(likers.data.length > 0 && likers.data.length <= liked.publicMetrics.likeCount);
    assert.equal(likers.meta.resultCount, likers.data.length);
    const liker = likers.data[0];
    const likedByLiker = await state.writer.users.getLikedPosts(liker.id, { maxResults: 100 });
    assert.ok(likedByLiker.data.some((p) => p.id === liked.id), 'the liker\'s liked posts hold the post');

    const reposted = page.data.find((p) => p.publicMetrics.retweetCount > 0);
    if (reposted) {
      const reposters = await state.writer.posts.getRepostedBy(reposted.id);
      const reposts = await state.writer.posts.getReposts(reposted.id, { postFields: ['author_id', 'referenced_tweets'] });
      for (const r of reposts.data ?? []) {
        assert.deepEqual(r.referencedTweets, [{ type: 'retweeted', id: reposted.id }]);
        assert.ok(reposters.data.some((u) => u.id === r.authorId), 'each repost\'s author reposted it');
      }
    }

    const followers = await state.enterprise.users.getFollowers(liked.authorId, { maxResults: 1000 });
    for (const f of followers.data ?? []) {
      const following = await state.enterprise.users.getFollowing(f.id, { maxResults: 1000 });
      assert.ok(following.data.some((u) => u.id === liked.authorId), `${f.id} follows ${liked.authorId}`);
      break;
    }
    const refused = await apiError(state.writer.users.getFollowers(liked.authorId));
    assert.equal(refused.status, 403, 'follows lookup is Enterprise-only');
  });

  test('users.search and Sluice\'s own OpenAPI document through general.getOpenApiSpec', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.sample.length > 0, 'needs the search test');
    const someone = await state.pro.users.getById(state.sample[0].authorId);
    const found = await state.writer.users.search(someone.data.username, { maxResults: 10 });
    assert.equal(found.data[0].id, someone.data.id, 'a username finds its user first');
    const spec = await state.pro.general.getOpenApiSpec();
    assert.match(spec.openapi, /^3\./);
    assert.ok(spec.paths['/2/tweets/search/all'], 'the document lists search/all');
  });

  test('errors reach the SDK as ApiError with X\'s problem', { timeout: TEST_TIMEOUT_MS }, async () => {
    const bad = await apiError(state.pro.posts.searchRecent('the', { maxResults: 5 }));
    assert.equal(bad.status, 400);
    assert.equal(bad.data.title, 'Invalid Request');
    assert.deepEqual(bad.data.errors[0].parameters, { max_results: ['5'] });

    const unauthorized = await apiError(client({ bearerToken: 'not-a-token' }).posts.getById('1'));
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.data.title, 'Unauthorized');

    // Basic plans have no quote posts... but have counts: 5 per 15 minutes, then X's 429.
    for (let i = 0; i < 5; i++) await state.basic.posts.getCountsRecent('the');
    const limited = await apiError(state.basic.posts.getCountsRecent('the'));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('x-rate-limit-remaining'), '0');
    assert.equal(limited.data.title, 'Too Many Requests');
  });

  test('every request went to the loopback server', () => {
    assert.ok(state.requested.length > 0);
    for (const href of state.requested) assert.ok(href.startsWith(`${state.server.origin}/2/`), href);
  });
});
