#pragma once
//! The admission stages before a handler: the app's plan must have the endpoint (403 Client
//! Forbidden) and license every use the app declared (403); the app must be within the
//! endpoint's rate limit (429, X's body). After the response: its rate-limit and licence
//! headers. A refusal costs nothing (the rate limit gives its admission back).

#include "api/exchange.h"

namespace sluice {

//! Sets Exchange::plan; refuses with Refusal::kPlan or kLicence. An endpoint the plan limits
//! only per user refuses an app's own request (403): it needs a user access token.
class PlanStage final : public Stage {
 public:
  std::string_view name() const override { return "plan-and-licence"; }
  Verdict Run(Exchange& ex) override;
};

//! The app's limit on the route (the plan's `limits`) and, for a user-context request (an
//! OAuth 2.0 user access token: Exchange::user), the user's (`user_limits`, counted per app,
//! user and route): admits and counts in each window the plan has, or refuses (Refusal::kRate).
//! The app's window decides first; when the user's then refuses, the app's admission is given
//! back at once (a refused request leaves nothing behind). Release gives both back when a later
//! stage refused the request or its record failed; a handler's error (400, 404) counts against
//! the limits, as on X.
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
//! One limiter key per app, user and route, apart from every app's key (the same odds).
uint64_t UserLimiterKey(Id app, Id user, RouteId route);

//! The windows a request counts in, its keys and widths set in `ex` (limit_key,
//! user_limit_key, ...): `app`, the plan's per-app limit on the route (nullptr: none); `user`,
//! for a user-context request, the plan's per-user limit (nullptr: none, or an app's own
//! request). As X counts, a user-context request with a per-user window counts in the app's
//! window only when that is a 24-hour one (`app` is nullptr otherwise): 1,000 accounts of one
//! app each get their own 900 lookups per 15 minutes, and share the app's 10,000 posts a day.
//! PlanStage has made sure at least one is set.
struct RateWindows {
  const EndpointLimit* app = nullptr;
  const EndpointLimit* user = nullptr;
};
RateWindows PrepareRateWindows(Exchange& ex);

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
//! The headers of `ex`'s rate-limit decisions, as X sends them: x-rate-limit-* are the user's
//! window's when one was decided (user context), else the app's; x-app-limit-24hour-* are the
//! app's when its window is 24 hours.
void AddRateLimitHeaders(const Exchange& ex, ApiResponse& response);

//! Content-Usage and Link: <.../2/license/PLAN>; rel="license" (site defaults without a plan).
void AddLicenseHeaders(const Plan* plan, ApiResponse& response);

}  // namespace sluice
