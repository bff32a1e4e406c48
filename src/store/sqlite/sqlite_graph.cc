// The social graph of SqliteStore: follows and likes (tables of migration 6) and reposts
// (posts with retweeted_id), listed newest edge first.
#include <algorithm>

#include "store/graph_sql.h"
#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

Result<std::vector<StoredPost>> SqliteStore::Reposts(Id post_id, const PageRequest& page) {
  return Page("posts p INDEXED BY posts_by_retweeted", "p.retweeted_id = ?", {post_id}, page);
}

Result<std::vector<GraphEdge>> SqliteStore::Graph(GraphList list, Id of, const PageRequest& page) {
  const GraphStatement q = GraphSql(list, page);
  auto stmt = db_->Cached(q.sql);
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, of);
  s->Bind(2, q.lo);
  s->Bind(3, q.hi);
  s->Bind(4, int64_t(page.limit) + 1);
  std::vector<GraphEdge> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s->Int(0), s->Int(1)});
  }
  if (q.newer) std::reverse(out.begin(), out.end());
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
