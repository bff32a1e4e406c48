#include "store/sqlite/sqlite_store.h"

#include <algorithm>

#include "core/parse.h"
#include "core/snowflake.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/search_sql.h"

namespace sluice::sqlite {

// The columns, readers and helpers both SQL stores share (store/rows.h).
using rows::kAppColumns;
using rows::kLatestVersion;
using rows::kNotProtected;
using rows::kPostColumns;
using rows::kUserColumns;
using rows::ReadApp;
using rows::ReadPost;
using rows::ReadUser;
using rows::SplitCommas;

namespace {

std::string IdsJson(std::span<const Id> ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out.push_back(',');
    out += std::to_string(ids[i]);
  }
  out.push_back(']');
  return out;
}

Status Migrate(Db& db) {
  if (Status s = db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); !s.ok()) return s;
  auto tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  auto q = db.Prepare("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!q.ok()) return q.status();
  auto row = q->Step();
  if (!row.ok()) return row.status();
  int64_t version = q->Int(0);
  auto migrations = Migrations();
  if (version > int64_t(migrations.size()))
    return CommandError("database schema version " + std::to_string(version) + " is newer than this sluice (" +
                        std::to_string(migrations.size()) + "): upgrade sluice");
  for (size_t i = size_t(version); i < migrations.size(); ++i) {
    if (Status s = db.Exec(migrations[i]); !s.ok()) return s;
  }
  if (size_t(version) < migrations.size()) {
    if (Status s = db.Exec("DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                           std::to_string(migrations.size()) + ")");
        !s.ok())
      return s;
  }
  return tx->Commit();
}

}  // namespace

void BindParams(Stmt& s, const std::vector<SqlParam>& params, int first) {
  for (size_t i = 0; i < params.size(); ++i) {
    if (const auto* v = std::get_if<int64_t>(&params[i]))
      s.Bind(first + int(i), *v);
    else
      s.Bind(first + int(i), std::get<std::string>(params[i]));
  }
}

Result<std::unique_ptr<Store>> SqliteStore::Open(const std::string& path, bool create) {
  auto db = Db::Open(path);
  if (!db.ok()) return db.status();
  if (create) {
    if (Status s = Migrate(**db); !s.ok()) return CommandError(path + ": " + s.message());
  }
  return std::unique_ptr<Store>(new SqliteStore(std::move(*db)));
}

template <typename Bind>
Result<std::vector<StoredPost>> SqliteStore::QueryPosts(const std::string& sql, Bind&& bind) {
  auto stmt = db_->Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  bind(*s);
  std::vector<StoredPost> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadPost(*s));
  }
  return out;
}

bool SqliteStore::PollOtherWriters() {
  // data_version changes when another connection (this process's other workers included)
  // commits, not for this connection's own writes.
  auto stmt = db_->Cached("PRAGMA data_version");
  bool changed = true;  // when it cannot be read: assume a write, never miss one
  if (stmt.ok()) {
    StmtScope s(**stmt);
    auto row = s->Step();
    if (row.ok() && *row) {
      int64_t version = s->Int(0);
      changed = data_version_ && *data_version_ != version;
      data_version_ = version;
    }
  }
  return changed;
}

Result<std::vector<StoredPost>> SqliteStore::GetPosts(std::span<const Id> ids) {
  if (ids.size() == 1) {
    static const std::string sql = "SELECT " + std::string(kPostColumns) + " FROM posts p WHERE p.id = ?";
    return QueryPosts(sql, [&](Stmt& s) { s.Bind(1, ids[0]); });
  }
  static const std::string sql =
      "SELECT " + std::string(kPostColumns) + " FROM posts p WHERE p.id IN (SELECT value FROM json_each(?))";
  std::string json = IdsJson(ids);
  return QueryPosts(sql, [&](Stmt& s) { s.Bind(1, json); });
}

Result<std::vector<User>> SqliteStore::GetUsers(std::span<const Id> ids) {
  std::vector<User> out;
  if (ids.empty()) return out;
  // One id (a post's author: the common expansion) is a primary-key lookup; json_each would
  // cost a table-valued function and a join for it.
  if (ids.size() == 1) {
    static const std::string sql = "SELECT " + std::string(kUserColumns) + " FROM users WHERE id = ?";
    auto stmt = db_->Cached(sql);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, ids[0]);
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (*row) out.push_back(ReadUser(*s));
    return out;
  }
  static const std::string sql =
      "SELECT " + std::string(kUserColumns) + " FROM users WHERE id IN (SELECT value FROM json_each(?))";
  if (Status s = CollectUsers(sql, IdsJson(ids), out); !s.ok()) return s;
  return out;
}

Result<std::vector<User>> SqliteStore::GetUsersByUsername(std::span<const std::string> usernames) {
  static const std::string sql = "SELECT " + std::string(kUserColumns) + " FROM users WHERE username_lc = lower(?)";
  std::vector<User> out;
  for (const auto& name : usernames)
    if (Status s = CollectUsers(sql, name, out); !s.ok()) return s;
  return out;
}

Result<std::vector<User>> SqliteStore::SearchUsers(std::span<const std::string> words, int64_t offset, int limit,
                                                   Id trap_app) {
  // Each word becomes an FTS5 phrase whose last token may be a prefix: "data_ne" is the phrase
  // "data ne*" (the tokenizer splits on '_' and '\'' as it did when indexing). Words are
  // quoted, so no word is read as FTS5 syntax; a '"' cannot occur (the caller checks X's pattern).
  std::string match;
  for (const auto& word : words) {
    if (std::none_of(word.begin(), word.end(), [](unsigned char c) { return std::isalnum(c); })) continue;
    if (!match.empty()) match += " AND ";
    match += "\"" + word + "\"*";
  }
  std::vector<User> out;
  if (match.empty()) return out;
  static const std::string sql = [] {
    std::string cols;
    for (std::string_view c : SplitCommaList(kUserColumns)) {
      if (!cols.empty()) cols += ", ";
      cols += "u." + std::string(c.substr(c.find_first_not_of(' ')));
    }
    // bm25's weights: a username match counts most, then the name, then the description.
    return "SELECT " + cols +
           " FROM users_fts f JOIN users u ON u.id = f.rowid WHERE users_fts MATCH ? AND u.protected = 0"
           " AND (u.synthetic = 0 OR u.id IN (SELECT author_id FROM trap_posts WHERE app_id = ?))"
           " ORDER BY bm25(users_fts, 10.0, 5.0, 1.0), u.id LIMIT ? OFFSET ?";
  }();
  auto stmt = db_->Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, match);
  s->Bind(2, trap_app);
  s->Bind(3, int64_t(limit) + 1);
  s->Bind(4, offset);
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadUser(*s));
  }
}

Status SqliteStore::CollectUsers(const std::string& sql, std::string_view param, std::vector<User>& out) {
  auto stmt = db_->Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, param);
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    out.push_back(ReadUser(*s));
  }
}

Result<std::optional<Id>> SqliteStore::UserIdByUsername(std::string_view username_lc) {
  auto stmt = db_->Cached("SELECT id FROM users WHERE username_lc = ?");
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, username_lc);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Id>();
  return std::optional<Id>(s->Int(0));
}

Result<std::vector<StoredPost>> SqliteStore::Page(std::string_view from, std::string where, std::vector<SqlParam> params,
                                                  const PageRequest& page, std::string_view key) {
  // Plain variables, not a structured binding: the lambda below captures them (clang 14 cannot
  // capture a binding).
  const PageWindow window = PageWindowOf(page);
  const Id lo = window.lo, hi = window.hi;
  const bool newer = window.newer;
  const std::string k(key);
  std::string sql = "SELECT " + std::string(kPostColumns) + " FROM " + std::string(from) + " WHERE p.deleted_at IS NULL AND " + k +
                    " >= ? AND " + k + " < ? AND " + std::string(kNotProtected) + " AND " + std::string(kLatestVersion);
  if (!where.empty()) sql += " AND (" + where + ")";
  if (page.exclude_replies) sql += " AND p.replied_to_id IS NULL";
  if (page.exclude_retweets) sql += " AND p.retweeted_id IS NULL";
  sql += " ORDER BY " + k + (newer ? " ASC LIMIT ?" : " DESC LIMIT ?");
  auto posts = QueryPosts(sql, [&](Stmt& s) {
    s.Bind(1, lo);
    s.Bind(2, hi);
    BindParams(s, params, 3);
    s.Bind(3 + int(params.size()), int64_t(page.limit) + 1);
  });
  if (posts.ok() && newer) std::reverse(posts->begin(), posts->end());
  return posts;
}

Result<std::vector<StoredPost>> SqliteStore::UserPosts(Id user_id, const PageRequest& page) {
  return Page("posts p INDEXED BY posts_by_author", "p.author_id = ? AND p.nullcast = 0", {user_id}, page);
}

Result<std::vector<StoredPost>> SqliteStore::Mentions(Id user_id, const PageRequest& page) {
  auto users = GetUsers(std::span<const Id>(&user_id, 1));
  if (!users.ok()) return users.status();
  if (users->empty()) return std::vector<StoredPost>();
  std::string lc = users->front().username;
  std::transform(lc.begin(), lc.end(), lc.begin(), [](unsigned char c) { return std::tolower(c); });
  return Page("posts p", "p.id IN (SELECT post_id FROM post_tags WHERE kind = 'm' AND value = ?)", {lc}, page);
}

Result<std::vector<StoredPost>> SqliteStore::QuotePosts(Id post_id, const PageRequest& page) {
  return Page("posts p", "p.quoted_id = ?", {post_id}, page);
}

Result<std::vector<StoredPost>> SqliteStore::Search(const SearchQuery& query, const PageRequest& page) {
  if (page.relevancy) return SearchByRelevance(query, page);
  // A page of a keyword search reads the first matches in id order (0.2 ms for 100 of 31,525
  // on the demo data) instead of collecting them all (5 ms).
  if (auto match = WholeFtsExpression(query.root))
    return Page("posts_fts f JOIN posts p ON p.id = f.rowid", "posts_fts MATCH ?", {std::move(*match)}, page, "f.rowid");
  SqlPredicate pred = CompileSearch(query.root);
  return Page("posts p", pred.sql, pred.params, page);
}

Result<std::vector<StoredPost>> SqliteStore::SearchByRelevance(const SearchQuery& query, const PageRequest& page) {
  // Every match is scored and sorted (bm25 cannot drive a walk in order): the cost of a page
  // grows with the matches, as for the non-FTS queries of Page.
  auto [lo, hi] = PageIdRange(page);
  std::optional<std::string> whole = WholeFtsExpression(query.root);
  std::optional<std::string> words = RelevanceExpression(query.root);
  std::vector<SqlParam> params;
  std::string from = "posts p", score = "0.0";
  if (words) {
    // The scores' subquery holds the MATCH; joined (whole query) or left-joined (its words).
    from += whole ? " JOIN" : " LEFT JOIN";
    // The id range inside too: FTS5 then scores only the page's window, not every match.
    from += " (SELECT rowid AS id, bm25(posts_fts) AS score FROM posts_fts WHERE posts_fts MATCH ? AND rowid >= ? AND"
            " rowid < ?) r ON r.id = p.id";
    score = "coalesce(r.score, 0.0)";
    params.emplace_back(*words);
    params.emplace_back(lo);
    params.emplace_back(hi);
  }
  std::string sql = "SELECT * FROM (SELECT " + std::string(kPostColumns) + ", " + score + " AS score FROM " + from +
                    " WHERE p.deleted_at IS NULL AND p.id >= ? AND p.id < ? AND " + std::string(kNotProtected) + " AND " +
                    std::string(kLatestVersion);
  params.emplace_back(lo);
  params.emplace_back(hi);
  if (!whole) {
    SqlPredicate pred = CompileSearch(query.root);
    sql += " AND (" + pred.sql + ")";
    for (auto& p : pred.params) params.push_back(std::move(p));
  }
  if (page.exclude_replies) sql += " AND p.replied_to_id IS NULL";
  if (page.exclude_retweets) sql += " AND p.retweeted_id IS NULL";
  sql += ")";
  if (page.after) sql += " WHERE score > ? OR (score = ? AND id < ?)";
  sql += " ORDER BY score ASC, id DESC LIMIT ?";
  auto stmt = db_->Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  BindParams(*s, params, 1);
  int next = 1 + int(params.size());
  if (page.after) {
    s->BindDouble(next++, page.after->score);
    s->BindDouble(next++, page.after->score);
    s->Bind(next++, page.after->id);
  }
  s->Bind(next, int64_t(page.limit) + 1);
  std::vector<StoredPost> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadPost(*s));
    out.back().relevance = s->Double(s->Columns() - 1);
  }
  return out;
}

Result<std::vector<CountBucket>> SqliteStore::Count(const SearchQuery& query, TimeMs start, TimeMs end, TimeMs bucket_ms,
                                                    std::optional<Id> since_id, std::optional<Id> until_id) {
  std::vector<CountBucket> buckets;
  TimeMs first = start - start % bucket_ms;  // buckets align to UTC minutes, hours, days
  for (TimeMs t = first; t < end; t += bucket_ms) buckets.push_back({std::max(t, start), std::min(t + bucket_ms, end), 0});
  SqlPredicate pred = CompileSearch(query.root);
  std::string sql = "SELECT p.id FROM posts p WHERE p.deleted_at IS NULL AND p.id >= ? AND p.id < ? AND " +
                    std::string(kNotProtected) + " AND " + std::string(kLatestVersion) + " AND (" + pred.sql + ")";
  auto stmt = db_->Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  Id lo = IdLowerBoundForTime(start), hi = IdLowerBoundForTime(end);
  if (since_id) lo = std::max(lo, *since_id + 1);
  if (until_id) hi = std::min(hi, *until_id);
  s->Bind(1, lo);
  s->Bind(2, hi);
  BindParams(*s, pred.params, 3);
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    TimeMs t = SnowflakeTime(s->Int(0));
    size_t i = size_t((t - first) / bucket_ms);
    if (i < buckets.size()) ++buckets[i].count;
  }
  return buckets;
}

Status SqliteStore::ForEachPost(const std::function<bool(Id, std::string_view, bool)>& visit) {
  auto s = db_->Prepare("SELECT id, text, deleted_at IS NOT NULL FROM posts ORDER BY id");
  if (!s.ok()) return s.status();
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row || !visit(s->Int(0), s->Text(1), s->Int(2) != 0)) return Status::Ok();
  }
}

Result<std::optional<StoredTrap>> SqliteStore::GetTrap(Id id) {
  static const std::string sql = "SELECT " + std::string(kTrapColumns) + " FROM trap_posts WHERE id = ?";
  auto stmt = db_->Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, id);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<StoredTrap>();
  return std::optional<StoredTrap>(ReadTrap(*s));
}

Result<int64_t> SqliteStore::CountTraps(Id app) {
  auto stmt = db_->Cached("SELECT count(*) FROM trap_posts WHERE app_id = ?");
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, app);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  return s->Int(0);
}

Status SqliteStore::ForEachTrap(const std::function<bool(const StoredTrap&)>& visit) {
  auto s = db_->Prepare("SELECT " + std::string(kTrapColumns) + " FROM trap_posts ORDER BY id");
  if (!s.ok()) return s.status();
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row || !visit(ReadTrap(*s))) return Status::Ok();
  }
}

Result<int64_t> SqliteStore::CountPosts() { return Scalar("SELECT count(*) FROM posts"); }

Result<int64_t> SqliteStore::CountUsers() { return Scalar("SELECT count(*) FROM users"); }

Result<int64_t> SqliteStore::Scalar(std::string_view sql) {
  auto s = db_->Prepare(sql);
  if (!s.ok()) return s.status();
  auto row = s->Step();
  if (!row.ok()) return row.status();
  return s->Int(0);
}

Result<std::optional<std::string>> SqliteStore::TextById(std::string_view sql, Id id) {
  auto s = db_->Prepare(sql);
  if (!s.ok()) return s.status();
  s->Bind(1, id);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(s->Text(0)));
}

Result<bool> SqliteStore::ProjectExists(Id project_id) {
  auto s = db_->Prepare("SELECT 1 FROM projects WHERE id = ?");
  if (!s.ok()) return s.status();
  s->Bind(1, project_id);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  return *row;
}

Result<int64_t> SqliteStore::CountApps(Id project_id) {
  auto s = db_->Prepare("SELECT count(*) FROM apps WHERE project_id = ? AND revoked_at IS NULL");
  if (!s.ok()) return s.status();
  s->Bind(1, project_id);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  return s->Int(0);
}

Result<std::optional<std::string>> SqliteStore::ProjectPlan(Id project_id) {
  return TextById("SELECT plan FROM apps WHERE project_id = ? AND revoked_at IS NULL LIMIT 1", project_id);
}

Result<std::vector<ProjectInfo>> SqliteStore::ListProjects() {
  auto s = db_->Prepare(
      "SELECT p.id, p.name, p.created_at, p.cap_reset_day,"
      " coalesce((SELECT a.plan FROM apps a WHERE a.project_id = p.id AND a.revoked_at IS NULL LIMIT 1), p.plan)"
      " FROM projects p ORDER BY p.id");
  if (!s.ok()) return s.status();
  std::vector<ProjectInfo> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s->Int(0), std::string(s->Text(1)), s->Int(2), int(s->Int(3)), std::string(s->Text(4))});
  }
  return out;
}

Result<std::optional<ProjectInfo>> SqliteStore::GetProject(Id project_id) {
  // On the request path (caps): one cached statement, one row.
  auto stmt = db_->Cached(
      "SELECT p.id, p.name, p.created_at, p.cap_reset_day,"
      " coalesce((SELECT a.plan FROM apps a WHERE a.project_id = p.id AND a.revoked_at IS NULL LIMIT 1), p.plan)"
      " FROM projects p WHERE p.id = ?");
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, project_id);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ProjectInfo>();
  return std::optional<ProjectInfo>(ProjectInfo{s->Int(0), std::string(s->Text(1)), s->Int(2), int(s->Int(3)), std::string(s->Text(4))});
}

Result<std::vector<CreditEntry>> SqliteStore::Credits(Id project_id) {
  auto s = db_->Prepare("SELECT micro_usd, added_at FROM credits WHERE project_id = ? ORDER BY added_at, id");
  if (!s.ok()) return s.status();
  s->Bind(1, project_id);
  std::vector<CreditEntry> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s->Int(0), s->Int(1)});
  }
  return out;
}

Result<std::optional<App>> SqliteStore::FindAppByTokenHash(std::string_view token_hash) {
  static const std::string sql =
      "SELECT " + std::string(kAppColumns) + " FROM apps WHERE token_hash = ? AND revoked_at IS NULL";
  auto stmt = db_->Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->BindBlob(1, token_hash);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<App>();
  return std::optional<App>(ReadApp(*s));
}

Result<std::vector<App>> SqliteStore::ListApps() {
  auto s = db_->Prepare("SELECT " + std::string(kAppColumns) + " FROM apps ORDER BY id");
  if (!s.ok()) return s.status();
  std::vector<App> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadApp(*s));
  }
}

}  // namespace sluice::sqlite
