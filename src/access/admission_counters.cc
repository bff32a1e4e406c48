#include "access/admission_counters.h"

#include <algorithm>

namespace sluice {

void LocalCounters::Acquire(const RateQuery& q, Done<LimitDecision> done) {
  const int64_t limit = share_ > 1 && q.limit > 0 ? std::max<int64_t>(1, q.limit / share_) : q.limit;
  done(limiter_.Acquire(q.key, limit, q.window_ms, q.now));
}

void LocalCounters::Release(const RateQuery& q, const LimitDecision& admitted) {
  limiter_.Release(q.key, q.window_ms, admitted);
}

void LocalCounters::Charge(const ChargeQuery& q, Done<UsageCharge> done) {
  Budget b = q.budget;
  if (share_ > 1) {
    if (b.read_cap) *b.read_cap /= share_;
    if (b.write_cap) *b.write_cap /= share_;
    if (b.credits_added) *b.credits_added /= share_;
    if (b.credits_left) *b.credits_left /= share_;
  }
  done(meter_.Charge(q.project, q.app, *q.plan, b, q.posts, q.users, q.writes, q.now));
}

void LocalCounters::Refund(Id project, Id app, const UsageCharge& charge) { meter_.Refund(project, app, charge); }

}  // namespace sluice
