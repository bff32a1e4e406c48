// Integration: `sluice serve --limits redis://...` against a real redis-server (started and
// killed by the tests): exact limits under concurrency, and Redis outages.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "harness.h"
#include "support/redis_server.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;
using Steady = std::chrono::steady_clock;

constexpr const char* kCounts = "/2/tweets/counts/recent?query=the";  // basic: 5 per 15 minutes

class SharedLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start());
    server_ = std::make_unique<SluiceServer>(30, 300);
    basic_ = server_->CreateApp("basic app", "basic");
    pro_ = server_->CreateApp("pro app", "pro");
  }
  void TearDown() override { server_.reset(); }

  // Starts the server with --limits and, when given, a [limits] table in a config file.
  void Start(const std::string& limits_table = "") {
    std::vector<std::string> args = {"--limits", redis_.url()};
    if (!limits_table.empty()) {
      const std::string path = server_->data_dir() + "/limits.toml";
      std::ofstream(path) << "[limits]\n" << limits_table;
      args.push_back("--config");
      args.push_back(path);
    }
    server_->Start(args);
  }

  // Requests until Redis decides again (the breaker closed), up to 10 s.
  HttpResponse WhenBack(const std::string& target, const std::string& token) {
    HttpResponse r;
    for (int i = 0; i < 500; ++i) {
      r = server_->Get(target, token);
      if (r.status != 503) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return r;
  }

  RedisServer redis_;
  std::unique_ptr<SluiceServer> server_;
  std::string basic_, pro_;
};

// Exactness, not time: a generous timeout, so that a slow moment of the loaded test machine
// cannot turn a decision into a 503.
constexpr const char* kPatient = "timeout_ms = 2000\n";

TEST_F(SharedLimitsTest, AConcurrentBurstAdmitsExactlyTheLimit) {
  Start(kPatient);
  std::mutex mu;
  std::multiset<std::string> remaining;
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        auto r = server_->Get(kCounts, basic_);
        if (r.status == 200) {
          ok.fetch_add(1);
          std::lock_guard lock(mu);
          remaining.insert(r.headers["x-rate-limit-remaining"]);
        } else if (r.status == 429) {
          refused.fetch_add(1);
        } else {
          other.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 5);
  EXPECT_EQ(refused.load(), 19);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(remaining, (std::multiset<std::string>{"0", "1", "2", "3", "4"}));
  // The window lives in Redis, with its five admissions.
  const std::string key = redis_.Command("KEYS sluice:rl:*");
  ASSERT_FALSE(key.empty());
  const std::string fields = redis_.Command("HGETALL " + key);
  EXPECT_NE(fields.find(" 5"), std::string::npos) << fields;
  // Another app is not affected; a refusal answers X's 429 with the reset time.
  EXPECT_EQ(server_->Get(kCounts, pro_).status, 200);
  auto again = server_->Get(kCounts, basic_);
  EXPECT_EQ(again.status, 429);
  EXPECT_EQ(again.headers["x-rate-limit-remaining"], "0");
}

// Pro limits GET /2/tweets/:id per user too (900): an app's own token counts in the app's
// window (450) alone, in Redis as on one node.
TEST_F(SharedLimitsTest, AnAppTokenCountsOnlyInTheAppsWindow) {
  Start(kPatient);
  for (int i = 0; i < 3; ++i) {
    auto r = server_->Get("/2/tweets/1", pro_);
    ASSERT_NE(r.status, 429) << r.body;
    EXPECT_EQ(r.headers["x-rate-limit-limit"], "450");
    EXPECT_EQ(r.headers["x-rate-limit-remaining"], std::to_string(449 - i));
  }
}

TEST_F(SharedLimitsTest, PayPerUseCreditsAreNeverOverspentUnderConcurrency) {
  auto created = RunSluice({"apps", "create", "--data", server_->data_dir(), "--name", "metered", "--plan", "payg"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto app = json::parse(created.out);
  const std::string token = Str(app, "bearer_token");
  // $0.02: four posts at $0.005.
  ASSERT_EQ(RunSluice({"credits", "add", "--data", server_->data_dir(), "--project", Str(app, "project_id"), "--usd", "0.02"})
                .exit_code,
            0);
  Start(kPatient);
  auto page = server_->Get("/2/tweets/search/recent?query=the%20OR%20le&max_results=20", pro_).Json();
  std::vector<std::string> ids;
  for (const auto& p : page.at("data").as_array()) ids.push_back(Str(p, "id"));
  ASSERT_GE(ids.size(), 12u);
  std::atomic<int> ok{0}, payment{0};
  std::mutex mu;
  std::vector<std::string> other;
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      auto r = server_->Get("/2/tweets/" + ids[size_t(t)], token);
      if (r.status == 200) ok.fetch_add(1);
      else if (r.status == 402) payment.fetch_add(1);
      else {
        std::lock_guard lock(mu);
        other.push_back(std::to_string(r.status) + " " + r.body);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(payment.load(), 8);
  EXPECT_TRUE(other.empty()) << other.front();
  EXPECT_EQ(redis_.Command("HGET " + redis_.Command("KEYS sluice:sp:*") + " t"), "20000");
}

TEST_F(SharedLimitsTest, RedisDownClosedAnswers503FastThenCountingResumes) {
  Start();  // the default timeout, 50 ms
  ASSERT_EQ(WhenBack(kCounts, basic_).status, 200);
  // Slowest of `n` requests, each a 503 with Retry-After in X's problem shape.
  auto outage = [&](int n) {
    int64_t slowest_ms = 0;
    for (int i = 0; i < n; ++i) {
      const auto began = Steady::now();
      auto r = server_->Get(kCounts, basic_);
      slowest_ms = std::max<int64_t>(slowest_ms, std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - began).count());
      EXPECT_EQ(r.status, 503) << r.body;
      if (r.status != 503) continue;
      EXPECT_FALSE(r.headers["retry-after"].empty());
      EXPECT_EQ(Str(r.Json(), "title"), "Service Unavailable");
      EXPECT_EQ(Str(r.Json(), "resource_type"), "service");  // X requires it on resource-unavailable
    }
    return slowest_ms;
  };
  // A hung Redis (accepts, never answers): each request waits at most the 50 ms timeout, and
  // after three in a row the breaker answers at once. Bounded here at 5x.
  redis_.Pause();
  EXPECT_LT(outage(10), 250);
  // A dead Redis: refused at once, then the breaker.
  redis_.Resume();
  redis_.Kill();
  EXPECT_LT(outage(10), 250);
  auto metrics = server_->Get("/metrics", "").body;
  const std::string counter = "sluice_refused_total{reason=\"backend\"} ";
  const auto at = metrics.find(counter);
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GE(std::stoll(metrics.substr(at + counter.size())), 20) << metrics;
  ASSERT_TRUE(redis_.Start());
  auto back = WhenBack(kCounts, basic_);
  ASSERT_EQ(back.status, 200) << back.body;
  // An empty Redis: the window starts over (the outage's 503s counted nothing), and counts.
  // (A request that timed out on the loaded test machine may have been counted as well: the
  // timeout here is the default 50 ms.)
  const int first = std::stoi(back.headers["x-rate-limit-remaining"]);
  EXPECT_LE(first, 4);
  EXPECT_GE(first, 1);
  auto next = WhenBack(kCounts, basic_);
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_LT(std::stoi(next.headers["x-rate-limit-remaining"]), first);
  // Every delivery is in the ledger.
  ASSERT_EQ(server_->Stop(), 0);
  auto verify = RunSluice({"ledger", "verify", "--data", server_->data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_F(SharedLimitsTest, RedisDownOpenEnforcesThisNodesShare) {
  Start(std::string(kPatient) + "on_backend_failure = \"open\"\nnodes = 2\n");
  ASSERT_EQ(server_->Get(kCounts, basic_).status, 200);
  redis_.Kill();
  // 5 per 15 minutes over 2 nodes: this node admits 2 alone.
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) statuses.push_back(server_->Get(kCounts, basic_).status);
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 429, 429}));
  ASSERT_TRUE(redis_.Start());
  // Back to Redis (empty, so admitting again, where this node alone refuses): its count again.
  HttpResponse back;
  for (int i = 0; i < 500; ++i) {
    back = server_->Get(kCounts, basic_);
    if (back.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_LE(std::stoi(back.headers["x-rate-limit-remaining"]), 4);
  EXPECT_FALSE(redis_.Command("KEYS sluice:rl:*").empty());
}

TEST(SharedLimitsCli, RejectsABadLimitsUrl) {
  SluiceServer server;
  auto r = RunSluice({"serve", "--data", server.data_dir(), "--limits", "http://localhost:6379"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "sluice: --limits http://localhost:6379: not a redis:// URL (expected redis://HOST:PORT)\n");
}

}  // namespace
}  // namespace sluice::testing
