#include "api/write_intents.h"

#include <algorithm>
#include <unordered_map>

#include "ledger/record.h"
#include "ledger/segment.h"

namespace sluice {

Status ApplyWrite(Store& store, Id post_id) {
  return store.ApplyIntent(post_id);
}

Result<ReconcileReport> ReconcileWrites(const std::string& ledger_dir, Store& store) {
  auto intents = store.ListIntents();
  if (!intents.ok()) return intents.status();
  ReconcileReport report;
  if (intents->empty()) return report;
  struct Pending {
    WriteIntent intent;
    bool recorded = false;
  };
  std::unordered_map<Id, Pending> by_post;
  uint64_t from = UINT64_MAX;
  for (const auto& w : *intents) {
    by_post[w.post_id] = {w, false};
    from = std::min(from, w.ledger_size);
  }
  // Only the records from the oldest intent's noted size on: start-up does not read the ledger.
  auto scan = ScanSegmentsFrom(ledger_dir, {"", 0, from}, UINT64_MAX, [&](const LedgerPosition&, std::string_view payload) -> Status {
    auto r = DecodeRecord(payload);
    if (!r.ok()) return r.status();
    WriteIntent::Kind kind;
    if (r->endpoint == "POST /2/tweets" && r->status == 201) kind = WriteIntent::Kind::kPost;
    else if (r->endpoint == "DELETE /2/tweets/:id" && r->status == 200) kind = WriteIntent::Kind::kDelete;
    else return Status::Ok();
    for (Id id : r->post_ids) {
      auto it = by_post.find(id);
      if (it != by_post.end() && it->second.intent.kind == kind && r->seq >= it->second.intent.ledger_size)
        it->second.recorded = true;
    }
    return Status::Ok();
  });
  if (!scan.ok()) return scan.status();
  for (const auto& [id, p] : by_post) {
    if (Status s = p.recorded ? store.ApplyIntent(id) : store.DropIntent(id); !s.ok()) return s;
    ++(p.recorded ? report.applied : report.dropped);
  }
  return report;
}

}  // namespace sluice
