// PostgresStore: filtered-stream rules (issue 16), as the SQLite store has them
// (sqlite_stream_rules.cc). Every rule write first locks the one version row, so rule writes
// from all nodes take turns and a cap checked in one holds when it commits.
#include <algorithm>

#include "store/postgres/postgres_store.h"
#include "store/stream_rules_sql.h"

namespace sluice::pg {

namespace {

std::vector<StreamRule> ReadRules(const Rows& rows) {
  std::vector<StreamRule> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(rows::ReadStreamRule(Row{rows, i}));
  return out;
}

}  // namespace

Result<std::vector<StreamRule>> PostgresStore::StreamRules(Id app_id) {
  auto rows = Query("SELECT " + std::string(rows::kStreamRuleColumns) + " FROM stream_rules WHERE app_id = ? ORDER BY id",
                    Params().Add(app_id));
  if (!rows.ok()) return rows.status();
  return ReadRules(*rows);
}

Result<std::vector<StreamRule>> PostgresStore::AllStreamRules() {
  auto rows = Query("SELECT " + std::string(rows::kStreamRuleColumns) + " FROM stream_rules ORDER BY app_id, id");
  if (!rows.ok()) return rows.status();
  return ReadRules(*rows);
}

Result<int64_t> PostgresStore::StreamRulesVersion() {
  auto rows = Query("SELECT version FROM stream_rules_version");
  if (!rows.ok()) return rows.status();
  return rows->size() ? rows->Int(0, 0) : 0;
}

Result<std::vector<std::pair<Id, int64_t>>> PostgresStore::StreamRuleCounts(Id project_id) {
  auto rows = Query(
      "SELECT a.id, (SELECT count(*) FROM stream_rules r WHERE r.app_id = a.id) FROM apps a"
      " WHERE a.project_id = ? AND a.revoked_at IS NULL ORDER BY a.id",
      Params().Add(project_id));
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<Id, int64_t>> out;
  for (int i = 0; i < rows->size(); ++i) out.emplace_back(rows->Int(i, 0), rows->Int(i, 1));
  return out;
}

Result<StreamRuleAdd> PostgresStore::AddStreamRules(Id app_id, std::span<const StreamRule> rules, int64_t cap, bool write) {
  if (!write) {
    auto held = StreamRules(app_id);
    if (!held.ok()) return held.status();
    return rows::PlanStreamRuleAdd(*held, rules, cap);
  }
  StreamRuleAdd add;
  bool nothing = false;  // nothing to write: the transaction is ended without a commit
  Status s = Write([&]() -> Status {
    auto lock = Query("UPDATE stream_rules_version SET version = version + 1");
    if (!lock.ok()) return lock.status();
    auto held = StreamRules(app_id);
    if (!held.ok()) return held.status();
    add = rows::PlanStreamRuleAdd(*held, rules, cap);
    if (add.over_cap || add.added.empty()) {
      nothing = true;
      return InternalError("nothing to add");
    }
    for (const StreamRule& r : add.added) {
      auto ins = Query("INSERT INTO stream_rules (id, app_id, value, tag, created_at) VALUES (?, ?, ?, ?, ?)",
                       Params().Add(r.id).Add(app_id).Add(r.value).Add(r.tag).Add(r.created_at));
      if (!ins.ok()) return ins.status();
    }
    return Status::Ok();
  });
  if (!s.ok() && !nothing) return s;
  return add;
}

Result<std::vector<StreamRule>> PostgresStore::DeleteStreamRules(Id app_id, std::span<const Id> ids,
                                                                 std::span<const std::string> values, bool write) {
  std::vector<StreamRule> gone;
  auto pick = [&](std::vector<StreamRule>& held) {
    gone.clear();
    for (StreamRule& r : held)
      if (std::find(ids.begin(), ids.end(), r.id) != ids.end() ||
          std::find(values.begin(), values.end(), r.value) != values.end())
        gone.push_back(std::move(r));
  };
  if (!write) {
    auto held = StreamRules(app_id);
    if (!held.ok()) return held.status();
    pick(*held);
    return gone;
  }
  bool nothing = false;
  Status s = Write([&]() -> Status {
    auto lock = Query("UPDATE stream_rules_version SET version = version + 1");
    if (!lock.ok()) return lock.status();
    auto held = StreamRules(app_id);
    if (!held.ok()) return held.status();
    pick(*held);
    if (gone.empty()) {
      nothing = true;
      return InternalError("nothing to delete");
    }
    for (const StreamRule& r : gone) {
      auto del = Query("DELETE FROM stream_rules WHERE id = ? AND app_id = ?", Params().Add(r.id).Add(app_id));
      if (!del.ok()) return del.status();
    }
    return Status::Ok();
  });
  if (!s.ok() && !nothing) return s;
  return gone;
}

}  // namespace sluice::pg

namespace sluice::pg {

Result<bool> PostgresStore::TakeStreamSlot(Id app_id, int feed, std::string_view holder, int max, TimeMs now,
                                           TimeMs until) {
  bool taken = false;
  Status s = Write([&]() -> Status {
    // Takes of one app and feed, from every node, one at a time (a lock held to the commit):
    // so a count read here holds when the slot is inserted.
    auto lock = Query("SELECT pg_advisory_xact_lock(?::integer, ?::integer)",
                      Params().Add(int64_t(int32_t(uint32_t(uint64_t(app_id) ^ (uint64_t(app_id) >> 32))))).Add(int64_t(feed)));
    if (!lock.ok()) return lock.status();
    auto live = Query("SELECT count(*) FROM stream_slots WHERE app_id = ? AND feed = ? AND until > ?",
                      Params().Add(app_id).Add(int64_t(feed)).Add(now));
    if (!live.ok()) return live.status();
    if (live->Int(0, 0) >= max) return Status::Ok();  // nothing written
    // Lapsed slots of this app and feed go with the take that finds them.
    auto lapsed = Query("DELETE FROM stream_slots WHERE app_id = ? AND feed = ? AND until <= ?",
                        Params().Add(app_id).Add(int64_t(feed)).Add(now));
    if (!lapsed.ok()) return lapsed.status();
    auto ins = Query("INSERT INTO stream_slots (holder, app_id, feed, until) VALUES (?, ?, ?, ?)",
                     Params().Add(holder).Add(app_id).Add(int64_t(feed)).Add(until));
    if (!ins.ok()) return ins.status();
    taken = true;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return taken;
}

Status PostgresStore::RenewStreamSlots(std::span<const std::string> holders, TimeMs until) {
  if (holders.empty()) return Status::Ok();
  return Write([&]() -> Status {
    for (const std::string& h : holders)
      if (auto r = Query("UPDATE stream_slots SET until = ? WHERE holder = ?", Params().Add(until).Add(h)); !r.ok())
        return r.status();
    return Status::Ok();
  });
}

Status PostgresStore::ReleaseStreamSlots(std::span<const std::string> holders, std::string_view prefix) {
  return Write([&]() -> Status {
    for (const std::string& h : holders)
      if (auto r = Query("DELETE FROM stream_slots WHERE holder = ?", Params().Add(h)); !r.ok()) return r.status();
    if (!prefix.empty())
      if (auto r = Query("DELETE FROM stream_slots WHERE left(holder, ?) = ?",
                         Params().Add(int64_t(prefix.size())).Add(prefix));
          !r.ok())
        return r.status();
    return Status::Ok();
  });
}

}  // namespace sluice::pg
