// RedisCounters against a real redis-server (tests/support/redis_server.h), one per test.
#include "access/redis_counters.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "support/redis_server.h"

namespace sluice {
namespace {

using testing::RedisServer;

constexpr TimeMs kDay = 86'400'000;
constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kFifteenMinutes = 15 * kMinute;
// 2026-12-06 00:00 UTC plus a bit: a day's start and a cycle's start are easy to name.
constexpr TimeMs kToday = 1'796'515'200'000;
constexpr TimeMs kNow = kToday + 10 * 3600'000;
constexpr Id kProject = 3;
constexpr Id kApp = 11;

// Calls a counters method and waits for its `done`.
template <typename T, typename Start>
Result<T> Call(Start start) {
  std::promise<Result<T>> p;
  auto f = p.get_future();
  start([&p](Result<T> r) { p.set_value(std::move(r)); });
  return f.get();
}

Plan Capped() {
  Plan p;
  p.name = "basic";
  p.read_cap = 10;
  p.write_cap = 3;
  return p;
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

Budget CapBudget(const Plan& p) {
  Budget b;
  b.cycle_start = kToday;
  b.read_cap = p.read_cap;
  b.write_cap = p.write_cap;
  return b;
}

Budget PaygBudget(MicroUsd added) {
  Budget b;
  b.cycle_start = kToday;
  b.credits_added = added;
  return b;
}

class RedisCountersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start());
    counters_ = Make(false);
  }

  std::unique_ptr<RedisCounters> Make(bool fail_open, int nodes = 1, int node_id = 0, UsageMeter* meter = nullptr) {
    RedisCountersOptions o;
    o.redis.host = "127.0.0.1";
    o.redis.port = redis_.port();
    o.redis.connections = 3;
    o.redis.timeout_ms = 200;  // a loaded 2-core test machine; the integration test bounds the wait
    o.redis.probe_interval_ms = 20;
    o.fail_open = fail_open;
    o.nodes = nodes;
    o.node_id = node_id;
    return std::make_unique<RedisCounters>(std::move(o), fallback_, meter ? *meter : meter_);
  }

  Result<LimitDecision> Acquire(RedisCounters& c, uint64_t key, int64_t limit, TimeMs window, TimeMs now) {
    return Call<LimitDecision>([&](auto done) { c.Acquire({key, limit, window, now}, std::move(done)); });
  }

  Result<UsageCharge> Charge(RedisCounters& c, const Plan& plan, const Budget& b, std::vector<Id> posts,
                             std::vector<Id> users, int64_t writes, TimeMs now = kNow) {
    return Call<UsageCharge>(
        [&](auto done) { c.Charge({kProject, kApp, &plan, b, posts, users, writes, now}, std::move(done)); });
  }

  // Waits (up to 10 s) for the breaker to close after Redis came back.
  bool Healthy(RedisCounters& c) {
    for (int i = 0; i < 1000 && !c.healthy(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return c.healthy();
  }

  RedisServer redis_;
  ManualClock clock_{kNow};
  RateLimiter fallback_{clock_};
  UsageMeter meter_{clock_};
  std::unique_ptr<RedisCounters> counters_;
};

TEST_F(RedisCountersTest, DecidesExactlyAsTheLocalLimiter) {
  // The same arrivals through RateLimiter and through Redis: every decision equal.
  std::mt19937_64 rng(7);
  for (TimeMs window : {kFifteenMinutes, TimeMs{1001}, TimeMs{7}}) {
    ManualClock clock(kNow);
    RateLimiter local(clock);
    const uint64_t key = 1000 + uint64_t(window);
    const int64_t limit = window == 7 ? 3 : 25;
    TimeMs t = kNow;
    for (int i = 0; i < 400; ++i) {
      t += TimeMs(rng() % uint64_t(window / 10 + 2));
      LimitDecision want = local.Acquire(key, limit, window, t);
      auto got = Acquire(*counters_, key, limit, window, t);
      ASSERT_TRUE(got.ok()) << got.status().message();
      ASSERT_EQ(got->allowed, want.allowed) << "window " << window << " i " << i;
      ASSERT_EQ(got->remaining, want.remaining) << "window " << window << " i " << i;
      ASSERT_EQ(got->reset, want.reset) << "window " << window << " i " << i;
      if (want.allowed) {
        ASSERT_EQ(got->bucket, want.bucket);
      }
      if (i % 7 == 3 && want.allowed) {  // some are given back, in both
        local.Release(key, window, want);
        counters_->Release({key, limit, window, t}, *got);
      }
    }
  }
}

TEST_F(RedisCountersTest, ConcurrentThreadsOnSeveralClientsAdmitExactlyN) {
  // Three clients (three nodes' worth of connections) and 12 threads, 600 requests for 100 places.
  auto a = Make(false), b = Make(false);
  RedisCounters* clients[] = {counters_.get(), a.get(), b.get()};
  constexpr int64_t kLimit = 100;
  std::mutex mu;
  std::multiset<int64_t> remaining;
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto d = Acquire(*clients[t % 3], 42, kLimit, kFifteenMinutes, kNow + i);
        ASSERT_TRUE(d.ok()) << d.status().message();
        if (!d->allowed) {
          refused.fetch_add(1);
          continue;
        }
        std::lock_guard lock(mu);
        remaining.insert(d->remaining);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(remaining.size(), size_t(kLimit));
  EXPECT_EQ(refused.load(), 600 - int(kLimit));
  // Each remaining value 0..N-1 handed out exactly once: the decisions were serialised.
  for (int64_t r = 0; r < kLimit; ++r) EXPECT_EQ(remaining.count(r), 1u) << r;
}

TEST_F(RedisCountersTest, ARefusalWritesNothingAndAReleaseGivesThePlaceBack) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Acquire(*counters_, 5, 3, kFifteenMinutes, kNow)->allowed);
  const std::string key = redis_.Command("KEYS sluice:rl:*");
  ASSERT_FALSE(key.empty());
  const std::string before = redis_.Command("HGETALL " + key);
  for (int i = 0; i < 5; ++i) {
    auto d = Acquire(*counters_, 5, 3, kFifteenMinutes, kNow + i);
    ASSERT_FALSE(d->allowed);
    EXPECT_EQ(d->remaining, 0);
  }
  EXPECT_EQ(redis_.Command("HGETALL " + key), before);
  auto first = Acquire(*counters_, 6, 3, kFifteenMinutes, kNow);
  ASSERT_TRUE(first->allowed);
  EXPECT_EQ(first->remaining, 2);
  counters_->Release({6, 3, kFifteenMinutes, kNow}, *first);
  // Releases are not waited for: poll for it (the next decision sees it once it landed).
  int64_t got = -1;
  for (int i = 0; i < 500 && got != 2; ++i) {
    auto d = Acquire(*counters_, 6, 3, kFifteenMinutes, kNow);
    ASSERT_TRUE(d->allowed);
    got = d->remaining;
    counters_->Release({6, 3, kFifteenMinutes, kNow}, *d);
  }
  EXPECT_EQ(got, 2);
}

TEST_F(RedisCountersTest, KeysExpireByThemselves) {
  // A 1.5 s window (100 ms buckets) decided at the real now: dead after W + w = 1.6 s, expired
  // a second later.
  const TimeMs now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_TRUE(Acquire(*counters_, 9, 5, 1500, now)->allowed);
  const std::string key = redis_.Command("KEYS sluice:rl:*");
  ASSERT_FALSE(key.empty());
  const int64_t ttl = std::stoll(redis_.Command("PTTL " + key));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 2600);
  for (int i = 0; i < 1000 && redis_.Command("EXISTS " + key) == "1"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(redis_.Command("EXISTS " + key), "0");
  // A 15-minute window: its key lives at most W + w.
  ASSERT_TRUE(Acquire(*counters_, 10, 5, kFifteenMinutes, kNow)->allowed);
  for (const std::string& k : {std::string("KEYS sluice:rl:*:60000")}) {
    const std::string name = redis_.Command(k);
    const int64_t t = std::stoll(redis_.Command("PTTL " + name));
    EXPECT_GT(t, 0);
    EXPECT_LE(t, kFifteenMinutes + kMinute + 1000);
  }
  // The day's dedupe set, the cycle's counters and the spending all carry a TTL.
  Plan payg = Payg();
  ASSERT_TRUE(Charge(*counters_, payg, PaygBudget(1'000'000), {1, 2}, {7}, 0).ok());
  for (const char* pattern : {"sluice:dp:*", "sluice:du:*", "sluice:cy:*", "sluice:sp:*"}) {
    const std::string name = redis_.Command(std::string("KEYS ") + pattern);
    ASSERT_FALSE(name.empty()) << pattern;
    EXPECT_GT(std::stoll(redis_.Command("PTTL " + name)), 0) << pattern;
  }
  EXPECT_LE(std::stoll(redis_.Command("PTTL " + redis_.Command("KEYS sluice:dp:*"))), 2 * kDay);
}

TEST_F(RedisCountersTest, CapIsExactUnderConcurrentChargesAndDedupesPerDay) {
  const Plan plan = Capped();  // 10 posts a cycle
  auto other = Make(false);
  std::atomic<int64_t> admitted_posts{0};
  std::atomic<int> capped{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      RedisCounters& c = t % 2 ? *other : *counters_;
      for (int i = 0; i < 5; ++i) {
        auto r = Charge(c, plan, CapBudget(plan), {Id(1000 + t * 10 + i)}, {}, 0);
        if (r.ok()) admitted_posts.fetch_add(r->new_posts);
        else if (r.status().code() == StatusCode::kUsageCapped) capped.fetch_add(1);
        else ADD_FAILURE() << r.status().message();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted_posts.load(), 10);
  EXPECT_EQ(capped.load(), 30);
  EXPECT_EQ(redis_.Command("HGET " + redis_.Command("KEYS sluice:cy:*") + " r"), "10");
  // A post already delivered today costs nothing and passes the full cap; a page with one new
  // post is refused whole.
  auto members = redis_.Command("SMEMBERS " + redis_.Command("KEYS sluice:dp:*"));
  const Id delivered = Id(std::stoll(members.substr(0, members.find(' '))));
  auto again = Charge(*counters_, plan, CapBudget(plan), {delivered, delivered}, {}, 0);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->new_posts, 0);
  auto mixed = Charge(*counters_, plan, CapBudget(plan), {delivered, 99'999}, {}, 0);
  EXPECT_EQ(mixed.status().code(), StatusCode::kUsageCapped);
  // The mirror holds exactly what Redis counted for this node's calls.
  EXPECT_LE(meter_.CycleTotals(kProject, kToday).posts_read, 10);
}

TEST_F(RedisCountersTest, WriteCapAndOverage) {
  const Plan plan = Capped();  // 3 writes
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Charge(*counters_, plan, CapBudget(plan), {}, {}, 1).ok());
  EXPECT_EQ(Charge(*counters_, plan, CapBudget(plan), {}, {}, 1).status().code(), StatusCode::kUsageCapped);
  Budget over = CapBudget(plan);
  over.read_cap = 0;
  over.overage = true;  // billed, not refused
  auto r = Charge(*counters_, plan, over, {1, 2, 3}, {}, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->new_posts, 3);
}

TEST_F(RedisCountersTest, CreditsNeverGoNegativeUnderConcurrentCharges) {
  const Plan plan = Payg();  // 5000 a post
  const MicroUsd added = 123'000;  // 24 posts' worth, and 3000 left over
  auto other = Make(false);
  std::atomic<MicroUsd> spent{0};
  std::atomic<int> exhausted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      RedisCounters& c = t % 2 ? *other : *counters_;
      for (int i = 0; i < 10; ++i) {
        auto r = Charge(c, plan, PaygBudget(added), {Id(5000 + t * 100 + i)}, {}, 0);
        if (r.ok()) spent.fetch_add(r->cost);
        else if (r.status().code() == StatusCode::kCreditsExhausted) exhausted.fetch_add(1);
        else ADD_FAILURE() << r.status().message();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(spent.load(), 24 * 5'000);
  EXPECT_EQ(exhausted.load(), 80 - 24);
  EXPECT_EQ(redis_.Command("HGET " + redis_.Command("KEYS sluice:sp:*") + " t"), std::to_string(24 * 5'000));
  auto refused = Charge(*counters_, plan, PaygBudget(added), {77'777}, {}, 0);
  ASSERT_EQ(refused.status().code(), StatusCode::kCreditsExhausted);
  EXPECT_EQ(refused.status().detail()->balance_micro_usd, 3'000);
}

TEST_F(RedisCountersTest, ARefundTakesTheChargeBackAndARefusalLeavesNothing) {
  const Plan plan = Payg();
  auto c = Charge(*counters_, plan, PaygBudget(100'000), {1, 2}, {9}, 0);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cost, 2 * 5'000 + 10'000);
  const std::string spent_key = redis_.Command("KEYS sluice:sp:*");
  const std::string cycle_key = redis_.Command("KEYS sluice:cy:*");
  EXPECT_EQ(redis_.Command("HGET " + spent_key + " t"), "20000");
  EXPECT_EQ(meter_.TotalSpent(kProject), 20'000);  // the mirror
  counters_->Refund(kProject, kApp, *c);
  for (int i = 0; i < 500 && redis_.Command("HGET " + spent_key + " t") != "0"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(redis_.Command("HGET " + spent_key + " t"), "0");
  EXPECT_EQ(redis_.Command("HGET " + cycle_key + " r"), "0");
  EXPECT_EQ(meter_.TotalSpent(kProject), 0);
  // A refused charge (too dear) leaves every key as it was.
  const std::string before = redis_.Command("SMEMBERS " + redis_.Command("KEYS sluice:dp:*"));
  auto refused = Charge(*counters_, plan, PaygBudget(4'000), {3, 4}, {}, 0);
  EXPECT_EQ(refused.status().code(), StatusCode::kCreditsExhausted);
  EXPECT_EQ(redis_.Command("SMEMBERS " + redis_.Command("KEYS sluice:dp:*")), before);
  EXPECT_EQ(redis_.Command("HGET " + spent_key + " t"), "0");
}

TEST_F(RedisCountersTest, ARestartedEmptyRedisIsSeededFromThisNodesMeter) {
  const Plan plan = Capped();
  for (Id id = 1; id <= 8; ++id) ASSERT_TRUE(Charge(*counters_, plan, CapBudget(plan), {id}, {}, 0).ok());
  ASSERT_TRUE(redis_.Restart());  // empty
  // The first calls may meet the dead connection: they fail (closed), then the breaker probes.
  ASSERT_TRUE(Healthy(*counters_) || Healthy(*counters_));
  Result<UsageCharge> r = UsageCapExceeded();
  for (int i = 0; i < 100; ++i) {
    r = Charge(*counters_, plan, CapBudget(plan), {100, 101, 102}, {}, 0);
    if (r.ok() || r.status().code() != StatusCode::kUnavailable) break;
    ASSERT_TRUE(Healthy(*counters_));
  }
  // 8 counted before the restart, seeded back: three more would pass the cap of 10.
  EXPECT_EQ(r.status().code(), StatusCode::kUsageCapped);
  auto two = Charge(*counters_, plan, CapBudget(plan), {100, 101}, {}, 0);
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(redis_.Command("HGET " + redis_.Command("KEYS sluice:cy:*") + " r"), "10");
}

TEST_F(RedisCountersTest, AfterARestartEachNodesShareComesBackOnce) {
  // Two nodes, each with its own meter (its own ledger): 5 posts by node 1, 3 by node 2.
  const Plan plan = Capped();
  UsageMeter meter_b(clock_);
  auto a = Make(false, 2, 1), b = Make(false, 2, 2, &meter_b);
  for (Id id = 1; id <= 5; ++id) ASSERT_TRUE(Charge(*a, plan, CapBudget(plan), {id}, {}, 0).ok());
  for (Id id = 6; id <= 8; ++id) ASSERT_TRUE(Charge(*b, plan, CapBudget(plan), {id}, {}, 0).ok());
  const std::string key = redis_.Command("KEYS sluice:cy:*");
  EXPECT_EQ(redis_.Command("HGET " + key + " r"), "8");
  ASSERT_TRUE(redis_.Restart());
  auto until_up = [&](RedisCounters& c, Id id) {
    for (int i = 0; i < 100; ++i) {
      auto r = Charge(c, plan, CapBudget(plan), {id}, {}, 0);
      if (r.ok() || r.status().code() != StatusCode::kUnavailable) return r;
      if (!Healthy(c)) break;
    }
    return Charge(c, plan, CapBudget(plan), {id}, {}, 0);
  };
  ASSERT_TRUE(until_up(*a, 20).ok());
  EXPECT_EQ(redis_.Command("HGET " + key + " r"), "6");  // node 1's 5, once, and the new one
  ASSERT_TRUE(until_up(*a, 21).ok());
  EXPECT_EQ(redis_.Command("HGET " + key + " r"), "7");  // not added again
  // Node 2's 3 are counted with its first charge: 7 + 3 + 1 would pass the cap of 10.
  EXPECT_EQ(until_up(*b, 22).status().code(), StatusCode::kUsageCapped);
  EXPECT_EQ(redis_.Command("HGET " + key + " r"), "7");  // a refusal writes nothing, its mark neither
  ASSERT_TRUE(Charge(*b, plan, CapBudget(plan), {}, {}, 1).ok());  // a write: node 2's share goes in
  EXPECT_EQ(redis_.Command("HGET " + key + " r"), "10");
  EXPECT_EQ(Charge(*a, plan, CapBudget(plan), {23}, {}, 0).status().code(), StatusCode::kUsageCapped);
}

TEST_F(RedisCountersTest, RedisDownClosedAnswersUnavailableThenCountingResumes) {
  ASSERT_TRUE(Acquire(*counters_, 1, 10, kFifteenMinutes, kNow)->allowed);
  redis_.Kill();
  for (int i = 0; i < 3; ++i) {
    auto d = Acquire(*counters_, 1, 10, kFifteenMinutes, kNow);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), StatusCode::kUnavailable);
    EXPECT_GE(d.status().detail()->retry_after_seconds, 1);
  }
  EXPECT_FALSE(counters_->healthy());
  const Plan plan = Capped();
  EXPECT_EQ(Charge(*counters_, plan, CapBudget(plan), {1}, {}, 0).status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(redis_.Start());
  ASSERT_TRUE(Healthy(*counters_));
  auto d = Acquire(*counters_, 1, 10, kFifteenMinutes, kNow);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_TRUE(d->allowed);
  EXPECT_EQ(d->remaining, 9);  // an empty Redis: the outage's refusals counted nothing
}

TEST_F(RedisCountersTest, AHungRedisTimesOut) {
  ASSERT_TRUE(Acquire(*counters_, 1, 10, kFifteenMinutes, kNow)->allowed);
  redis_.Pause();
  // Each request waits its timeout; one slow reply is no outage, three in a row open the breaker.
  for (int i = 0; i < 3; ++i) {
    auto d = Acquire(*counters_, 1, 10, kFifteenMinutes, kNow);
    EXPECT_EQ(d.status().code(), StatusCode::kUnavailable);
    if (i < 2) {
      EXPECT_TRUE(counters_->healthy()) << i;
    }
  }
  EXPECT_FALSE(counters_->healthy());
  redis_.Resume();
  ASSERT_TRUE(Healthy(*counters_));
}

TEST_F(RedisCountersTest, RedisDownOpenEnforcesTheNodesShareLocally) {
  auto open = Make(true, 4);  // N = 4 nodes: each admits limit / 4 alone
  redis_.Kill();
  int admitted = 0;
  std::vector<LimitDecision> decisions;
  for (int i = 0; i < 20; ++i) {
    auto d = Acquire(*open, 77, 20, kFifteenMinutes, kNow);
    ASSERT_TRUE(d.ok()) << d.status().message();
    EXPECT_TRUE(d->fallback);
    if (d->allowed) {
      ++admitted;
      decisions.push_back(*d);
    }
  }
  EXPECT_EQ(admitted, 5);
  open->Release({77, 20, kFifteenMinutes, kNow}, decisions.back());  // back to the local limiter
  EXPECT_TRUE(Acquire(*open, 77, 20, kFifteenMinutes, kNow)->allowed);
  // Caps: 10 / 4 = 2 posts on this node.
  const Plan plan = Capped();
  auto three = Charge(*open, plan, CapBudget(plan), {1, 2, 3}, {}, 0);
  EXPECT_EQ(three.status().code(), StatusCode::kUsageCapped);
  auto two = Charge(*open, plan, CapBudget(plan), {1, 2}, {}, 0);
  ASSERT_TRUE(two.ok());
  EXPECT_TRUE(two->fallback);
  ASSERT_TRUE(redis_.Start());
  ASSERT_TRUE(Healthy(*open));
  auto back = Acquire(*open, 77, 20, kFifteenMinutes, kNow);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->fallback);
}

TEST_F(RedisCountersTest, WhatANodeChargedAloneIsAddedWhenRedisIsBack) {
  // Redis unreachable but not emptied (paused): the node charges alone, then adds that.
  const Plan plan = Capped();  // 10 posts; 5 for each of 2 nodes alone
  auto open = Make(true, 2);
  ASSERT_TRUE(Charge(*open, plan, CapBudget(plan), {1, 2}, {}, 0).ok());
  const std::string key = redis_.Command("KEYS sluice:cy:*");
  ASSERT_EQ(redis_.Command("HGET " + key + " r"), "2");
  redis_.Pause();
  for (int i = 0; i < 3 && open->healthy(); ++i) (void)Acquire(*open, 1, 10, kFifteenMinutes, kNow);  // three timeouts
  ASSERT_FALSE(open->healthy());
  auto alone = Charge(*open, plan, CapBudget(plan), {3, 4}, {}, 0);
  ASSERT_TRUE(alone.ok()) << alone.status().message();
  EXPECT_TRUE(alone->fallback);
  auto refunded = Charge(*open, plan, CapBudget(plan), {5}, {}, 1);
  ASSERT_TRUE(refunded.ok());
  open->Refund(kProject, kApp, *refunded);  // taken back: not added later
  redis_.Resume();
  ASSERT_TRUE(Healthy(*open));
  auto back = Charge(*open, plan, CapBudget(plan), {6}, {}, 0);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_FALSE(back->fallback);
  EXPECT_EQ(redis_.Command("HGET " + key + " r"), "5");  // 2, the 2 charged alone, and this one
  EXPECT_EQ(redis_.Command("HGET " + key + " w"), "0");
  ASSERT_TRUE(Charge(*open, plan, CapBudget(plan), {7}, {}, 0).ok());
  EXPECT_EQ(redis_.Command("HGET " + key + " r"), "6");  // added once
}

TEST(RedisUrl, ParsesHostAndPortAndRejectsTheRest) {
  RedisOptions o;
  ASSERT_TRUE(ParseRedisUrl("redis://10.0.0.5:6380", o).ok());
  EXPECT_EQ(o.host, "10.0.0.5");
  EXPECT_EQ(o.port, 6380);
  ASSERT_TRUE(ParseRedisUrl("redis://cache", o).ok());
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(ParseRedisUrl("http://x:1", o).message(), "--limits http://x:1: not a redis:// URL (expected redis://HOST:PORT)");
  EXPECT_FALSE(ParseRedisUrl("redis://x:0", o).ok());
  EXPECT_FALSE(ParseRedisUrl("redis://x:99999", o).ok());
  EXPECT_FALSE(ParseRedisUrl("redis://user@x:1", o).ok());
  EXPECT_FALSE(ParseRedisUrl("redis://:1", o).ok());
}

}  // namespace
}  // namespace sluice
