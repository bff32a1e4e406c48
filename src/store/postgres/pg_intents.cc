// PostgresStore: write intents (docs/ledger.md, "Writes and crashes"), polls and the social
// graph, as the SQLite store has them (sqlite_intents.cc, sqlite_polls.cc, sqlite_graph.cc).
#include <algorithm>

#include "core/long_post.h"
#include "core/text.h"
#include "store/graph_sql.h"
#include "store/postgres/pg_listener.h"
#include "store/postgres/pg_store_rows.h"
#include "store/postgres/postgres_store.h"

namespace sluice::pg {

Status PostgresStore::NotePendingPost(Post& post, uint64_t ledger_size) {
  return Write([&]() -> Status {
    if (Status s = ResolveParent(*this, post); !s.ok()) return s;
    auto rows = Query(
        "INSERT INTO write_intents (post_id, kind, ledger_size, at, author_id, text, lang, conversation_id,"
        " in_reply_to_user_id, replied_to_id, quoted_id, source, reply_settings, made_with_ai, paid_partnership,"
        " nullcast, poll_id, retweeted_id) VALUES (?, 'post', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        Params()
            .Add(post.id)
            .Add(int64_t(ledger_size))
            .Add(post.created_at)
            .Add(post.author_id)
            .Add(post.text)
            .Add(post.lang.empty() ? std::string_view("und") : std::string_view(post.lang))
            .Add(post.conversation_id)
            .Add(post.in_reply_to_user_id)
            .Add(post.Reference(ReferenceType::kRepliedTo))
            .Add(post.Reference(ReferenceType::kQuoted))
            .Add(post.source)
            .Add(ReplySettingsName(post.reply_settings))
            .Add(int64_t(post.made_with_ai))
            .Add(int64_t(post.paid_partnership))
            .Add(int64_t(post.nullcast))
            .Add(post.poll ? std::optional<int64_t>(post.poll->id) : std::nullopt)
            .Add(post.Reference(ReferenceType::kRetweeted)));
    if (!rows.ok()) {
      if (rows.status().code() == StatusCode::kConflict)
        return Conflict("post " + std::to_string(post.id) + " already exists");
      return rows.status();
    }
    if (!post.poll) return Status::Ok();
    Writes w;
    AddPollRows(post, w);
    return Run(w);
  });
}

Status PostgresStore::NoteDeletion(Id id, TimeMs at, uint64_t ledger_size) {
  return Write([&]() -> Status {
    // The post locked while the intent is noted, and the intent inserted only when none is
    // there: two concurrent deletions of one post cannot both be noted.
    auto rows = Query(
        "WITH live AS (SELECT id FROM posts WHERE id = ? AND deleted_at IS NULL FOR UPDATE)"
        " INSERT INTO write_intents (post_id, kind, ledger_size, at) SELECT id, 'delete', ?, ? FROM live"
        " ON CONFLICT (post_id) DO NOTHING",
        Params().Add(id).Add(int64_t(ledger_size)).Add(at));
    if (!rows.ok()) return rows.status();
    if (rows->Affected() == 0) return NotFound("Could not find tweet with id: [" + std::to_string(id) + "].");
    return Status::Ok();
  });
}

Status PostgresStore::ApplyIntent(Id post_id) {
  // Durable like every other commit, unlike the SQLite store's (synchronous=NORMAL there): an
  // intent lost with its apply is applied again only when sluice starts, and PostgreSQL may
  // crash and come back under a running sluice, which would then serve an acknowledged post
  // as missing until its own restart.
  return Write([&] { return ApplyIntentTx(post_id); });
}

Status PostgresStore::ApplyIntentTx(Id post_id) {
  auto rows = Query(
      "SELECT kind, at, author_id, text, lang, conversation_id, in_reply_to_user_id, replied_to_id, quoted_id, source,"
      " reply_settings, made_with_ai, paid_partnership, nullcast, poll_id, retweeted_id FROM write_intents"
      " WHERE post_id = ? FOR UPDATE",
      Params().Add(post_id));
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return NotFound("no write intent for post " + std::to_string(post_id));
  Row r{*rows, 0};
  const bool deletion = r.Text(0) == "delete";
  const TimeMs at = r.Int(1);
  if (deletion) {
    auto del = Query("UPDATE posts SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", Params().Add(at).Add(post_id));
    if (!del.ok()) return del.status();
    if (del->Affected() > 0) {
      // A repost gone takes its count from the post it reposted.
      auto count = Query(kUncountRepostSql, Params().Add(post_id));
      if (!count.ok()) return count.status();
    }
    if (Status s = DeleteEditChain(post_id, at); !s.ok()) return s;
  } else {
    Post post;
    post.id = post_id;
    post.created_at = at;
    post.author_id = r.Int(2);
    post.text = r.Text(3);
    post.lang = r.Text(4);
    post.conversation_id = r.Int(5);
    post.in_reply_to_user_id = r.OptInt(6);
    if (auto parent = r.OptInt(7)) post.referenced.push_back({ReferenceType::kRepliedTo, *parent});
    if (auto quoted = r.OptInt(8)) post.referenced.push_back({ReferenceType::kQuoted, *quoted});
    if (auto reposted = r.OptInt(15)) post.referenced.push_back({ReferenceType::kRetweeted, *reposted});
    post.source = r.Text(9);
    if (!r.IsNull(10)) post.reply_settings = ParseReplySettings(r.Text(10)).value_or(ReplySettings::kEveryone);
    post.made_with_ai = r.OptInt(11).value_or(0) != 0;
    post.paid_partnership = r.OptInt(12).value_or(0) != 0;
    post.nullcast = r.OptInt(13).value_or(0) != 0;
    if (auto poll = r.OptInt(14)) post.poll = Poll{.id = *poll};  // its rows were written with the intent
    post.edit_history = {post_id};
    post.entities = ExtractEntities(post.text);
    MakeLongPost(post);
    if (Status s = InsertPostAndCounts(post); !s.ok()) return s;
  }
  // Every node's streams learn of it when (and only if) this commits (pg_listener.h).
  auto notify = Query("SELECT pg_notify(?, ?)",
                      Params().Add(kPostChangesChannel).Add(PostChangePayload({post_id, deletion, at})));
  if (!notify.ok()) return notify.status();
  auto del = Query("DELETE FROM write_intents WHERE post_id = ?", Params().Add(post_id));
  return del.ok() ? Status::Ok() : del.status();
}

Result<std::unique_ptr<ChangeFeed>> PostgresStore::ListenForPostChanges(std::function<void(const PostChange&)> on_change) {
  auto l = PostChangeListener::Start(pool_->url(), std::move(on_change));
  if (!l.ok()) return l.status();
  return std::unique_ptr<ChangeFeed>(std::move(*l));
}

Status PostgresStore::DropIntent(Id post_id) {
  return Write([&]() -> Status {
    if (Status s = DeletePendingPoll(post_id); !s.ok()) return s;
    auto del = Query("DELETE FROM write_intents WHERE post_id = ?", Params().Add(post_id));
    return del.ok() ? Status::Ok() : del.status();
  });
}

Result<std::vector<WriteIntent>> PostgresStore::ListIntents() {
  auto rows = Query("SELECT post_id, kind, ledger_size FROM write_intents ORDER BY post_id");
  if (!rows.ok()) return rows.status();
  std::vector<WriteIntent> out;
  for (int i = 0; i < rows->size(); ++i) {
    WriteIntent w;
    w.post_id = rows->Int(i, 0);
    w.kind = rows->Text(i, 1) == "delete" ? WriteIntent::Kind::kDelete : WriteIntent::Kind::kPost;
    w.ledger_size = uint64_t(rows->Int(i, 2));
    out.push_back(w);
  }
  return out;
}

Status PostgresStore::NoteAction(const ActionIntent& a) {
  return Write([&]() -> Status {
    auto rows = Query("INSERT INTO action_intents (id, kind, user_id, target_id, ledger_size) VALUES (?, ?, ?, ?, ?)",
                      Params()
                          .Add(a.id)
                          .Add(ActionKindName(a.kind))
                          .Add(a.user_id)
                          .Add(a.target_id)
                          .Add(int64_t(a.ledger_size)));
    if (!rows.ok() && rows.status().code() == StatusCode::kConflict)
      return Conflict("action " + std::to_string(a.id) + " already noted");
    return rows.ok() ? Status::Ok() : rows.status();
  });
}

Status PostgresStore::ApplyAction(Id id) {
  return Write([&]() -> Status {
    auto rows = Query("SELECT kind, user_id, target_id FROM action_intents WHERE id = ? FOR UPDATE", Params().Add(id));
    if (!rows.ok()) return rows.status();
    if (rows->size() == 0) return NotFound("no action intent " + std::to_string(id));
    auto kind = ParseActionKind(rows->Text(0, 0));
    if (!kind) return InternalError("action intent " + std::to_string(id) + ": unknown kind");
    const Id user = rows->Int(0, 1), target = rows->Int(0, 2);
    const ActionStatements& sql = ActionSql(*kind);
    auto changed = Query(sql.change, sql.target_only ? Params().Add(target) : Params().Add(user).Add(target));
    if (!changed.ok()) return changed.status();
    if (changed->Affected() > 0) {
      for (const auto& c : sql.counts) {
        if (!c.sql) continue;
        auto counted = Query(c.sql, Params().Add(c.on_target ? target : user));
        if (!counted.ok()) return counted.status();
      }
    }
    auto del = Query("DELETE FROM action_intents WHERE id = ?", Params().Add(id));
    return del.ok() ? Status::Ok() : del.status();
  });
}

Status PostgresStore::DropAction(Id id) {
  return Write([&]() -> Status {
    auto del = Query("DELETE FROM action_intents WHERE id = ?", Params().Add(id));
    return del.ok() ? Status::Ok() : del.status();
  });
}

Result<std::vector<ActionIntent>> PostgresStore::ListActions() {
  auto rows = Query("SELECT id, kind, user_id, target_id, ledger_size FROM action_intents ORDER BY id");
  if (!rows.ok()) return rows.status();
  std::vector<ActionIntent> out;
  for (int i = 0; i < rows->size(); ++i) {
    auto kind = ParseActionKind(rows->Text(i, 1));
    if (!kind) return InternalError("action intent " + std::to_string(rows->Int(i, 0)) + ": unknown kind");
    out.push_back({rows->Int(i, 0), *kind, rows->Int(i, 2), rows->Int(i, 3), uint64_t(rows->Int(i, 4))});
  }
  return out;
}

Result<bool> PostgresStore::Related(Relation relation, Id user_id, Id target_id) {
  auto rows = Query(relation == Relation::kLikes ? "SELECT 1 FROM likes WHERE post_id = ? AND user_id = ?"
                                                 : "SELECT 1 FROM follows WHERE followee_id = ? AND follower_id = ?",
                    Params().Add(target_id).Add(user_id));
  if (!rows.ok()) return rows.status();
  return rows->size() > 0;
}

Result<std::vector<Id>> PostgresStore::RepostsBy(Id user_id, Id post_id) {
  auto rows = Query(kRepostsBySql, Params().Add(post_id).Add(user_id));
  if (!rows.ok()) return rows.status();
  std::vector<Id> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(rows->Int(i, 0));
  return out;
}

Result<bool> PostgresStore::IsHidden(Id post_id) {
  auto rows = Query("SELECT hidden FROM posts WHERE id = ?", Params().Add(post_id));
  if (!rows.ok()) return rows.status();
  return rows->size() > 0 && rows->Int(0, 0) != 0;
}

void PostgresStore::AddPollRows(const Post& post, Writes& w) {
  const Poll& poll = *post.poll;
  w.Add("INSERT INTO polls (id, post_id, duration_minutes, end_datetime) VALUES (?, ?, ?, ?)",
        Params().Add(poll.id).Add(post.id).Add(int64_t(poll.duration_minutes)).Add(poll.end_datetime),
        "poll " + std::to_string(poll.id) + " already exists");
  for (size_t i = 0; i < poll.options.size(); ++i)
    w.Add("INSERT INTO poll_options (poll_id, position, label, votes) VALUES (?, ?, ?, ?)",
          Params().Add(poll.id).Add(int64_t(i + 1)).Add(poll.options[i]).Add(i < poll.votes.size() ? poll.votes[i] : int64_t(0)));
}

Status PostgresStore::DeletePendingPoll(Id post_id) {
  // Only a poll whose post was never published: an applied intent's poll is the post's.
  for (const char* sql : {"DELETE FROM poll_options WHERE poll_id IN (SELECT id FROM polls WHERE post_id = ?"
                          " AND NOT EXISTS (SELECT 1 FROM posts WHERE id = ?))",
                          "DELETE FROM polls WHERE post_id = ? AND NOT EXISTS (SELECT 1 FROM posts WHERE id = ?)"}) {
    auto rows = Query(sql, Params().Add(post_id).Add(post_id));
    if (!rows.ok()) return rows.status();
  }
  return Status::Ok();
}


Result<std::vector<GraphEdge>> PostgresStore::Graph(GraphList list, Id of, const PageRequest& page) {
  const GraphStatement q = GraphSql(list, page);
  auto rows = Query(q.sql, Params().Add(of).Add(q.lo).Add(q.hi).Add(int64_t(page.limit) + 1));
  if (!rows.ok()) return rows.status();
  std::vector<GraphEdge> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back({rows->Int(i, 0), rows->Int(i, 1)});
  if (q.newer) std::reverse(out.begin(), out.end());
  return out;
}

void PostgresStore::AddEdges(const WriteBatch& batch, Writes& w) {
  for (const Follow& f : batch.follows)
    w.Add("INSERT INTO follows (follower_id, followee_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
          Params().Add(f.follower_id).Add(f.followee_id));
  for (const Like& l : batch.likes)
    w.Add("INSERT INTO likes (user_id, post_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
          Params().Add(l.user_id).Add(l.post_id));
}

}  // namespace sluice::pg
