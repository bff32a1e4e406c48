#include "access/rate_leases.h"

#include <algorithm>

namespace sluice {
namespace {

// Request times are epoch milliseconds (>= 0): division is the floor.
int64_t BucketOf(const RateQuery& q) { return q.now / LeaseBucketWidth(q.window_ms); }

}  // namespace

int64_t LeaseSize(int64_t limit, int64_t percent, int64_t nodes) {
  return std::max<int64_t>(1, limit * percent / 100 / std::max<int64_t>(1, nodes));
}

LimitDecision RateLeases::Take(Lease& l, int64_t limit) {
  ++l.used;
  LimitDecision d;
  d.allowed = true;
  d.limit = limit;
  // Redis's remaining when the lease was counted, less what this node admitted from it since
  // (other nodes' admissions meanwhile are not seen: approximate across nodes).
  d.remaining = std::max<int64_t>(0, l.remaining_before - l.used);
  d.reset = l.reset;
  d.bucket = l.bucket;
  return d;
}

void RateLeases::End(const Key& k, Entry& e, std::vector<LeaseReturn>& out) {
  if (!e.lease) return;
  const int64_t unused = e.lease->granted - e.lease->used;
  if (unused > 0) out.push_back({k.first, k.second, e.lease->bucket, unused});
  e.lease.reset();
}

RateLeases::AcquireResult RateLeases::Acquire(const RateQuery& q, Done done) {
  AcquireResult out;
  const Key k{q.key, q.window_ms};
  std::lock_guard lock(mu_);
  Entry& e = entries_[k];
  if (e.lease && BucketOf(q) > e.lease->bucket) End(k, e, out.returns);
  // Those already waiting go first: a request never overtakes one that waits for budget.
  if (!e.pending && e.lease && e.lease->used < e.lease->granted) {
    out.admitted = Take(*e.lease, q.limit);
    out.done = std::move(done);
    if (e.lease->used == e.lease->granted) e.lease.reset();
    return out;
  }
  e.lease.reset();  // used up (an unused one admits above): nothing to give back
  e.waiters.push_back({q, std::move(done)});
  if (!e.pending) {
    e.pending = true;
    out.ask = q;
  }
  return out;
}

RateLeases::GrantResult RateLeases::Granted(const RateQuery& asked, const LeaseGrant& grant) {
  GrantResult out;
  const Key k{asked.key, asked.window_ms};
  std::lock_guard lock(mu_);
  Entry& e = entries_[k];
  e.pending = false;
  End(k, e, out.returns);  // none is live while a request is in flight; kept safe regardless
  if (grant.granted > 0) e.lease = Lease{grant.bucket, grant.granted, 0, grant.remaining_before, grant.reset};
  while (!e.waiters.empty()) {
    Waiter& w = e.waiters.front();
    if (BucketOf(w.q) > grant.bucket) break;  // the grant's bucket is over for this request
    if (e.lease && e.lease->used < e.lease->granted) {
      out.answers.push_back({std::move(w.done), Take(*e.lease, w.q.limit)});
    } else if (grant.granted == 0) {
      LimitDecision refused;
      refused.limit = w.q.limit;
      refused.reset = grant.reset;
      out.answers.push_back({std::move(w.done), refused});
    } else {
      break;  // the grant is used up: ask again
    }
    e.waiters.pop_front();
  }
  if (e.lease && e.lease->used == e.lease->granted) e.lease.reset();
  if (!e.waiters.empty()) {
    End(k, e, out.returns);  // a lease left here belongs to a bucket the next waiter is past
    e.pending = true;
    out.ask = e.waiters.front().q;
  }
  return out;
}

std::vector<std::pair<RateQuery, RateLeases::Done>> RateLeases::Failed(const RateQuery& asked) {
  std::vector<std::pair<RateQuery, Done>> out;
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{asked.key, asked.window_ms});
  if (it == entries_.end()) return out;
  Entry& e = it->second;
  e.pending = false;
  for (auto& w : e.waiters) out.emplace_back(w.q, std::move(w.done));
  e.waiters.clear();
  return out;
}

bool RateLeases::Release(const RateQuery& q, const LimitDecision& admitted) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(Key{q.key, q.window_ms});
  if (it == entries_.end() || !it->second.lease) return false;
  Lease& l = *it->second.lease;
  if (l.bucket != admitted.bucket || l.used == 0) return false;
  --l.used;
  return true;
}

std::vector<LeaseReturn> RateLeases::Expire(TimeMs now) {
  std::vector<LeaseReturn> out;
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& e = it->second;
    if (!e.pending && e.lease && now / LeaseBucketWidth(it->first.second) > e.lease->bucket) {
      const size_t before = out.size();
      End(it->first, e, out);
      if (out.size() > before) e.pending = true;  // until Resume: the give-back goes first
    }
    if (!e.lease && !e.pending && e.waiters.empty()) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<RateQuery> RateLeases::Resume(const std::vector<LeaseReturn>& given) {
  std::vector<RateQuery> asks;
  std::lock_guard lock(mu_);
  for (const LeaseReturn& r : given) {
    auto it = entries_.find(Key{r.key, r.window_ms});
    if (it == entries_.end()) continue;
    Entry& e = it->second;
    e.pending = !e.waiters.empty();
    if (e.pending) asks.push_back(e.waiters.front().q);
  }
  return asks;
}

size_t RateLeases::leases() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [k, e] : entries_) n += e.lease ? 1 : 0;
  return n;
}

}  // namespace sluice
