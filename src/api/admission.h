#pragma once
//! The metering stages that run before a handler: the app's plan must have the endpoint
//! (403 Client Forbidden), every use the app declared must be licensed by the plan (403),
//! and the app must be within the endpoint's rate limit (429, X's body). A refusal costs
//! nothing. Every response also carries the rate-limit headers and the licence headers.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "access/plans.h"
#include "access/rate_limiter.h"
#include "api/context.h"

namespace sluice {

struct Admission {
  const Plan* plan = nullptr;  // null when the app's plan is not configured (then refused)
  std::optional<LimitDecision> limit;  // the rate limiter's decision, when it ran
  bool daily = false;                  // that limit's window is 24 hours
  TimeMs window_ms = 0;                // that limit's window
  bool released = false;               // ReleaseAdmission gave the admission back
  std::optional<Status> refusal;
  std::string_view refusal_reason;  // "plan", "licence" or "rate" (the metrics label)
};

//! `route_key` identifies the endpoint (its index in the route table) for the limiter.
Admission Admit(ApiContext& ctx, const App& app, std::string_view endpoint, uint64_t route_key);

//! Gives back the rate-limit admission of a request that a later stage refused (cap,
//! credits) or whose record failed, and counts it back into the headers' remaining: a
//! refusal costs nothing. No-op when no limiter admitted it.
void ReleaseAdmission(ApiContext& ctx, const App& app, uint64_t route_key, Admission& admission);

//! The rate-limit headers of `admission`'s decision, after the response's own: X's
//! x-rate-limit-limit, -remaining and -reset (epoch seconds, rounded up: ResetSeconds), and
//! for a 24-hour window the same again as x-app-limit-24hour-*. None when no limiter ran.
void AddRateLimitHeaders(const Admission& admission, ApiResponse& response);

//! Content-Usage and Link: <.../2/license/PLAN>; rel="license" (site defaults without a plan).
void AddLicenseHeaders(const Plan* plan, ApiResponse& response);

}  // namespace sluice
