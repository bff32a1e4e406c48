// PostgresStore: opening, connections, and the reads but searches (pg_search_reads.cc).
#include "store/postgres/postgres_store.h"

#include <algorithm>

#include "core/parse.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_store_rows.h"

namespace sluice::pg {

namespace {

// An id list as a PostgreSQL bigint[] literal (for `= ANY(?::bigint[])`).
std::string IdArray(std::span<const Id> ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out.push_back(',');
    out += std::to_string(ids[i]);
  }
  out.push_back('}');
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> PostgresStore::Open(const std::string& url, bool create, int pool_size) {
  auto pool = Pool::For(url, pool_size > 0 ? pool_size : Pool::kDefaultSize);
  auto lease = pool->Acquire();
  if (!lease.ok()) return CommandError("--store " + url + ": " + lease.status().message());
  if (create)
    if (Status s = Migrate(**lease); !s.ok()) return CommandError("--store " + url + ": " + s.message());
  return std::unique_ptr<Store>(new PostgresStore(std::move(pool)));
}

Result<PostgresStore::Use> PostgresStore::Connection() {
  Use use;
  if (held_) {
    use.conn_ = held_;
    return use;
  }
  auto lease = pool_->Acquire();
  if (!lease.ok()) return lease.status();
  use.lease_ = std::move(*lease);
  use.conn_ = &*use.lease_;
  return use;
}

Result<Rows> PostgresStore::Query(const std::string& sql, const Params& params, Plan plan) {
  auto c = Connection();
  if (!c.ok()) return c.status();
  return (*c)->Query(sql, params, plan);
}

Status PostgresStore::Write(const std::function<Status()>& fn) {
  auto c = Connection();
  if (!c.ok()) return c.status();
  const bool outer = held_ == nullptr;
  if (outer) {
    held_lease_ = std::move(c->lease_);
    held_ = &*held_lease_;
  }
  Status result = [&]() -> Status {
    auto tx = Tx::Begin(*held_);
    if (!tx.ok()) return tx.status();
    if (Status s = fn(); !s.ok()) return s;
    return tx->Commit();
  }();
  if (outer) {
    // Its own commit, when no other came between, is no news for PollOtherWriters.
    if (result.ok() && writes_seen_ && held_->last_write_mark() == *writes_seen_ + 1) writes_seen_ = held_->last_write_mark();
    held_ = nullptr;
    held_lease_.Release();
  }
  return result;
}

Status PostgresStore::AfterBulkLoad() {
  auto c = Connection();
  if (!c.ok()) return c.status();
  return (*c)->Exec("ANALYZE");
}

Status PostgresStore::Atomically(const std::function<Status()>& fn) { return Write(fn); }

bool PostgresStore::PollOtherWriters() {
  // The sequence moves after every commit of every node (pg_conn.cc, Tx::Commit), this
  // process's included: store.h allows those to show.
  auto rows = Query("SELECT " + std::string(kWritesMark));
  if (!rows.ok() || rows->size() != 1) return true;  // cannot be told: assume a write
  int64_t seen = rows->Int(0, 0);
  bool changed = writes_seen_ && *writes_seen_ != seen;
  writes_seen_ = seen;
  return changed;
}

Result<std::vector<StoredPost>> PostgresStore::QueryPosts(const std::string& sql, const Params& params, Plan plan) {
  auto rows = Query(sql, params, plan);
  if (!rows.ok()) return rows.status();
  std::vector<StoredPost> out;
  out.reserve(size_t(rows->size()));
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadPost(Row{*rows, i}));
  return out;
}

Result<std::vector<User>> PostgresStore::QueryUsers(const std::string& sql, const Params& params, Plan plan) {
  auto rows = Query(sql, params, plan);
  if (!rows.ok()) return rows.status();
  std::vector<User> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadUser(Row{*rows, i}));
  return out;
}

Result<int64_t> PostgresStore::Scalar(const std::string& sql, const Params& params, Plan plan) {
  auto rows = Query(sql, params, plan);
  if (!rows.ok()) return rows.status();
  return rows->size() ? rows->Int(0, 0) : 0;
}

Result<std::vector<StoredPost>> PostgresStore::GetPosts(std::span<const Id> ids) {
  if (ids.empty()) return std::vector<StoredPost>();
  if (ids.size() == 1) {
    static const std::string sql = "SELECT " + std::string(kPostColumns) + " FROM posts p WHERE p.id = ?";
    return QueryPosts(sql, Params().Add(ids[0]));
  }
  static const std::string sql = "SELECT " + std::string(kPostColumns) + " FROM posts p WHERE p.id = ANY(?::bigint[])";
  return QueryPosts(sql, Params().Add(IdArray(ids)));
}

Result<std::vector<User>> PostgresStore::GetUsers(std::span<const Id> ids) {
  if (ids.empty()) return std::vector<User>();
  if (ids.size() == 1) {
    static const std::string sql = "SELECT " + std::string(kUserColumns) + " FROM users WHERE id = ?";
    return QueryUsers(sql, Params().Add(ids[0]));
  }
  static const std::string sql = "SELECT " + std::string(kUserColumns) + " FROM users WHERE id = ANY(?::bigint[])";
  return QueryUsers(sql, Params().Add(IdArray(ids)));
}

Result<std::vector<User>> PostgresStore::GetUsersByUsername(std::span<const std::string> usernames) {
  static const std::string sql = "SELECT " + std::string(kUserColumns) + " FROM users WHERE username_lc = ?";
  std::vector<User> out;
  for (const auto& name : usernames) {
    auto users = QueryUsers(sql, Params().Add(AsciiLower(name)));
    if (!users.ok()) return users.status();
    for (auto& u : *users) out.push_back(std::move(u));
  }
  return out;
}

Result<std::vector<StoredPost>> PostgresStore::Page(std::string_view from, const std::string& where, Params params,
                                                    const PageRequest& page, Plan plan) {
  auto [lo, hi, newer] = PageWindowOf(page);
  std::string sql = "SELECT " + std::string(kPostColumns) + " FROM " + std::string(from) +
                    " WHERE p.deleted_at IS NULL AND " + std::string(kNotProtected) + " AND " +
                    std::string(kLatestVersion);
  if (!where.empty()) sql += " AND (" + where + ")";
  sql += " AND p.id >= ? AND p.id < ?";
  if (page.exclude_replies) sql += " AND p.replied_to_id IS NULL";
  if (page.exclude_retweets) sql += " AND p.retweeted_id IS NULL";
  sql += newer ? " ORDER BY p.id ASC LIMIT ?" : " ORDER BY p.id DESC LIMIT ?";
  params.Add(lo).Add(hi).Add(int64_t(page.limit) + 1);
  auto posts = QueryPosts(sql, params, plan);
  if (posts.ok() && newer) std::reverse(posts->begin(), posts->end());
  return posts;
}

Result<std::vector<StoredPost>> PostgresStore::UserPosts(Id user_id, const PageRequest& page) {
  return Page("posts p", "p.author_id = ? AND p.nullcast = 0", Params().Add(user_id), page);
}

Result<std::vector<StoredPost>> PostgresStore::Mentions(Id user_id, const PageRequest& page) {
  auto users = GetUsers(std::span<const Id>(&user_id, 1));
  if (!users.ok()) return users.status();
  if (users->empty()) return std::vector<StoredPost>();
  return Page("posts p", "p.id IN (SELECT post_id FROM post_tags WHERE kind = 'm' AND value = ?)",
              Params().Add(AsciiLower(users->front().username)), page);
}

Result<std::vector<StoredPost>> PostgresStore::QuotePosts(Id post_id, const PageRequest& page) {
  return Page("posts p", "p.quoted_id = ?", Params().Add(post_id), page);
}

Result<std::vector<StoredPost>> PostgresStore::Reposts(Id post_id, const PageRequest& page) {
  return Page("posts p", "p.retweeted_id = ?", Params().Add(post_id), page);
}

Result<int64_t> PostgresStore::CountPosts() { return Scalar("SELECT count(*) FROM posts"); }

Result<int64_t> PostgresStore::CountUsers() { return Scalar("SELECT count(*) FROM users"); }

Status PostgresStore::ForEachPost(const std::function<bool(Id, std::string_view, bool)>& visit) {
  // In id-ordered chunks: a store of millions of posts is never one result in memory.
  Id after = -1;
  for (;;) {
    auto rows = Query("SELECT id, text, deleted_at IS NOT NULL FROM posts WHERE id > ? ORDER BY id LIMIT 10000",
                      Params().Add(after));
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < rows->size(); ++i) {
      after = rows->Int(i, 0);
      if (!visit(after, rows->Text(i, 1), rows->Text(i, 2) == "t")) return Status::Ok();
    }
    if (rows->size() < 10000) return Status::Ok();
  }
}

Result<std::optional<StoredTrap>> PostgresStore::GetTrap(Id id) {
  static const std::string sql = "SELECT " + std::string(kTrapColumns) + " FROM trap_posts WHERE id = ?";
  auto rows = Query(sql, Params().Add(id));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<StoredTrap>();
  return std::optional<StoredTrap>(ReadTrap(Row{*rows, 0}));
}

Result<int64_t> PostgresStore::CountTraps(Id app) {
  return Scalar("SELECT count(*) FROM trap_posts WHERE app_id = ?", Params().Add(app));
}

Status PostgresStore::ForEachTrap(const std::function<bool(const StoredTrap&)>& visit) {
  Id after = -1;
  for (;;) {
    static const std::string sql =
        "SELECT " + std::string(kTrapColumns) + " FROM trap_posts WHERE id > ? ORDER BY id LIMIT 10000";
    auto rows = Query(sql, Params().Add(after));
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < rows->size(); ++i) {
      StoredTrap t = ReadTrap(Row{*rows, i});
      after = t.id;
      if (!visit(t)) return Status::Ok();
    }
    if (rows->size() < 10000) return Status::Ok();
  }
}

Result<bool> PostgresStore::ProjectExists(Id project_id) {
  auto rows = Query("SELECT 1 FROM projects WHERE id = ?", Params().Add(project_id));
  if (!rows.ok()) return rows.status();
  return rows->size() > 0;
}

Result<int64_t> PostgresStore::CountApps(Id project_id) {
  return Scalar("SELECT count(*) FROM apps WHERE project_id = ? AND revoked_at IS NULL", Params().Add(project_id));
}

Result<std::optional<std::string>> PostgresStore::ProjectPlan(Id project_id) {
  auto rows = Query("SELECT plan FROM apps WHERE project_id = ? AND revoked_at IS NULL LIMIT 1", Params().Add(project_id));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(rows->Text(0, 0)));
}

namespace {
constexpr std::string_view kProjectSql =
    "SELECT p.id, p.name, p.created_at, p.cap_reset_day,"
    " coalesce((SELECT a.plan FROM apps a WHERE a.project_id = p.id AND a.revoked_at IS NULL LIMIT 1), p.plan)"
    " FROM projects p";
ProjectInfo ReadProject(const Row& r) {
  return {r.Int(0), std::string(r.Text(1)), r.Int(2), int(r.Int(3)), std::string(r.Text(4))};
}
}  // namespace

Result<std::vector<ProjectInfo>> PostgresStore::ListProjects() {
  auto rows = Query(std::string(kProjectSql) + " ORDER BY p.id");
  if (!rows.ok()) return rows.status();
  std::vector<ProjectInfo> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadProject(Row{*rows, i}));
  return out;
}

Result<std::optional<ProjectInfo>> PostgresStore::GetProject(Id project_id) {
  auto rows = Query(std::string(kProjectSql) + " WHERE p.id = ?", Params().Add(project_id));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<ProjectInfo>();
  return std::optional<ProjectInfo>(ReadProject(Row{*rows, 0}));
}

Result<std::vector<CreditEntry>> PostgresStore::Credits(Id project_id) {
  auto rows = Query("SELECT micro_usd, added_at FROM credits WHERE project_id = ? ORDER BY added_at, id",
                    Params().Add(project_id));
  if (!rows.ok()) return rows.status();
  std::vector<CreditEntry> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back({rows->Int(i, 0), rows->Int(i, 1)});
  return out;
}

Result<std::optional<App>> PostgresStore::FindAppByTokenHash(std::string_view token_hash) {
  static const std::string sql =
      "SELECT " + std::string(kAppColumns) + " FROM apps WHERE token_hash = ? AND revoked_at IS NULL";
  auto rows = Query(sql, Params().AddBytes(token_hash));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<App>();
  return std::optional<App>(ReadApp(Row{*rows, 0}));
}

Result<std::vector<App>> PostgresStore::ListApps() {
  auto rows = Query("SELECT " + std::string(kAppColumns) + " FROM apps ORDER BY id");
  if (!rows.ok()) return rows.status();
  std::vector<App> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadApp(Row{*rows, i}));
  return out;
}

Result<std::vector<Poll>> PostgresStore::GetPolls(std::span<const Id> ids) {
  std::vector<Poll> out;
  for (Id id : ids) {
    auto head = Query(
        "SELECT id, duration_minutes, end_datetime FROM polls WHERE id = ? AND EXISTS"
        " (SELECT 1 FROM posts WHERE posts.id = polls.post_id)",
        Params().Add(id));
    if (!head.ok()) return head.status();
    if (head->size() == 0) continue;
    Poll poll;
    poll.id = head->Int(0, 0);
    poll.duration_minutes = int32_t(head->Int(0, 1));
    poll.end_datetime = head->Int(0, 2);
    auto options = Query("SELECT label, votes FROM poll_options WHERE poll_id = ? ORDER BY position", Params().Add(id));
    if (!options.ok()) return options.status();
    for (int i = 0; i < options->size(); ++i) {
      poll.options.emplace_back(options->Text(i, 0));
      poll.votes.push_back(options->Int(i, 1));
    }
    out.push_back(std::move(poll));
  }
  return out;
}

}  // namespace sluice::pg
