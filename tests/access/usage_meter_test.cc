#include "access/usage_meter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace sluice {
namespace {

constexpr TimeMs kSecond = 1000;
constexpr TimeMs kDay = 86'400'000;
constexpr Id kProject = 3;
constexpr Id kApp = 11;

// UTC date and time as epoch milliseconds.
TimeMs At(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0, int ms = 0) {
  using namespace std::chrono;
  sys_days date{year(y) / month(m) / day(d)};
  return duration_cast<milliseconds>(date.time_since_epoch()).count() + ((hh * 60 + mm) * 60 + ss) * kSecond + ms;
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
  p.post_read_price = 5'000;     // $0.005
  p.user_read_price = 10'000;    // $0.010
  p.post_create_price = 15'000;  // $0.015
  return p;
}

Budget CapBudget(TimeMs cycle_start, int64_t read_cap = 10, int64_t write_cap = 3) {
  Budget b;
  b.cycle_start = cycle_start;
  b.read_cap = read_cap;
  b.write_cap = write_cap;
  return b;
}

Budget Credits(MicroUsd left) {
  Budget b;
  b.credits_left = left;
  return b;
}

std::vector<Id> Range(Id from, Id to) {  // [from, to)
  std::vector<Id> ids(size_t(to - from));
  std::iota(ids.begin(), ids.end(), from);
  return ids;
}

// What a refused charge counts as in the tests below: kCapped for the cap, -1 otherwise.
constexpr int64_t kCapped = -429;
int64_t Refused(const Status& s) { return s.code() == StatusCode::kUsageCapped ? kCapped : -1; }

int64_t NewPosts(UsageMeter& meter, const Budget& budget, std::vector<Id> posts, Id app = kApp) {
  auto c = meter.Charge(kProject, app, Capped(), budget, posts, {}, 0);
  return c.ok() ? c->new_posts : Refused(c.status());
}

TEST(UsageCycle, UtcDayIsMidnightAtOrBefore) {
  EXPECT_EQ(At(2024, 1, 1), 1'704'067'200'000);  // the helper itself
  EXPECT_EQ(UtcDay(At(2024, 1, 1, 23, 59, 59, 999)), At(2024, 1, 1));
  EXPECT_EQ(UtcDay(At(2024, 1, 2)), At(2024, 1, 2));
  EXPECT_EQ(UtcDay(-1), -kDay);
  EXPECT_EQ(UtcDay(0), 0);
}

TEST(UsageCycle, CycleStartResetDay1) {
  EXPECT_EQ(CycleStart(At(2024, 3, 10, 12), 1), At(2024, 3, 1));
  EXPECT_EQ(CycleStart(At(2024, 3, 1), 1), At(2024, 3, 1));  // on the reset day itself
  EXPECT_EQ(CycleStart(At(2024, 3, 1, 23, 59, 59, 999), 1), At(2024, 3, 1));
  EXPECT_EQ(CycleStart(At(2023, 12, 31, 23, 59, 59, 999), 1), At(2023, 12, 1));
  EXPECT_EQ(CycleStart(At(2024, 1, 1), 1), At(2024, 1, 1));
}

TEST(UsageCycle, CycleStartResetDay15) {
  EXPECT_EQ(CycleStart(At(2024, 1, 14, 23, 59, 59, 999), 15), At(2023, 12, 15));  // across the year
  EXPECT_EQ(CycleStart(At(2024, 1, 15), 15), At(2024, 1, 15));
  EXPECT_EQ(CycleStart(At(2024, 1, 31), 15), At(2024, 1, 15));
  EXPECT_EQ(CycleStart(At(2024, 3, 1), 15), At(2024, 2, 15));
}

TEST(UsageCycle, CycleStartResetDay28) {
  EXPECT_EQ(CycleStart(At(2024, 2, 28), 28), At(2024, 2, 28));
  EXPECT_EQ(CycleStart(At(2024, 2, 29, 8), 28), At(2024, 2, 28));  // leap day
  EXPECT_EQ(CycleStart(At(2024, 3, 27, 23), 28), At(2024, 2, 28));
  EXPECT_EQ(CycleStart(At(2023, 3, 1), 28), At(2023, 2, 28));
  EXPECT_EQ(CycleStart(At(2024, 1, 5), 28), At(2023, 12, 28));  // across the year
  EXPECT_EQ(CycleStart(At(2023, 12, 31), 28), At(2023, 12, 28));
}

TEST(UsageMeter, SamePostTwiceInADayCountsOnce) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1), 100);
  EXPECT_EQ(NewPosts(meter, b, {1, 2, 3}), 3);
  EXPECT_EQ(NewPosts(meter, b, {2, 3, 4}), 1);
  EXPECT_EQ(NewPosts(meter, b, {5, 5, 5, 6, 6}), 2);  // duplicates within one response
  EXPECT_EQ(NewPosts(meter, b, {1, 2, 3, 4, 5, 6}), 0);
  auto users = meter.Charge(kProject, kApp, Payg(), Budget{}, {}, std::vector<Id>{7, 7, 8}, 0);
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->new_users, 2);
  auto days = meter.Days(kProject, 0, At(2030, 1, 1));
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0], (DayUsage{At(2024, 5, 6), 6, 2, 0, 20'000}));
}

TEST(UsageMeter, DedupeEndsAtUtcMidnightButTheCycleSumGoesOn) {
  ManualClock clock(At(2024, 5, 6, 23, 59, 59, 999));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1), 100);
  EXPECT_EQ(NewPosts(meter, b, {1, 2}), 2);
  EXPECT_EQ(NewPosts(meter, b, {1, 2}), 0);
  clock.Set(At(2024, 5, 7));
  EXPECT_EQ(NewPosts(meter, b, {1, 2}), 2);  // a new day: delivered again, counted again
  EXPECT_EQ(NewPosts(meter, b, {1, 2, 3}), 1);
  EXPECT_EQ(meter.Days(kProject, At(2024, 5, 1), At(2024, 6, 1)),
            (std::vector<DayUsage>{{At(2024, 5, 6), 2, 0, 0, 0}, {At(2024, 5, 7), 3, 0, 0, 0}}));
  EXPECT_EQ(meter.CycleTotals(kProject, At(2024, 5, 1)).posts_read, 5);
  EXPECT_EQ(meter.Days(kProject, At(2024, 5, 7), At(2024, 5, 8)).size(), 1u);  // [from, to)
}

TEST(UsageMeter, ThePreviousCycleDoesNotCount) {
  ManualClock clock(At(2024, 2, 14, 12));
  UsageMeter meter(clock);
  auto budget = [&] { return CapBudget(CycleStart(clock.NowMs(), 15)); };
  EXPECT_EQ(NewPosts(meter, budget(), Range(1, 11)), 10);
  EXPECT_EQ(NewPosts(meter, budget(), {11}), kCapped);
  clock.Set(At(2024, 2, 15));  // the reset day
  EXPECT_EQ(NewPosts(meter, budget(), Range(11, 21)), 10);
  EXPECT_EQ(NewPosts(meter, budget(), {21}), kCapped);
  EXPECT_EQ(meter.CycleTotals(kProject, At(2024, 2, 15)).posts_read, 10);
  EXPECT_EQ(meter.CycleTotals(kProject, At(2024, 1, 15)).posts_read, 20);
}

TEST(UsageMeter, APageThatWouldCrossTheCapIsRefusedWhole) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1));
  EXPECT_EQ(NewPosts(meter, b, Range(1, 9)), 8);
  auto refused = meter.Charge(kProject, kApp, Capped(), b, Range(9, 14), {}, 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUsageCapped);
  EXPECT_EQ(refused.status().message(), "Usage cap exceeded: Monthly product cap");
  EXPECT_EQ(meter.CycleTotals(kProject, b.cycle_start).posts_read, 8);  // nothing recorded
  EXPECT_EQ(NewPosts(meter, b, {9, 10}), 2);                           // not even as seen
  EXPECT_EQ(NewPosts(meter, b, {1, 2, 3, 9, 10}), 0);                  // at the cap: seen posts are free
  EXPECT_EQ(NewPosts(meter, b, {11}), kCapped);
  EXPECT_EQ(meter.CycleTotals(kProject, b.cycle_start).posts_read, 10);
}

TEST(UsageMeter, APageOfSeenAndNewPostsCountsOnlyTheNew) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1));
  EXPECT_EQ(NewPosts(meter, b, Range(1, 9)), 8);
  EXPECT_EQ(NewPosts(meter, b, {1, 2, 3, 9, 10}), 2);  // 3 seen today, 2 new: exactly the cap
  EXPECT_EQ(meter.CycleTotals(kProject, b.cycle_start).posts_read, 10);
}

TEST(UsageMeter, WritesCountAgainstTheWriteCap) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1));
  auto write = [&](int64_t n) {
    auto c = meter.Charge(kProject, kApp, Capped(), b, {}, {}, n);
    return c.ok() ? c->writes : Refused(c.status());
  };
  EXPECT_EQ(write(2), 2);
  EXPECT_EQ(write(2), kCapped);
  EXPECT_EQ(write(1), 1);
  auto refused = meter.Charge(kProject, kApp, Capped(), b, {}, {}, 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "Usage cap exceeded: Monthly product cap");
  EXPECT_EQ(NewPosts(meter, b, {1, 2}), 2);  // reads are still allowed
  EXPECT_EQ(meter.CycleTotals(kProject, b.cycle_start).posts_written, 3);
}

// A write's budget is reserved (charged) before its effect and released when it fails: the
// released post frees its place under the cap, and its money, at once.
TEST(UsageMeter, RefundReleasesAWriteReservation) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1));
  ASSERT_TRUE(meter.Charge(kProject, kApp, Capped(), b, {}, {}, 2).ok());
  auto third = meter.Charge(kProject, kApp, Capped(), b, {}, {}, 1);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->day, At(2024, 5, 6));
  EXPECT_EQ(meter.Charge(kProject, kApp, Capped(), b, {}, {}, 1).status().code(), StatusCode::kUsageCapped);
  meter.Refund(kProject, kApp, *third);
  EXPECT_EQ(meter.CycleTotals(kProject, b.cycle_start).posts_written, 2);
  EXPECT_TRUE(meter.Charge(kProject, kApp, Capped(), b, {}, {}, 1).ok());  // the place is free again
  EXPECT_EQ(meter.Days(kProject, 0, At(2030, 1, 1)).at(0).posts_written, 3);

  Budget credits;
  credits.credits_added = 30'000;  // two posts at $0.015
  auto one = meter.Charge(kProject + 1, kApp, Payg(), credits, {}, {}, 1);
  auto two = meter.Charge(kProject + 1, kApp, Payg(), credits, {}, {}, 1);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(meter.Charge(kProject + 1, kApp, Payg(), credits, {}, {}, 1).status().code(), StatusCode::kCreditsExhausted);
  meter.Refund(kProject + 1, kApp, *two);
  EXPECT_EQ(meter.TotalSpent(kProject + 1), 15'000);
  EXPECT_EQ(meter.Days(kProject + 1, 0, At(2030, 1, 1)).at(0).spent, 15'000);
  EXPECT_TRUE(meter.Charge(kProject + 1, kApp, Payg(), credits, {}, {}, 1).ok());
}

// A read refunded after its record failed: counts and money go, the app's share too.
TEST(UsageMeter, RefundOfAReadTakesBackItsCountsButNotItsDedupe) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1));
  auto c = meter.Charge(kProject, kApp, Capped(), b, Range(1, 5), {}, 0);
  ASSERT_TRUE(c.ok());
  meter.Refund(kProject, kApp, *c);
  EXPECT_EQ(meter.CycleTotals(kProject, b.cycle_start).posts_read, 0);
  EXPECT_TRUE(meter.AppDays(kProject, 0, At(2030, 1, 1)).empty());
  EXPECT_EQ(NewPosts(meter, b, Range(1, 5)), 0);  // still in the day's set, as the contract says
}

TEST(UsageMeter, OverageIsNotRefusedPastTheCap) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1));
  b.overage = true;
  EXPECT_EQ(NewPosts(meter, b, Range(1, 9)), 8);
  EXPECT_EQ(NewPosts(meter, b, Range(9, 16)), 7);
  EXPECT_EQ(meter.CycleTotals(kProject, b.cycle_start).posts_read, 15);
}

TEST(UsageMeter, ReadsOnAPlanThatReadsNothingAreTheCallersDefect) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b;
  b.reads_allowed = false;
  b.write_cap = 2;
  auto read = meter.Charge(kProject, kApp, Plan{}, b, std::vector<Id>{1}, {}, 0);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kInternal);
  EXPECT_TRUE(meter.Charge(kProject, kApp, Plan{}, b, {}, {}, 1).ok());  // writes are fine
}

TEST(UsageMeter, PayPerUseCostsAreExactMicroDollars) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  std::vector<Id> posts{1, 2, 3};
  std::vector<Id> users{7, 8};
  auto c = meter.Charge(kProject, kApp, Payg(), Credits(1'000'000), posts, users, 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cost, 3 * 5'000 + 2 * 10'000 + 15'000);
  auto again = meter.Charge(kProject, kApp, Payg(), Credits(1'000'000 - 50'000), posts, users, 0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cost, 0);  // deduplicated within the day
  posts.push_back(4);
  auto one_more = meter.Charge(kProject, kApp, Payg(), Credits(950'000), posts, users, 0);
  EXPECT_EQ(one_more->cost, 5'000);
  clock.Set(At(2024, 5, 7));
  auto next_day = meter.Charge(kProject, kApp, Payg(), Credits(945'000), posts, users, 0);
  EXPECT_EQ(next_day->cost, 4 * 5'000 + 2 * 10'000);
  EXPECT_EQ(meter.TotalSpent(kProject), 95'000);
  EXPECT_EQ(meter.CycleTotals(kProject, At(2024, 5, 1)).spent, 95'000);
  auto days = meter.Days(kProject, 0, At(2030, 1, 1));
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].spent, 55'000);
  EXPECT_EQ(days[1].spent, 40'000);
}

TEST(UsageMeter, CreditExhaustionMidPageIsRefusedWhole) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  auto refused = meter.Charge(kProject, kApp, Payg(), Credits(12'000), Range(1, 4), {}, 0);
  ASSERT_FALSE(refused.ok());
  const Status& s = refused.status();
  EXPECT_EQ(s.code(), StatusCode::kCreditsExhausted);
  EXPECT_EQ(s.message(), "The project's prepaid balance $0.012000 does not cover this response ($0.015000)");
  ASSERT_NE(s.detail(), nullptr);
  EXPECT_EQ(s.detail()->balance_micro_usd, 12'000);
  EXPECT_EQ(s.detail()->price_micro_usd, 15'000);
  EXPECT_EQ(meter.TotalSpent(kProject), 0);  // nothing recorded
  EXPECT_TRUE(meter.Days(kProject, 0, At(2030, 1, 1)).empty());
  auto two = meter.Charge(kProject, kApp, Payg(), Credits(12'000), Range(1, 3), {}, 0);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->new_posts, 2);  // posts 1 and 2 were not marked seen by the refusal
  EXPECT_EQ(two->cost, 10'000);
  auto seen = meter.Charge(kProject, kApp, Payg(), Credits(0), Range(1, 3), {}, 0);
  EXPECT_TRUE(seen.ok());  // costs nothing: admitted with no balance
}

TEST(UsageMeter, CreditsAddedAreCheckedAgainstSpendingUnderTheLock) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b;
  b.credits_added = 20'000;
  EXPECT_TRUE(meter.Charge(kProject, kApp, Payg(), b, Range(1, 3), {}, 0).ok());  // 10'000
  auto refused = meter.Charge(kProject, kApp, Payg(), b, Range(3, 6), {}, 0);       // 15'000
  ASSERT_FALSE(refused.ok());
  ASSERT_NE(refused.status().detail(), nullptr);
  EXPECT_EQ(refused.status().detail()->balance_micro_usd, 10'000);
  EXPECT_TRUE(meter.Charge(kProject, kApp, Payg(), b, {}, std::vector<Id>{9}, 0).ok());  // 10'000
  EXPECT_EQ(meter.TotalSpent(kProject), 20'000);
}

TEST(UsageMeter, EachNewPostCountsForTheAppThatDeliveredItFirst) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1), 100);
  EXPECT_EQ(NewPosts(meter, b, {1, 2, 3}, 20), 3);
  EXPECT_EQ(NewPosts(meter, b, {2, 3, 4}, 10), 1);
  EXPECT_EQ(NewPosts(meter, b, {1, 2}, 30), 0);
  EXPECT_EQ(meter.AppDays(kProject, 0, At(2030, 1, 1)),
            (std::vector<AppDayUsage>{{10, At(2024, 5, 6), 1}, {20, At(2024, 5, 6), 3}}));
}

// The request path passes the time it read once (its ledger record's time): the meter counts
// on that time's day, not on its clock's.
TEST(UsageMeter, AGivenTimeDecidesTheDayInsteadOfTheClock) {
  ManualClock clock(At(2024, 5, 20, 12));
  UsageMeter meter(clock);
  Budget b = CapBudget(At(2024, 5, 1), 100);
  auto charge = [&](std::vector<Id> posts, TimeMs now) {
    auto c = meter.Charge(kProject, kApp, Capped(), b, posts, {}, 0, now);
    return c.ok() ? c->new_posts : Refused(c.status());
  };
  EXPECT_EQ(charge({1, 2}, At(2024, 5, 6, 23, 59, 59, 999)), 2);
  EXPECT_EQ(charge({2, 3}, At(2024, 5, 6, 8)), 1);  // the same day: 2 was seen
  EXPECT_EQ(charge({1, 2, 3}, At(2024, 5, 7)), 3);  // midnight: a new dedupe day
  // A time before the dedupe day (read before another thread's) counts on that day.
  EXPECT_EQ(charge({3, 4}, At(2024, 5, 6, 23)), 1);
  EXPECT_EQ(meter.Days(kProject, 0, At(2030, 1, 1)),
            (std::vector<DayUsage>{{At(2024, 5, 6), 3, 0, 0, 0}, {At(2024, 5, 7), 4, 0, 0, 0}}));
  // The cap counts the cycle the same way: 7 posts so far, 3 more allowed.
  b = CapBudget(At(2024, 5, 1), 10);
  EXPECT_EQ(charge({10, 11, 12, 13}, At(2024, 5, 7, 1)), kCapped);
  EXPECT_EQ(charge({10, 11, 12}, At(2024, 5, 7, 1)), 3);
}

TEST(UsageMeter, DaysOlderThanTheRetentionAreDroppedButTheirMoneyIsNot) {
  ManualClock clock(At(2024, 1, 1, 10));
  UsageMeter meter(clock);
  ASSERT_TRUE(meter.Charge(kProject, kApp, Payg(), Budget{}, std::vector<Id>{1}, {}, 0).ok());
  clock.Advance(UsageMeter::kRetentionDays * kDay);
  ASSERT_TRUE(meter.Charge(kProject, kApp, Payg(), Budget{}, std::vector<Id>{1}, {}, 0).ok());
  EXPECT_EQ(meter.Days(kProject, 0, At(2030, 1, 1)).size(), 2u);  // exactly 100 days before: kept
  clock.Advance(kDay);
  ASSERT_TRUE(meter.Charge(kProject, kApp, Payg(), Budget{}, std::vector<Id>{1}, {}, 0).ok());
  auto days = meter.Days(kProject, 0, At(2030, 1, 1));
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].day, At(2024, 1, 1) + UsageMeter::kRetentionDays * kDay);
  EXPECT_EQ(meter.TotalSpent(kProject), 15'000);
}

TEST(UsageMeter, ReplayOfAnEarlierDayCountsWithoutDedupe) {
  ManualClock clock(0);
  UsageMeter meter(clock);
  const std::vector<Id> posts{1, 2, 2};
  EXPECT_EQ(meter.Replay(kProject, kApp, Payg(), At(2024, 5, 7), posts, {}, 0).new_posts, 2);
  EXPECT_EQ(meter.Replay(kProject, kApp, Payg(), At(2024, 5, 6), posts, {}, 0).new_posts, 2);
  EXPECT_EQ(meter.Replay(kProject, kApp, Payg(), At(2024, 5, 6), posts, {}, 0).new_posts, 2);
  EXPECT_EQ(meter.Replay(kProject, kApp, Payg(), At(2024, 5, 7), posts, {}, 0).new_posts, 0);
  EXPECT_EQ(meter.Days(kProject, 0, At(2030, 1, 1))[0].posts_read, 4);
}

// Two meters, one fed by Charge and one by Replay of what Charge admitted (the ledger):
// the same days, apps and money, and the same charge for every delivery.
TEST(UsageMeter, ReplayRebuildsWhatChargeRecorded) {
  struct Delivery {
    Id project;
    Id app;
    TimeMs at;
    std::vector<Id> posts, users;
    int64_t writes;
    UsageCharge charge;
  };
  ManualClock clock(At(2024, 5, 13, 20));
  UsageMeter live(clock);
  std::vector<Delivery> ledger;
  std::mt19937_64 rng(42);
  const Plan capped = Capped();
  const Plan payg = Payg();
  int refused = 0;
  for (int i = 0; i < 6000; ++i) {
    clock.Advance(TimeMs(rng() % (10 * 60 * kSecond)));  // ~20 days in all
    const bool is_payg = rng() % 2 == 0;
    Delivery d{is_payg ? Id{2} : Id{1}, Id(10 + rng() % 3), clock.NowMs(), {}, {}, 0, {}};
    for (int k = int(rng() % 8); k > 0; --k) d.posts.push_back(Id(rng() % 300));
    for (int k = int(rng() % 3); k > 0; --k) d.users.push_back(Id(rng() % 40));
    d.writes = rng() % 10 == 0 ? 1 : 0;
    Budget b = CapBudget(CycleStart(clock.NowMs(), 15), 900, 40);
    if (is_payg) {
      b = Budget{};
      b.credits_added = 2'000'000;
    }
    auto c = live.Charge(d.project, d.app, is_payg ? payg : capped, b, d.posts, d.users, d.writes);
    if (!c.ok()) {
      ++refused;
      continue;
    }
    d.charge = *c;
    ledger.push_back(d);
  }
  EXPECT_GT(refused, 100);  // both caps and credits were hit

  ManualClock other(0);
  UsageMeter rebuilt(other);
  for (const Delivery& d : ledger) {
    UsageCharge c = rebuilt.Replay(d.project, d.app, d.project == 2 ? payg : capped, d.at, d.posts, d.users, d.writes);
    EXPECT_EQ(c.new_posts, d.charge.new_posts);
    EXPECT_EQ(c.new_users, d.charge.new_users);
    EXPECT_EQ(c.writes, d.charge.writes);
    EXPECT_EQ(c.cost, d.charge.cost);
  }
  for (Id project : {1, 2}) {
    EXPECT_EQ(rebuilt.Days(project, 0, At(2030, 1, 1)), live.Days(project, 0, At(2030, 1, 1)));
    EXPECT_EQ(rebuilt.AppDays(project, 0, At(2030, 1, 1)), live.AppDays(project, 0, At(2030, 1, 1)));
    EXPECT_EQ(rebuilt.TotalSpent(project), live.TotalSpent(project));
    EXPECT_EQ(rebuilt.CycleTotals(project, At(2024, 5, 15)), live.CycleTotals(project, At(2024, 5, 15)));
  }
  EXPECT_GT(live.Days(1, 0, At(2030, 1, 1)).size(), 15u);
  EXPECT_LE(live.TotalSpent(2), 2'000'000);
}

TEST(UsageMeter, ConcurrentChargesCountExactlyAndNeverPassTheCap) {
  ManualClock clock(At(2024, 5, 6, 10));
  UsageMeter meter(clock);
  constexpr int64_t kCap = 500;
  const Budget b = CapBudget(At(2024, 5, 1), kCap);
  Budget credits;
  credits.credits_added = 1'000'000;  // 200 posts on the pay-per-use project
  std::mutex mu;
  std::set<Id> admitted;
  std::atomic<int64_t> new_posts{0};
  std::atomic<int64_t> paid_posts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng{uint64_t(t)};
      for (int i = 0; i < 300; ++i) {
        std::vector<Id> page;
        for (int k = 0; k < 20; ++k) page.push_back(Id(1 + rng() % 2000));
        auto c = meter.Charge(kProject, Id(10 + t), Capped(), b, page, {}, 0);
        if (c.ok()) {
          new_posts += c->new_posts;
          std::lock_guard lock(mu);
          admitted.insert(page.begin(), page.end());
        }
        auto p = meter.Charge(kProject + 1, Id(10 + t), Payg(), credits, page, {}, 0);
        if (p.ok()) paid_posts += p->new_posts;
      }
    });
  }
  for (auto& th : threads) th.join();
  const DayUsage total = meter.CycleTotals(kProject, b.cycle_start);
  EXPECT_EQ(total.posts_read, int64_t(admitted.size()));
  EXPECT_EQ(total.posts_read, new_posts.load());
  EXPECT_LE(total.posts_read, kCap);
  EXPECT_GT(total.posts_read, kCap - 20);  // it did fill up
  int64_t by_apps = 0;
  for (const auto& a : meter.AppDays(kProject, 0, At(2030, 1, 1))) by_apps += a.posts_read;
  EXPECT_EQ(by_apps, total.posts_read);
  EXPECT_EQ(meter.TotalSpent(kProject + 1), paid_posts.load() * 5'000);
  EXPECT_LE(meter.TotalSpent(kProject + 1), 1'000'000);
}

// A saved state loaded into another meter answers the same and goes on the same: a replay
// split at any record (snapshot, then the records after it) equals one whole replay.
TEST(UsageMeterState, SaveThenLoadThenTheRestEqualsOneWholeReplay) {
  struct Delivery {
    Id project, app;
    TimeMs at;
    std::vector<Id> posts, users;
    int64_t writes;
  };
  std::mt19937_64 rng(7);
  std::vector<Delivery> ledger;
  TimeMs at = At(2024, 5, 13, 20);
  for (int i = 0; i < 4000; ++i) {
    at += TimeMs(rng() % (10 * 60 * kSecond));
    Delivery d{Id(1 + rng() % 3), Id(10 + rng() % 3), at, {}, {}, rng() % 10 == 0 ? 1 : 0};
    for (int k = int(rng() % 8); k > 0; --k) d.posts.push_back(Id(rng() % 300));  // id 0 included
    for (int k = int(rng() % 3); k > 0; --k) d.users.push_back(Id(rng() % 40));
    ledger.push_back(d);
  }
  ManualClock clock(0);
  auto replay = [&](UsageMeter& m, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const Delivery& d = ledger[i];
      m.Replay(d.project, d.app, Payg(), d.at, d.posts, d.users, d.writes);
    }
  };
  UsageMeter whole(clock);
  replay(whole, 0, ledger.size());
  for (size_t split : {size_t(0), size_t(1), size_t(1234), ledger.size() - 1, ledger.size()}) {
    UsageMeter first(clock);
    replay(first, 0, split);
    UsageMeter restored(clock);
    ASSERT_TRUE(restored.Load(first.Save()).ok());
    replay(restored, split, ledger.size());
    for (Id project : {1, 2, 3}) {
      EXPECT_EQ(restored.Days(project, 0, At(2030, 1, 1)), whole.Days(project, 0, At(2030, 1, 1)));
      EXPECT_EQ(restored.AppDays(project, 0, At(2030, 1, 1)), whole.AppDays(project, 0, At(2030, 1, 1)));
      EXPECT_EQ(restored.TotalSpent(project), whole.TotalSpent(project));
      EXPECT_EQ(restored.CycleTotals(project, At(2024, 5, 15)), whole.CycleTotals(project, At(2024, 5, 15)));
    }
  }
}

TEST(UsageMeterState, LoadRefusesWhatSaveDidNotWriteAndEndsEmpty) {
  ManualClock clock(0);
  UsageMeter meter(clock);
  meter.Replay(kProject, kApp, Payg(), At(2024, 5, 7), std::vector<Id>{1, 2, 3}, std::vector<Id>{4}, 1);
  const std::string saved = meter.Save();
  UsageMeter other(clock);
  ASSERT_TRUE(other.Load(saved).ok());
  EXPECT_EQ(other.TotalSpent(kProject), meter.TotalSpent(kProject));

  EXPECT_EQ(other.Load("SLUICEXX").code(), StatusCode::kCorruption);
  EXPECT_EQ(other.TotalSpent(kProject), 0);  // a refused load leaves nothing half loaded
  EXPECT_EQ(other.Load(saved.substr(0, saved.size() - 8)).message(), "usage meter state: more apps than the bytes hold");
  EXPECT_EQ(other.Load(saved.substr(0, 9 * 8)).message(), "usage meter state: a set of ids is cut short or repeats an id");
  EXPECT_EQ(other.Load(saved + std::string(8, '\0')).message(), "usage meter state: bytes after the last project");
  std::string huge = saved;
  huge[8 + 8] = char(0xff);  // the project count
  EXPECT_EQ(other.Load(huge).message(), "usage meter state: more projects than the bytes hold");
}

}  // namespace
}  // namespace sluice
