#pragma once
//! The admission stages before a handler: the app's plan must have the endpoint (403 Client
//! Forbidden) and license every use the app declared (403); the app must be within the
//! endpoint's rate limit (429, X's body). After the response: its rate-limit and licence
//! headers. A refusal costs nothing (the rate limit gives its admission back).

#include "api/exchange.h"

namespace sluice {

//! Sets Exchange::plan; refuses with Refusal::kPlan or kLicence.
class PlanStage final : public Stage {
 public:
  std::string_view name() const override { return "plan-and-licence"; }
  Verdict Run(Exchange& ex) override;
};

//! The app's limit on the route (the plan's): admits and counts, or refuses (Refusal::kRate).
//! Release gives the admission back when a later stage refused the request or its record
//! failed; a handler's error (400, 404) counts against the limit, as on X.
class RateLimitStage final : public Stage {
 public:
  explicit RateLimitStage(RateLimiter& limiter) : limiter_(limiter) {}
  std::string_view name() const override { return "rate-limit"; }
  Verdict Run(Exchange& ex) override;
  void Release(Exchange& ex) override;

 private:
  RateLimiter& limiter_;
};

//! One limiter key per app and route (distinct pairs collide with probability ~2^-64).
uint64_t LimiterKey(Id app, RouteId route);

//! Every response's rate-limit headers (when a limit was decided) and licence headers.
class HeadersStage final : public Stage {
 public:
  std::string_view name() const override { return "headers"; }
  Verdict Run(Exchange& ex) override;
  bool runs_after_answer() const override { return true; }
};

//! X's x-rate-limit-limit, -remaining and -reset (epoch seconds, rounded up), and for a
//! 24-hour window the same again as x-app-limit-24hour-*.
void AddRateLimitHeaders(const LimitDecision& limit, bool daily, ApiResponse& response);

//! Content-Usage and Link: <.../2/license/PLAN>; rel="license" (site defaults without a plan).
void AddLicenseHeaders(const Plan* plan, ApiResponse& response);

}  // namespace sluice
