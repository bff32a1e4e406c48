// Writes of PostgresStore: users, posts (with their tags and search vectors), deletes, traps,
// projects and apps. Each public write is one transaction (a savepoint inside Atomically).
#include "core/json_writer.h"
#include "core/text.h"
#include "store/postgres/pg_search.h"
#include "store/postgres/pg_store_rows.h"
#include "store/postgres/postgres_store.h"

namespace sluice::pg {

namespace {

enum PostFlags : int64_t { kHasLinks = 1, kHasMentions = 2, kHasHashtags = 4, kHasCashtags = 8 };

int64_t FlagsOf(const Entities& e) {
  int64_t flags = 0;
  if (!e.urls.empty()) flags |= kHasLinks;
  if (!e.mentions.empty()) flags |= kHasMentions;
  if (!e.hashtags.empty()) flags |= kHasHashtags;
  if (!e.cashtags.empty()) flags |= kHasCashtags;
  return flags;
}

std::string UrlsOf(const Entities& e) {
  std::string urls;
  for (const auto& u : e.urls) urls += (urls.empty() ? "" : " ") + u.expanded_url;
  return urls;
}

}  // namespace

void PostgresStore::AddUser(const User& u, Writes& w) {
  w.Add("INSERT INTO users (id, username, username_lc, name, description, location, url, created_at, verified_type,"
        " protected, labels, followers_count, following_count, tweet_count, listed_count, like_count, pinned_tweet_id,"
        " synthetic, search) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?::tsvector)",
        Params()
            .Add(u.id)
            .Add(u.username)
            .Add(AsciiLower(u.username))
            .Add(u.name)
            .Add(u.description)
            .Add(u.location)
            .Add(u.url)
            .Add(u.created_at)
            .Add(VerifiedTypeName(u.verified_type))
            .Add(int64_t(u.is_protected))
            .Add(JoinCommas(u.labels))
            .Add(u.metrics.followers_count)
            .Add(u.metrics.following_count)
            .Add(u.metrics.tweet_count)
            .Add(u.metrics.listed_count)
            .Add(u.metrics.like_count)
            .Add(u.pinned_tweet_id)
            .Add(int64_t(u.synthetic))
            .Add(SearchVector({{u.username, 'A'}, {u.name, 'B'}, {u.description, 'C'}})),
        "user " + std::to_string(u.id) + " (@" + u.username + ") already exists");
  w.pending_users[AsciiLower(u.username)] = u.id;
}

Status PostgresStore::InsertUser(const User& u) {
  Writes w;
  AddUser(u, w);
  return Run(w);
}

Status PostgresStore::Run(Writes& w) {
  if (w.batch.statements.empty()) return Status::Ok();
  return Write([&]() -> Status {
    size_t failed = 0;
    Status s = held_->RunBatch(w.batch, &failed);
    if (s.code() == StatusCode::kConflict && failed < w.on_conflict.size() && !w.on_conflict[failed].empty())
      return Conflict(w.on_conflict[failed]);
    return s;
  });
}

Status PostgresStore::ResolveMentions(Entities& entities, const Writes* pending) {
  for (auto& m : entities.mentions) {
    if (m.id) continue;
    if (pending) {
      auto it = pending->pending_users.find(AsciiLower(m.username));
      if (it != pending->pending_users.end()) {
        m.id = it->second;
        continue;
      }
    }
    auto rows = Query("SELECT id FROM users WHERE username_lc = ?", Params().Add(AsciiLower(m.username)));
    if (!rows.ok()) return rows.status();
    if (rows->size()) m.id = rows->Int(0, 0);
  }
  return Status::Ok();
}

void PostgresStore::AddTags(std::string_view table, Id id, const Entities& entities, Writes& w) {
  const std::string sql =
      "INSERT INTO " + std::string(table) + " (kind, value, post_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
  for (const auto& h : entities.hashtags) w.Add(sql, Params().Add("h").Add(AsciiLower(h.tag)).Add(id));
  for (const auto& c : entities.cashtags) w.Add(sql, Params().Add("c").Add(AsciiLower(c.tag)).Add(id));
  for (const auto& m : entities.mentions) w.Add(sql, Params().Add("m").Add(AsciiLower(m.username)).Add(id));
}

void PostgresStore::AddSearchStats(int64_t rows, int64_t tokens, Writes& w) {
  if (rows > 0) w.Add("UPDATE search_stats SET rows = rows + ?, tokens = tokens + ?", Params().Add(rows).Add(tokens));
}

Status PostgresStore::AddPostRow(const Post& post, int64_t& tokens, Writes& w) {
  Entities entities = post.entities;
  Entities note_entities = post.note_entities;
  if (Status s = ResolveMentions(entities, &w); !s.ok()) return s;
  if (Status s = ResolveMentions(note_entities, &w); !s.ok()) return s;
  // Search (tags, flags, words) reads a long post's whole text.
  const bool is_long = !post.note_text.empty();
  const Entities& searched = is_long ? note_entities : entities;
  std::string history;
  if (!(post.edit_history.empty() || (post.edit_history.size() == 1 && post.edit_history[0] == post.id))) {
    for (Id id : post.edit_history) history += (history.empty() ? "" : ",") + std::to_string(id);
  }
  const PostMetrics& m = post.metrics;
  int64_t row_tokens = 0;
  Params params;
  params.Add(post.id)
      .Add(post.author_id)
      .Add(post.text)
      .Add(post.created_at)
      .Add(post.lang.empty() ? std::string_view("und") : std::string_view(post.lang))
      .Add(post.conversation_id ? post.conversation_id : post.id)
      .Add(post.in_reply_to_user_id)
      .Add(post.Reference(ReferenceType::kRepliedTo))
      .Add(post.Reference(ReferenceType::kQuoted))
      .Add(post.Reference(ReferenceType::kRetweeted))
      .Add(FlagsOf(searched))
      .Add(EntitiesJson(entities))
      .Add(m.retweet_count)
      .Add(m.reply_count)
      .Add(m.like_count)
      .Add(m.quote_count)
      .Add(m.bookmark_count)
      .Add(m.impression_count)
      .Add(history)
      .Add(post.source)
      .Add(post.deleted_at)
      .Add(ReplySettingsName(post.reply_settings))
      .Add(int64_t(post.made_with_ai))
      .Add(int64_t(post.paid_partnership))
      .Add(int64_t(post.nullcast))
      .Add(post.poll ? std::optional<int64_t>(post.poll->id) : std::nullopt)
      .Add(post.note_text)
      .Add(is_long ? EntitiesJson(note_entities) : std::string())
      .Add(post.IsEarlierVersion() ? std::optional<Id>(post.edit_history.back()) : std::nullopt)
      .Add(SearchVector({{is_long ? post.note_text : post.text, 'A'}, {UrlsOf(searched), 'B'}}, &row_tokens))
      .Add(row_tokens);
  w.Add("INSERT INTO posts (id, author_id, text, created_at, lang, conversation_id, in_reply_to_user_id, replied_to_id,"
        " quoted_id, retweeted_id, flags, entities, retweet_count, reply_count, like_count, quote_count, bookmark_count,"
        " impression_count, edit_history, source, deleted_at, reply_settings, made_with_ai, paid_partnership, nullcast,"
        " poll_id, note_text, note_entities, latest_id, search, search_size)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?::tsvector,?)",
        std::move(params), "post " + std::to_string(post.id) + " already exists");
  tokens += row_tokens;
  if (post.poll && !post.poll->options.empty()) AddPollRows(post, w);
  AddTags("post_tags", post.id, searched, w);
  return Status::Ok();
}

Status PostgresStore::Apply(const WriteBatch& batch) {
  // One pipeline of statements (pg_conn.h, RunBatch): a seed or an import is a few round
  // trips, not several per row.
  Writes w;
  for (const auto& u : batch.users) AddUser(u, w);
  int64_t tokens = 0;
  for (const auto& p : batch.posts)
    if (Status s = AddPostRow(p, tokens, w); !s.ok()) return s;
  AddSearchStats(int64_t(batch.posts.size()), tokens, w);
  AddEdges(batch, w);
  for (const auto& [user_id, password] : batch.passwords)
    w.Add("INSERT INTO user_passwords (user_id, hash, set_at) VALUES (?, ?, ?)"
          " ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
          Params().Add(user_id).Add(password.hash).Add(password.set_at));
  return Run(w);
}

Status PostgresStore::InsertPostAndCounts(const Post& post) {
  Writes w;
  int64_t tokens = 0;
  if (Status s = AddPostRow(post, tokens, w); !s.ok()) return s;
  AddSearchStats(1, tokens, w);
  if (auto id = post.Reference(ReferenceType::kRepliedTo))
    w.Add("UPDATE posts SET reply_count = reply_count + 1 WHERE id = ?", Params().Add(*id));
  if (auto id = post.Reference(ReferenceType::kQuoted))
    w.Add("UPDATE posts SET quote_count = quote_count + 1 WHERE id = ?", Params().Add(*id));
  if (auto id = post.Reference(ReferenceType::kRetweeted))
    w.Add("UPDATE posts SET retweet_count = retweet_count + 1 WHERE id = ?", Params().Add(*id));
  w.Add("UPDATE users SET tweet_count = tweet_count + 1 WHERE id = ?", Params().Add(post.author_id));
  return Run(w);
}

Status PostgresStore::InsertPost(Post& post) {
  return Write([&]() -> Status {
    if (Status s = ResolveParent(*this, post); !s.ok()) return s;
    return InsertPostAndCounts(post);
  });
}

Status PostgresStore::DeletePost(Id id, TimeMs at) {
  return Write([&]() -> Status {
    auto rows = Query("UPDATE posts SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", Params().Add(at).Add(id));
    if (!rows.ok()) return rows.status();
    if (rows->Affected() == 0) return NotFound("Could not find tweet with id: [" + std::to_string(id) + "].");
    return DeleteEditChain(id, at);
  });
}

Status PostgresStore::DeleteEditChain(Id id, TimeMs at) {
  // The chain is named by its latest version: the post's latest_id, or the post itself.
  auto rows = Query(
      "WITH chain(latest) AS (SELECT coalesce(latest_id, id) FROM posts WHERE id = ?)"
      " UPDATE posts SET deleted_at = ? WHERE deleted_at IS NULL AND"
      " (id IN (SELECT latest FROM chain) OR latest_id IN (SELECT latest FROM chain))",
      Params().Add(id).Add(at));
  return rows.ok() ? Status::Ok() : rows.status();
}

Status PostgresStore::InsertTrap(const StoredTrap& trap, const User& author) {
  return Write([&]() -> Status {
    auto known = GetUsers(std::span<const Id>(&author.id, 1));
    if (!known.ok()) return known.status();
    if (known->empty())
      if (Status st = InsertUser(author); !st.ok()) return st;
    Entities entities = ExtractEntities(trap.text);
    if (Status st = ResolveMentions(entities); !st.ok()) return st;
    const PostMetrics& m = trap.metrics;
    auto rows = Query(
        "INSERT INTO trap_posts (id, app_id, counter, author_id, text, lang, created_at, marker, flags, entities,"
        " retweet_count, reply_count, like_count, quote_count, bookmark_count, impression_count, search)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?::tsvector)",
        Params()
            .Add(trap.id)
            .Add(trap.app_id)
            .Add(int64_t(trap.counter))
            .Add(trap.author_id)
            .Add(trap.text)
            .Add(trap.lang)
            .Add(trap.created_at)
            .Add(trap.marker)
            .Add(FlagsOf(entities))
            .Add(EntitiesJson(entities))
            .Add(m.retweet_count)
            .Add(m.reply_count)
            .Add(m.like_count)
            .Add(m.quote_count)
            .Add(m.bookmark_count)
            .Add(m.impression_count)
            .Add(SearchVector({{trap.text, 'A'}, {UrlsOf(entities), 'B'}})));
    if (!rows.ok()) return rows.status();
    Writes w;
    AddTags("trap_tags", trap.id, entities, w);
    return Run(w);
  });
}

Result<Id> PostgresStore::CreateProject(std::string_view name, TimeMs at) {
  Id id = 0;
  Status s = Write([&]() -> Status {
    // The cycle starts on the day of the month the project was created (28 at most, as X).
    auto rows = Query(
        "INSERT INTO projects (name, created_at, cap_reset_day) VALUES (?, ?,"
        " least(28, extract(day FROM to_timestamp(?::bigint / 1000) AT TIME ZONE 'UTC')::int)) RETURNING id",
        Params().Add(name).Add(at).Add(at));
    if (!rows.ok()) return rows.status();
    id = rows->Int(0, 0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return id;
}

Status PostgresStore::AddCredits(Id project_id, int64_t micro_usd, TimeMs at) {
  return Write([&]() -> Status {
    auto rows = Query("INSERT INTO credits (project_id, micro_usd, added_at) VALUES (?, ?, ?)",
                      Params().Add(project_id).Add(micro_usd).Add(at));
    return rows.ok() ? Status::Ok() : rows.status();
  });
}

Status PostgresStore::InsertApp(const App& app, std::string_view token_hash) {
  return Write([&]() -> Status {
    auto rows = Query(
        "INSERT INTO apps (id, project_id, name, plan, uses, user_id, token_hash, created_at) VALUES (?,?,?,?,?,?,?,?)",
        Params()
            .Add(app.id)
            .Add(app.project_id)
            .Add(app.name)
            .Add(app.plan)
            .Add(JoinCommas(app.uses))
            .Add(app.user_id)
            .AddBytes(token_hash)
            .Add(app.created_at));
    return rows.ok() ? Status::Ok() : rows.status();
  });
}

Result<bool> PostgresStore::ReplaceAppToken(Id app_id, std::string_view token_hash) {
  bool changed = false;
  Status s = Write([&]() -> Status {
    auto rows = Query("UPDATE apps SET token_hash = ? WHERE id = ? AND revoked_at IS NULL",
                      Params().AddBytes(token_hash).Add(app_id));
    if (!rows.ok()) return rows.status();
    changed = rows->Affected() == 1;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return changed;
}

Result<bool> PostgresStore::RevokeApp(Id app_id, TimeMs at) {
  bool changed = false;
  Status s = Write([&]() -> Status {
    auto rows = Query("UPDATE apps SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", Params().Add(at).Add(app_id));
    if (!rows.ok()) return rows.status();
    changed = rows->Affected() == 1;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return changed;
}

}  // namespace sluice::pg
