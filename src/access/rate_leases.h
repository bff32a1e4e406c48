#pragma once
//! RateLeases: the bookkeeping of the shared limits' fast mode (`[limits] mode = "fast"`,
//! docs/limits.md, "Several nodes"). A node leases a batch of admissions of one rate window
//! (a key and a window width) from Redis, counted there at once in one bucket, and admits
//! from it locally until it is used up or its bucket ends; what it did not use is given back
//! to that bucket. This class holds the leases and the requests waiting for one; it never
//! talks to Redis: its caller (RedisCounters) asks for the leases and gives back what this
//! returns, in the order this returns them.
//!
//! Per (key, window) at most one lease is live and at most one lease request is in flight;
//! a request that finds no usable lease waits for the one in flight (it never admits without
//! budget). A lease of bucket b admits only requests whose time is in bucket b or earlier
//! (a node whose clock is behind Redis's newest bucket gets leases of that bucket): so each
//! admission is counted in Redis in the bucket strict mode would count it in, or a later one.
//!
//! Thread-safe. `done` callbacks are never called here: they are handed back to the caller,
//! which calls them outside this class's lock.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "access/admission_counters.h"

namespace sluice {

//! The bucket width of a window of `window_ms` (RateLimiter's K = 15 buckets).
inline int64_t LeaseBucketWidth(TimeMs window_ms) { return (window_ms + RateLimiter::kBuckets - 1) / RateLimiter::kBuckets; }

//! K = max(1, floor(limit * percent / 100 / nodes)): each of `nodes` nodes holds at most K
//! unused admissions per window, so together at most `percent` % of the limit.
int64_t LeaseSize(int64_t limit, int64_t percent, int64_t nodes);

//! What Redis granted (the lease script's reply).
struct LeaseGrant {
  int64_t granted = 0;           // admissions counted in `bucket` for this node (0: the window is full)
  int64_t remaining_before = 0;  // the limit minus the window's count before the grant
  TimeMs reset = 0;
  int64_t bucket = 0;
};

//! Unused admissions of an ended lease, to subtract from their bucket in Redis.
struct LeaseReturn {
  uint64_t key = 0;
  TimeMs window_ms = 0;
  int64_t bucket = 0;
  int64_t unused = 0;
};

class RateLeases {
 public:
  using Done = AdmissionCounters::Done<LimitDecision>;

  //! A request handed to the caller to answer: `decision` is an admission from a lease or a
  //! refusal (Redis said the window was full).
  struct Answer {
    Done done;
    LimitDecision decision;
  };

  struct AcquireResult {
    std::optional<LimitDecision> admitted;  // from a live lease: answer `done` with it
    Done done;                              // handed back when admitted (kept when waiting)
    std::vector<LeaseReturn> returns;       // give these back first (before `ask`)
    std::optional<RateQuery> ask;           // request a lease for this query, then Granted or Failed
  };

  //! Admits q from a live lease, or keeps `done` waiting for a lease (asked for now, or
  //! already in flight). An ended lease of the key is removed and returned in `returns`.
  AcquireResult Acquire(const RateQuery& q, Done done);

  struct GrantResult {
    std::vector<Answer> answers;        // the waiting requests served by the grant
    std::vector<LeaseReturn> returns;   // give these back first (before `ask`)
    std::optional<RateQuery> ask;       // requests still wait: ask again for this query
  };

  //! The lease asked for `asked` was granted: serves the waiting requests in order, each
  //! from the lease while it has budget and its time is in the lease's bucket (or before).
  //! A grant of 0 refuses those waiting at the grant's bucket or earlier (as strict mode would,
  //! the window being full at their time or later). Waiters left over make `ask` set.
  GrantResult Granted(const RateQuery& asked, const LeaseGrant& grant);

  //! The lease asked for `asked` could not be obtained (Redis down or a bad reply): hands
  //! back every waiting request with its query; nothing is in flight for the key afterwards.
  std::vector<std::pair<RateQuery, Done>> Failed(const RateQuery& asked);

  //! Gives an admission back to its lease when that lease is still held (the same bucket):
  //! true, and the lease may admit one more. False: the caller gives it back to Redis.
  bool Release(const RateQuery& q, const LimitDecision& admitted);

  //! Removes every lease whose bucket ended before `now` (and keys with nothing left), and
  //! returns their unused admissions. Their keys then hold new requests waiting (as when a
  //! lease is in flight) until Resume: so a lease asked for after the give-back is sent after
  //! it, and Redis never holds an ended lease and a new one of this node's for one key.
  std::vector<LeaseReturn> Expire(TimeMs now);

  //! After the give-backs of `given` (from Expire) were sent: the keys take requests again;
  //! returns a lease request to send for each key whose requests waited meanwhile (then
  //! Granted or Failed, as after Acquire's `ask`).
  std::vector<RateQuery> Resume(const std::vector<LeaseReturn>& given);

  //! Live leases (for tests).
  size_t leases() const;

 private:
  struct Lease {
    int64_t bucket = 0;
    int64_t granted = 0;
    int64_t used = 0;
    int64_t remaining_before = 0;
    TimeMs reset = 0;
  };
  struct Waiter {
    RateQuery q;
    Done done;
  };
  struct Entry {
    std::optional<Lease> lease;
    bool pending = false;  // a lease request (or Expire's give-back) is in flight
    std::deque<Waiter> waiters;
  };
  using Key = std::pair<uint64_t, TimeMs>;
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>()(k.first * 31 + uint64_t(k.second)); }
  };

  // Takes one admission from e's lease for a request of `limit`.
  static LimitDecision Take(Lease& l, int64_t limit);
  // Ends e's lease: its unused admissions, if any, go to `out`.
  static void End(const Key& k, Entry& e, std::vector<LeaseReturn>& out);

  mutable std::mutex mu_;
  std::unordered_map<Key, Entry, KeyHash> entries_;  // guarded by mu_
};

}  // namespace sluice
