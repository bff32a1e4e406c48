// LookupCache alone, and GET /2/tweets/:id through Dispatch with it: a hit is what a miss
// would render now, and nothing stale survives a write, whoever made it.
#include "api/lookup_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "access/apps.h"
#include "access/plans.h"
#include "access/rate_limiter.h"
#include "access/usage_meter.h"
#include "api/metrics.h"
#include "core/clock.h"
#include "http/router.h"

namespace sluice {
namespace {

class LookupCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-lookup-cache-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(*OpenStore({"sqlite", dir_, true}));
    // The app's posting account writes the posts, so that its DELETE may remove them.
    auto app = CreateApp(*store_, ids_, SystemClock::Instance(), Plans::Defaults(), NewApp{.name = "reader", .plan = "enterprise"});
    ASSERT_TRUE(app.ok()) << app.status().message();
    authorization_ = "Bearer " + app->bearer_token;
    author_ = app->app.user_id;
    WriteBatch batch;
    for (int i = 0; i < 3; ++i) {
      Post p;
      p.id = MakeSnowflake(kT0 + i * 1000, 0, 0);
      p.author_id = author_;
      p.text = "post " + std::to_string(i);
      p.created_at = kT0 + i * 1000;
      p.edit_history = {p.id};
      batch.posts.push_back(p);
    }
    ASSERT_TRUE(store_->Apply(batch).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static Id PostId(int i) { return MakeSnowflake(kT0 + i * 1000, 0, 0); }
  static ApiResponse Response(std::string body, Id post) {
    ApiResponse r = ApiResponse::Json(200, std::move(body));
    r.delivered_posts = {post};
    r.delivered_users = {10};
    return r;
  }
  // A write by another process: straight through SQLite, not through any Store of this one.
  void WriteAsAnotherProcess(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ + "/sluice.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  static constexpr TimeMs kT0 = 1700000000000;
  std::string dir_;
  std::unique_ptr<Store> store_;
  SnowflakeGenerator ids_{SystemClock::Instance(), 1};
  std::string authorization_;
  Id author_ = 0;
};

TEST_F(LookupCacheTest, HitsUntilAWriteThenStartsOver) {
  LookupCache cache(100);
  std::string key = LookupCache::Key("123", "expansions=author_id");
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
  cache.Insert(key, StoreWriteGeneration(), Response("{\"a\":1}", PostId(0)));
  const ApiResponse* hit = cache.Find(key, *store_, kT0);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->body, "{\"a\":1}");
  EXPECT_EQ(hit->delivered_posts, std::vector<Id>{PostId(0)});
  EXPECT_EQ(hit->delivered_users, std::vector<Id>{10});
  EXPECT_EQ(cache.Find(LookupCache::Key("123", ""), *store_, kT0), nullptr);  // another query: another key
  // Any write through any Store of this process, to anything: every entry goes.
  ASSERT_TRUE(store_->AddCredits(*store_->CreateProject("p", kT0), 1, kT0).ok());
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(LookupCacheTest, KeepsNothingRenderedFromReadsThatBeganBeforeAWrite) {
  LookupCache cache(100);
  std::string key = LookupCache::Key("1", "");
  uint64_t before = StoreWriteGeneration();  // the request began...
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
  ASSERT_TRUE(store_->DeletePost(PostId(0), kT0).ok());  // ...a write came in while it rendered
  cache.Insert(key, before, Response("{}", PostId(0)));
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
  // And a generation read before an earlier Find (the cache moved on since): not kept either.
  uint64_t old = StoreWriteGeneration();
  ASSERT_TRUE(store_->DeletePost(PostId(1), kT0).ok());
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
  cache.Insert(key, old, Response("{}", PostId(1)));
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
}

TEST_F(LookupCacheTest, NoticesAnotherProcesssWritesWithinThePollInterval) {
  LookupCache cache(100);
  std::string key = LookupCache::Key("1", "");
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);  // the first Find takes note of the store
  cache.Insert(key, StoreWriteGeneration(), Response("{}", PostId(0)));
  WriteAsAnotherProcess("UPDATE posts SET like_count = like_count + 1 WHERE id = " + std::to_string(PostId(0)));
  // Asked at most every kPollMs: until then the entry may still be served...
  EXPECT_NE(cache.Find(key, *store_, kT0 + LookupCache::kPollMs - 1), nullptr);
  // ...and not after.
  EXPECT_EQ(cache.Find(key, *store_, kT0 + LookupCache::kPollMs), nullptr);
  // With no write in between, polling keeps the entries.
  cache.Insert(key, StoreWriteGeneration(), Response("{}", PostId(0)));
  EXPECT_NE(cache.Find(key, *store_, kT0 + 3 * LookupCache::kPollMs), nullptr);
}

// poll_ms 0 (a store other nodes serve from): another writer's commit empties the cache at the
// very next Find, at the same clock reading.
TEST_F(LookupCacheTest, PollingEveryTimeNoticesAnotherWriterAtOnce) {
  LookupCache cache(100, 0);
  std::string key = LookupCache::Key("1", "");
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
  cache.Insert(key, StoreWriteGeneration(), Response("{}", PostId(0)));
  EXPECT_NE(cache.Find(key, *store_, kT0), nullptr);
  WriteAsAnotherProcess("UPDATE posts SET like_count = like_count + 1 WHERE id = " + std::to_string(PostId(0)));
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
}

// A request received before the worker's last poll began needs none: whatever was
// acknowledged before it arrived was committed before that poll. One received after it polls.
TEST_F(LookupCacheTest, ARequestReceivedBeforeTheLastPollSharesIt) {
  LookupCache cache(100, 0);
  std::string key = LookupCache::Key("1", "");
  const auto early = std::chrono::steady_clock::now();  // arrived, then waited behind others
  EXPECT_EQ(cache.Find(key, *store_, kT0, std::chrono::steady_clock::now()), nullptr);  // polls
  cache.Insert(key, StoreWriteGeneration(), Response("{}", PostId(0)));
  WriteAsAnotherProcess("UPDATE posts SET like_count = like_count + 1 WHERE id = " + std::to_string(PostId(0)));
  // Received before the poll (and so before the write was acknowledged): the poll stands for it.
  EXPECT_NE(cache.Find(key, *store_, kT0, early), nullptr);
  // Received after the write: asks, and finds it.
  EXPECT_EQ(cache.Find(key, *store_, kT0, std::chrono::steady_clock::now()), nullptr);
  // Not known when it arrived: asks.
  cache.Insert(key, StoreWriteGeneration(), Response("{}", PostId(0)));
  WriteAsAnotherProcess("UPDATE posts SET like_count = like_count + 1 WHERE id = " + std::to_string(PostId(0)));
  EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
}

// Two workers, each with its own store connection and cache. One worker's write moves the
// generation once, and both start over; the other worker's poll then notices that same commit
// (its connection's data_version changed), which is not news to anyone: it empties that
// worker's entries, never the writer's nor what the writer rendered after its write.
TEST_F(LookupCacheTest, APollEmptiesOnlyItsOwnWorkersCache) {
  auto other = std::move(*OpenStore({"sqlite", dir_, false}));
  LookupCache mine(100), theirs(100);
  std::string key = LookupCache::Key("1", "");
  EXPECT_EQ(mine.Find(key, *store_, kT0), nullptr);  // both take note of the store
  EXPECT_EQ(theirs.Find(key, *other, kT0), nullptr);
  ASSERT_TRUE(store_->DeletePost(PostId(2), kT0).ok());  // "mine" writes
  uint64_t generation = StoreWriteGeneration();
  EXPECT_EQ(mine.Find(key, *store_, kT0), nullptr);
  mine.Insert(key, generation, Response("{}", PostId(0)));
  // "theirs" polls and finds that commit: its own cache starts over...
  EXPECT_EQ(theirs.Find(key, *other, kT0 + LookupCache::kPollMs), nullptr);
  theirs.Insert(key, generation, Response("{}", PostId(0)));
  // ...and both keep what they rendered since.
  EXPECT_NE(mine.Find(key, *store_, kT0 + LookupCache::kPollMs), nullptr);
  EXPECT_NE(theirs.Find(key, *other, kT0 + LookupCache::kPollMs), nullptr);
  EXPECT_EQ(StoreWriteGeneration(), generation);
}

TEST_F(LookupCacheTest, StartsOverPastItsCapacity) {
  LookupCache cache(2);
  for (int i = 0; i < 3; ++i) {
    std::string key = LookupCache::Key(std::to_string(i), "");
    EXPECT_EQ(cache.Find(key, *store_, kT0), nullptr);
    cache.Insert(key, StoreWriteGeneration(), Response("{}", PostId(i)));
  }
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.Find(LookupCache::Key("2", ""), *store_, kT0), nullptr);
}

// Through the router: the stages around the handler run on a hit as on a miss.
TEST_F(LookupCacheTest, DispatchServesHitsAsRenderedAndNeverAfterADelete) {
  Config config;
  config.oauth.app_tokens_write = true;  // the app's token deletes as its own account
  Metrics metrics;
  RateLimiter limiter(SystemClock::Instance());
  UsageMeter meter(SystemClock::Instance());
  Services services{SystemClock::Instance(), ids_, config, Plans::Defaults(), metrics, nullptr, &limiter, &meter};
  QueueExecutor executor;
  WorkerState worker(*store_, executor);
  worker.lookup_cache.emplace(100);
  Router router(services, {});
  auto Dispatch = [&](const ApiRequest& r) { return DispatchAndWait(router, worker, executor, r); };
  std::string path = "/2/tweets/" + std::to_string(PostId(2));
  const char* query = "tweet.fields=created_at,author_id&expansions=author_id";
  ApiRequest req{"GET", path, query, authorization_, "", "", "", "test"};
  auto header = [](const ApiResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return std::string();
  };

  ApiResponse miss = Dispatch(req);
  ASSERT_EQ(miss.status, 200) << miss.body;
  ApiResponse hit = Dispatch(req);
  ASSERT_EQ(hit.status, 200) << hit.body;
  EXPECT_EQ(hit.body, miss.body);
  EXPECT_EQ(hit.delivered_posts, miss.delivered_posts);
  EXPECT_EQ(hit.delivered_users, miss.delivered_users);
  EXPECT_NE(miss.body.find("\"includes\":{\"users\":[{\"id\":\"" + std::to_string(author_) + "\""), std::string::npos)
      << miss.body;
  // The rate limit counted both; both carry the licence terms.
  EXPECT_EQ(std::stoll(header(miss, "x-rate-limit-remaining")) - 1, std::stoll(header(hit, "x-rate-limit-remaining")));
  EXPECT_EQ(header(hit, "Link"), header(miss, "Link"));
  EXPECT_FALSE(header(hit, "Content-Usage").empty());
  std::string m = metrics.Render(nullptr);
  EXPECT_NE(m.find("sluice_lookup_cache_total{result=\"hit\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_lookup_cache_total{result=\"miss\"} 1\n"), std::string::npos) << m;

  // Deleted (by the app's own DELETE through the router): never served again.
  ApiResponse deleted = Dispatch(ApiRequest{"DELETE", path, "", authorization_, "", "", "", "test"});
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  ApiResponse gone = Dispatch(req);
  ASSERT_EQ(gone.status, 200);
  EXPECT_EQ(gone.body.find("\"data\""), std::string::npos) << gone.body;
  EXPECT_TRUE(gone.delivered_posts.empty());
  // Not found is not kept: still not found, rendered again.
  EXPECT_EQ(Dispatch(req).body, gone.body);
  m = metrics.Render(nullptr);
  EXPECT_NE(m.find("sluice_lookup_cache_total{result=\"miss\"} 3\n"), std::string::npos) << m;
}

}  // namespace
}  // namespace sluice
