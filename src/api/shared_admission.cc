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

}  // namespace

Verdict SharedRateLimitStage::Run(Exchange& ex) {
  const EndpointLimit& limit = *ex.plan->LimitFor(ex.route);
  ex.limit_key = LimiterKey(ex.app->id, ex.route);
  ex.limit_window_ms = WindowMs(limit.window);
  ex.limit_daily = limit.window == LimitWindow::k24Hours;
  const RateQuery q{ex.limit_key, limit.requests, ex.limit_window_ms, ex.now};
  return Await<LimitDecision>(
      ex, counters_.immediate(), [&](auto done) { counters_.Acquire(q, std::move(done)); },
      [](Exchange& ex, Result<LimitDecision> d) {
        if (!d.ok()) return Unavailable(ex, d.status());
        ex.limit.emplace(*d);
        if (!d->allowed) return ex.Refuse(Refusal::kRate, TooManyRequests());
        return Verdict::Continue();
      });
}

void SharedRateLimitStage::Release(Exchange& ex) {
  if (ex.refusal == Refusal::kNone && !ex.record_failed) return;
  if (!ex.limit || !ex.limit->allowed) return;
  counters_.Release(RateQuery{ex.limit_key, ex.limit->limit, ex.limit_window_ms, ex.now}, *ex.limit);
  ex.limit->remaining = std::min(ex.limit->remaining + 1, ex.limit->limit);
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
