// An app's trap records as its lists see them (store.h, FindTraps): the search compiler's
// predicate runs over the app's traps shaped as posts (alias p), with the traps' own FTS and
// tag tables (search_sql.h, kTrapSearchTables).
#include "store/sqlite/search_sql.h"
#include "store/sqlite/sqlite_store.h"

#include <algorithm>

namespace sluice::sqlite {

Result<std::vector<StoredTrap>> SqliteStore::FindTraps(Id app, const TrapFilter& filter, const PageRequest& page) {
  auto [lo, hi, newer] = PageWindowOf(page);
  // A trap is a post of its own conversation: no reply, quote, repost, poll or note.
  std::string sql =
      "SELECT " + std::string(kTrapColumns) +
      " FROM (SELECT t.*, '' AS note_text, t.id AS conversation_id, NULL AS in_reply_to_user_id, NULL AS replied_to_id,"
      " NULL AS quoted_id, NULL AS retweeted_id, 0 AS nullcast FROM trap_posts t WHERE " +
      std::string(app ? "t.app_id = ? AND " : "? = 0 AND ") + "t.id >= ? AND t.id < ?) p WHERE 1";
  std::vector<SqlParam> params{app, lo, hi};
  if (filter.author) {
    sql += " AND p.author_id = ?";
    params.emplace_back(*filter.author);
  }
  if (filter.query) {
    SqlPredicate pred = CompileSearch(filter.query->root, kTrapSearchTables);
    sql += " AND (" + pred.sql + ")";
    for (auto& p : pred.params) params.push_back(std::move(p));
  }
  sql += newer ? " ORDER BY p.id ASC" : " ORDER BY p.id DESC";
  if (page.limit > 0) {
    sql += " LIMIT ?";
    params.emplace_back(int64_t(page.limit) + 1);
  }
  auto stmt = db_->Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  BindParams(*s, params, 1);
  std::vector<StoredTrap> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadTrap(*s));
  }
  if (newer) std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace sluice::sqlite
