// PostgresStore: states an operator sets on accounts and posts, and the compliance-events
// outbox (issue 16), as the SQLite store has them (sqlite_compliance_events.cc). Each apply
// first moves the one head row, so applies from every node and process take turns and seq
// grows in commit order: a reader polling for seq > its last never skips one committed late.
#include "store/compliance_events.h"
#include "store/postgres/postgres_store.h"

namespace sluice::pg {

Result<ComplianceApply> PostgresStore::ApplyComplianceEvent(ComplianceEvent& event) {
  auto plan = rows::PlanComplianceApply(event);
  if (!plan.ok()) return plan.status();
  std::optional<ComplianceApply> nothing;  // set: nothing to write, the transaction ends without a commit
  Status s = Write([&]() -> Status {
    if (auto head = Query(rows::kBumpComplianceHead); !head.ok()) return head.status();
    auto found = Query(plan->find, Params().Add(plan->subject));
    if (!found.ok()) return found.status();
    if (found->size() == 0) {
      nothing = ComplianceApply::kUnknown;
      return InternalError("no such subject");
    }
    if (event.kind == ComplianceEvent::Kind::kWithheld) event.user_id = found->Int(0, 0);
    Params params;
    for (const rows::SqlArg& a : plan->args) {
      if (a.text) params.Add(std::string_view(a.s));
      else params.Add(a.i);
    }
    auto updated = Query(plan->update, params);
    if (!updated.ok()) return updated.status();
    if (updated->Affected() == 0) {
      nothing = ComplianceApply::kUnchanged;
      return InternalError("unchanged");
    }
    auto inserted = Query(rows::kInsertComplianceEvent, Params()
                                                            .Add(ComplianceEventName(event.kind))
                                                            .Add(event.user_id)
                                                            .Add(event.post_id)
                                                            .Add(rows::ComplianceCountries(event))
                                                            .Add(event.event_at));
    return inserted.status();
  });
  if (nothing) return *nothing;
  if (!s.ok()) return s;
  return ComplianceApply::kApplied;
}

Result<std::vector<StoredComplianceEvent>> PostgresStore::ComplianceEventsAfter(int64_t after, int limit) {
  auto rows = Query(rows::kComplianceEventsAfter, Params().Add(after).Add(int64_t(limit)));
  if (!rows.ok()) return rows.status();
  std::vector<StoredComplianceEvent> out;
  for (int i = 0; i < rows->size(); ++i)
    if (auto e = rows::ReadComplianceEvent(Row{*rows, i})) out.push_back(std::move(*e));
  return out;
}

Result<int64_t> PostgresStore::LastComplianceEventSeq() {
  auto rows = Query(rows::kLastComplianceEvent);
  if (!rows.ok()) return rows.status();
  return rows->size() ? rows->Int(0, 0) : 0;
}

}  // namespace sluice::pg
