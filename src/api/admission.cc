#include "api/admission.h"

#include <charconv>

#include "api/license.h"
#include "core/mix.h"

namespace sluice {

namespace {

// Header text of a number: to_chars on the stack, then into the string's inline buffer (no
// allocation below 16 digits); cheaper than std::to_string, which fills the buffer first.
std::string Decimal(int64_t v) {
  char digits[24];
  return std::string(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
}

}  // namespace

uint64_t LimiterKey(Id app, RouteId route) { return Mix64(Mix64(uint64_t(app)) + uint64_t(route)); }

Verdict PlanStage::Run(Exchange& ex) {
  const App& app = *ex.app;
  ex.plan = ex.services.plans.Find(app.plan);
  if (!ex.plan)
    return ex.Refuse(Refusal::kPlan,
                     ClientForbidden("client-not-enrolled", "This app's plan '" + app.plan + "' is not offered by this server."));
  for (const auto& use : app.uses) {
    if (ex.plan->Permits(use)) continue;
    return ex.Refuse(Refusal::kLicence,
                     ClientForbidden("use-not-licensed", "This app declares the use '" + use + "', which plan '" +
                                                             ex.plan->name + "' does not license. See /2/license/" +
                                                             ex.plan->name));
  }
  if (!ex.plan->LimitFor(ex.route))
    return ex.Refuse(Refusal::kPlan, ClientForbidden("client-not-enrolled", "Plan '" + ex.plan->name + "' does not include " +
                                                                                std::string(EndpointName(ex.route)) +
                                                                                ". See docs/plans.md."));
  return Verdict::Continue();
}

Verdict RateLimitStage::Run(Exchange& ex) {
  const EndpointLimit& limit = *ex.plan->LimitFor(ex.route);
  ex.limit_key = LimiterKey(ex.app->id, ex.route);
  ex.limit_window_ms = WindowMs(limit.window);
  ex.limit_daily = limit.window == LimitWindow::k24Hours;
  const LimitDecision& d = ex.limit.emplace(limiter_.Acquire(ex.limit_key, limit.requests, ex.limit_window_ms, ex.now));
  if (!d.allowed) return ex.Refuse(Refusal::kRate, TooManyRequests());
  return Verdict::Continue();
}

void RateLimitStage::Release(Exchange& ex) {
  // A request the handler answered with an error (400, 404) counts, as on X; one a later
  // stage refused, or whose record failed, does not.
  if (ex.refusal == Refusal::kNone && !ex.record_failed) return;
  if (!ex.limit || !ex.limit->allowed) return;
  limiter_.Release(ex.limit_key, ex.limit_window_ms, *ex.limit);
  ex.limit->remaining = std::min(ex.limit->remaining + 1, ex.limit->limit);
}

Verdict HeadersStage::Run(Exchange& ex) {
  // Room for up to six of the rate limit and two of the licence at once.
  ex.response.headers.reserve(ex.response.headers.size() + 8);
  if (ex.limit) AddRateLimitHeaders(*ex.limit, ex.limit_daily, ex.response);
  AddLicenseHeaders(ex.plan, ex.response);
  return Verdict::Continue();
}

void AddRateLimitHeaders(const LimitDecision& limit, bool daily, ApiResponse& r) {
  std::string max = Decimal(limit.limit), remaining = Decimal(limit.remaining), reset = Decimal(limit.ResetSeconds());
  if (daily) {
    r.headers.emplace_back("x-rate-limit-limit", max);
    r.headers.emplace_back("x-rate-limit-remaining", remaining);
    r.headers.emplace_back("x-rate-limit-reset", reset);
    r.headers.emplace_back("x-app-limit-24hour-limit", std::move(max));
    r.headers.emplace_back("x-app-limit-24hour-remaining", std::move(remaining));
    r.headers.emplace_back("x-app-limit-24hour-reset", std::move(reset));
    return;
  }
  r.headers.emplace_back("x-rate-limit-limit", std::move(max));
  r.headers.emplace_back("x-rate-limit-remaining", std::move(remaining));
  r.headers.emplace_back("x-rate-limit-reset", std::move(reset));
}

void AddLicenseHeaders(const Plan* plan, ApiResponse& r) {
  if (!plan) {
    r.headers.emplace_back("Content-Usage", "train-ai=n, search=y");
    r.headers.emplace_back("Link", "</robots.txt>; rel=\"license\"");
    return;
  }
  r.headers.emplace_back("Content-Usage", ContentUsage(*plan));
  r.headers.emplace_back("Link", "</2/license/" + plan->name + ">; rel=\"license\"");
}

}  // namespace sluice
