#pragma once
//! AdmissionCounters: where the counters that admit a request live: its rate windows, and its
//! project's daily dedupe sets, cap counters and pay-per-use spending. Two backends:
//!   LocalCounters   this process's RateLimiter and UsageMeter (one node; decides at once);
//!   RedisCounters   shared by every node through Redis (redis_counters.h; answers later).
//! Both keep the same contract: a decision and its count are one atomic step (two requests
//! never both take the last place), a refusal leaves nothing behind, and what was reserved is
//! given back with Release / Refund when a later stage refuses the request or its record fails.
//!
//! A call's `done` runs exactly once: before the call returns when immediate(), else later on
//! another thread (the request stage suspends and resumes on its worker). Thread-safe.

#include <functional>
#include <span>
#include <string>

#include "access/rate_limiter.h"
#include "access/usage_meter.h"

namespace sluice {

struct RateQuery {
  uint64_t key = 0;  // one per app and endpoint
  int64_t limit = 0;
  TimeMs window_ms = 0;
  TimeMs now = 0;    // the request's time
};

struct ChargeQuery {
  Id project = 0;
  Id app = 0;
  const Plan* plan = nullptr;  // prices; outlives the call
  Budget budget;
  std::span<const Id> posts;   // copied before the call returns
  std::span<const Id> users;
  int64_t writes = 0;
  TimeMs now = 0;
};

class AdmissionCounters {
 public:
  template <typename T>
  using Done = std::function<void(Result<T>)>;

  virtual ~AdmissionCounters() = default;
  //! True when every call completes before it returns.
  virtual bool immediate() const = 0;
  //! RateLimiter::Acquire's decision, or Unavailable (503, Retry-After) when the backend
  //! cannot decide (Redis down, on_backend_failure = "closed").
  virtual void Acquire(const RateQuery& q, Done<LimitDecision> done) = 0;
  //! Gives back an allowed decision of Acquire for q.key and q.window_ms (RateLimiter::Release).
  virtual void Release(const RateQuery& q, const LimitDecision& admitted) = 0;
  //! UsageMeter::Charge's decision (kUsageCapped, kCreditsExhausted), or Unavailable.
  virtual void Charge(const ChargeQuery& q, Done<UsageCharge> done) = 0;
  //! Gives back a charge made by Charge (UsageMeter::Refund).
  virtual void Refund(Id project, Id app, const UsageCharge& charge) = 0;
  //! Prometheus lines about the backend, for /metrics ("" when there is nothing to say).
  virtual std::string MetricsText() const { return {}; }
};

//! This process's limiter and meter. With `share` > 1 (Redis's fallback in open mode: each of
//! N nodes enforces limit ÷ N) every limit, cap and credit balance is divided by it (a rate
//! limit never below 1). Both must outlive it.
class LocalCounters final : public AdmissionCounters {
 public:
  LocalCounters(RateLimiter& limiter, UsageMeter& meter, int share = 1) : limiter_(limiter), meter_(meter), share_(share) {}
  bool immediate() const override { return true; }
  void Acquire(const RateQuery& q, Done<LimitDecision> done) override;
  void Release(const RateQuery& q, const LimitDecision& admitted) override;
  void Charge(const ChargeQuery& q, Done<UsageCharge> done) override;
  void Refund(Id project, Id app, const UsageCharge& charge) override;

 private:
  RateLimiter& limiter_;
  UsageMeter& meter_;
  int share_;
};

}  // namespace sluice
