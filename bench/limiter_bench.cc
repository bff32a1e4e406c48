// The rate limiter's cost per decision (Acquire, with the system clock read it includes):
// one hot key admitted or refused, and 100k keys taken round-robin (the map far out of L1),
// with 1 and 2 threads on the same limiter. items_per_second sums the threads.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "access/rate_limiter.h"

namespace sluice {
namespace {

constexpr int64_t kHuge = int64_t{1} << 50;  // never reached: every call admits
constexpr TimeMs k15Min = 15 * 60'000;
constexpr uint64_t kManyKeys = 100'000;
constexpr uint64_t kManyBase = 1'000'000;

RateLimiter& Limiter() {
  static RateLimiter limiter(SystemClock::Instance());
  static const bool filled = [] {
    for (uint64_t k = 0; k < kManyKeys; ++k) limiter.Acquire(kManyBase + k, kHuge, k15Min);
    limiter.Acquire(2, 1, k15Min);  // the refused key: its one admission is spent
    return true;
  }();
  (void)filled;
  return limiter;
}

void BM_HotKeyAdmitted(benchmark::State& state) {
  RateLimiter& limiter = Limiter();
  for (auto _ : state) benchmark::DoNotOptimize(limiter.Acquire(1, kHuge, k15Min));
  state.SetItemsProcessed(state.iterations());
}

void BM_HotKeyRefused(benchmark::State& state) {
  RateLimiter& limiter = Limiter();
  for (auto _ : state) benchmark::DoNotOptimize(limiter.Acquire(2, 1, k15Min));
  state.SetItemsProcessed(state.iterations());
}

void BM_100kKeysRoundRobin(benchmark::State& state) {
  RateLimiter& limiter = Limiter();
  uint64_t k = uint64_t(state.thread_index()) * (kManyKeys / 2);
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter.Acquire(kManyBase + k, kHuge, k15Min));
    if (++k == kManyKeys) k = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_HotKeyAdmitted)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_HotKeyRefused)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_100kKeysRoundRobin)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
