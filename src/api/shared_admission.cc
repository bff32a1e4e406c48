#include "api/shared_admission.h"

#include <optional>

#include "api/admission.h"
#include "api/budget.h"

namespace sluice {

namespace {

// Starts a call of the counters and applies its result: at once when they are immediate,
// else when the answer comes (on the counters' thread: `apply` touches only the exchange),
// then resumes the chain on the exchange's worker.
template <typename T, typename Start, typename Apply>
Verdict Await(Exchange& ex, bool immediate, Start start, Apply apply) {
  if (immediate) {
    std::optional<Result<T>> out;
    start([&out](Result<T> r) { out.emplace(std::move(r)); });
    return apply(ex, std::move(*out));
  }
  auto resume = ex.Suspend();
  start([&ex, apply, resume = std::move(resume)](Result<T> r) {
    if (apply(ex, std::move(r)).kind == Verdict::Kind::kAnswer) ex.AnswerOnResume();
    resume();
  });
  return Verdict::Wait();
}

// The counters could not decide: 503, with nothing kept.
Verdict Unavailable(Exchange& ex, const Status& s) {
  if (s.code() == StatusCode::kUnavailable) return ex.Refuse(Refusal::kBackend, s);
  ex.Fail(s);
  return Verdict::Answer();
}

Verdict ApplyCharge(Exchange& ex, Result<UsageCharge> charge) {
  if (charge.ok()) {
    ex.charge = *charge;
    return Verdict::Continue();
  }
  switch (charge.status().code()) {
    case StatusCode::kCreditsExhausted: return ex.Refuse(Refusal::kCredits, charge.status());
    case StatusCode::kUsageCapped: return ex.Refuse(Refusal::kCap, charge.status());
    default: return Unavailable(ex, charge.status());
  }
}

Verdict Charge(AdmissionCounters& counters, const UsageMeter& meter, Exchange& ex, std::span<const Id> posts,
               std::span<const Id> users, int64_t writes) {
  auto budget = ProjectBudget(ex.worker, meter, *ex.plan, ex.app->project_id, ex.now);
  if (!budget.ok()) {
    ex.Fail(budget.status());
    return Verdict::Answer();
  }
  ChargeQuery q{ex.app->project_id, ex.app->id, ex.plan, *budget, posts, users, writes, ex.now};
  return Await<UsageCharge>(
      ex, counters.immediate(), [&](auto done) { counters.Charge(q, std::move(done)); }, ApplyCharge);
}

void Refund(AdmissionCounters& counters, Exchange& ex) {
  if (!ex.charge) return;
  counters.Refund(ex.app->project_id, ex.app->id, *ex.charge);
  ex.charge.reset();
}

// The rate windows' decisions: the app's first, then (user context, the app's admitted) the user's.
struct RateDecisions {
  std::optional<LimitDecision> app;
  std::optional<LimitDecision> user;
  Status user_failed;  // the counters could not decide the user's window
};

// Acquires `app` (when set), then `user` (when set, and the app's window admitted); `done` runs
// once with both, or with the app's window's error.
void AcquireWindows(AdmissionCounters& counters, const std::optional<RateQuery>& app, const std::optional<RateQuery>& user,
                    AdmissionCounters::Done<RateDecisions> done) {
  auto then_user = [c = &counters, user](RateDecisions out, AdmissionCounters::Done<RateDecisions> done) {
    if (!user) return done(std::move(out));
    c->Acquire(*user, [out = std::move(out), done = std::move(done)](Result<LimitDecision> d) mutable {
      if (d.ok()) out.user = *d;
      else out.user_failed = d.status();
      done(std::move(out));
    });
  };
  if (!app) return then_user({}, std::move(done));
  counters.Acquire(*app, [then_user, done = std::move(done)](Result<LimitDecision> d) mutable {
    if (!d.ok()) return done(d.status());
    RateDecisions out;
    out.app = *d;
    if (!d->allowed) return done(std::move(out));
    then_user(std::move(out), std::move(done));
  });
}

// Gives back `d`, an admission of q's window, and marks it given back.
void GiveBack(AdmissionCounters& counters, const RateQuery& q, LimitDecision& d) {
  counters.Release(q, d);
  d.allowed = false;
  d.remaining = std::min(d.remaining + 1, d.limit);
}

RateQuery AppQuery(const Exchange& ex) { return {ex.limit_key, ex.limit->limit, ex.limit_window_ms, ex.now}; }
RateQuery UserQuery(const Exchange& ex) { return {ex.user_limit_key, ex.user_limit->limit, ex.user_limit_window_ms, ex.now}; }

}  // namespace

Verdict SharedRateLimitStage::Run(Exchange& ex) {
  const RateWindows w = PrepareRateWindows(ex);
  std::optional<RateQuery> app, user;
  if (w.app) app = RateQuery{ex.limit_key, w.app->requests, ex.limit_window_ms, ex.now};
  if (w.user) user = RateQuery{ex.user_limit_key, w.user->requests, ex.user_limit_window_ms, ex.now};
  return Await<RateDecisions>(
      ex, counters_.immediate(), [&](auto done) { AcquireWindows(counters_, app, user, std::move(done)); },
      [c = &counters_](Exchange& ex, Result<RateDecisions> d) {
        if (!d.ok()) return Unavailable(ex, d.status());
        if (d->app) ex.limit.emplace(*d->app);
        if (d->user) ex.user_limit.emplace(*d->user);
        const bool refused = (ex.limit && !ex.limit->allowed) || (ex.user_limit && !ex.user_limit->allowed);
        if (refused || !d->user_failed.ok()) {
          // The user's window refused or could not decide: the app's admission goes back.
          if (ex.limit && ex.limit->allowed) GiveBack(*c, AppQuery(ex), *ex.limit);
          if (!d->user_failed.ok()) return Unavailable(ex, d->user_failed);
          return ex.Refuse(Refusal::kRate, TooManyRequests());
        }
        return Verdict::Continue();
      });
}

void SharedRateLimitStage::Release(Exchange& ex) {
  if (ex.refusal == Refusal::kNone && !ex.record_failed) return;
  if (ex.user_limit && ex.user_limit->allowed) GiveBack(counters_, UserQuery(ex), *ex.user_limit);
  if (ex.limit && ex.limit->allowed) GiveBack(counters_, AppQuery(ex), *ex.limit);
}

Verdict SharedWriteCheckStage::Run(Exchange& ex) {
  // Only a post written counts against the write cap and its price (a like or follow does not).
  if (ex.route != RouteId::kCreatePost) return Verdict::Continue();
  return Charge(counters_, meter_, ex, {}, {}, 1);
}

void SharedWriteCheckStage::Release(Exchange& ex) { Refund(counters_, ex); }

Verdict SharedCapStage::Run(Exchange& ex) {
  const ApiResponse& r = ex.response;
  if (r.status >= 300 || ex.request.method != "GET") return Verdict::Continue();
  if (r.delivered_posts.empty() && r.delivered_users.empty()) return Verdict::Continue();
  return Charge(counters_, meter_, ex, r.delivered_posts, r.delivered_users, 0);
}

void SharedCapStage::Release(Exchange& ex) { Refund(counters_, ex); }

}  // namespace sluice
