#include "access/rate_limiter.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <unordered_map>

#include "core/mix.h"

namespace sluice {
namespace {

// Slots per key: the kBuckets + 1 buckets that can overlap [now - W, now]. A power of two,
// so bucket b lives in slot b & kSlotMask, also for buckets before the epoch.
constexpr int kSlots = RateLimiter::kBuckets + 1;
constexpr int64_t kSlotMask = kSlots - 1;
static_assert((kSlots & kSlotMask) == 0, "kBuckets + 1 must be a power of two");

constexpr int kShardBits = 6;
constexpr int kShards = 1 << kShardBits;
// A shard sweeps out dead keys when it grows to max(kSweepMin, 2 x the keys its last sweep
// kept): each key pays O(1) amortised for the sweeps, and the map never holds more than
// about twice its live keys.
constexpr size_t kSweepMin = 256;
// Keeps (bucket + 1) * width + window far from overflow; longer windows fail closed.
constexpr TimeMs kMaxWindowMs = TimeMs{1} << 42;  // about 139 years

int64_t FloorDiv(int64_t a, int64_t b) {  // b > 0
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}


// Memory per key: 16 + 8 x kSlots = 144 bytes here, plus the hash node (key, next pointer,
// allocator header) and a bucket pointer: about 190 bytes, whatever N and W are.
struct KeyState {
  int64_t newest = 0;  // index of the newest bucket written; slots hold (newest - kSlots, newest]
  int64_t width = 0;   // bucket width (ms) the counts were made with
  std::array<int64_t, kSlots> counts{};  // admissions in bucket b at counts[b & kSlotMask]
};

// What a key's state counts at one moment; reads only.
struct View {
  TimeMs now = 0;         // the decision time
  int64_t bucket = 0;     // the bucket `now` falls in
  int64_t sum = 0;        // admissions in buckets overlapping [now - W, now]
  int64_t oldest = 0;     // the oldest of those buckets with a count, when sum > 0
};

// `state` is null for a key never seen (or evicted). The decision time is the clock's
// reading, raised to the start of the key's newest bucket when the clock lags it (a thread
// that read the clock before another took the lock, or a wall clock stepped back), so
// buckets are only ever written in increasing order and never overwrite a live one.
View Look(const KeyState* state, TimeMs t, TimeMs window, int64_t width) {
  View v;
  if (state != nullptr && state->width != width) state = nullptr;  // counts start over
  v.now = state != nullptr ? std::max(t, state->newest * width) : t;
  v.bucket = FloorDiv(v.now, width);
  if (state == nullptr) return v;
  // Bucket b = [b*width, (b+1)*width) overlaps [now - W, now] iff b >= floor((now-W)/width);
  // W <= kBuckets * width keeps that within the slots.
  int64_t lo = std::max(FloorDiv(v.now - window, width), state->newest - kSlotMask);
  bool found = false;
  for (int64_t b = lo; b <= state->newest; ++b) {
    int64_t c = state->counts[b & kSlotMask];
    if (c != 0 && !found) {
      v.oldest = b;
      found = true;
    }
    v.sum += c;
  }
  return v;
}

// Remaining grows when the window slides past the end of the oldest counted bucket.
TimeMs ResetAt(const View& v, TimeMs window, int64_t width) {
  return v.sum == 0 ? v.now : (v.oldest + 1) * width + window;
}

// Dead at t: nothing it holds can be counted any more, so dropping it changes no decision.
bool Dead(const KeyState& s, TimeMs t) {
  return (s.newest + RateLimiter::kBuckets + 1) * s.width <= t;
}

struct alignas(64) Shard {
  mutable std::mutex mu;
  std::unordered_map<uint64_t, KeyState> keys;  // by Mix64(key); guarded by mu
  size_t sweep_at = kSweepMin;                  // guarded by mu
};

bool Valid(int64_t limit, TimeMs window) {
  return limit > 0 && window > 0 && window <= kMaxWindowMs;
}

}  // namespace

struct RateLimiter::Impl {
  explicit Impl(const Clock& c) : clock(c) {}
  Shard& ShardFor(uint64_t mixed) { return shards[mixed >> (64 - kShardBits)]; }

  const Clock& clock;
  std::array<Shard, kShards> shards;
};

RateLimiter::RateLimiter(const Clock& clock) : impl_(std::make_unique<Impl>(clock)) {}
RateLimiter::~RateLimiter() = default;

LimitDecision RateLimiter::Acquire(uint64_t key, int64_t limit, TimeMs window_ms) {
  return Acquire(key, limit, window_ms, impl_->clock.NowMs());
}

LimitDecision RateLimiter::Acquire(uint64_t key, int64_t limit, TimeMs window_ms, TimeMs t) {
  if (!Valid(limit, window_ms)) return {false, std::max<int64_t>(limit, 0), 0, t};
  const int64_t width = (window_ms + kBuckets - 1) / kBuckets;
  const uint64_t mixed = Mix64(key);
  Shard& shard = impl_->ShardFor(mixed);
  std::lock_guard lock(shard.mu);

  auto it = shard.keys.find(mixed);
  KeyState* state = it == shard.keys.end() ? nullptr : &it->second;
  View v = Look(state, t, window_ms, width);
  if (v.sum >= limit) return {false, limit, 0, ResetAt(v, window_ms, width)};

  if (state == nullptr) {
    if (shard.keys.size() >= shard.sweep_at) {
      std::erase_if(shard.keys, [t](const auto& kv) { return Dead(kv.second, t); });
      shard.sweep_at = std::max(kSweepMin, 2 * shard.keys.size());
    }
    state = &shard.keys[mixed];
  }
  if (state->width != width) {
    *state = KeyState{};
    state->width = width;
    state->newest = v.bucket;
  }
  // Slots of buckets skipped since the newest one hold counts kSlots or more buckets old.
  for (int64_t b = state->newest + 1; b <= v.bucket && b <= state->newest + kSlots; ++b) {
    state->counts[b & kSlotMask] = 0;
  }
  state->newest = v.bucket;
  ++state->counts[v.bucket & kSlotMask];

  if (v.sum == 0) v.oldest = v.bucket;
  ++v.sum;
  return {true, limit, limit - v.sum, ResetAt(v, window_ms, width), v.bucket};
}

void RateLimiter::Release(uint64_t key, TimeMs window_ms, const LimitDecision& admitted) {
  if (!admitted.allowed || window_ms <= 0 || window_ms > kMaxWindowMs) return;
  const int64_t width = (window_ms + kBuckets - 1) / kBuckets;
  const uint64_t mixed = Mix64(key);
  Shard& shard = impl_->ShardFor(mixed);
  std::lock_guard lock(shard.mu);
  auto it = shard.keys.find(mixed);
  if (it == shard.keys.end()) return;
  KeyState& state = it->second;
  // A slot outside (newest - kSlots, newest] holds another bucket's count now.
  if (state.width != width || admitted.bucket > state.newest || admitted.bucket <= state.newest - kSlots) return;
  int64_t& count = state.counts[admitted.bucket & kSlotMask];
  if (count > 0) --count;
}

LimitDecision RateLimiter::Peek(uint64_t key, int64_t limit, TimeMs window_ms) const {
  TimeMs t = impl_->clock.NowMs();
  if (!Valid(limit, window_ms)) return {false, std::max<int64_t>(limit, 0), 0, t};
  const int64_t width = (window_ms + kBuckets - 1) / kBuckets;
  const uint64_t mixed = Mix64(key);
  Shard& shard = impl_->ShardFor(mixed);
  std::lock_guard lock(shard.mu);

  auto it = shard.keys.find(mixed);
  View v = Look(it == shard.keys.end() ? nullptr : &it->second, t, window_ms, width);
  return {v.sum < limit, limit, std::max<int64_t>(limit - v.sum, 0), ResetAt(v, window_ms, width)};
}

size_t RateLimiter::KeyCount() const {
  size_t n = 0;
  for (Shard& shard : impl_->shards) {
    std::lock_guard lock(shard.mu);
    n += shard.keys.size();
  }
  return n;
}

}  // namespace sluice
