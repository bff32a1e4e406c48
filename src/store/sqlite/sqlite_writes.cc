// Writes of SqliteStore: users, posts (with their tags and full-text rows), deletes, apps.
#include <algorithm>

#include "core/json_writer.h"
#include "core/text.h"
#include "store/sqlite/sqlite_store.h"

namespace sluice::sqlite {

namespace {

enum PostFlags : int64_t { kHasLinks = 1, kHasMentions = 2, kHasHashtags = 4, kHasCashtags = 8 };

}  // namespace

Status SqliteStore::InsertUser(const User& u) {
  auto stmt = db_->Cached(
      "INSERT INTO users (id, username, username_lc, name, description, location, url, created_at, verified_type,"
      " protected, labels, followers_count, following_count, tweet_count, listed_count, like_count, pinned_tweet_id,"
      " synthetic) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, u.id);
  s->Bind(2, u.username);
  s->Bind(3, rows::AsciiLower(u.username));
  s->Bind(4, u.name);
  s->Bind(5, u.description);
  s->Bind(6, u.location);
  s->Bind(7, u.url);
  s->Bind(8, u.created_at);
  s->Bind(9, VerifiedTypeName(u.verified_type));
  s->Bind(10, int64_t(u.is_protected));
  s->Bind(11, rows::JoinCommas(u.labels));
  s->Bind(12, u.metrics.followers_count);
  s->Bind(13, u.metrics.following_count);
  s->Bind(14, u.metrics.tweet_count);
  s->Bind(15, u.metrics.listed_count);
  s->Bind(16, u.metrics.like_count);
  s->Bind(17, u.pinned_tweet_id);
  s->Bind(18, int64_t(u.synthetic));
  if (Status st = s->Run(); !st.ok()) {
    if (st.code() == StatusCode::kConflict)
      return Conflict("user " + std::to_string(u.id) + " (@" + u.username + ") already exists");
    return st;
  }
  return Status::Ok();
}

Status SqliteStore::ResolveMentions(Entities& entities) {
  for (auto& m : entities.mentions) {
    if (m.id) continue;
    auto id = UserIdByUsername(rows::AsciiLower(m.username));
    if (!id.ok()) return id.status();
    m.id = *id;
  }
  return Status::Ok();
}

Status SqliteStore::InsertPostRow(const Post& post) {
  Entities entities = post.entities;
  Entities note_entities = post.note_entities;
  if (Status s = ResolveMentions(entities); !s.ok()) return s;
  if (Status s = ResolveMentions(note_entities); !s.ok()) return s;
  // Search (tags, flags, words) reads a long post's whole text.
  const bool is_long = !post.note_text.empty();
  const Entities& searched = is_long ? note_entities : entities;
  int64_t flags = 0;
  if (!searched.urls.empty()) flags |= kHasLinks;
  if (!searched.mentions.empty()) flags |= kHasMentions;
  if (!searched.hashtags.empty()) flags |= kHasHashtags;
  if (!searched.cashtags.empty()) flags |= kHasCashtags;
  std::string history;
  if (!(post.edit_history.empty() || (post.edit_history.size() == 1 && post.edit_history[0] == post.id))) {
    for (Id id : post.edit_history) history += (history.empty() ? "" : ",") + std::to_string(id);
  }

  auto stmt = db_->Cached(
      "INSERT INTO posts (id, author_id, text, created_at, lang, conversation_id, in_reply_to_user_id, replied_to_id,"
      " quoted_id, retweeted_id, flags, entities, retweet_count, reply_count, like_count, quote_count, bookmark_count,"
      " impression_count, edit_history, source, deleted_at, reply_settings, made_with_ai, paid_partnership, nullcast,"
      " poll_id, note_text, note_entities, latest_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!stmt.ok()) return stmt.status();
  {
    StmtScope s(**stmt);
    s->Bind(1, post.id);
    s->Bind(2, post.author_id);
    s->Bind(3, post.text);
    s->Bind(4, post.created_at);
    s->Bind(5, post.lang.empty() ? std::string_view("und") : std::string_view(post.lang));
    s->Bind(6, post.conversation_id ? post.conversation_id : post.id);
    s->Bind(7, post.in_reply_to_user_id);
    s->Bind(8, post.Reference(ReferenceType::kRepliedTo));
    s->Bind(9, post.Reference(ReferenceType::kQuoted));
    s->Bind(10, post.Reference(ReferenceType::kRetweeted));
    s->Bind(11, flags);
    s->Bind(12, EntitiesJson(entities));
    const PostMetrics& m = post.metrics;
    s->Bind(13, m.retweet_count);
    s->Bind(14, m.reply_count);
    s->Bind(15, m.like_count);
    s->Bind(16, m.quote_count);
    s->Bind(17, m.bookmark_count);
    s->Bind(18, m.impression_count);
    s->Bind(19, history);
    s->Bind(20, post.source);
    s->Bind(21, post.deleted_at);
    s->Bind(22, ReplySettingsName(post.reply_settings));
    s->Bind(23, int64_t(post.made_with_ai));
    s->Bind(24, int64_t(post.paid_partnership));
    s->Bind(25, int64_t(post.nullcast));
    s->Bind(26, post.poll ? std::optional<int64_t>(post.poll->id) : std::nullopt);
    s->Bind(27, post.note_text);
    s->Bind(28, is_long ? EntitiesJson(note_entities) : std::string());
    s->Bind(29, post.IsEarlierVersion() ? std::optional<Id>(post.edit_history.back()) : std::nullopt);
    if (Status st = s->Run(); !st.ok()) {
      if (st.code() == StatusCode::kConflict) return Conflict("post " + std::to_string(post.id) + " already exists");
      return st;
    }
  }

  if (post.poll && !post.poll->options.empty())
    if (Status st = InsertPollRows(post); !st.ok()) return st;

  auto tag = db_->Cached("INSERT OR IGNORE INTO post_tags (kind, value, post_id) VALUES (?, ?, ?)");
  if (!tag.ok()) return tag.status();
  auto add_tag = [&](std::string_view kind, std::string_view value) {
    StmtScope s(**tag);
    s->Bind(1, kind);
    s->Bind(2, rows::AsciiLower(value));
    s->Bind(3, post.id);
    return s->Run();
  };
  for (const auto& h : searched.hashtags)
    if (Status st = add_tag("h", h.tag); !st.ok()) return st;
  for (const auto& c : searched.cashtags)
    if (Status st = add_tag("c", c.tag); !st.ok()) return st;
  for (const auto& mention : searched.mentions)
    if (Status st = add_tag("m", mention.username); !st.ok()) return st;

  std::string urls;
  for (const auto& u : searched.urls) urls += (urls.empty() ? "" : " ") + u.expanded_url;
  auto fts = db_->Cached("INSERT INTO posts_fts (rowid, text, urls) VALUES (?, ?, ?)");
  if (!fts.ok()) return fts.status();
  StmtScope s(**fts);
  s->Bind(1, post.id);
  s->Bind(2, is_long ? post.note_text : post.text);
  s->Bind(3, urls);
  return s->Run();
}

Status SqliteStore::Atomically(const std::function<Status()>& fn) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  if (Status s = fn(); !s.ok()) return s;
  return tx->Commit();
}

Status SqliteStore::Apply(const WriteBatch& batch) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  for (const auto& u : batch.users)
    if (Status s = InsertUser(u); !s.ok()) return s;
  for (const auto& p : batch.posts)
    if (Status s = InsertPostRow(p); !s.ok()) return s;
  if (Status s = InsertEdges(batch); !s.ok()) return s;
  for (const auto& [user_id, password] : batch.passwords)
    if (auto set = SetUserPassword(user_id, password.hash, password.set_at); !set.ok()) return set.status();
  return tx->Commit();
}

Status SqliteStore::InsertPostAndCounts(const Post& post) {
  if (Status s = InsertPostRow(post); !s.ok()) return s;
  auto bump = [&](const char* sql, Id id) -> Status {
    auto stmt = db_->Cached(sql);
    if (!stmt.ok()) return stmt.status();
    StmtScope s(**stmt);
    s->Bind(1, id);
    return s->Run();
  };
  if (auto id = post.Reference(ReferenceType::kRepliedTo))
    if (Status s = bump("UPDATE posts SET reply_count = reply_count + 1 WHERE id = ?", *id); !s.ok()) return s;
  if (auto id = post.Reference(ReferenceType::kQuoted))
    if (Status s = bump("UPDATE posts SET quote_count = quote_count + 1 WHERE id = ?", *id); !s.ok()) return s;
  if (auto id = post.Reference(ReferenceType::kRetweeted))
    if (Status s = bump("UPDATE posts SET retweet_count = retweet_count + 1 WHERE id = ?", *id); !s.ok()) return s;
  return bump("UPDATE users SET tweet_count = tweet_count + 1 WHERE id = ?", post.author_id);
}

Status SqliteStore::InsertPost(Post& post) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  if (Status s = ResolveParent(*this, post); !s.ok()) return s;
  if (Status s = InsertPostAndCounts(post); !s.ok()) return s;
  return tx->Commit();
}

Status SqliteStore::DeletePost(Id id, TimeMs at) {
  auto tx = Transaction::Begin(*db_);
  if (!tx.ok()) return tx.status();
  auto stmt = db_->Cached("UPDATE posts SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
  if (!stmt.ok()) return stmt.status();
  {
    StmtScope s(**stmt);
    s->Bind(1, at);
    s->Bind(2, id);
    if (Status st = s->Run(); !st.ok()) return st;
  }
  if (db_->Changes() == 0) return NotFound("Could not find tweet with id: [" + std::to_string(id) + "].");
  if (Status st = DeleteEditChain(id, at); !st.ok()) return st;
  return tx->Commit();
}

Status SqliteStore::DeleteEditChain(Id id, TimeMs at) {
  // The chain is named by its latest version: the post's latest_id, or the post itself.
  auto stmt = db_->Cached(
      "WITH chain(latest) AS (SELECT coalesce(latest_id, id) FROM posts WHERE id = ?)"
      " UPDATE posts SET deleted_at = ? WHERE deleted_at IS NULL AND"
      " (id IN (SELECT latest FROM chain) OR latest_id IN (SELECT latest FROM chain))");
  if (!stmt.ok()) return stmt.status();
  StmtScope s(**stmt);
  s->Bind(1, id);
  s->Bind(2, at);
  return s->Run();
}

Status SqliteStore::InsertTrap(const StoredTrap& trap, const User& author) {
  return Atomically([&]() -> Status {
    auto known = GetUsers(std::span<const Id>(&author.id, 1));
    if (!known.ok()) return known.status();
    if (known->empty())
      if (Status st = InsertUser(author); !st.ok()) return st;
    // Indexed as InsertPostRow indexes a post, in the traps' own tables (schema.cc, 10).
    Entities entities = ExtractEntities(trap.text);
    if (Status st = ResolveMentions(entities); !st.ok()) return st;
    int64_t flags = 0;
    if (!entities.urls.empty()) flags |= kHasLinks;
    if (!entities.mentions.empty()) flags |= kHasMentions;
    if (!entities.hashtags.empty()) flags |= kHasHashtags;
    if (!entities.cashtags.empty()) flags |= kHasCashtags;
    auto s = db_->Prepare(
        "INSERT INTO trap_posts (id, app_id, counter, author_id, text, lang, created_at, marker, flags, entities,"
        " retweet_count, reply_count, like_count, quote_count, bookmark_count, impression_count)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!s.ok()) return s.status();
    s->Bind(1, trap.id);
    s->Bind(2, trap.app_id);
    s->Bind(3, int64_t(trap.counter));
    s->Bind(4, trap.author_id);
    s->Bind(5, trap.text);
    s->Bind(6, trap.lang);
    s->Bind(7, trap.created_at);
    s->Bind(8, trap.marker);
    s->Bind(9, flags);
    s->Bind(10, EntitiesJson(entities));
    const PostMetrics& m = trap.metrics;
    s->Bind(11, m.retweet_count);
    s->Bind(12, m.reply_count);
    s->Bind(13, m.like_count);
    s->Bind(14, m.quote_count);
    s->Bind(15, m.bookmark_count);
    s->Bind(16, m.impression_count);
    if (Status st = s->Run(); !st.ok()) return st;
    auto tag = db_->Cached("INSERT OR IGNORE INTO trap_tags (kind, value, post_id) VALUES (?, ?, ?)");
    if (!tag.ok()) return tag.status();
    auto add_tag = [&](std::string_view kind, std::string_view value) {
      StmtScope t(**tag);
      t->Bind(1, kind);
      t->Bind(2, rows::AsciiLower(value));
      t->Bind(3, trap.id);
      return t->Run();
    };
    for (const auto& h : entities.hashtags)
      if (Status st = add_tag("h", h.tag); !st.ok()) return st;
    for (const auto& c : entities.cashtags)
      if (Status st = add_tag("c", c.tag); !st.ok()) return st;
    for (const auto& mention : entities.mentions)
      if (Status st = add_tag("m", mention.username); !st.ok()) return st;
    std::string urls;
    for (const auto& u : entities.urls) urls += (urls.empty() ? "" : " ") + u.expanded_url;
    auto fts = db_->Cached("INSERT INTO trap_fts (rowid, text, urls) VALUES (?, ?, ?)");
    if (!fts.ok()) return fts.status();
    StmtScope f(**fts);
    f->Bind(1, trap.id);
    f->Bind(2, trap.text);
    f->Bind(3, urls);
    return f->Run();
  });
}

Result<Id> SqliteStore::CreateProject(std::string_view name, TimeMs at) {
  // The cycle starts on the day of the month the project was created (28 at most, as X).
  auto s = db_->Prepare(
      "INSERT INTO projects (name, created_at, cap_reset_day) VALUES (?, ?, min(28, CAST(strftime('%d', ? / 1000, 'unixepoch') AS INTEGER)))");
  if (!s.ok()) return s.status();
  s->Bind(1, name);
  s->Bind(2, at);
  s->Bind(3, at);
  if (Status st = s->Run(); !st.ok()) return st;
  return Id(sqlite3_last_insert_rowid(db_->raw()));
}

Status SqliteStore::AddCredits(Id project_id, int64_t micro_usd, TimeMs at) {
  auto s = db_->Prepare("INSERT INTO credits (project_id, micro_usd, added_at) VALUES (?, ?, ?)");
  if (!s.ok()) return s.status();
  s->Bind(1, project_id);
  s->Bind(2, micro_usd);
  s->Bind(3, at);
  return s->Run();
}

Status SqliteStore::InsertApp(const App& app, std::string_view token_hash) {
  auto s = db_->Prepare(
      "INSERT INTO apps (id, project_id, name, plan, uses, user_id, token_hash, created_at) VALUES (?,?,?,?,?,?,?,?)");
  if (!s.ok()) return s.status();
  s->Bind(1, app.id);
  s->Bind(2, app.project_id);
  s->Bind(3, app.name);
  s->Bind(4, app.plan);
  s->Bind(5, rows::JoinCommas(app.uses));
  s->Bind(6, app.user_id);
  s->BindBlob(7, token_hash);
  s->Bind(8, app.created_at);
  return s->Run();
}

}  // namespace sluice::sqlite
