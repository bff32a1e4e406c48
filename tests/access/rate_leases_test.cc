// RateLeases: the fast mode's lease bookkeeping, without Redis (RedisCounters asks for the
// leases; here the test plays Redis's part with LeaseGrant values).
#include "access/rate_leases.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/clock.h"

namespace sluice {
namespace {

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs kWindow = 15 * kMinute;  // buckets of one minute
constexpr TimeMs kStart = 1'796'515'200'000;  // a minute's start
constexpr int64_t kBucket = kStart / kMinute;

// Collects what each request's `done` was called with.
struct Outcomes {
  std::vector<Result<LimitDecision>> got;
  RateLeases::Done Next() {
    return [this](Result<LimitDecision> d) { got.push_back(std::move(d)); };
  }
};

RateQuery Query(const ManualClock& clock, int64_t limit = 1000) { return RateQuery{42, limit, kWindow, clock.NowMs()}; }

TEST(LeaseSizeTest, IsOnePercentOfTheLimitSharedByTheNodesAndAtLeastOne) {
  EXPECT_EQ(LeaseSize(1000, 1, 3), 3);
  EXPECT_EQ(LeaseSize(1'000'000, 1, 3), 3333);
  EXPECT_EQ(LeaseSize(3000, 1, 1), 30);
  EXPECT_EQ(LeaseSize(5, 1, 3), 1);
  EXPECT_EQ(LeaseSize(1000, 10, 4), 25);
}

TEST(RateLeasesTest, AFirstRequestAsksForALeaseAndAdmitsFromItWhenGranted) {
  ManualClock clock(kStart + 5);
  RateLeases leases;
  Outcomes o;
  auto a = leases.Acquire(Query(clock), o.Next());
  EXPECT_FALSE(a.admitted);
  EXPECT_TRUE(a.returns.empty());
  ASSERT_TRUE(a.ask);
  EXPECT_EQ(a.ask->now, kStart + 5);
  auto g = leases.Granted(*a.ask, LeaseGrant{3, 1000, kStart + kWindow + kMinute, kBucket});
  ASSERT_EQ(g.answers.size(), 1u);
  EXPECT_FALSE(g.ask);
  const LimitDecision& d = g.answers[0].decision;
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 999);  // as strict mode: Redis's 1000 left, less this admission
  EXPECT_EQ(d.bucket, kBucket);
  EXPECT_EQ(d.reset, kStart + kWindow + kMinute);
  // The next two are admitted locally, without asking; the fourth asks again.
  for (int64_t left : {998, 997}) {
    auto next = leases.Acquire(Query(clock), o.Next());
    ASSERT_TRUE(next.admitted);
    EXPECT_EQ(next.admitted->remaining, left);
    EXPECT_FALSE(next.ask);
  }
  EXPECT_EQ(leases.leases(), 0u);  // used up: nothing to give back
  auto fourth = leases.Acquire(Query(clock), o.Next());
  EXPECT_FALSE(fourth.admitted);
  EXPECT_TRUE(fourth.returns.empty());
  EXPECT_TRUE(fourth.ask);
}

TEST(RateLeasesTest, RequestsWhileALeaseIsInFlightWaitForItAndNeverAdmitWithoutBudget) {
  ManualClock clock(kStart);
  RateLeases leases;
  Outcomes o;
  auto first = leases.Acquire(Query(clock), o.Next());
  ASSERT_TRUE(first.ask);
  for (int i = 0; i < 4; ++i) {
    auto r = leases.Acquire(Query(clock), o.Next());
    EXPECT_FALSE(r.admitted);
    EXPECT_FALSE(r.ask);  // one request in flight per key
  }
  // Two granted: two of the five served, in order; the rest ask again.
  auto g = leases.Granted(*first.ask, LeaseGrant{2, 10, 0, kBucket});
  ASSERT_EQ(g.answers.size(), 2u);
  EXPECT_EQ(g.answers[0].decision.remaining, 9);
  EXPECT_EQ(g.answers[1].decision.remaining, 8);
  ASSERT_TRUE(g.ask);
  // The window is full now (another node took the rest): the three left are refused.
  auto full = leases.Granted(*g.ask, LeaseGrant{0, 0, kStart + kWindow, kBucket});
  ASSERT_EQ(full.answers.size(), 3u);
  for (const auto& a : full.answers) {
    EXPECT_FALSE(a.decision.allowed);
    EXPECT_EQ(a.decision.remaining, 0);
    EXPECT_EQ(a.decision.reset, kStart + kWindow);
  }
  EXPECT_FALSE(full.ask);
  EXPECT_EQ(leases.leases(), 0u);
}

TEST(RateLeasesTest, ALeaseEndsWithItsBucketAndItsUnusedAdmissionsAreGivenBack) {
  ManualClock clock(kStart + kMinute - 1);  // the bucket's last millisecond
  RateLeases leases;
  Outcomes o;
  auto a = leases.Acquire(Query(clock), o.Next());
  auto g = leases.Granted(*a.ask, LeaseGrant{5, 100, 0, kBucket});
  ASSERT_EQ(g.answers.size(), 1u);
  EXPECT_TRUE(leases.Expire(clock.NowMs()).empty());  // still its bucket
  clock.Advance(1);
  // The next request is in the next bucket: the lease's 4 unused go back, then it asks anew.
  auto next = leases.Acquire(Query(clock), o.Next());
  EXPECT_FALSE(next.admitted);
  ASSERT_EQ(next.returns.size(), 1u);
  EXPECT_EQ(next.returns[0].key, 42u);
  EXPECT_EQ(next.returns[0].window_ms, kWindow);
  EXPECT_EQ(next.returns[0].bucket, kBucket);
  EXPECT_EQ(next.returns[0].unused, 4);
  EXPECT_TRUE(next.ask);
}

TEST(RateLeasesTest, ExpireGivesBackTheLeasesOfEndedBucketsOnly) {
  ManualClock clock(kStart);
  RateLeases leases;
  Outcomes o;
  RateQuery other{7, 1000, 24 * 60 * kMinute, clock.NowMs()};  // 96-minute buckets
  auto a = leases.Acquire(Query(clock), o.Next());
  leases.Granted(*a.ask, LeaseGrant{3, 1000, 0, kBucket});
  auto b = leases.Acquire(other, o.Next());
  leases.Granted(*b.ask, LeaseGrant{3, 1000, 0, kStart / (96 * kMinute)});
  EXPECT_EQ(leases.leases(), 2u);
  clock.Advance(kMinute);
  auto back = leases.Expire(clock.NowMs());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].key, 42u);
  EXPECT_EQ(back[0].unused, 2);
  EXPECT_EQ(leases.leases(), 1u);
  EXPECT_TRUE(leases.Expire(clock.NowMs()).empty());  // given back once
  // Until the give-back is sent, a request of that key waits; then it asks for a lease.
  auto waiting = leases.Acquire(Query(clock), o.Next());
  EXPECT_FALSE(waiting.admitted);
  EXPECT_FALSE(waiting.ask);
  auto asks = leases.Resume(back);
  ASSERT_EQ(asks.size(), 1u);
  EXPECT_EQ(asks[0].now, clock.NowMs());
  auto g = leases.Granted(asks[0], LeaseGrant{3, 997, 0, kBucket + 1});
  ASSERT_EQ(g.answers.size(), 1u);
  EXPECT_TRUE(g.answers[0].decision.allowed);
}

TEST(RateLeasesTest, ResumeAfterAGiveBackNobodyWaitedForAsksNothing) {
  ManualClock clock(kStart);
  RateLeases leases;
  Outcomes o;
  auto a = leases.Acquire(Query(clock), o.Next());
  leases.Granted(*a.ask, LeaseGrant{3, 1000, 0, kBucket});
  clock.Advance(kMinute);
  auto back = leases.Expire(clock.NowMs());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(leases.Resume(back).empty());
  EXPECT_TRUE(leases.Acquire(Query(clock), o.Next()).ask);
}

TEST(RateLeasesTest, ALeaseOfALaterBucketServesARequestOfAnEarlierOne) {
  // Redis's newest bucket is ahead of this node's clock (another node's clock is ahead): the
  // grant is counted in that bucket, which this node's requests have not reached yet.
  ManualClock clock(kStart);
  RateLeases leases;
  Outcomes o;
  auto a = leases.Acquire(Query(clock), o.Next());
  auto g = leases.Granted(*a.ask, LeaseGrant{2, 50, 0, kBucket + 1});
  ASSERT_EQ(g.answers.size(), 1u);
  EXPECT_EQ(g.answers[0].decision.bucket, kBucket + 1);
  auto next = leases.Acquire(Query(clock), o.Next());
  ASSERT_TRUE(next.admitted);
  EXPECT_TRUE(leases.Expire(clock.NowMs() + kMinute).empty());  // lease used up: nothing held
}

TEST(RateLeasesTest, AWaiterPastTheGrantsBucketIsNotServedFromIt) {
  ManualClock clock(kStart + kMinute - 1);
  RateLeases leases;
  Outcomes o;
  auto a = leases.Acquire(Query(clock), o.Next());
  clock.Advance(1);  // a request of the next bucket arrives while the lease is in flight
  leases.Acquire(Query(clock), o.Next());
  auto g = leases.Granted(*a.ask, LeaseGrant{3, 100, 0, kBucket});
  ASSERT_EQ(g.answers.size(), 1u);
  // The lease (2 unused) cannot count the later request: given back, and asked anew for it.
  ASSERT_EQ(g.returns.size(), 1u);
  EXPECT_EQ(g.returns[0].unused, 2);
  ASSERT_TRUE(g.ask);
  EXPECT_EQ(g.ask->now, kStart + kMinute);
  auto g2 = leases.Granted(*g.ask, LeaseGrant{3, 97, 0, kBucket + 1});
  ASSERT_EQ(g2.answers.size(), 1u);
  EXPECT_EQ(g2.answers[0].decision.bucket, kBucket + 1);
}

TEST(RateLeasesTest, AReleaseGoesBackToItsLeaseWhileItIsHeldElseToRedis) {
  ManualClock clock(kStart);
  RateLeases leases;
  Outcomes o;
  auto a = leases.Acquire(Query(clock), o.Next());
  auto g = leases.Granted(*a.ask, LeaseGrant{3, 100, 0, kBucket});
  const LimitDecision first = g.answers[0].decision;
  EXPECT_TRUE(leases.Release(Query(clock), first));
  // The lease admits three again; the last use ends it, and a release then goes to Redis.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(leases.Acquire(Query(clock), o.Next()).admitted);
  EXPECT_FALSE(leases.Release(Query(clock), first));
  // A release of another bucket's admission is not the lease's to take.
  auto b = leases.Acquire(Query(clock), o.Next());
  leases.Granted(*b.ask, LeaseGrant{3, 96, 0, kBucket});
  LimitDecision older = first;
  older.bucket = kBucket - 1;
  EXPECT_FALSE(leases.Release(Query(clock), older));
}

TEST(RateLeasesTest, AFailedLeaseHandsBackEveryWaiterAndALaterRequestAsksAgain) {
  ManualClock clock(kStart);
  RateLeases leases;
  Outcomes o;
  auto a = leases.Acquire(Query(clock), o.Next());
  leases.Acquire(Query(clock, 500), o.Next());
  auto failed = leases.Failed(*a.ask);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[1].first.limit, 500);
  auto again = leases.Acquire(Query(clock), o.Next());
  EXPECT_TRUE(again.ask);
  EXPECT_TRUE(o.got.empty());  // the class never calls a `done` itself
}

}  // namespace
}  // namespace sluice
