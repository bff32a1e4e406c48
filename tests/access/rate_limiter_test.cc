#include "access/rate_limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <random>
#include <thread>
#include <vector>

namespace sluice {
namespace {

constexpr TimeMs kMinute = 60'000;
constexpr TimeMs k15Min = 15 * kMinute;
constexpr TimeMs k24h = 24 * 60 * kMinute;
constexpr int kK = RateLimiter::kBuckets;
constexpr TimeMs kT0 = 1'700'000'040'000;  // a multiple of one minute

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0 && a < 0) ? 1 : 0); }

// The most admissions in any closed interval [s, s + W] (two pointers over sorted times).
int64_t MaxInAnyWindow(const std::vector<TimeMs>& admitted, TimeMs window) {
  int64_t best = 0;
  size_t i = 0;
  for (size_t j = 0; j < admitted.size(); ++j) {
    while (admitted[i] < admitted[j] - window) ++i;
    best = std::max<int64_t>(best, int64_t(j - i + 1));
  }
  return best;
}

// The algorithm restated naively over the list of admission times, to check every decision.
class Model {
 public:
  Model(int64_t limit, TimeMs window)
      : limit_(limit), window_(window), width_((window + kK - 1) / kK) {}
  LimitDecision Acquire(TimeMs t) {
    int64_t lo = FloorDiv(t - window_, width_);
    while (!times_.empty() && FloorDiv(times_.front(), width_) < lo) times_.pop_front();
    LimitDecision d;
    d.limit = limit_;
    d.allowed = int64_t(times_.size()) < limit_;
    if (d.allowed) times_.push_back(t);
    d.remaining = std::max<int64_t>(0, limit_ - int64_t(times_.size()));
    d.reset = times_.empty() ? t : (FloorDiv(times_.front(), width_) + 1) * width_ + window_;
    return d;
  }

 private:
  int64_t limit_;
  TimeMs window_;
  TimeMs width_;
  std::deque<TimeMs> times_;
};

// Arrival times over `span`: Poisson at `per_window` requests per window, or bursts (up to
// 2N requests within a few seconds, or all in one millisecond) with random gaps.
std::vector<TimeMs> Arrivals(std::mt19937_64& rng, bool bursty, int64_t n, TimeMs window,
                             TimeMs span) {
  std::vector<TimeMs> out;
  TimeMs t = kT0 + TimeMs(rng() % uint64_t(window));
  if (!bursty) {
    std::exponential_distribution<double> gap(3.0 * double(n) / double(window));
    for (double x = double(t); x < double(kT0 + span); x += gap(rng)) out.push_back(TimeMs(x));
    return out;
  }
  std::exponential_distribution<double> gap(3.0 / double(window));
  while (t < kT0 + span) {
    int64_t size = 1 + int64_t(rng() % uint64_t(2 * n));
    TimeMs spread = rng() % 2 ? 0 : std::min<TimeMs>(5'000, window);
    for (int64_t k = 0; k < size; ++k) out.push_back(t + (spread ? TimeMs(rng() % spread) : 0));
    t += TimeMs(gap(rng)) + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RateLimiter, RandomArrivalsNeverExceedNInAnyWindow) {
  const TimeMs windows[] = {k15Min, k24h, 1001, 7};  // 1001 and 7 are not multiples of kBuckets
  const int64_t limits[] = {1, 2, 3, 10, 100, 900};
  for (TimeMs window : windows) {
    for (int64_t n : limits) {
      for (bool bursty : {false, true}) {
        for (uint64_t seed = 1; seed <= 4; ++seed) {
          SCOPED_TRACE(testing::Message() << "W=" << window << " N=" << n << " bursty=" << bursty
                                          << " seed=" << seed);
          std::mt19937_64 rng(seed * 7919 + uint64_t(n));
          ManualClock clock(kT0);
          RateLimiter limiter(clock);
          Model model(n, window);
          std::vector<TimeMs> admitted;
          int64_t mismatches = 0;
          for (TimeMs t : Arrivals(rng, bursty, n, window, 12 * window)) {
            clock.Set(t);
            LimitDecision d = limiter.Acquire(42, n, window);
            LimitDecision m = model.Acquire(t);
            if (d.allowed != m.allowed || d.remaining != m.remaining || d.reset != m.reset) {
              ++mismatches;
            }
            if (d.allowed) admitted.push_back(t);
          }
          EXPECT_EQ(mismatches, 0);
          EXPECT_LE(MaxInAnyWindow(admitted, window), n);
          EXPECT_FALSE(admitted.empty());
        }
      }
    }
  }
}

TEST(RateLimiter, SteadyStreamAtTwiceTheLimitIsWellUsed) {
  for (TimeMs window : {k15Min, k24h}) {
    for (int64_t n : {180, 450, 900}) {
      SCOPED_TRACE(testing::Message() << "W=" << window << " N=" << n);
      ManualClock clock(kT0);
      RateLimiter limiter(clock);
      const TimeMs spacing = window / (2 * n);
      const int windows_measured = 100;
      std::vector<TimeMs> admitted;
      int64_t counted = 0;
      for (TimeMs t = kT0; t < kT0 + (10 + windows_measured) * window; t += spacing) {
        clock.Set(t);
        if (!limiter.Acquire(7, n, window).allowed) continue;
        admitted.push_back(t);
        if (t >= kT0 + 10 * window) ++counted;
      }
      EXPECT_LE(MaxInAnyWindow(admitted, window), n);
      // Saturated, it admits about N per kBuckets + 1 buckets (measured 0.935 N per window).
      EXPECT_GE(counted, n * (kK - 1) * windows_measured / kK);
      EXPECT_LE(counted, n * windows_measured);
    }
  }
}

TEST(RateLimiter, AdmitsNThenRefusesUntilTheOldestBucketLeaves) {
  ManualClock clock(kT0 + 30'000);  // mid-bucket
  RateLimiter limiter(clock);
  const TimeMs reset = kT0 + kMinute + k15Min;  // end of the first bucket + W
  for (int i = 0; i < 5; ++i) {
    LimitDecision d = limiter.Acquire(1, 5, k15Min);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 5);
    EXPECT_EQ(d.remaining, 4 - i);
    EXPECT_EQ(d.reset, reset);
  }
  LimitDecision refused = limiter.Acquire(1, 5, k15Min);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset, reset);
  EXPECT_EQ(refused.ResetSeconds(), reset / 1000);

  clock.Set(reset - 1);
  EXPECT_FALSE(limiter.Acquire(1, 5, k15Min).allowed);
  clock.Set(reset);
  LimitDecision again = limiter.Acquire(1, 5, k15Min);
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 4);
  EXPECT_EQ(again.reset, reset + 16 * kMinute);  // this bucket's end + W
}

// The request path passes the time it read once; the limiter must decide exactly as if it
// had read that time from its clock, and not read the clock itself.
TEST(RateLimiter, AGivenTimeDecidesAsTheClockReadingWould) {
  ManualClock clock(kT0 + 30'000);
  ManualClock elsewhere(kT0 + 365 * k24h);  // never read by the explicit-time calls
  RateLimiter by_clock(clock);
  RateLimiter by_time(elsewhere);
  const TimeMs steps[] = {0, 1, 59'999, 60'000, 5 * kMinute, k15Min - 1, k15Min + kMinute, 3 * k15Min};
  for (TimeMs step : steps) {
    clock.Set(kT0 + 30'000 + step);
    for (int i = 0; i < 4; ++i) {
      LimitDecision a = by_clock.Acquire(1, 5, k15Min);
      LimitDecision b = by_time.Acquire(1, 5, k15Min, clock.NowMs());
      EXPECT_EQ(a.allowed, b.allowed) << step;
      EXPECT_EQ(a.remaining, b.remaining) << step;
      EXPECT_EQ(a.reset, b.reset) << step;
    }
  }
  // A time behind the key's newest bucket (read before another thread's) counts in that bucket.
  RateLimiter limiter(elsewhere);
  EXPECT_TRUE(limiter.Acquire(2, 2, k15Min, kT0 + 5 * kMinute).allowed);
  LimitDecision late = limiter.Acquire(2, 2, k15Min, kT0 + 4 * kMinute);
  EXPECT_TRUE(late.allowed);
  EXPECT_EQ(late.remaining, 0);
  EXPECT_EQ(late.reset, kT0 + 6 * kMinute + k15Min);
  EXPECT_FALSE(limiter.Acquire(2, 2, k15Min, kT0 + 5 * kMinute).allowed);
}

TEST(RateLimiter, OnlyTheOldestBucketsCountComesBack) {
  ManualClock clock(kT0);
  RateLimiter limiter(clock);
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(limiter.Acquire(1, 5, k15Min).allowed);
  clock.Set(kT0 + 5 * kMinute + 59'999);  // last ms of bucket 5
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Acquire(1, 5, k15Min).allowed);
  LimitDecision d = limiter.Acquire(1, 5, k15Min);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reset, kT0 + kMinute + k15Min);

  clock.Set(d.reset);
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(limiter.Acquire(1, 5, k15Min).allowed);
  d = limiter.Acquire(1, 5, k15Min);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reset, kT0 + 6 * kMinute + k15Min);
  EXPECT_EQ(limiter.Peek(1, 5, k15Min).reset, d.reset);
}

TEST(RateLimiter, AdmissionAtTheWindowEdgeIsRefused) {
  // N = 1: a second admission exactly W later would put two in the closed interval.
  ManualClock clock(kT0);
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.Acquire(1, 1, k15Min).allowed);
  clock.Set(kT0 + k15Min);
  EXPECT_FALSE(limiter.Acquire(1, 1, k15Min).allowed);
}

TEST(RateLimiter, TwentyFourHourWindow) {
  const TimeMs width = k24h / kK;  // 96 minutes
  const TimeMs start = FloorDiv(kT0, width) * width + 1234;
  ManualClock clock(start);
  RateLimiter limiter(clock);
  const TimeMs reset = start - 1234 + width + k24h;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire(9, 3, k24h).reset, reset);
  LimitDecision d = limiter.Acquire(9, 3, k24h);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reset, reset);
  EXPECT_EQ(d.ResetSeconds(), (reset + 999) / 1000);
  clock.Set(start + k24h);  // a day later, still inside the oldest bucket's reach
  EXPECT_FALSE(limiter.Acquire(9, 3, k24h).allowed);
  clock.Set(reset - 1);
  EXPECT_FALSE(limiter.Acquire(9, 3, k24h).allowed);
  clock.Set(reset);
  EXPECT_TRUE(limiter.Acquire(9, 3, k24h).allowed);
}

TEST(RateLimiter, WindowNotAMultipleOfBuckets) {
  ManualClock clock(0);
  RateLimiter limiter(clock);  // W = 1001 ms: buckets of 67 ms
  EXPECT_TRUE(limiter.Acquire(1, 1, 1001).allowed);
  clock.Set(1067);
  LimitDecision d = limiter.Acquire(1, 1, 1001);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reset, 67 + 1001);
  clock.Set(1068);
  EXPECT_TRUE(limiter.Acquire(1, 1, 1001).allowed);
}

TEST(RateLimiter, SixteenThreadsOnOneKeyAdmitExactlyN) {
  ManualClock clock(kT0);  // frozen
  RateLimiter limiter(clock);
  constexpr int kThreads = 16;
  constexpr int64_t kLimit = 50'000;
  std::atomic<bool> go{false};
  std::vector<std::vector<int64_t>> remaining(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      for (int k = 0; k < 10'000; ++k) {
        LimitDecision d = limiter.Acquire(77, kLimit, k15Min);
        if (d.allowed) remaining[i].push_back(d.remaining);
      }
    });
  }
  go.store(true);
  for (auto& t : threads) t.join();
  std::vector<int64_t> all;
  for (auto& r : remaining) all.insert(all.end(), r.begin(), r.end());
  ASSERT_EQ(int64_t(all.size()), kLimit);
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < kLimit; ++i) EXPECT_EQ(all[i], i);  // each count handed out once
  EXPECT_FALSE(limiter.Peek(77, kLimit, k15Min).allowed);
}

TEST(RateLimiter, KeysAreIndependent) {
  ManualClock clock(kT0);
  RateLimiter limiter(clock);
  constexpr int kThreads = 16;
  std::vector<int64_t> admitted(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 500; ++k) admitted[i] += limiter.Acquire(1000 + i, 100 + i, k15Min).allowed;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(admitted[i], 100 + i);
  LimitDecision fresh = limiter.Acquire(5, 3, k15Min);
  EXPECT_TRUE(fresh.allowed);
  EXPECT_EQ(fresh.remaining, 2);
}

TEST(RateLimiter, PeekCountsNothing) {
  ManualClock clock(kT0);
  RateLimiter limiter(clock);
  for (int i = 0; i < 100; ++i) {
    LimitDecision p = limiter.Peek(3, 4, k15Min);
    EXPECT_TRUE(p.allowed);
    EXPECT_EQ(p.remaining, 4);
    EXPECT_EQ(p.reset, kT0);  // nothing counted
  }
  EXPECT_EQ(limiter.KeyCount(), 0u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.Acquire(3, 4, k15Min).allowed);
  LimitDecision p = limiter.Peek(3, 4, k15Min);
  EXPECT_FALSE(p.allowed);
  EXPECT_EQ(p.remaining, 0);
  EXPECT_EQ(p.reset, kT0 + kMinute + k15Min);
  clock.Advance(kMinute);
  EXPECT_FALSE(limiter.Peek(3, 4, k15Min).allowed);
}

TEST(RateLimiter, RefusalsCostNothing) {
  // Two limiters see the same admitted traffic; one also takes a stream of refused requests.
  ManualClock clock(kT0 + 12'345);
  RateLimiter quiet(clock), hammered(clock);
  std::mt19937_64 rng(5);
  int refused = 0;
  for (TimeMs t = kT0 + 12'345; t < kT0 + 3 * k15Min; t += 1 + TimeMs(rng() % 20'000)) {
    clock.Set(t);
    while (!hammered.Peek(8, 20, k15Min).allowed && refused < 100'000) {
      ASSERT_FALSE(hammered.Acquire(8, 20, k15Min).allowed);
      ++refused;
    }
    for (int k = 0; k < int(rng() % 4); ++k) {
      LimitDecision a = quiet.Acquire(8, 20, k15Min);
      LimitDecision b = hammered.Acquire(8, 20, k15Min);
      EXPECT_EQ(a.allowed, b.allowed);
      EXPECT_EQ(a.remaining, b.remaining);
      EXPECT_EQ(a.reset, b.reset);
    }
  }
  EXPECT_GT(refused, 0);
}

TEST(RateLimiter, AReleasedAdmissionIsGivenBackOnce) {
  ManualClock clock(kT0);
  RateLimiter limiter(clock);
  std::vector<LimitDecision> admitted;
  for (int i = 0; i < 3; ++i) admitted.push_back(limiter.Acquire(1, 3, k15Min));
  EXPECT_FALSE(limiter.Acquire(1, 3, k15Min).allowed);
  limiter.Release(1, k15Min, admitted[1]);
  EXPECT_EQ(limiter.Peek(1, 3, k15Min).remaining, 1);
  LimitDecision again = limiter.Acquire(1, 3, k15Min);
  EXPECT_TRUE(again.allowed);
  EXPECT_EQ(again.remaining, 0);
  // A refusal has nothing to give back; another key, another window: nothing changes.
  limiter.Release(1, k15Min, limiter.Acquire(1, 3, k15Min));
  limiter.Release(2, k15Min, admitted[0]);
  limiter.Release(1, k24h, admitted[0]);
  EXPECT_EQ(limiter.Peek(1, 3, k15Min).remaining, 0);
}

TEST(RateLimiter, ReleaseOfABucketThatLeftTheSlotsChangesNothing) {
  ManualClock clock(kT0);
  RateLimiter limiter(clock);
  LimitDecision old = limiter.Acquire(1, 2, k15Min);
  clock.Set(kT0 + 20 * kMinute);  // past the window: the bucket of `old` has left the slots
  LimitDecision now = limiter.Acquire(1, 2, k15Min);
  ASSERT_TRUE(now.allowed);
  limiter.Release(1, k15Min, old);
  EXPECT_EQ(limiter.Peek(1, 2, k15Min).remaining, 1);  // `now` still counted
  limiter.Release(1, k15Min, now);
  EXPECT_EQ(limiter.Peek(1, 2, k15Min).remaining, 2);
}

TEST(RateLimiter, ClockSteppingBackNeverFreesACount) {
  ManualClock clock(kT0 + 16 * kMinute);
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.Acquire(1, 2, k15Min).allowed);
  clock.Set(kT0);  // 16 buckets back: the same slot as the bucket just written
  LimitDecision d = limiter.Acquire(1, 2, k15Min);
  EXPECT_TRUE(d.allowed);  // counted in the newest bucket, not over it
  EXPECT_EQ(d.reset, kT0 + 17 * kMinute + k15Min);
  clock.Set(kT0 + 16 * kMinute + 1);
  EXPECT_FALSE(limiter.Acquire(1, 2, k15Min).allowed);
}

TEST(RateLimiter, WindowChangeStartsOverAndBadArgumentsFailClosed) {
  ManualClock clock(kT0);
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.Acquire(1, 1, k15Min).allowed);
  EXPECT_FALSE(limiter.Acquire(1, 1, k15Min).allowed);
  EXPECT_TRUE(limiter.Acquire(1, 1, k24h).allowed);
  EXPECT_FALSE(limiter.Acquire(2, 0, k15Min).allowed);
  EXPECT_FALSE(limiter.Acquire(2, 5, 0).allowed);
  EXPECT_FALSE(limiter.Acquire(2, -1, k15Min).allowed);
  EXPECT_EQ(limiter.KeyCount(), 1u);
}

TEST(RateLimiter, EvictionDropsOnlyDeadKeys) {
  ManualClock clock(kT0);
  RateLimiter limiter(clock);
  for (uint64_t k = 0; k < 50'000; ++k) ASSERT_TRUE(limiter.Acquire(k, 10, k15Min).allowed);
  EXPECT_EQ(limiter.KeyCount(), 50'000u);
  clock.Advance(20 * kMinute);  // the first 50k keys are now dead
  for (uint64_t k = 1'000'000; k < 1'001'000; ++k) {
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Acquire(k, 10, k15Min).allowed);
  }
  clock.Advance(10 * kMinute);  // the live keys still hold their counts
  for (uint64_t k = 2'000'000; k < 2'050'000; ++k) ASSERT_TRUE(limiter.Acquire(k, 10, k15Min).allowed);
  EXPECT_LT(limiter.KeyCount(), 60'000u);  // 101k without eviction
  for (uint64_t k = 1'000'000; k < 1'001'000; ++k) {
    ASSERT_EQ(limiter.Peek(k, 10, k15Min).remaining, 5) << k;
  }
}

}  // namespace
}  // namespace sluice
