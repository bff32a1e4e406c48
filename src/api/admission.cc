#include "api/admission.h"

#include "access/rate_limiter.h"
#include "api/license.h"
#include "core/mix.h"

namespace sluice {

namespace {

// One limiter key per app and endpoint (distinct pairs collide with probability ~2^-64).
uint64_t LimiterKey(Id app, uint64_t route_key) { return Mix64(Mix64(uint64_t(app)) + route_key); }

std::string EpochSeconds(TimeMs t) { return std::to_string((t + 999) / 1000); }

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
  LimitDecision d = ctx.limiter->Acquire(LimiterKey(app.id, route_key), limit->requests, WindowMs(limit->window), ctx.now);
  a.headers = {{"x-rate-limit-limit", std::to_string(d.limit)},
               {"x-rate-limit-remaining", std::to_string(d.remaining)},
               {"x-rate-limit-reset", EpochSeconds(d.reset)}};
  if (limit->window == LimitWindow::k24Hours) {
    a.headers.emplace_back("x-app-limit-24hour-limit", std::to_string(d.limit));
    a.headers.emplace_back("x-app-limit-24hour-remaining", std::to_string(d.remaining));
    a.headers.emplace_back("x-app-limit-24hour-reset", EpochSeconds(d.reset));
  }
  if (!d.allowed) {
    a.refusal = TooManyRequests();
    a.refusal_reason = "rate";
  }
  return a;
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
