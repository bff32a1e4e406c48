// Polls of SqliteStore (issue 12, item 5): written with their post (or its pending intent),
// read by id for includes.polls.
#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

Status SqliteStore::InsertPollRows(const Post& post) {
  const Poll& poll = *post.poll;
  auto head = db_->Cached("INSERT INTO polls (id, post_id, duration_minutes, end_datetime) VALUES (?, ?, ?, ?)");
  if (!head.ok()) return head.status();
  {
    StmtScope s(**head);
    s->Bind(1, poll.id);
    s->Bind(2, post.id);
    s->Bind(3, int64_t(poll.duration_minutes));
    s->Bind(4, poll.end_datetime);
    if (Status st = s->Run(); !st.ok()) {
      if (st.code() == StatusCode::kConflict) return Conflict("poll " + std::to_string(poll.id) + " already exists");
      return st;
    }
  }
  auto option = db_->Cached("INSERT INTO poll_options (poll_id, position, label, votes) VALUES (?, ?, ?, ?)");
  if (!option.ok()) return option.status();
  for (size_t i = 0; i < poll.options.size(); ++i) {
    StmtScope s(**option);
    s->Bind(1, poll.id);
    s->Bind(2, int64_t(i + 1));
    s->Bind(3, poll.options[i]);
    s->Bind(4, i < poll.votes.size() ? poll.votes[i] : int64_t(0));
    if (Status st = s->Run(); !st.ok()) return st;
  }
  return Status::Ok();
}

Status SqliteStore::DeletePendingPoll(Id post_id) {
  // Only a poll whose post was never published: an applied intent's poll is the post's.
  for (const char* sql : {"DELETE FROM poll_options WHERE poll_id IN (SELECT id FROM polls WHERE post_id = ?1"
                          " AND NOT EXISTS (SELECT 1 FROM posts WHERE id = ?1))",
                          "DELETE FROM polls WHERE post_id = ?1 AND NOT EXISTS (SELECT 1 FROM posts WHERE id = ?1)"}) {
    auto stmt = db_->Cached(sql);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, post_id);
    if (Status st = s->Run(); !st.ok()) return st;
  }
  return Status::Ok();
}

Result<std::vector<Poll>> SqliteStore::GetPolls(std::span<const Id> ids) {
  std::vector<Poll> out;
  // A pending post's poll is not found: its post is not published yet.
  auto head = db_->Cached(
      "SELECT id, duration_minutes, end_datetime FROM polls WHERE id = ? AND EXISTS (SELECT 1 FROM posts WHERE posts.id = polls.post_id)");
  if (!head.ok()) return head.status();
  auto options = db_->Cached("SELECT label, votes FROM poll_options WHERE poll_id = ? ORDER BY position");
  if (!options.ok()) return options.status();
  for (Id id : ids) {
    Poll poll;
    {
      StmtScope s(**head);
      s->Bind(1, id);
      auto row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) continue;
      poll.id = s->Int(0);
      poll.duration_minutes = int32_t(s->Int(1));
      poll.end_datetime = s->Int(2);
    }
    StmtScope s(**options);
    s->Bind(1, id);
    for (;;) {
      auto row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      poll.options.emplace_back(s->Text(0));
      poll.votes.push_back(s->Int(1));
    }
    out.push_back(std::move(poll));
  }
  return out;
}

}  // namespace sluice::sqlite
