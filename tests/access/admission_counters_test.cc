#include "access/admission_counters.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace sluice {
namespace {

constexpr TimeMs kNow = 1'796'515'200'000;  // 2026-12-06, UTC midnight
constexpr TimeMs kFifteenMinutes = 15 * 60'000;

template <typename T, typename Start>
Result<T> Now(AdmissionCounters& c, Start start) {
  std::optional<Result<T>> out;
  start([&out](Result<T> r) { out.emplace(std::move(r)); });
  EXPECT_TRUE(out.has_value()) << "LocalCounters answers before returning";
  return std::move(*out);
}

TEST(LocalCounters, DecidesAtOnceAsTheLimiterAndMeter) {
  ManualClock clock(kNow);
  RateLimiter limiter(clock);
  UsageMeter meter(clock);
  LocalCounters local(limiter, meter);
  EXPECT_TRUE(local.immediate());
  for (int i = 0; i < 3; ++i) {
    auto d = Now<LimitDecision>(local, [&](auto done) { local.Acquire({1, 3, kFifteenMinutes, kNow}, done); });
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(d->allowed);
    EXPECT_EQ(d->remaining, 2 - i);
  }
  auto refused = Now<LimitDecision>(local, [&](auto done) { local.Acquire({1, 3, kFifteenMinutes, kNow}, done); });
  EXPECT_FALSE(refused->allowed);

  Plan plan;
  plan.read_cap = 2;
  Budget b;
  b.cycle_start = kNow;
  b.read_cap = 2;
  const std::vector<Id> posts = {10, 11, 12};
  auto capped = Now<UsageCharge>(local, [&](auto done) { local.Charge({5, 6, &plan, b, posts, {}, 0, kNow}, done); });
  EXPECT_EQ(capped.status().code(), StatusCode::kUsageCapped);
  const std::vector<Id> two = {10, 11};
  auto ok = Now<UsageCharge>(local, [&](auto done) { local.Charge({5, 6, &plan, b, two, {}, 0, kNow}, done); });
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(meter.CycleTotals(5, kNow).posts_read, 2);
  local.Refund(5, 6, *ok);
  EXPECT_EQ(meter.CycleTotals(5, kNow).posts_read, 0);
}

TEST(LocalCounters, AShareDividesEveryLimitCapAndBalance) {
  ManualClock clock(kNow);
  RateLimiter limiter(clock);
  UsageMeter meter(clock);
  LocalCounters third(limiter, meter, 3);
  int admitted = 0;
  for (int i = 0; i < 10; ++i)
    admitted += Now<LimitDecision>(third, [&](auto done) { third.Acquire({1, 10, kFifteenMinutes, kNow}, done); })->allowed;
  EXPECT_EQ(admitted, 3);  // 10 / 3
  // A limit below the share still admits one.
  EXPECT_TRUE(Now<LimitDecision>(third, [&](auto done) { third.Acquire({2, 2, kFifteenMinutes, kNow}, done); })->allowed);
  EXPECT_FALSE(Now<LimitDecision>(third, [&](auto done) { third.Acquire({2, 2, kFifteenMinutes, kNow}, done); })->allowed);

  Plan payg;
  payg.pay_per_use = true;
  payg.post_read_price = 1'000;
  Budget b;
  b.cycle_start = kNow;
  b.credits_added = 9'000;  // 3,000 for this node
  const std::vector<Id> four = {1, 2, 3, 4};
  auto dear = Now<UsageCharge>(third, [&](auto done) { third.Charge({5, 6, &payg, b, four, {}, 0, kNow}, done); });
  EXPECT_EQ(dear.status().code(), StatusCode::kCreditsExhausted);
  const std::vector<Id> three = {1, 2, 3};
  EXPECT_TRUE(Now<UsageCharge>(third, [&](auto done) { third.Charge({5, 6, &payg, b, three, {}, 0, kNow}, done); }).ok());
}

}  // namespace
}  // namespace sluice
