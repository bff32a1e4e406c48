// SqliteStore: filtered-stream rules (issue 16). Rule writes are transactions of their own
// (BEGIN IMMEDIATE: one writer at a time), so a cap checked in one holds when it commits.
#include <algorithm>

#include "store/sqlite/sqlite_store.h"
#include "store/stream_rules_sql.h"

namespace sluice::sqlite {

namespace {

Result<std::vector<StreamRule>> ReadRules(Stmt& s) {
  std::vector<StreamRule> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(rows::ReadStreamRule(s));
  }
}

}  // namespace

Result<std::vector<StreamRule>> SqliteStore::StreamRules(Id app_id) {
  auto s = db_->Prepare("SELECT " + std::string(rows::kStreamRuleColumns) + " FROM stream_rules WHERE app_id = ? ORDER BY id");
  if (!s.ok()) return s.status();
  s->Bind(1, app_id);
  return ReadRules(*s);
}

Result<std::vector<StreamRule>> SqliteStore::AllStreamRules() {
  auto s = db_->Prepare("SELECT " + std::string(rows::kStreamRuleColumns) + " FROM stream_rules ORDER BY app_id, id");
  if (!s.ok()) return s.status();
  return ReadRules(*s);
}

Result<int64_t> SqliteStore::StreamRulesVersion() {
  auto s = db_->Prepare("SELECT version FROM stream_rules_version");
  if (!s.ok()) return s.status();
  auto row = s->Step();
  if (!row.ok()) return row.status();
  return *row ? s->Int(0) : 0;
}

Result<std::vector<std::pair<Id, int64_t>>> SqliteStore::StreamRuleCounts(Id project_id) {
  auto s = db_->Prepare(
      "SELECT a.id, (SELECT count(*) FROM stream_rules r WHERE r.app_id = a.id) FROM apps a"
      " WHERE a.project_id = ? AND a.revoked_at IS NULL ORDER BY a.id");
  if (!s.ok()) return s.status();
  s->Bind(1, project_id);
  std::vector<std::pair<Id, int64_t>> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.emplace_back(s->Int(0), s->Int(1));
  }
}

Status SqliteStore::BumpStreamRulesVersion() {
  auto s = db_->Prepare("UPDATE stream_rules_version SET version = version + 1");
  if (!s.ok()) return s.status();
  return s->Run();
}

Result<StreamRuleAdd> SqliteStore::AddStreamRules(Id app_id, std::span<const StreamRule> rules, int64_t cap, bool write) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto held = StreamRules(app_id);
  if (!held.ok()) return held.status();
  StreamRuleAdd add = rows::PlanStreamRuleAdd(*held, rules, cap);
  if (!write || add.over_cap || add.added.empty()) return add;  // the transaction rolls back: nothing written
  auto s = db_->Prepare("INSERT INTO stream_rules (id, app_id, value, tag, created_at) VALUES (?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  for (const StreamRule& r : add.added) {
    StmtScope st(*s);
    st->Bind(1, r.id);
    st->Bind(2, app_id);
    st->Bind(3, r.value);
    st->Bind(4, r.tag);
    st->Bind(5, r.created_at);
    if (Status run = st->Run(); !run.ok()) return run;
  }
  if (Status s2 = BumpStreamRulesVersion(); !s2.ok()) return s2;
  if (Status c = tx->Commit(); !c.ok()) return c;
  return add;
}

Result<std::vector<StreamRule>> SqliteStore::DeleteStreamRules(Id app_id, std::span<const Id> ids,
                                                               std::span<const std::string> values, bool write) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto held = StreamRules(app_id);
  if (!held.ok()) return held.status();
  std::vector<StreamRule> gone;
  for (StreamRule& r : *held)
    if (std::find(ids.begin(), ids.end(), r.id) != ids.end() ||
        std::find(values.begin(), values.end(), r.value) != values.end())
      gone.push_back(std::move(r));
  if (!write || gone.empty()) return gone;
  auto s = db_->Prepare("DELETE FROM stream_rules WHERE id = ? AND app_id = ?");
  if (!s.ok()) return s.status();
  for (const StreamRule& r : gone) {
    StmtScope st(*s);
    st->Bind(1, r.id);
    st->Bind(2, app_id);
    if (Status run = st->Run(); !run.ok()) return run;
  }
  if (Status s2 = BumpStreamRulesVersion(); !s2.ok()) return s2;
  if (Status c = tx->Commit(); !c.ok()) return c;
  return gone;
}

}  // namespace sluice::sqlite

namespace sluice::sqlite {

Result<bool> SqliteStore::TakeStreamSlot(Id app_id, int feed, std::string_view holder, int max, TimeMs now,
                                         TimeMs until) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto count = db_->Prepare("SELECT count(*) FROM stream_slots WHERE app_id = ? AND feed = ? AND until > ?");
  if (!count.ok()) return count.status();
  count->Bind(1, app_id);
  count->Bind(2, feed);
  count->Bind(3, now);
  auto step = count->Step();
  if (!step.ok()) return step.status();
  if (count->Int(0) >= max) return false;  // the transaction rolls back: nothing written
  // Lapsed slots of this app and feed go with the take that finds them.
  auto lapsed = db_->Prepare("DELETE FROM stream_slots WHERE app_id = ? AND feed = ? AND until <= ?");
  if (!lapsed.ok()) return lapsed.status();
  lapsed->Bind(1, app_id);
  lapsed->Bind(2, feed);
  lapsed->Bind(3, now);
  if (Status run = lapsed->Run(); !run.ok()) return run;
  auto ins = db_->Prepare("INSERT INTO stream_slots (holder, app_id, feed, until) VALUES (?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  ins->Bind(1, holder);
  ins->Bind(2, app_id);
  ins->Bind(3, feed);
  ins->Bind(4, until);
  if (Status run = ins->Run(); !run.ok()) return run;
  if (Status c = tx->Commit(); !c.ok()) return c;
  return true;
}

Status SqliteStore::RenewStreamSlots(std::span<const std::string> holders, TimeMs until) {
  if (holders.empty()) return Status::Ok();
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto s = db_->Prepare("UPDATE stream_slots SET until = ? WHERE holder = ?");
  if (!s.ok()) return s.status();
  for (const std::string& h : holders) {
    StmtScope st(*s);
    st->Bind(1, until);
    st->Bind(2, h);
    if (Status run = st->Run(); !run.ok()) return run;
  }
  return tx->Commit();
}

Status SqliteStore::ReleaseStreamSlots(std::span<const std::string> holders, std::string_view prefix) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto s = db_->Prepare("DELETE FROM stream_slots WHERE holder = ?");
  if (!s.ok()) return s.status();
  for (const std::string& h : holders) {
    StmtScope st(*s);
    st->Bind(1, h);
    if (Status run = st->Run(); !run.ok()) return run;
  }
  if (!prefix.empty()) {
    auto p = db_->Prepare("DELETE FROM stream_slots WHERE substr(holder, 1, ?) = ?");
    if (!p.ok()) return p.status();
    p->Bind(1, int64_t(prefix.size()));
    p->Bind(2, prefix);
    if (Status run = p->Run(); !run.ok()) return run;
  }
  return tx->Commit();
}

}  // namespace sluice::sqlite
