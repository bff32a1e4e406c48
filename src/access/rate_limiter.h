#pragma once
//! RateLimiter: "never more than N requests admitted in any interval of length W", per key,
//! with O(1) memory per key. The window is cut into kBuckets sub-windows; a request is
//! admitted when the requests already admitted in the buckets that overlap [now - W, now]
//! (the oldest, partly-overlapping one counted in full) are fewer than N. Any interval of
//! length W overlaps at most kBuckets + 1 buckets, so it can never hold more than N
//! admissions (docs/limits.md proves it). Refusals cost nothing. Thread-safe; time comes from
//! the injected clock.

#include <cstdint>
#include <memory>

#include "core/clock.h"

namespace sluice {

struct LimitDecision {
  bool allowed = false;
  int64_t limit = 0;      // N
  int64_t remaining = 0;  // admissions left now (after this one, when allowed)
  TimeMs reset = 0;       // when `remaining` next grows (ms since the epoch)
  int64_t bucket = 0;     // when allowed: the sub-window the admission was counted in (Release)
  bool fallback = false;  // shared counters: decided by the local fallback while Redis was down

  //! `reset` in whole epoch seconds, rounded up (never earlier than `reset`), as the
  //! x-rate-limit-reset header carries it.
  int64_t ResetSeconds() const { return reset >= 0 ? (reset + 999) / 1000 : reset / 1000; }
};

class RateLimiter {
 public:
  static constexpr int kBuckets = 15;  // a 15-minute window in 1-minute buckets

  //! `clock` must outlive the limiter.
  explicit RateLimiter(const Clock& clock);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  //! Decides one request for `key` (e.g. a hash of app id and endpoint) under limit N per
  //! `window_ms`; admits and counts it when allowed. A refusal changes nothing. `limit` and
  //! `window_ms` come with every call; if a key's window changes, its counts start over.
  //! `limit <= 0` or `window_ms <= 0` refuses (fails closed). Thread-safe. Decides at the
  //! clock's now.
  LimitDecision Acquire(uint64_t key, int64_t limit, TimeMs window_ms);
  //! The same at `now`, a reading of the clock the caller already took (the request's time),
  //! so that a request reads the clock once. A `now` behind the key's newest bucket (a reading
  //! taken before another thread's) is decided as at the start of that bucket.
  LimitDecision Acquire(uint64_t key, int64_t limit, TimeMs window_ms, TimeMs now);
  //! Gives back the admission `admitted` (an allowed decision of Acquire for `key` under
  //! `window_ms`) when a later stage refused its request (post cap, credits) or its record
  //! failed: a refused request costs nothing, the rate limit included. Nothing happens when
  //! that admission's bucket has since left the key's slots (its count no longer matters) or
  //! the key's window changed. Thread-safe. Call at most once per admission.
  void Release(uint64_t key, TimeMs window_ms, const LimitDecision& admitted);

  //! The decision Acquire would make, without counting anything (for headers on refusals):
  //! `allowed` as Acquire would say, `remaining` the admissions left now (nothing counted).
  LimitDecision Peek(uint64_t key, int64_t limit, TimeMs window_ms) const;

  //! Keys currently stored (live ones plus stale ones not yet evicted); for tests and stats.
  size_t KeyCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
