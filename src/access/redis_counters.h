#pragma once
//! RedisCounters: the admission counters of every node in one Redis (`--limits redis://...`),
//! so that a limit, a cap or a credit balance holds across nodes exactly as it holds on one.
//! Each decision is one Lua script run atomically by Redis (decide and count in one step: no
//! read then write across round trips), on the keys
//!   PREFIXrl:KEY:WIDTH        a rate window: hash of bucket index -> admissions, "n" newest
//!   PREFIXdp:PROJECT:DAY      posts delivered to the project that UTC day (a set)
//!   PREFIXdu:PROJECT:DAY      users delivered that day
//!   PREFIXcy:PROJECT:CYCLE    the cycle's posts read ("r") and written ("w")
//!   PREFIXsp:PROJECT          everything spent ("t", micro-dollars), pay-per-use
//! all of which expire by themselves once they can no longer matter (a window's buckets
//! a second after W + w, a day's sets the day after, a cycle's counters 32 days after its last write;
//! spending 400 days after the last charge). The rate window is RateLimiter's algorithm,
//! bucket for bucket, with Redis serialising the decisions of all nodes (docs/limits.md,
//! "Several nodes").
//!
//! Redis restarted empty (or a key expired): the cycle's counters and the spending hold, per
//! node, a mark that the node's own share (its meter, rebuilt from its ledger) is in them; a
//! node without its mark adds its share once, atomically with its next charge. So no node's
//! past usage is counted twice, and each comes back with that node's next charge of the
//! project (until then, a cap or balance lacks the shares of nodes that have not charged yet).
//! The day's dedupe sets and the rate windows start empty (a post delivered again that day
//! is counted again: conservative; a window starts over).
//!
//! Redis down (RedisClient's breaker, no call waits more than its timeout):
//! fail_open = false answers Unavailable (503 with Retry-After); fail_open = true decides on
//! this node's limiter and meter with every limit, cap and balance divided by `nodes`, and
//! Release / Refund of such decisions go back there (LimitDecision::fallback,
//! UsageCharge::fallback). When Redis is back, counting goes on in Redis, and the posts,
//! writes and money charged alone are added to its counters with the project's next charge
//! (the rate windows' fallback admissions are not: a window is short).
//!
//! A script whose reply came after the timeout (RedisClient's `late` callback; its caller got
//! Unavailable, or the fallback's decision) is undone: an admission is released, a charge's
//! ids, counts and cost are taken out of Redis (not the share or carry it added: they belong
//! there) and the carry it took is taken out of carry_ again. A reply that never comes leaves
//! what the script counted, if it ran (conservative; RedisClient::unknown_outcomes()).
//!
//! Every charge Redis admits is mirrored into `meter` (UsageMeter::Replay of exactly the ids
//! Redis counted as new), which serves this node's usage figures and the seeds above.
//!
//! Fast mode (`fast`): rate windows are leased (RateLeases): a node asks Redis for
//! K = LeaseSize(limit, lease_percent, nodes) admissions at once, counted in the current
//! bucket, admits from them without Redis until they are used up or the bucket ends, and
//! gives what it did not use back to that bucket, off the request path (a sweeper thread
//! returns leases whose bucket ended). Redis's count is then what was admitted plus at most K
//! unused per node: never over the limit, and a refusal leaves at most nodes * K unused
//! (docs/limits.md, "Several nodes"). Caps, credits and dedupe stay one script per charge.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "access/admission_counters.h"
#include "access/rate_leases.h"
#include "access/redis_client.h"

namespace sluice {

struct RedisCountersOptions {
  RedisOptions redis;
  bool fail_open = false;         // on_backend_failure = "open"
  int nodes = 1;                  // N: the share of each node in open mode
  int node_id = 0;                // this node's (--node-id): its mark in the shared counters
  std::string prefix = "sluice:";  // of every key
  bool fast = false;               // [limits] mode = "fast": rate windows leased in batches
  int lease_percent = 1;           // fast mode: K = max(1, limit * lease_percent / 100 / nodes)
  const Clock* clock = nullptr;    // fast mode: when leases end (nullptr: the system clock)
};

class RedisCounters final : public AdmissionCounters {
 public:
  //! `limiter` (the open-mode fallback) and `meter` must outlive it.
  RedisCounters(RedisCountersOptions options, RateLimiter& limiter, UsageMeter& meter);
  ~RedisCounters() override;

  bool immediate() const override { return false; }
  void Acquire(const RateQuery& q, Done<LimitDecision> done) override;
  void Release(const RateQuery& q, const LimitDecision& admitted) override;
  void Charge(const ChargeQuery& q, Done<UsageCharge> done) override;
  void Refund(Id project, Id app, const UsageCharge& charge) override;
  //! sluice_redis_late_replies_total and sluice_redis_unknown_outcomes_total.
  std::string MetricsText() const override;

  //! False while Redis is unreachable (the breaker is open).
  bool healthy() const;
  //! RedisClient's late_replies() and unknown_outcomes(): replies undone after their
  //! timeout, and commands whose outcome stays unknown (what they counted stays).
  uint64_t late_replies() const;
  uint64_t unknown_outcomes() const;

 private:
  // What this node counted alone (open mode) and Redis does not hold yet, per project: added
  // atomically with the project's next charge in Redis, kept when that charge is refused or
  // fails. A refund of such a charge subtracts here (negative when it was already added).
  struct Carry {
    TimeMs cycle_start = 0;  // r and w belong to this cycle
    int64_t r = 0, w = 0;
    MicroUsd spent = 0;
  };
  Carry TakeCarry(Id project, TimeMs cycle_start);
  void AddCarry(Id project, const Carry& c);
  // The reply of a charge that came after its caller was answered Unavailable: if Redis
  // admitted it, takes its delivery back out of Redis, and its carry out of carry_.
  void UndoLateCharge(Id project, TimeMs cycle_start, TimeMs day, int64_t writes, const Carry& carry,
                      const RedisReply& late);

  // Fast mode (redis_leases.cc): asks Redis for a lease for q's window; the reply serves the
  // requests waiting for it. Its scripts follow the four of redis_counters.cc.
  static constexpr int kLeaseScript = 5, kGiveBackScript = 6;  // after the strict scripts (redis_counters.cc)
  static std::vector<std::string> LeaseScripts();
  std::string WindowKey(uint64_t key, TimeMs window_ms) const;
  void AcquireLeased(const RateQuery& q, Done<LimitDecision> done);
  void AskLease(const RateQuery& q);
  void OnLease(const RateQuery& q, Result<RedisReply> r);
  // Sends give-backs, then lease requests, in this order (one connection per key keeps it).
  void Send(const std::vector<LeaseReturn>& returns, const std::optional<RateQuery>& ask);
  void Sweep();

  RedisCountersOptions options_;
  std::mutex carry_mu_;
  std::unordered_map<Id, Carry> carry_;  // guarded by carry_mu_
  LocalCounters fallback_;
  UsageMeter& meter_;
  RateLeases leases_;  // fast mode
  std::unique_ptr<RedisClient> client_;  // after leases_: destroyed first, its last replies may use them
  // Fast mode: the sweeper returns the leases whose bucket ended.
  std::mutex sweep_mu_;
  std::condition_variable sweep_cv_;
  bool stop_ = false;  // guarded by sweep_mu_
  std::thread sweeper_;
};

}  // namespace sluice
