// Integration: what one worker acknowledges, every worker serves from then on. Two keep-alive
// connections are held by the server's two workers (each worker has its own store connection,
// read snapshot per request and caches); a post created through one is found through the
// other, and once its DELETE is acknowledged, neither serves it again. Run with the workers'
// caches of rendered lookups (server.lookup_cache_entries, the default) and without.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// The worker that served a response: x-request-id is 12 hex digits of start time, then the
// worker's index in 2 hex digits, then a counter.
int WorkerOf(const HttpResponse& r) {
  auto it = r.headers.find("x-request-id");
  if (it == r.headers.end() || it->second.size() < 14) return -1;
  return std::stoi(it->second.substr(12, 2), nullptr, 16);
}

// The parameter: server.lookup_cache_entries.
class VisibilityTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<SluiceServer>(50, 500);
    token_ = server_->CreateApp("writer", "enterprise");
    std::string config = server_->data_dir() + "/two-workers.toml";
    std::ofstream(config) << "[server]\nworkers = 2\nlookup_cache_entries = " << GetParam() << "\n";
    server_->Start({"--config", config});
  }
  // sluice_lookup_cache_total{result=...} from /metrics: the cache's own count of the lookups
  // it answered ("hit") and of those it did not ("miss"); -1 when not there.
  int64_t CacheCount(const std::string& result) {
    std::string m = server_->Get("/metrics", "").body;
    std::string key = "sluice_lookup_cache_total{result=\"" + result + "\"} ";
    size_t at = m.find(key);
    return at == std::string::npos ? -1 : std::stoll(m.substr(at + key.size()));
  }

  // What the cache counted against what this test sent, at the end of a test. Every GET
  // /2/tweets/:id is either a hit or a miss when the cache is on, and neither is counted when
  // it is off. How many of them were hits while the writes go on is not asserted: a worker's
  // poll for other processes' writes (every LookupCache::kPollMs) also notices the other
  // worker's commits and empties its cache, so that count depends on how fast requests come.
  void ExpectEveryLookupCounted() {
    int64_t hits = CacheCount("hit"), misses = CacheCount("miss");
    if (GetParam() > 0) {
      EXPECT_EQ(hits + misses, lookups_) << hits << " hits, " << misses << " misses";
    } else {
      EXPECT_EQ(hits, 0);
      EXPECT_EQ(misses, 0);
    }
  }

  // Once the writes have stopped, repeated lookups are hits, however slowly they come. On each
  // worker the last write empties the cache once (the generation moved), and the worker's poll
  // for other writers may find that commit once more and empty it again (LookupCache::Find,
  // at whichever lookup the poll falls due): at most two misses, then hits. `clients` are
  // held by distinct workers.
  void ExpectHitsOnceQuiet(const std::vector<KeepAliveClient*>& clients, const std::string& id,
                           const std::string& query) {
    constexpr int kRepeats = 10;
    int64_t hits = CacheCount("hit"), misses = CacheCount("miss");
    for (KeepAliveClient* c : clients)
      for (int i = 0; i < kRepeats; ++i) ASSERT_TRUE(Lookup(*c, id, token_, query).is_object());
    int64_t new_hits = CacheCount("hit") - hits, new_misses = CacheCount("miss") - misses;
    int64_t n = int64_t(clients.size()) * kRepeats;
    if (GetParam() > 0) {
      EXPECT_EQ(new_hits + new_misses, n);
      EXPECT_LE(new_misses, 2 * int64_t(clients.size())) << new_hits << " hits";
    } else {
      EXPECT_EQ(new_hits + new_misses, 0);
    }
  }

  // The post as `client` serves it: its `data`, or null when the response has none (not found).
  json::value Lookup(KeepAliveClient& client, const std::string& id, const std::string& token,
                     const std::string& query) {
    ++lookups_;
    auto r = client.Get("/2/tweets/" + id + (query.empty() ? "" : "?" + query), token);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return nullptr;
    auto j = r.Json().as_object();
    if (!j.contains("data")) {
      EXPECT_EQ(Str(j.at("errors").at(0), "type"), "https://api.x.com/2/problems/resource-not-found") << r.body;
      return nullptr;
    }
    return j.at("data");
  }

  std::unique_ptr<SluiceServer> server_;
  std::string token_;
  int64_t lookups_ = 0;  // GET /2/tweets/:id sent
};

TEST_P(VisibilityTest, WhatOneWorkerAcknowledgesEveryWorkerServes) {
  KeepAliveClient a(server_->port()), b(server_->port());
  int worker_a = WorkerOf(a.Get("/healthz", "")), worker_b = WorkerOf(b.Get("/healthz", ""));
  ASSERT_GE(worker_a, 0);
  ASSERT_GE(worker_b, 0);
  ASSERT_NE(worker_a, worker_b) << "the two connections must be served by the two workers";
  const std::vector<std::string> queries = {"", "tweet.fields=created_at,author_id&expansions=author_id",
                                            "tweet.fields=public_metrics"};
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    KeepAliveClient& writer = round % 2 ? a : b;
    KeepAliveClient& other = round % 2 ? b : a;
    auto created = writer.Request("POST", "/2/tweets", token_, R"({"text":"visible in round )" + std::to_string(round) + "\"}");
    ASSERT_EQ(created.status, 201) << created.body;
    std::string id = Str(created.Json().at("data"), "id");
    // Found at once through both workers, with every field set, several times over.
    for (int i = 0; i < 3; ++i)
      for (KeepAliveClient* c : {&other, &writer})
        for (const auto& q : queries) {
          auto data = Lookup(*c, id, token_, q);
          ASSERT_TRUE(data.is_object()) << "post " << id << " not found with '" << q << "'";
          EXPECT_EQ(Str(data, "id"), id);
        }
    // A reply through the other worker changes the post's reply count, seen through both.
    auto reply = other.Request("POST", "/2/tweets", token_, R"({"text":"a reply","reply":{"in_reply_to_tweet_id":")" + id + "\"}}");
    ASSERT_EQ(reply.status, 201) << reply.body;
    for (KeepAliveClient* c : {&writer, &other}) {
      auto data = Lookup(*c, id, token_, "tweet.fields=public_metrics");
      ASSERT_TRUE(data.is_object());
      EXPECT_EQ(data.at("public_metrics").at("reply_count").as_int64(), 1);
    }
    // Deleted through one worker: once that is acknowledged, neither serves it, nor does a
    // new connection.
    KeepAliveClient& deleter = round % 3 ? a : b;
    auto deleted = deleter.Request("DELETE", "/2/tweets/" + id, token_);
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    for (KeepAliveClient* c : {&a, &b})
      for (const auto& q : queries) EXPECT_TRUE(Lookup(*c, id, token_, q).is_null()) << "deleted post " << id << " served";
    for (int i = 0; i < 2; ++i) {
      ++lookups_;
      auto fresh = server_->Get("/2/tweets/" + id, token_);
      EXPECT_EQ(fresh.status, 200);
      EXPECT_FALSE(fresh.Json().as_object().contains("data")) << fresh.body;
    }
  }
  // The lookups above went through the caches when they are on (so this tested them), and
  // once the writes stop the caches answer.
  auto last = a.Request("POST", "/2/tweets", token_, R"({"text":"the last write"})");
  ASSERT_EQ(last.status, 201) << last.body;
  for (const auto& q : queries) ExpectHitsOnceQuiet({&a, &b}, Str(last.Json().at("data"), "id"), q);
  ExpectEveryLookupCounted();
}

// A post read over and over through both workers (so that both have it cached), then deleted
// through one of them while the other keeps its connection: not served once acknowledged.
TEST_P(VisibilityTest, ACachedPostIsNotServedAfterItsDeleteIsAcknowledged) {
  KeepAliveClient a(server_->port()), b(server_->port());
  ASSERT_NE(WorkerOf(a.Get("/healthz", "")), WorkerOf(b.Get("/healthz", "")));
  const std::string query = "tweet.fields=created_at,author_id&expansions=author_id";
  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto created = a.Request("POST", "/2/tweets", token_, R"({"text":"soon gone )" + std::to_string(round) + "\"}");
    ASSERT_EQ(created.status, 201) << created.body;
    std::string id = Str(created.Json().at("data"), "id");
    for (int i = 0; i < 5; ++i)
      for (KeepAliveClient* c : {&a, &b}) ASSERT_TRUE(Lookup(*c, id, token_, query).is_object());
    KeepAliveClient& deleter = round % 2 ? a : b;
    KeepAliveClient& watcher = round % 2 ? b : a;
    ASSERT_EQ(deleter.Request("DELETE", "/2/tweets/" + id, token_).status, 200);
    EXPECT_TRUE(Lookup(watcher, id, token_, query).is_null()) << "deleted post " << id << " served by the other worker";
    EXPECT_TRUE(Lookup(deleter, id, token_, query).is_null()) << "deleted post " << id << " served by its deleter";
  }
  auto last = b.Request("POST", "/2/tweets", token_, R"({"text":"kept"})");
  ASSERT_EQ(last.status, 201) << last.body;
  ExpectHitsOnceQuiet({&a, &b}, Str(last.Json().at("data"), "id"), query);
  ExpectEveryLookupCounted();
}

INSTANTIATE_TEST_SUITE_P(LookupCache, VisibilityTest, ::testing::Values(10000, 0),
                         [](const ::testing::TestParamInfo<int>& info) { return info.param ? "On" : "Off"; });

}  // namespace
}  // namespace sluice::testing
