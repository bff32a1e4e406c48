#pragma once
//! RefusalCounter: refusals of requests without a known app (a made-up or missing token),
//! counted per second, node, endpoint and status instead of recorded one by one, so
//! unauthenticated traffic grows the ledger by at most one record per key and second.
//! Not thread-safe: the ledger calls it under its lock.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/types.h"
#include "ledger/record.h"

namespace sluice {

class RefusalCounter {
 public:
  static constexpr TimeMs kIntervalMs = 1000;

  //! Counts `record` (one refused request, app_id 0) in the second of record.time.
  void Add(const LedgerRecord& record);
  //! Removes and returns the aggregate of every second that ended at or before `now`
  //! (every second, when now is the largest TimeMs), by second, then endpoint and status.
  //! Each has time = the second's start, count = the requests (>= 1), response_bytes =
  //! their sum and request_id = the first request's; ids and app fields are empty.
  std::vector<LedgerRecord> TakeEnded(TimeMs now);
  bool empty() const { return counts_.empty(); }

 private:
  using Key = std::tuple<TimeMs, uint16_t, std::string, uint16_t>;  // second, node, endpoint, status
  std::map<Key, LedgerRecord> counts_;
};

}  // namespace sluice
