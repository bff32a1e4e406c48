#include "ledger/refusal_counter.h"

namespace sluice {

void RefusalCounter::Add(const LedgerRecord& record) {
  TimeMs second = record.time - record.time % kIntervalMs;
  Key key{second, record.node_id, record.endpoint, record.status};
  auto [it, fresh] = counts_.try_emplace(std::move(key));
  LedgerRecord& r = it->second;
  if (fresh) {
    r.time = second;
    r.node_id = record.node_id;
    r.endpoint = record.endpoint;
    r.status = record.status;
    r.request_id = record.request_id;  // ties the aggregate to the access log
    r.count = 0;
  }
  r.count += record.count;
  r.response_bytes += record.response_bytes;
}

std::vector<LedgerRecord> RefusalCounter::TakeEnded(TimeMs now) {
  std::vector<LedgerRecord> ended;
  auto it = counts_.begin();
  // A second [s, s + interval) has ended once now >= s + interval.
  for (; it != counts_.end() && std::get<0>(it->first) <= now - kIntervalMs; ++it) ended.push_back(std::move(it->second));
  counts_.erase(counts_.begin(), it);
  return ended;
}

}  // namespace sluice
