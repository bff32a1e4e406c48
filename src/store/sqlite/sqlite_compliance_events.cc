// SqliteStore: states an operator sets on accounts and posts, and the compliance-events outbox
// (issue 16, store.h ApplyComplianceEvent). One transaction each (BEGIN IMMEDIATE: one writer
// at a time), so seq grows in commit order.
#include "store/compliance_events.h"
#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

Result<ComplianceApply> SqliteStore::ApplyComplianceEvent(ComplianceEvent& event) {
  auto plan = rows::PlanComplianceApply(event);
  if (!plan.ok()) return plan.status();
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  {
    auto head = db_->Prepare(rows::kBumpComplianceHead);
    if (!head.ok()) return head.status();
    if (Status s = head->Run(); !s.ok()) return s;
  }
  {
    auto prepared = db_->Prepare(plan->find);
    if (!prepared.ok()) return prepared.status();
    StmtScope find(*prepared);  // reset on leaving: no read left open under the writes
    find->Bind(1, plan->subject);
    auto row = find->Step();
    if (!row.ok()) return row.status();
    if (!*row) return ComplianceApply::kUnknown;  // the transaction rolls back
    if (event.kind == ComplianceEvent::Kind::kWithheld) event.user_id = find->Int(0);
  }
  {
    auto update = db_->Prepare(plan->update);
    if (!update.ok()) return update.status();
    for (size_t i = 0; i < plan->args.size(); ++i) {
      const rows::SqlArg& a = plan->args[i];
      if (a.text) update->Bind(int(i) + 1, std::string_view(a.s));
      else update->Bind(int(i) + 1, a.i);
    }
    if (Status s = update->Run(); !s.ok()) return s;
    if (db_->Changes() == 0) return ComplianceApply::kUnchanged;
  }
  auto insert = db_->Prepare(rows::kInsertComplianceEvent);
  if (!insert.ok()) return insert.status();
  insert->Bind(1, ComplianceEventName(event.kind));
  insert->Bind(2, event.user_id);
  insert->Bind(3, event.post_id);
  insert->Bind(4, std::string_view(rows::ComplianceCountries(event)));
  insert->Bind(5, event.event_at);
  if (Status s = insert->Run(); !s.ok()) return s;
  if (Status c = tx->Commit(); !c.ok()) return c;
  return ComplianceApply::kApplied;
}

Result<std::vector<StoredComplianceEvent>> SqliteStore::ComplianceEventsAfter(int64_t after, int limit) {
  auto s = db_->Prepare(rows::kComplianceEventsAfter);
  if (!s.ok()) return s.status();
  s->Bind(1, after);
  s->Bind(2, int64_t(limit));
  std::vector<StoredComplianceEvent> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    if (auto e = rows::ReadComplianceEvent(*s)) out.push_back(std::move(*e));
  }
}

Result<int64_t> SqliteStore::LastComplianceEventSeq() {
  auto s = db_->Prepare(rows::kLastComplianceEvent);
  if (!s.ok()) return s.status();
  auto row = s->Step();
  if (!row.ok()) return row.status();
  return *row ? s->Int(0) : 0;
}

}  // namespace sluice::sqlite
