#include "api/admission.h"

#include <charconv>

#include "api/license.h"
#include "core/mix.h"

namespace sluice {

namespace {

// One limiter key per app and endpoint (distinct pairs collide with probability ~2^-64).
uint64_t LimiterKey(Id app, uint64_t route_key) { return Mix64(Mix64(uint64_t(app)) + route_key); }

// Header text of a number: to_chars on the stack, then into the string's inline buffer (no
// allocation below 16 digits); cheaper than std::to_string, which fills the buffer first.
std::string Decimal(int64_t v) {
  char digits[24];
  return std::string(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
}

}  // namespace

Admission Admit(ApiContext& ctx, const App& app, std::string_view endpoint, uint64_t route_key) {
  Admission a;
  if (!ctx.plans) return a;  // no plans configured: everything is allowed (tests of other stages)
  a.plan = ctx.plans->Find(app.plan);
  if (!a.plan) {
    a.refusal = ClientForbidden("client-not-enrolled", "This app's plan '" + app.plan + "' is not offered by this server.");
    a.refusal_reason = "plan";
    return a;
  }
  for (const auto& use : app.uses) {
    if (a.plan->Permits(use)) continue;
    a.refusal = ClientForbidden("use-not-licensed", "This app declares the use '" + use + "', which plan '" +
                                                        a.plan->name + "' does not license. See /2/license/" + a.plan->name);
    a.refusal_reason = "licence";
    return a;
  }
  const EndpointLimit* limit = a.plan->LimitFor(endpoint);
  if (!limit) {
    a.refusal = ClientForbidden("client-not-enrolled", "Plan '" + a.plan->name + "' does not include " +
                                                           std::string(endpoint) + ". See docs/plans.md.");
    a.refusal_reason = "plan";
    return a;
  }
  if (!ctx.limiter) return a;
  a.window_ms = WindowMs(limit->window);
  const LimitDecision& d = a.limit.emplace(ctx.limiter->Acquire(LimiterKey(app.id, route_key), limit->requests, a.window_ms, ctx.now));
  a.daily = limit->window == LimitWindow::k24Hours;
  if (!d.allowed) {
    a.refusal = TooManyRequests();
    a.refusal_reason = "rate";
  }
  return a;
}

void ReleaseAdmission(ApiContext& ctx, const App& app, uint64_t route_key, Admission& a) {
  if (!ctx.limiter || !a.limit || !a.limit->allowed || a.released) return;
  ctx.limiter->Release(LimiterKey(app.id, route_key), a.window_ms, *a.limit);
  a.released = true;
  a.limit->remaining = std::min(a.limit->remaining + 1, a.limit->limit);
}

void AddRateLimitHeaders(const Admission& a, ApiResponse& r) {
  if (!a.limit) return;
  std::string limit = Decimal(a.limit->limit), remaining = Decimal(a.limit->remaining),
              reset = Decimal(a.limit->ResetSeconds());
  if (a.daily) {
    r.headers.emplace_back("x-rate-limit-limit", limit);
    r.headers.emplace_back("x-rate-limit-remaining", remaining);
    r.headers.emplace_back("x-rate-limit-reset", reset);
    r.headers.emplace_back("x-app-limit-24hour-limit", std::move(limit));
    r.headers.emplace_back("x-app-limit-24hour-remaining", std::move(remaining));
    r.headers.emplace_back("x-app-limit-24hour-reset", std::move(reset));
    return;
  }
  r.headers.emplace_back("x-rate-limit-limit", std::move(limit));
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
