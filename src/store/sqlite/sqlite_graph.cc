// The social graph of SqliteStore: follows and likes (tables of migration 6) and reposts
// (posts with retweeted_id), listed newest edge first.
#include <algorithm>
#include <array>

#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

namespace {

// Per list: the edge and listed id columns, and the FROM/WHERE that keeps only what may be
// listed (store.h): real users; live posts of accounts that are not protected.
struct ListSql {
  std::string_view select;  // "edge, id"
  std::string_view from_where;
  std::string_view edge;  // the column pages are cut at
};

constexpr std::string_view kVisiblePost =
    "p.deleted_at IS NULL AND p.author_id NOT IN (SELECT id FROM users WHERE protected <> 0)";

const ListSql& SqlFor(GraphList list) {
  static const std::array<ListSql, 5> kSql = {{
      {"f.id, f.follower_id", "follows f JOIN users u ON u.id = f.follower_id WHERE f.followee_id = ? AND u.synthetic = 0",
       "f.id"},
      {"f.id, f.followee_id", "follows f JOIN users u ON u.id = f.followee_id WHERE f.follower_id = ? AND u.synthetic = 0",
       "f.id"},
      {"l.id, l.user_id", "likes l JOIN users u ON u.id = l.user_id WHERE l.post_id = ? AND u.synthetic = 0", "l.id"},
      {"l.id, l.post_id", "likes l JOIN posts p ON p.id = l.post_id WHERE l.user_id = ?", "l.id"},
      {"max(p.id), p.author_id", "posts p WHERE p.retweeted_id = ?", "p.id"},
  }};
  return kSql[size_t(list)];
}

}  // namespace

Result<std::vector<StoredPost>> SqliteStore::Reposts(Id post_id, const PageRequest& page) {
  return Page("posts p INDEXED BY posts_by_retweeted", "p.retweeted_id = ?", {post_id}, page);
}

Result<std::vector<GraphEdge>> SqliteStore::Graph(GraphList list, Id of, const PageRequest& page) {
  const ListSql& q = SqlFor(list);
  Id lo = 0, hi = INT64_MAX;
  bool newer = false;
  if (page.cursor) {
    if (page.cursor->first == PageRequest::Direction::kOlder) {
      hi = page.cursor->second;
    } else {
      lo = page.cursor->second + 1;
      newer = true;
    }
  }
  const bool posts = list == GraphList::kLikedPosts || list == GraphList::kRepostedBy;
  std::string sql = "SELECT " + std::string(q.select) + " FROM " + std::string(q.from_where);
  if (posts) sql += " AND " + std::string(kVisiblePost);
  std::string edge(q.edge);
  if (list == GraphList::kRepostedBy) {
    // A user who reposted the post twice is listed once, at its latest repost.
    sql += " GROUP BY p.author_id HAVING ";
    edge = "max(p.id)";
  } else {
    sql += " AND ";
  }
  sql += edge + " >= ? AND " + edge + " < ? ORDER BY " + edge + (newer ? " ASC" : " DESC") + " LIMIT ?";
  auto stmt = db_->Cached(sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, of);
  s->Bind(2, lo);
  s->Bind(3, hi);
  s->Bind(4, int64_t(page.limit) + 1);
  std::vector<GraphEdge> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s->Int(0), s->Int(1)});
  }
  if (newer) std::reverse(out.begin(), out.end());  // still newest first: the ones nearest the cursor
  return out;
}

Status SqliteStore::InsertEdges(const WriteBatch& batch) {
  if (!batch.follows.empty()) {
    auto stmt = db_->Cached("INSERT OR IGNORE INTO follows (follower_id, followee_id) VALUES (?, ?)");
    if (!stmt.ok()) return stmt.status();
    for (const Follow& f : batch.follows) {
      StmtScope s(**stmt);
      s->Bind(1, f.follower_id);
      s->Bind(2, f.followee_id);
      if (Status st = s->Run(); !st.ok()) return st;
    }
  }
  if (!batch.likes.empty()) {
    auto stmt = db_->Cached("INSERT OR IGNORE INTO likes (user_id, post_id) VALUES (?, ?)");
    if (!stmt.ok()) return stmt.status();
    for (const Like& l : batch.likes) {
      StmtScope s(**stmt);
      s->Bind(1, l.user_id);
      s->Bind(2, l.post_id);
      if (Status st = s->Run(); !st.ok()) return st;
    }
  }
  return Status::Ok();
}

}  // namespace sluice::sqlite
