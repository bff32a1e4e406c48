// RedisCounters in fast mode (leased rate windows) against a real redis-server.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "access/redis_counters.h"
#include "core/mix.h"
#include "support/redis_server.h"

namespace sluice {
namespace {

using testing::RedisServer;

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kWindow = 15 * kMinute;
constexpr TimeMs kNow = 1'796'515'200'000 + 10 * 3600'000 + 7;  // a minute's start plus 7 ms

class RedisLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_.Start()); }

  std::unique_ptr<RedisCounters> Fast(int nodes, int node_id, bool fail_open = false, TimeMs timeout_ms = 2000) {
    RedisCountersOptions o;
    o.redis.port = redis_.port();
    o.redis.connections = 2;
    o.redis.timeout_ms = timeout_ms;  // 2 s: exactness, not time (a loaded machine must not turn a lease into a 503)
    o.redis.late_reply_patience_ms = 60'000;  // a stalled Redis answers when the test resumes it
    o.redis.probe_interval_ms = 20;
    o.fail_open = fail_open;
    o.nodes = nodes;
    o.node_id = node_id;
    o.fast = true;
    o.clock = &clock_;
    return std::make_unique<RedisCounters>(std::move(o), fallback_, meter_);
  }

  template <typename Start>
  static Result<LimitDecision> Call(Start start) {
    std::promise<Result<LimitDecision>> p;
    auto f = p.get_future();
    start([&p](Result<LimitDecision> d) { p.set_value(std::move(d)); });
    return f.get();
  }

  Result<LimitDecision> Acquire(RedisCounters& c, int64_t limit) {
    std::promise<Result<LimitDecision>> p;
    auto f = p.get_future();
    c.Acquire({1, limit, kWindow, clock_.NowMs()}, [&p](Result<LimitDecision> d) { p.set_value(std::move(d)); });
    return f.get();
  }

  // The count Redis holds in the bucket of `now` for the one window of the test.
  int64_t RedisCount(TimeMs now = kNow) {
    const std::string key = redis_.Command(fmt::format("KEYS sluice:rl:{:016x}:*", Mix64(1)));
    if (key.empty()) return 0;
    const std::string v = redis_.Command("HGET " + key + " " + std::to_string(now / (kWindow / 15)));
    return v.empty() ? 0 : std::stoll(v);
  }

  // EVALSHA commands Redis ran so far (INFO commandstats).
  int64_t ScriptCalls() {
    const std::string info = redis_.Command("INFO commandstats");
    const std::string tag = "cmdstat_evalsha:calls=";
    const auto at = info.find(tag);
    return at == std::string::npos ? 0 : std::stoll(info.substr(at + tag.size()));
  }

  // Polls `pred` for up to 10 s (the sweeper runs every 100 ms).
  template <typename Pred>
  bool Eventually(Pred pred) {
    for (int i = 0; i < 1000; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  }

  RedisServer redis_;
  ManualClock clock_{kNow};
  RateLimiter fallback_{clock_};
  UsageMeter meter_{clock_};
};

TEST_F(RedisLeasesTest, OneNodeAdmitsFromALeaseWithStrictModesRemainingAndOneScriptCall) {
  auto c = Fast(1, 1);  // 1 % of 1000: leases of 10
  const int64_t calls = ScriptCalls();
  for (int64_t left : {999, 998, 997}) {
    auto d = Acquire(*c, 1000);
    ASSERT_TRUE(d.ok()) << d.status().message();
    EXPECT_TRUE(d->allowed);
    EXPECT_EQ(d->remaining, left);
    EXPECT_EQ(d->bucket, kNow / kMinute);
    EXPECT_EQ(d->reset, (kNow / kMinute + 1) * kMinute + kWindow);
  }
  EXPECT_EQ(RedisCount(), 10);  // the lease, counted at once
  EXPECT_EQ(ScriptCalls() - calls, 1);
  // A release goes back to the lease: ten admissions from it in all, then another lease.
  auto d = Acquire(*c, 1000);
  c->Release({1, 1000, kWindow, clock_.NowMs()}, *d);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(Acquire(*c, 1000)->allowed);
  EXPECT_EQ(ScriptCalls() - calls, 1);
  ASSERT_TRUE(Acquire(*c, 1000)->allowed);
  EXPECT_EQ(ScriptCalls() - calls, 2);
  EXPECT_EQ(RedisCount(), 20);
  // The bucket ends: the 9 unused go back (off the request path), Redis holds the 11 admitted.
  clock_.Advance(kMinute);
  EXPECT_TRUE(Eventually([&] { return RedisCount() == 11; })) << RedisCount();
}

TEST_F(RedisLeasesTest, ThreeNodesUnderAConcurrentBurstStayWithinTheLimitAndGiveBackWhatTheyDidNotUse) {
  // 1000 per window over 3 nodes at 1 %: leases of 3. Admitted: at least 1000 - 3 * 3, at most 1000.
  constexpr int64_t kLimit = 1000, kLease = 3, kNodes = 3;
  std::vector<std::unique_ptr<RedisCounters>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(Fast(kNodes, i + 1));
  std::atomic<int64_t> admitted{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 9; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 140; ++i) {
        auto d = Acquire(*nodes[size_t(t + i) % kNodes], kLimit);
        if (!d.ok()) failed.fetch_add(1);
        else if (d->allowed) admitted.fetch_add(1);
        else refused.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::printf("fast mode, 3 nodes, limit 1000, 1260 requests: %lld admitted, %lld refused\n",
              (long long)admitted.load(), (long long)refused.load());
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GE(admitted.load(), kLimit - kNodes * kLease);
  EXPECT_LE(admitted.load(), kLimit);
  EXPECT_EQ(admitted.load() + refused.load(), 9 * 140);
  // Redis holds what was admitted plus what sits unused in the nodes' leases (at most 3 each)...
  EXPECT_GE(RedisCount(), admitted.load());
  EXPECT_LE(RedisCount(), std::min(kLimit, admitted.load() + kNodes * kLease));
  // ... which goes back when the bucket ends.
  clock_.Advance(kMinute);
  EXPECT_TRUE(Eventually([&] { return RedisCount() == admitted.load(); })) << RedisCount();
}

TEST_F(RedisLeasesTest, RedisDownALiveLeaseIsUsedUpThenStrictModesRulesApply) {
  auto closed = Fast(1, 1);
  auto open = Fast(2, 2, true);
  ASSERT_TRUE(Acquire(*closed, 1000)->allowed);  // a lease of 10
  ASSERT_TRUE(Acquire(*open, 1000)->allowed);    // a lease of 5
  redis_.Kill();
  for (int i = 0; i < 9; ++i) EXPECT_TRUE(Acquire(*closed, 1000)->allowed) << i;
  auto down = Acquire(*closed, 1000);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(Acquire(*open, 1000)->fallback) << i;
  auto local = Acquire(*open, 1000);  // the lease used up: this node's share, locally
  ASSERT_TRUE(local.ok()) << local.status().message();
  EXPECT_TRUE(local->allowed);
  EXPECT_TRUE(local->fallback);
}

// A lease whose grant came after its request timed out (Redis stalled: the waiter got 503)
// was never used: the node gives all its places back, and the next lease starts from them.
TEST_F(RedisLeasesTest, ALateGrantIsGivenBackWhole) {
  auto node = Fast(1, 1, /*fail_open=*/false, /*timeout_ms=*/200);
  // Another key on the same connection first, so that the connection (and its scripts) is up
  // before Redis stalls.
  uint64_t other = 2;
  while (Mix64(other) % 2 != Mix64(1) % 2) ++other;
  auto warm = Call([&](auto done) { node->Acquire({other, 1000, kWindow, clock_.NowMs()}, std::move(done)); });
  ASSERT_TRUE(warm.ok() && warm->allowed);
  redis_.Pause();
  auto refused = Acquire(*node, 1000);  // key 1, K = 10, asked while Redis is stopped
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  redis_.Resume();
  // The grant of 10 runs when Redis resumes, comes back late and is given back whole.
  ASSERT_TRUE(Eventually([&] { return node->late_replies() == 1; })) << node->late_replies();
  ASSERT_TRUE(Eventually([&] { return RedisCount() == 0; })) << RedisCount();
  auto admitted = Acquire(*node, 1000);
  ASSERT_TRUE(admitted.ok()) << admitted.status().message();
  EXPECT_TRUE(admitted->allowed);
  EXPECT_EQ(admitted->remaining, 999);  // strict mode's value: nothing of the late grant is left
}

}  // namespace
}  // namespace sluice
