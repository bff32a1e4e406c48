// Integration test: the real npm client `twitter-api-v2` against a Sluice server over TLS.
//
//   bash tests/integration/setup-node.sh
//   SLUICE_BINARY=build/src/sluice node --test tests/integration/node/client.test.mjs
//
// The server is started on 127.0.0.1 with a throwaway self-signed certificate; the client trusts
// it through an https.Agent with `ca`, and every request is checked to go to that loopback origin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';

import { ApiResponseError, TwitterApi, TwitterApiv2, TwitterV2IncludesHelper } from 'twitter-api-v2';

import { SluiceServer } from './sluice-server.mjs';

const TEST_TIMEOUT_MS = 60_000;
const MAX_PAGES = 200; // bound for every pagination walk
const CANDIDATE_QUERIES = ['the', 'le', 'de'];

// twitter-api-v2 builds every v2 URL as `prefix + endpoint`, prefix defaulting to https://api.x.com/2/.
// `setPrefix` is the library's own (protected) hook for that; a subclass is the supported way to use it
// (the public `cloneWithPrefix` calls a class constructor without `new` and throws in 1.29.1).
class SluiceV2 extends TwitterApiv2 {
  constructor(client, prefix) {
    super(client);
    this.setPrefix(prefix);
  }
}

const state = {
  server: undefined, // SluiceServer
  agent: undefined,
  origin: undefined,
  v2: undefined,
  requested: [], // every URL the client sent, for diagnostics
  query: undefined, // a search query that returns several pages
  sample: [], // tweets from the first search page, with author_id
  users: [], // users from that page's includes
};

// Only loopback: refuse any request that is not for our server.
function loopbackGuard(origin) {
  return {
    onBeforeRequest({ url }) {
      state.requested.push(url.href);
      if (url.origin !== origin) throw new Error(`refusing non-loopback request to ${url.href}`);
    },
  };
}

function ids(tweets) {
  return tweets.map((t) => t.id);
}

function assertNoDuplicates(list, what) {
  assert.equal(new Set(list).size, list.length, `${what}: duplicate ids in ${JSON.stringify(list)}`);
}

function assertDescending(list, what) {
  for (let i = 1; i < list.length; i++) {
    assert.ok(BigInt(list[i - 1]) > BigInt(list[i]), `${what}: ids not descending at ${i}: ${list[i - 1]} then ${list[i]}`);
  }
}

function assertTweetShape(t) {
  assert.match(t.id, /^[0-9]{1,19}$/);
  assert.equal(typeof t.text, 'string');
  // Lists serve an edited post's latest version: its history ends with its own id.
  assert.ok(Array.isArray(t.edit_history_tweet_ids) && t.edit_history_tweet_ids.length >= 1);
  assert.equal(t.edit_history_tweet_ids.at(-1), t.id);
}

describe('twitter-api-v2 against sluice over TLS', { timeout: 5 * TEST_TIMEOUT_MS }, () => {
  before(async () => {
    state.server = new SluiceServer('sluice-node-');
    const cert = state.server.makeCertificate();
    state.server.seed(['--users', '200', '--posts', '3000', '--seed', '3']);
    const app = state.server.createApp('node-client', 'pro');
    // A Basic app: GET /2/tweets/counts/recent allows 5 requests per 15 minutes.
    const basic = state.server.createApp('node-basic', 'basic');
    // An Enterprise app: X grants follows lookup (followers, following) to Enterprise alone.
    const ent = state.server.createApp('node-enterprise', 'enterprise');
    state.origin = await state.server.start();

    state.agent = new https.Agent({ ca: fs.readFileSync(cert), keepAlive: true });
    const v2For = (token) =>
      new SluiceV2(new TwitterApi(token, { httpAgent: state.agent, plugins: [loopbackGuard(state.origin)] }), `${state.origin}/2/`);
    state.v2 = v2For(app.bearer_token);
    state.basicV2 = v2For(basic.bearer_token);
    state.enterpriseV2 = v2For(ent.bearer_token);
  });

  after(async () => {
    state.agent?.destroy(); // close kept-alive connections so shutdown is not waiting on us
    await state.server?.stop();
  });

  test('search finds a query with several pages; expansions resolve through the includes helper', { timeout: TEST_TIMEOUT_MS }, async () => {
    for (const q of CANDIDATE_QUERIES) {
      const page = await state.v2.search(q, {
        max_results: 10,
        expansions: ['author_id'],
        'tweet.fields': ['created_at', 'author_id'],
        'user.fields': ['username', 'name'],
      });
      if (page.tweets.length === 10 && !page.done) {
        state.query = q;
        state.sample = page.tweets;
        state.users = page.includes.users;
        break;
      }
    }
    assert.ok(state.query, `none of ${CANDIDATE_QUERIES.join(', ')} returned a full first page with a next_token`);

    for (const t of state.sample) {
      assertTweetShape(t);
      assert.match(t.author_id, /^[0-9]{1,19}$/);
      assert.ok(!Number.isNaN(Date.parse(t.created_at)), `created_at ${t.created_at}`);
      assert.match(t.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    // The client's includes helper resolves every author from includes.users.
    const helper = new TwitterV2IncludesHelper({ data: state.sample, includes: { users: state.users } });
    for (const t of state.sample) {
      const author = helper.author(t);
      assert.ok(author, `includes helper found no author for tweet ${t.id} (author_id ${t.author_id})`);
      assert.equal(author.id, t.author_id);
      assert.equal(typeof author.username, 'string');
      assert.equal(typeof author.name, 'string');
    }
    assertNoDuplicates(ids(state.users), 'includes.users');
  });

  test('search paginator: fetchNext over several pages, then bounded async iteration', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.query, 'needs the search test');
    const paginator = await state.v2.search(state.query, { max_results: 10 });
    assert.equal(paginator.tweets.length, 10);
    for (let i = 0; i < 3 && !paginator.done; i++) await paginator.fetchNext();
    const fetched = ids(paginator.tweets);
    assert.ok(fetched.length > 10, `fetchNext added nothing: ${fetched.length} tweets`);
    assertNoDuplicates(fetched, 'search fetchNext');
    assertDescending(fetched, 'search fetchNext');
    for (const t of paginator.tweets) assertTweetShape(t);

    const iterated = [];
    const again = await state.v2.search(state.query, { max_results: 10 });
    for await (const t of again) {
      iterated.push(t.id);
      if (iterated.length >= 35) break;
    }
    assert.equal(iterated.length, 35, 'async iteration ended early');
    assertNoDuplicates(iterated, 'search async iteration');
    assertDescending(iterated, 'search async iteration');
    // Same query, same data: both walks see the same newest tweets.
    assert.deepEqual(iterated.slice(0, Math.min(35, fetched.length)), fetched.slice(0, Math.min(35, fetched.length)));
  });

  test('singleTweet and tweets lookups', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.sample.length >= 3, 'needs the search test');
    const first = state.sample[0];
    const one = await state.v2.singleTweet(first.id, {
      expansions: ['author_id'],
      'tweet.fields': ['created_at', 'author_id'],
      'user.fields': ['username'],
    });
    assert.equal(one.data.id, first.id);
    assert.equal(one.data.text, first.text);
    assert.equal(one.data.author_id, first.author_id);
    assert.equal(one.data.created_at, first.created_at);
    assert.equal(new TwitterV2IncludesHelper(one).author(one.data)?.id, first.author_id);

    const plain = await state.v2.singleTweet(first.id);
    assert.deepEqual(Object.keys(plain.data).sort(), ['edit_history_tweet_ids', 'id', 'text']);
    assert.equal(plain.includes, undefined);

    const wanted = ids(state.sample.slice(0, 3));
    const many = await state.v2.tweets(wanted, { 'tweet.fields': ['author_id'] });
    assert.equal(many.errors, undefined);
    assert.deepEqual(ids(many.data), wanted, 'tweets() returns the requested posts in request order');
    for (const t of many.data) assertTweetShape(t);

    // X's current names (its OpenAPI document; the official SDK sends them).
    const current = await state.v2.tweets(wanted, { 'post.fields': ['created_at'], expansions: ['referenced_posts'] });
    assert.equal(current.errors, undefined);
    for (const t of current.data) assert.ok(t.created_at, 'post.fields selects like tweet.fields');
  });

  test('userByUsername, and a missing username as a partial error', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.users.length > 0, 'needs the search test');
    const u = state.users[0];
    const found = await state.v2.userByUsername(u.username, { 'user.fields': ['created_at', 'public_metrics'] });
    assert.equal(found.data.id, u.id);
    assert.equal(found.data.username, u.username);
    assert.equal(found.data.name, u.name);
    assert.ok(!Number.isNaN(Date.parse(found.data.created_at)));
    assert.equal(typeof found.data.public_metrics?.tweet_count, 'number');

    const missing = await state.v2.userByUsername('nosuchuser_zz9');
    assert.equal(missing.data, undefined);
    assert.equal(missing.errors?.[0]?.title, 'Not Found Error');
    assert.equal(missing.errors?.[0]?.resource_type, 'user');
  });

  test('userTimeline paginator walks to the end', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.sample.length > 0, 'needs the search test');
    const userId = state.sample[0].author_id;
    const timeline = await state.v2.userTimeline(userId, { max_results: 5, 'tweet.fields': ['author_id'] });
    let pages = 1;
    while (!timeline.done && pages < MAX_PAGES) {
      await timeline.fetchNext();
      pages++;
    }
    assert.ok(timeline.done, `timeline not done after ${pages} pages`);
    const seen = ids(timeline.tweets);
    assert.ok(seen.length > 0, 'user timeline is empty');
    assert.ok(seen.includes(state.sample[0].id), 'timeline lacks the post found by search');
    assertNoDuplicates(seen, 'user timeline');
    assertDescending(seen, 'user timeline');
    for (const t of timeline.tweets) {
      assertTweetShape(t);
      assert.equal(t.author_id, userId);
    }
    assert.equal(timeline.meta.result_count, seen.length);
  });

  // Issue 12, item 5: the client's own create-post body (poll, reply_settings, disclosures),
  // read back through its includes helper; media is X's unknown-id 400.
  test('tweet() with a poll and reply settings, read back with includes.poll()', { timeout: TEST_TIMEOUT_MS }, async () => {
    const created = await state.v2.tweet('node client poll: which one?', {
      poll: { options: ['yes', 'no', 'later'], duration_minutes: 30 },
      reply_settings: 'mentionedUsers',
      paid_partnership: true,
    });
    assert.match(created.data.id, /^[0-9]+$/);
    const got = await state.v2.singleTweet(created.data.id, {
      expansions: ['attachments.poll_ids'],
      'tweet.fields': ['reply_settings', 'paid_partnership'],
      'poll.fields': ['duration_minutes', 'end_datetime', 'voting_status'],
    });
    assert.equal(got.data.reply_settings, 'mentionedUsers');
    assert.equal(got.data.paid_partnership, true);
    const poll = new TwitterV2IncludesHelper(got).poll(got.data);
    assert.ok(poll, `includes.polls holds the post's poll: ${JSON.stringify(got)}`);
    assert.deepEqual(poll.options, [
      { position: 1, label: 'yes', votes: 0 },
      { position: 2, label: 'no', votes: 0 },
      { position: 3, label: 'later', votes: 0 },
    ]);
    assert.equal(poll.duration_minutes, 30);
    assert.equal(poll.voting_status, 'open');
    assert.ok(Date.parse(poll.end_datetime) > Date.now());

    await assert.rejects(state.v2.tweet('with media', { media: { media_ids: ['1146654567674912769'] } }), (err) => {
      assert.ok(err instanceof ApiResponseError, `expected ApiResponseError, got ${err}`);
      assert.equal(err.code, 400);
      assert.deepEqual(err.data.errors?.[0]?.parameters, { 'media.media_ids': ['1146654567674912769'] });
      assert.equal(err.data.errors?.[0]?.message, 'Your media IDs are invalid.');
      return true;
    });
  });

  // Walks a paginator to its end (bounded) and returns it.
  async function walk(paginator, what) {
    let pages = 1;
    while (!paginator.done && pages < MAX_PAGES) {
      await paginator.fetchNext();
      pages++;
    }
    assert.ok(paginator.done, `${what}: not done after ${pages} pages`);
    return paginator;
  }

  test('social graph: followers, following, likes and reposts through the client\'s own methods', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.sample.length > 0, 'needs the search test');
    const userId = state.sample[0].author_id; // wrote a post search shows: not protected

    // Followers (Enterprise only), walked with the client's paginator; X's current names.
    const followers = await walk(
      await state.enterpriseV2.followers(userId, { asPaginator: true, max_results: 5, 'user.fields': ['protected', 'public_metrics'] }),
      'followers',
    );
    const followerIds = followers.users.map((u) => u.id);
    assert.ok(followerIds.length > 0, `user ${userId} has no followers`);
    assertNoDuplicates(followerIds, 'followers');
    // A follower's following lists the user back (first page: at most 1000).
    const follower = followers.users.find((u) => !u.protected);
    assert.ok(follower, 'every follower is protected');
    const following = await state.enterpriseV2.following(follower.id, { max_results: 1000, expansions: ['pinned_post_id'] });
    assert.ok(following.data.some((u) => u.id === userId), `${follower.id} follows ${userId} but its following lacks it`);
    assert.equal(following.meta.result_count, following.data.length);
    // Pro has no follows lookup: X's 403.
    await assert.rejects(state.v2.followers(userId), (e) => e instanceof ApiResponseError && e.code === 403);

    // Liked posts, then the likers of one of them, which include the user back.
    const liked = await walk(
      await state.v2.userLikedTweets(follower.id, { max_results: 5, 'post.fields': ['public_metrics', 'author_id'] }),
      'liked tweets',
    );
    assert.ok(liked.tweets.length > 0, `user ${follower.id} likes nothing`);
    assertNoDuplicates(ids(liked.tweets), 'liked tweets');
    for (const t of liked.tweets) {
      assertTweetShape(t);
      assert.ok(t.public_metrics.like_count >= 1, `liked post ${t.id} has like_count ${t.public_metrics.like_count}`);
    }
    const likers = await walk(await state.v2.tweetLikedBy(liked.tweets[0].id, { asPaginator: true, max_results: 2 }), 'liking users');
    assert.ok(likers.users.some((u) => u.id === follower.id), 'the liker is not among the liking users');

    // Reposts: a retweet found by search, then who reposted its original and the reposts.
    const rts = await state.v2.search('RT is:retweet', { max_results: 10, 'post.fields': ['referenced_tweets', 'author_id'] });
    const rt = rts.tweets.find((t) => t.referenced_tweets?.[0]?.type === 'retweeted');
    assert.ok(rt, 'search found no retweet');
    const original = rt.referenced_tweets[0].id;
    const reposters = await walk(await state.v2.tweetRetweetedBy(original, { asPaginator: true, max_results: 1 }), 'retweeted_by');
    assert.ok(reposters.users.some((u) => u.id === rt.author_id), 'the retweet\'s author is not among the reposters');
    // twitter-api-v2 1.29.1 has no method for GET /2/tweets/:id/retweets: its generic get.
    const reposts = await state.v2.get('tweets/:id/retweets', { max_results: 100 }, { params: { id: original } });
    assert.ok(reposts.data.some((t) => t.id === rt.id), 'the retweet is not among the reposts');
    assert.equal(reposts.meta.result_count, reposts.data.length);
  });

  test('likes, reposts, follows and hidden replies through the client\'s own methods, as the app\'s account', { timeout: TEST_TIMEOUT_MS }, async () => {
    const v2 = state.enterpriseV2;
    // The app's own account: the author of what it posts.
    const mine = await v2.tweet('node client: acting for my account');
    const me = (await v2.singleTweet(mine.data.id, { 'tweet.fields': ['author_id'] })).data.author_id;
    const target = state.sample.find((t) => t.author_id !== me);
    assert.ok(target, 'needs the search test');
    const metrics = async (id) => (await v2.singleTweet(id, { 'tweet.fields': ['public_metrics'] })).data.public_metrics;
    const before = await metrics(target.id);

    assert.deepEqual((await v2.like(me, target.id)).data, { liked: true });
    assert.equal((await metrics(target.id)).like_count, before.like_count + 1);
    assert.deepEqual((await v2.unlike(me, target.id)).data, { liked: false });
    assert.equal((await metrics(target.id)).like_count, before.like_count);

    const reposted = await v2.retweet(me, target.id);
    assert.equal(reposted.data.retweeted, true);
    assert.match(reposted.data.rest_id, /^[0-9]+$/);
    assert.equal((await metrics(target.id)).retweet_count, before.retweet_count + 1);
    assert.deepEqual((await v2.unretweet(me, target.id)).data, { retweeted: false });
    assert.equal((await metrics(target.id)).retweet_count, before.retweet_count);

    assert.deepEqual((await v2.follow(me, target.author_id)).data, { following: true, pending_follow: false });
    assert.deepEqual((await v2.unfollow(me, target.author_id)).data, { following: false });

    const reply = await v2.reply('node client: my own reply', mine.data.id);
    assert.deepEqual((await v2.hideReply(reply.data.id, true)).data, { hidden: true });
    assert.deepEqual((await v2.hideReply(reply.data.id, false)).data, { hidden: false });

    // Another account's id is X's 403.
    await assert.rejects(v2.like(target.author_id, target.id), (err) => {
      assert.ok(err instanceof ApiResponseError, `expected ApiResponseError, got ${err}`);
      assert.equal(err.code, 403);
      assert.equal(err.data.type, 'https://api.x.com/2/problems/not-authorized-for-resource');
      return true;
    });
  });

  test('a 400 surfaces as ApiResponseError', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.query, 'needs the search test');
    await assert.rejects(state.v2.search(state.query, { max_results: 5 }), (err) => {
      assert.ok(err instanceof ApiResponseError, `expected ApiResponseError, got ${err}`);
      assert.equal(err.code, 400);
      assert.equal(err.data.title, 'Invalid Request');
      assert.equal(err.data.type, 'https://api.x.com/2/problems/invalid-request');
      assert.deepEqual(err.data.errors?.[0]?.parameters, { max_results: ['5'] });
      return true;
    });
  });

  test('rate limits: the client reads rateLimit, and a 429 is its rate-limit error', { timeout: TEST_TIMEOUT_MS }, async () => {
    for (let i = 0; i < 5; i++) {
      const r = await state.basicV2.get('tweets/counts/recent', { query: 'the' }, { fullResponse: true });
      assert.equal(r.rateLimit.limit, 5);
      assert.equal(r.rateLimit.remaining, 4 - i);
      assert.ok(r.rateLimit.reset * 1000 > Date.now(), `reset ${r.rateLimit.reset} is in the future`);
      assert.ok(r.data.meta.total_tweet_count >= 0);
    }
    await assert.rejects(
      state.basicV2.get('tweets/counts/recent', { query: 'the' }),
      (e) => {
        assert.ok(e instanceof ApiResponseError, `expected ApiResponseError, got ${e}`);
        assert.equal(e.code, 429);
        assert.equal(e.rateLimitError, true);
        assert.equal(e.rateLimit.remaining, 0);
        assert.equal(e.data.title, 'Too Many Requests');
        return true;
      },
    );
  });

  test('searchAll and tweetCountAll: the full archive through the client\'s own methods', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.query, 'needs the search test');
    // X's current names: post.fields (the SDK's own default is tweet.fields; both are accepted).
    const recent = await state.v2.search(state.query, { max_results: 10 });
    const all = await state.v2.searchAll(state.query, { max_results: 10, 'post.fields': ['created_at'] });
    assert.deepEqual(ids(all.tweets), ids(recent.tweets), 'the archive\'s newest page is the recent window\'s');
    for (const t of all.tweets) assert.match(t.created_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(all.done, false);
    const before = all.tweets.length;
    await all.fetchNext();
    assert.equal(all.tweets.length, before + 10, 'fetchNext follows next_token');
    assertNoDuplicates(ids(all.tweets), 'searchAll pages');
    assertDescending(ids(all.tweets), 'searchAll pages');
    const big = await state.v2.searchAll(state.query, { max_results: 500 });
    assert.ok(big.tweets.length > 100, `max_results=500 gave ${big.tweets.length}`);

    const counts = await state.v2.tweetCountAll(state.query, { granularity: 'day' });
    assert.ok(counts.data.length >= 30 && counts.data.length <= 31, `${counts.data.length} days`);
    for (const b of counts.data) assert.equal(b.tweet_count, b.post_count);
    const recentCounts = await state.v2.tweetCountRecent(state.query, { granularity: 'day' });
    assert.ok(counts.meta.total_tweet_count >= recentCounts.meta.total_tweet_count);
    assert.equal(counts.meta.total_tweet_count, counts.meta.total_post_count);

    // A plan without the archive (Basic): the client's 403.
    await assert.rejects(state.basicV2.searchAll(state.query), (e) => {
      assert.ok(e instanceof ApiResponseError, `expected ApiResponseError, got ${e}`);
      assert.equal(e.code, 403);
      assert.equal(e.data.reason, 'client-not-enrolled');
      return true;
    });
  });

  test('users search (no method of its own in twitter-api-v2 1.29.1: the client\'s get)', { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(state.users.length > 0, 'needs the search test');
    const who = state.users[0];
    const found = await state.v2.get('users/search', { query: who.username, 'user.fields': ['created_at', 'description'] });
    assert.ok(found.data.some((u) => u.id === who.id), `users/search?query=${who.username} missed user ${who.id}`);
    for (const u of found.data) assert.equal(typeof u.created_at, 'string');
    assert.equal(found.meta.result_count, found.data.length);
  });

  test('every request went to the loopback server', () => {
    assert.ok(state.requested.length > 0);
    for (const href of state.requested) assert.ok(href.startsWith(`${state.origin}/2/`), href);
  });
});
