// Write intents of SqliteStore: a post or deletion noted before its ledger record, applied
// after it (docs/ledger.md, "Writes and crashes").
#include "core/long_post.h"
#include "core/text.h"
#include "store/graph_sql.h"
#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

Status SqliteStore::NotePendingPost(Post& post, uint64_t ledger_size) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  if (Status s = ResolveParent(*this, post); !s.ok()) return s;
  auto s = db_->Cached(
      "INSERT INTO write_intents (post_id, kind, ledger_size, at, author_id, text, lang, conversation_id,"
      " in_reply_to_user_id, replied_to_id, quoted_id, source, reply_settings, made_with_ai, paid_partnership, nullcast,"
      " poll_id, retweeted_id) VALUES (?, 'post', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  {
    StmtScope st(**s);
    st->Bind(1, post.id);
    st->Bind(2, int64_t(ledger_size));
    st->Bind(3, post.created_at);
    st->Bind(4, post.author_id);
    st->Bind(5, post.text);
    st->Bind(6, post.lang.empty() ? std::string_view("und") : std::string_view(post.lang));
    st->Bind(7, post.conversation_id);
    st->Bind(8, post.in_reply_to_user_id);
    st->Bind(9, post.Reference(ReferenceType::kRepliedTo));
    st->Bind(10, post.Reference(ReferenceType::kQuoted));
    st->Bind(11, post.source);
    st->Bind(12, ReplySettingsName(post.reply_settings));
    st->Bind(13, int64_t(post.made_with_ai));
    st->Bind(14, int64_t(post.paid_partnership));
    st->Bind(15, int64_t(post.nullcast));
    st->Bind(16, post.poll ? std::optional<int64_t>(post.poll->id) : std::nullopt);
    st->Bind(17, post.Reference(ReferenceType::kRetweeted));
    if (Status r = st->Run(); !r.ok()) {
      if (r.code() == StatusCode::kConflict) return Conflict("post " + std::to_string(post.id) + " already exists");
      return r;
    }
  }
  if (post.poll)
    if (Status r = InsertPollRows(post); !r.ok()) return r;
  return tx->Commit();
}

Status SqliteStore::NoteDeletion(Id id, TimeMs at, uint64_t ledger_size) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto not_found = [&] { return NotFound("Could not find tweet with id: [" + std::to_string(id) + "]."); };
  // Live, and not already being deleted: checked in the transaction that notes the intent, so
  // two concurrent deletions of one post cannot both be noted.
  auto live = db_->Cached(
      "SELECT 1 FROM posts WHERE id = ? AND deleted_at IS NULL AND NOT EXISTS"
      " (SELECT 1 FROM write_intents WHERE post_id = ?)");
  if (!live.ok()) return live.status();
  {
    StmtScope st(**live);
    st->Bind(1, id);
    st->Bind(2, id);
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return not_found();
  }
  auto s = db_->Cached("INSERT INTO write_intents (post_id, kind, ledger_size, at) VALUES (?, 'delete', ?, ?)");
  if (!s.ok()) return s.status();
  {
    StmtScope st(**s);
    st->Bind(1, id);
    st->Bind(2, int64_t(ledger_size));
    st->Bind(3, at);
    if (Status r = st->Run(); !r.ok()) return r;
  }
  return tx->Commit();
}

Status SqliteStore::ApplyIntent(Id post_id) {
  // Applied after its ledger record is durable: should an OS crash lose this commit, the
  // intent (committed with a sync) is applied again at start. So no sync here, which saves
  // a write one of its two fsyncs; a process crash (kill -9) loses nothing either way (WAL).
  // The setting is per connection and cannot change inside a transaction.
  const bool outermost = !db_->InTransaction();
  if (outermost)
    if (Status s = db_->Exec("PRAGMA synchronous=NORMAL"); !s.ok()) return s;
  Status s = ApplyIntentTx(post_id);
  if (outermost)
    if (Status r = db_->Exec("PRAGMA synchronous=FULL"); !r.ok() && s.ok()) return r;
  return s;
}

Status SqliteStore::ApplyIntentTx(Id post_id) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto s = db_->Cached(
      "SELECT kind, at, author_id, text, lang, conversation_id, in_reply_to_user_id, replied_to_id, quoted_id, source,"
      " reply_settings, made_with_ai, paid_partnership, nullcast, poll_id, retweeted_id FROM write_intents WHERE post_id = ?");
  if (!s.ok()) return s.status();
  bool deletion = false;
  TimeMs at = 0;
  Post post;
  {
    StmtScope st(**s);
    st->Bind(1, post_id);
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return NotFound("no write intent for post " + std::to_string(post_id));
    deletion = st->Text(0) == "delete";
    at = st->Int(1);
    if (!deletion) {
      post.id = post_id;
      post.created_at = at;
      post.author_id = st->Int(2);
      post.text = st->Text(3);
      post.lang = st->Text(4);
      post.conversation_id = st->Int(5);
      post.in_reply_to_user_id = st->OptInt(6);
      if (auto parent = st->OptInt(7)) post.referenced.push_back({ReferenceType::kRepliedTo, *parent});
      if (auto quoted = st->OptInt(8)) post.referenced.push_back({ReferenceType::kQuoted, *quoted});
      if (auto reposted = st->OptInt(15)) post.referenced.push_back({ReferenceType::kRetweeted, *reposted});
      post.source = st->Text(9);
      // NULL in intents noted before these columns: the defaults.
      if (!st->IsNull(10)) post.reply_settings = ParseReplySettings(st->Text(10)).value_or(ReplySettings::kEveryone);
      post.made_with_ai = st->OptInt(11).value_or(0) != 0;
      post.paid_partnership = st->OptInt(12).value_or(0) != 0;
      post.nullcast = st->OptInt(13).value_or(0) != 0;
      if (auto poll = st->OptInt(14)) post.poll = Poll{.id = *poll};  // its rows were written with the intent
      post.edit_history = {post_id};
      post.entities = ExtractEntities(post.text);
      MakeLongPost(post);  // over 280 when posts.max_chars allows it: served as X serves one
    }
  }
  if (deletion) {
    // The post may have gone meanwhile only through another path (an import); then there is
    // nothing left to delete, and the intent is done all the same.
    auto del = db_->Cached("UPDATE posts SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
    if (!del.ok()) return del.status();
    {
      StmtScope st(**del);
      st->Bind(1, at);
      st->Bind(2, post_id);
      if (Status r = st->Run(); !r.ok()) return r;
    }
    if (db_->Changes() > 0) {
      // A repost gone takes its count from the post it reposted (DELETE /2/users/:id/retweets/...).
      auto count = db_->Cached(kUncountRepostSql);
      if (!count.ok()) return count.status();
      StmtScope st(**count);
      st->Bind(1, post_id);
      if (Status r = st->Run(); !r.ok()) return r;
    }
    if (Status r = DeleteEditChain(post_id, at); !r.ok()) return r;
  } else if (Status r = InsertPostAndCounts(post); !r.ok()) {
    return r;
  }
  if (Status r = DeleteIntentRow(post_id); !r.ok()) return r;
  return tx->Commit();
}

Status SqliteStore::DropIntent(Id post_id) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  if (Status r = DeletePendingPoll(post_id); !r.ok()) return r;
  if (Status r = DeleteIntentRow(post_id); !r.ok()) return r;
  return tx->Commit();
}

Status SqliteStore::DeleteIntentRow(Id post_id) {
  auto s = db_->Cached("DELETE FROM write_intents WHERE post_id = ?");
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->Bind(1, post_id);
  return st->Run();
}

Result<std::vector<WriteIntent>> SqliteStore::ListIntents() {
  auto s = db_->Prepare("SELECT post_id, kind, ledger_size FROM write_intents ORDER BY post_id");
  if (!s.ok()) return s.status();
  std::vector<WriteIntent> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    WriteIntent w;
    w.post_id = s->Int(0);
    w.kind = s->Text(1) == "delete" ? WriteIntent::Kind::kDelete : WriteIntent::Kind::kPost;
    w.ledger_size = uint64_t(s->Int(2));
    out.push_back(w);
  }
}

Status SqliteStore::NoteAction(const ActionIntent& a) {
  auto s = db_->Cached("INSERT INTO action_intents (id, kind, user_id, target_id, ledger_size) VALUES (?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->Bind(1, a.id);
  st->Bind(2, ActionKindName(a.kind));
  st->Bind(3, a.user_id);
  st->Bind(4, a.target_id);
  st->Bind(5, int64_t(a.ledger_size));
  if (Status r = st->Run(); !r.ok()) {
    if (r.code() == StatusCode::kConflict) return Conflict("action " + std::to_string(a.id) + " already noted");
    return r;
  }
  return Status::Ok();
}

Status SqliteStore::ApplyAction(Id id) {
  // Not synced, as ApplyIntent: the intent is, and is applied again at start if this is lost.
  const bool outermost = !db_->InTransaction();
  if (outermost)
    if (Status s = db_->Exec("PRAGMA synchronous=NORMAL"); !s.ok()) return s;
  Status s = ApplyActionTx(id);
  if (outermost)
    if (Status r = db_->Exec("PRAGMA synchronous=FULL"); !r.ok() && s.ok()) return r;
  return s;
}

Status SqliteStore::ApplyActionTx(Id id) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  ActionIntent a;
  {
    auto s = db_->Cached("SELECT kind, user_id, target_id FROM action_intents WHERE id = ?");
    if (!s.ok()) return s.status();
    StmtScope st(**s);
    st->Bind(1, id);
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return NotFound("no action intent " + std::to_string(id));
    auto kind = ParseActionKind(st->Text(0));
    if (!kind) return InternalError("action intent " + std::to_string(id) + ": unknown kind");
    a.kind = *kind;
    a.user_id = st->Int(1);
    a.target_id = st->Int(2);
  }
  const ActionStatements& sql = ActionSql(a.kind);
  {
    auto s = db_->Cached(sql.change);
    if (!s.ok()) return s.status();
    StmtScope st(**s);
    if (sql.target_only) {
      st->Bind(1, a.target_id);
    } else {
      st->Bind(1, a.user_id);
      st->Bind(2, a.target_id);
    }
    if (Status r = st->Run(); !r.ok()) return r;
  }
  if (db_->Changes() > 0) {
    for (const auto& c : sql.counts) {
      if (!c.sql) continue;
      auto s = db_->Cached(c.sql);
      if (!s.ok()) return s.status();
      StmtScope st(**s);
      st->Bind(1, c.on_target ? a.target_id : a.user_id);
      if (Status r = st->Run(); !r.ok()) return r;
    }
  }
  if (Status r = DropActionRow(id); !r.ok()) return r;
  return tx->Commit();
}

Status SqliteStore::DropAction(Id id) { return DropActionRow(id); }

Status SqliteStore::DropActionRow(Id id) {
  auto s = db_->Cached("DELETE FROM action_intents WHERE id = ?");
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->Bind(1, id);
  return st->Run();
}

Result<std::vector<ActionIntent>> SqliteStore::ListActions() {
  auto s = db_->Prepare("SELECT id, kind, user_id, target_id, ledger_size FROM action_intents ORDER BY id");
  if (!s.ok()) return s.status();
  std::vector<ActionIntent> out;
  for (;;) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    auto kind = ParseActionKind(s->Text(1));
    if (!kind) return InternalError("action intent " + std::to_string(s->Int(0)) + ": unknown kind");
    out.push_back({s->Int(0), *kind, s->Int(2), s->Int(3), uint64_t(s->Int(4))});
  }
}

Result<bool> SqliteStore::Related(Relation relation, Id user_id, Id target_id) {
  auto s = db_->Cached(relation == Relation::kLikes ? "SELECT 1 FROM likes WHERE post_id = ? AND user_id = ?"
                                                    : "SELECT 1 FROM follows WHERE followee_id = ? AND follower_id = ?");
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->Bind(1, target_id);
  st->Bind(2, user_id);
  auto row = st->Step();
  if (!row.ok()) return row.status();
  return *row;
}

Result<std::vector<Id>> SqliteStore::RepostsBy(Id user_id, Id post_id) {
  auto s = db_->Cached(kRepostsBySql);
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->Bind(1, post_id);
  st->Bind(2, user_id);
  std::vector<Id> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(st->Int(0));
  }
}

Result<bool> SqliteStore::IsHidden(Id post_id) {
  auto s = db_->Cached("SELECT hidden FROM posts WHERE id = ?");
  if (!s.ok()) return s.status();
  StmtScope st(**s);
  st->Bind(1, post_id);
  auto row = st->Step();
  if (!row.ok()) return row.status();
  return *row && st->Int(0) != 0;
}

}  // namespace sluice::sqlite
