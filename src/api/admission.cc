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

uint64_t UserLimiterKey(Id app, Id user, RouteId route) {
  // Salted so that an (app, user) pair never mixes to the shape of an app's own key.
  constexpr uint64_t kUserSalt = 0x7573657200000000ULL;  // "user"
  return Mix64(Mix64(Mix64(uint64_t(app)) ^ kUserSalt) + Mix64(uint64_t(user)) + uint64_t(route));
}

RateWindows PrepareRateWindows(Exchange& ex) {
  RateWindows w{ex.plan->LimitFor(ex.route), ex.user ? ex.plan->UserLimitFor(ex.route) : nullptr};
  // As X counts: a user-context request is limited per user; the app's window counts it too
  // only when it is a 24-hour one (an app's daily limit, POST /2/tweets') or the route has no
  // window per user. An app's 15-minute window is its app-only requests'.
  if (w.user && w.app && w.app->window != LimitWindow::k24Hours) w.app = nullptr;
  // An app token that writes as the app's own account (oauth.app_tokens_write) on an endpoint
  // limited per user only: that account's window.
  if (!ex.user && !w.app) w.user = ex.plan->UserLimitFor(ex.route);
  if (w.app) {
    ex.limit_key = LimiterKey(ex.app->id, ex.route);
    ex.limit_window_ms = WindowMs(w.app->window);
    ex.limit_daily = w.app->window == LimitWindow::k24Hours;
  }
  if (w.user) {
    ex.user_limit_key = UserLimiterKey(ex.app->id, ex.user ? ex.user->user_id : ex.app->user_id, ex.route);
    ex.user_limit_window_ms = WindowMs(w.user->window);
  }
  return w;
}

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
  if (!ex.plan->Offers(ex.route))
    return ex.Refuse(Refusal::kPlan, ClientForbidden("client-not-enrolled", "Plan '" + ex.plan->name + "' does not include " +
                                                                                std::string(EndpointName(ex.route)) +
                                                                                ". See docs/plans.md."));
  // Limited per user only: no window for an app's own read. (An app token reaches a write only
  // where oauth.app_tokens_write lets it act as its own account: that account's window.)
  if (!ex.user && !ex.plan->LimitFor(ex.route) && RouteOf(ex.route).method == "GET")
    return ex.Refuse(Refusal::kPlan,
                     UnsupportedAuthentication("Authenticating with OAuth 2.0 Application-Only is forbidden for this "
                                               "endpoint.  Supported authentication types are [OAuth 2.0 User Context]."));
  return Verdict::Continue();
}

namespace {

// Gives back `d`, an admission of `key`'s window, and marks it given back.
void GiveBack(RateLimiter& limiter, uint64_t key, TimeMs window_ms, LimitDecision& d) {
  limiter.Release(key, window_ms, d);
  d.allowed = false;
  d.remaining = std::min(d.remaining + 1, d.limit);
}

}  // namespace

Verdict RateLimitStage::Run(Exchange& ex) {
  const RateWindows w = PrepareRateWindows(ex);
  if (w.app) {
    const LimitDecision& d = ex.limit.emplace(limiter_.Acquire(ex.limit_key, w.app->requests, ex.limit_window_ms, ex.now));
    if (!d.allowed) return ex.Refuse(Refusal::kRate, TooManyRequests());
  }
  if (w.user) {
    const LimitDecision& u =
        ex.user_limit.emplace(limiter_.Acquire(ex.user_limit_key, w.user->requests, ex.user_limit_window_ms, ex.now));
    if (!u.allowed) {
      // Now, not in Release: the 429's x-app-limit-24hour-remaining then counts it given back.
      if (ex.limit) GiveBack(limiter_, ex.limit_key, ex.limit_window_ms, *ex.limit);
      return ex.Refuse(Refusal::kRate, TooManyRequests());
    }
  }
  return Verdict::Continue();
}

void RateLimitStage::Release(Exchange& ex) {
  // A request the handler answered with an error (400, 404) counts, as on X; one a later
  // stage refused, or whose record failed, does not.
  if (ex.refusal == Refusal::kNone && !ex.record_failed) return;
  if (ex.user_limit && ex.user_limit->allowed) GiveBack(limiter_, ex.user_limit_key, ex.user_limit_window_ms, *ex.user_limit);
  if (ex.limit && ex.limit->allowed) GiveBack(limiter_, ex.limit_key, ex.limit_window_ms, *ex.limit);
}

Verdict HeadersStage::Run(Exchange& ex) {
  // Room for up to six of the rate limit and two of the licence at once.
  ex.response.headers.reserve(ex.response.headers.size() + 8);
  AddRateLimitHeaders(ex, ex.response);
  AddLicenseHeaders(ex.plan, ex.response);
  return Verdict::Continue();
}

void AddRateLimitHeaders(const Exchange& ex, ApiResponse& r) {
  if (!ex.user_limit) {
    if (ex.limit) AddRateLimitHeaders(*ex.limit, ex.limit_daily, r);
    return;
  }
  AddRateLimitHeaders(*ex.user_limit, false, r);
  if (!ex.limit || !ex.limit_daily) return;
  const LimitDecision& app = *ex.limit;
  r.headers.emplace_back("x-app-limit-24hour-limit", Decimal(app.limit));
  r.headers.emplace_back("x-app-limit-24hour-remaining", Decimal(app.remaining));
  r.headers.emplace_back("x-app-limit-24hour-reset", Decimal(app.ResetSeconds()));
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
