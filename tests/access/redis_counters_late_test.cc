// RedisCounters when Redis stalls past the timeout (tests/support/redis_server.h: SIGSTOP, so
// the scripts already sent run when it resumes, after their callers were answered): a late
// reply leaves Redis's windows, day sets, cycle counters and spending as they were before the
// call, and a carry is counted once.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <functional>
#include <future>
#include <thread>

#include "access/redis_counters.h"
#include "core/mix.h"
#include "support/redis_server.h"

namespace sluice {
namespace {

using testing::RedisServer;

constexpr TimeMs kFifteenMinutes = 15 * 60'000;
constexpr TimeMs kToday = 1'796'515'200'000;  // 2026-12-06 00:00 UTC
constexpr TimeMs kNow = kToday + 10 * 3600'000;
constexpr Id kProject = 3;
constexpr Id kApp = 11;
constexpr int kConnections = 3;

template <typename T, typename Start>
Result<T> Call(Start start) {
  std::promise<Result<T>> p;
  auto f = p.get_future();
  start([&p](Result<T> r) { p.set_value(std::move(r)); });
  return f.get();
}

Plan Payg() {
  Plan p;
  p.name = "payg";
  p.pay_per_use = true;
  p.post_read_price = 5'000;
  p.user_read_price = 10'000;
  p.post_create_price = 15'000;
  return p;
}

Budget PaygBudget() {
  Budget b;
  b.cycle_start = kToday;
  b.credits_added = 1'000'000;
  return b;
}

// A rate key whose calls go through the connection of `key` (same shard), or another one.
uint64_t KeyOnConnection(uint64_t key, bool same) {
  for (uint64_t k = key + 1;; ++k) {
    if ((Mix64(k) % kConnections == Mix64(key) % kConnections) == same) return k;
  }
}

class RedisCountersLateTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_.Start()); }

  std::unique_ptr<RedisCounters> Make(bool fail_open) {
    RedisCountersOptions o;
    o.redis.port = redis_.port();
    o.redis.connections = kConnections;
    o.redis.timeout_ms = 200;
    o.redis.probe_interval_ms = 20;
    o.redis.late_reply_patience_ms = 60'000;  // the replies come when the test resumes Redis
    o.fail_open = fail_open;
    o.nodes = 2;
    return std::make_unique<RedisCounters>(std::move(o), limiter_, meter_);
  }

  Result<LimitDecision> Acquire(RedisCounters& c, uint64_t key) {
    return Call<LimitDecision>([&](auto done) { c.Acquire({key, 10, kFifteenMinutes, kNow}, std::move(done)); });
  }
  Result<UsageCharge> Charge(RedisCounters& c, std::vector<Id> posts, std::vector<Id> users, int64_t writes) {
    const Plan plan = Payg();
    return Call<UsageCharge>(
        [&](auto done) { c.Charge({kProject, kApp, &plan, PaygBudget(), posts, users, writes, kNow}, std::move(done)); });
  }

  // Everything the counters keep in Redis, key by key.
  std::string Snapshot() {
    std::string out;
    for (const char* pattern : {"sluice:rl:*", "sluice:dp:*", "sluice:du:*", "sluice:cy:*", "sluice:sp:*"}) {
      std::string keys = redis_.Command(std::string("KEYS ") + pattern);
      for (size_t from = 0; from < keys.size();) {
        size_t end = keys.find(' ', from);
        if (end == std::string::npos) end = keys.size();
        const std::string key = keys.substr(from, end - from);
        const bool set = key.find(":dp:") != std::string::npos || key.find(":du:") != std::string::npos;
        out += key + " = " + redis_.Command((set ? "SORT " + key + " ALPHA" : "HGETALL " + key)) + "\n";
        from = end + 1;
      }
    }
    return out;
  }

  static bool Eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 1000; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  RedisServer redis_;
  ManualClock clock_{kNow};
  RateLimiter limiter_{clock_};
  UsageMeter meter_{clock_};
};

TEST_F(RedisCountersLateTest, AChargeAndAnAcquireThatTimedOutLeaveRedisAsBefore) {
  auto counters = Make(false);  // closed: the callers get 503
  const uint64_t key = KeyOnConnection(Mix64(uint64_t(kProject)), false);  // not behind the charge
  // Both on connections other than the charge's: Mix64 of the project picks the charge's.
  ASSERT_NE(Mix64(key) % kConnections, Mix64(uint64_t(kProject)) % kConnections);
  ASSERT_TRUE(Charge(*counters, {1, 2}, {7}, 1).ok());
  ASSERT_TRUE(Acquire(*counters, key)->allowed);
  const std::string before = Snapshot();
  ASSERT_NE(before.find("sluice:sp:"), std::string::npos) << before;

  redis_.Pause();
  // New posts and users, one already delivered today, and a write: each of them is counted by
  // the script when Redis resumes.
  auto charge = Charge(*counters, {2, 3, 4}, {7, 8}, 1);
  EXPECT_EQ(charge.status().code(), StatusCode::kUnavailable);
  auto acquire = Acquire(*counters, key);
  EXPECT_EQ(acquire.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(counters->late_replies(), 0u);
  redis_.Resume();
  ASSERT_TRUE(Eventually([&] { return counters->late_replies() == 2; }));
  // The undos went ahead of anything queued on their connections: a call after them on each
  // (a charge of nothing; an acquire of another key) has seen them land.
  ASSERT_TRUE(Charge(*counters, {}, {}, 0).ok());
  const uint64_t neighbour = KeyOnConnection(key, true);
  ASSERT_TRUE(Acquire(*counters, neighbour).ok());
  std::string after = Snapshot();
  // The neighbour's window is new: take it out, the rest must be exactly as before.
  std::string without;
  for (size_t from = 0; from < after.size();) {
    const size_t end = after.find('\n', from);
    const std::string line = after.substr(from, end - from + 1);
    if (line.find(fmt::format("{:016x}", Mix64(neighbour))) == std::string::npos) without += line;
    from = end + 1;
  }
  EXPECT_EQ(without, before);
  EXPECT_EQ(counters->unknown_outcomes(), 0u);
  EXPECT_EQ(meter_.TotalSpent(kProject), 2 * 5'000 + 10'000 + 15'000);  // the first charge only
  // And the window counts one admission: the next one leaves 8 of 10.
  auto next = Acquire(*counters, key);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->remaining, 8);
}

TEST_F(RedisCountersLateTest, OpenModeAfterALateChargeTheStallIsCountedOnce) {
  auto counters = Make(true);  // open: the fallback charges this node alone
  ASSERT_TRUE(Charge(*counters, {1, 2}, {}, 0).ok());
  const std::string cycle = redis_.Command("KEYS sluice:cy:*"), spent = redis_.Command("KEYS sluice:sp:*");
  const std::string posts = redis_.Command("KEYS sluice:dp:*");
  auto state = [&] {
    return redis_.Command("HGET " + cycle + " r") + " " + redis_.Command("HGET " + spent + " t") + " [" +
           redis_.Command("SORT " + posts) + "]";
  };
  ASSERT_EQ(state(), "2 10000 [1 2]");

  // A stall: {3} times out in Redis and is charged here alone (a carry of 1 post, 5000).
  redis_.Pause();
  auto alone = Charge(*counters, {3}, {}, 0);
  ASSERT_TRUE(alone.ok()) << alone.status().message();
  EXPECT_TRUE(alone->fallback);
  redis_.Resume();
  // Its late reply: Redis counted {3}; taken back (the carry holds it).
  ASSERT_TRUE(Eventually([&] { return counters->late_replies() == 1 && state() == "2 10000 [1 2]"; })) << state();

  // Another stall: {4} takes the carry with it to Redis, times out, and is charged here alone.
  redis_.Pause();
  auto again = Charge(*counters, {4}, {}, 0);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->fallback);
  redis_.Resume();
  // Its late reply: Redis counted the carry (it stays) and {4} (taken back, into the carry).
  ASSERT_TRUE(Eventually([&] { return counters->late_replies() == 2 && state() == "3 15000 [1 2]"; })) << state();

  // The next charge adds what this node charged alone and Redis lacks: {4}. Each post once.
  auto back = Charge(*counters, {5}, {}, 0);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_FALSE(back->fallback);
  EXPECT_EQ(state(), "5 25000 [1 2 5]");
  EXPECT_EQ(meter_.TotalSpent(kProject), 25'000);
  ASSERT_TRUE(Charge(*counters, {6}, {}, 0).ok());
  EXPECT_EQ(state(), "6 30000 [1 2 5 6]");  // the carry added once
  EXPECT_EQ(counters->unknown_outcomes(), 0u);
}

}  // namespace
}  // namespace sluice
