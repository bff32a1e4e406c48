#include "api/budget.h"

namespace sluice {

namespace {

// The meter refuses with the cap (usage capped) or the credits (exhausted).
Refusal BudgetRefusal(const Status& s) { return s.code() == StatusCode::kCreditsExhausted ? Refusal::kCredits : Refusal::kCap; }

Verdict Charge(UsageMeter& meter, Exchange& ex, std::span<const Id> posts, std::span<const Id> users, int64_t writes) {
  auto budget = ProjectBudget(ex.worker, meter, *ex.plan, ex.app->project_id, ex.now);
  if (!budget.ok()) {
    ex.Fail(budget.status());
    return Verdict::Answer();
  }
  auto charge = meter.Charge(ex.app->project_id, ex.app->id, *ex.plan, *budget, posts, users, writes, ex.now);
  if (!charge.ok()) return ex.Refuse(BudgetRefusal(charge.status()), charge.status());
  ex.charge = *charge;
  return Verdict::Continue();
}

void Refund(UsageMeter& meter, Exchange& ex) {
  if (!ex.charge) return;
  meter.Refund(ex.app->project_id, ex.app->id, *ex.charge);
  ex.charge.reset();
}

}  // namespace

Result<Budget> ProjectBudget(WorkerState& worker, const UsageMeter& meter, const Plan& plan, Id project, TimeMs now) {
  WorkerState::CachedProject& cached = worker.project_cache[project];
  if (now - cached.loaded_at >= WorkerState::kProjectCacheMs || now < cached.loaded_at) {
    auto info = worker.store.GetProject(project);
    if (!info.ok()) return info.status();
    auto credits = worker.store.Credits(project);
    if (!credits.ok()) return credits.status();
    cached.cap_reset_day = info->has_value() ? (*info)->cap_reset_day : 1;
    cached.credits_added = 0;
    for (const auto& c : *credits) cached.credits_added += c.micro_usd;
    cached.loaded_at = now;
  }
  Budget b;
  b.cycle_start = CycleStart(now, cached.cap_reset_day);
  b.read_cap = plan.read_cap;
  b.write_cap = plan.write_cap;
  b.reads_allowed = plan.pay_per_use || plan.read_cap.has_value();
  b.overage = plan.overage_post_read_price.has_value();
  if (plan.pay_per_use) {
    b.credits_added = cached.credits_added;  // the meter subtracts what was spent under its lock (no double spend)
    b.credits_left = cached.credits_added - meter.TotalSpent(project);
  }
  return b;
}

Verdict WriteCheckStage::Run(Exchange& ex) {
  // Only a post written counts against the write cap and its price (a like or follow does not).
  if (ex.route != RouteId::kCreatePost) return Verdict::Continue();
  return Charge(meter_, ex, {}, {}, 1);
}

void WriteCheckStage::Release(Exchange& ex) { Refund(meter_, ex); }

Verdict CapStage::Run(Exchange& ex) {
  const ApiResponse& r = ex.response;
  if (r.status >= 300 || ex.request.method != "GET") return Verdict::Continue();
  if (r.delivered_posts.empty() && r.delivered_users.empty()) return Verdict::Continue();
  return Charge(meter_, ex, r.delivered_posts, r.delivered_users, 0);
}

void CapStage::Release(Exchange& ex) { Refund(meter_, ex); }

}  // namespace sluice
