// PostgresStore: searches (posts, by recency and by relevancy; counts; an app's traps; users).
#include <algorithm>
#include <unordered_map>

#include "core/parse.h"
#include "core/snowflake.h"
#include "store/postgres/pg_bm25.h"
#include "store/postgres/pg_search.h"
#include "store/postgres/pg_store_rows.h"
#include "store/postgres/postgres_store.h"

namespace sluice::pg {

Result<std::vector<User>> PostgresStore::SearchUsers(std::span<const std::string> words, int64_t offset, int limit,
                                                     Id trap_app) {
  // As the SQLite store: a word without an ASCII letter or digit is left out.
  std::vector<std::string> kept;
  for (const auto& word : words)
    if (std::any_of(word.begin(), word.end(), [](unsigned char c) { return std::isalnum(c); })) kept.push_back(word);
  auto query = UsersQuery(kept);
  if (!query) return std::vector<User>();
  static const std::string sql = [] {
    std::string cols;
    for (std::string_view c : SplitCommaList(kUserColumns)) {
      if (!cols.empty()) cols += ", ";
      cols += "u." + std::string(c.substr(c.find_first_not_of(' ')));
    }
    // ts_rank's weights {D, C, B, A}: a username match counts most, then the name, then the
    // description (SQLite: bm25 weights 10, 5, 1).
    return "SELECT " + cols + " FROM users u, CAST(? AS tsquery) q WHERE u.search @@ q AND u.protected = 0"
           " AND (u.synthetic = 0 OR u.id IN (SELECT author_id FROM trap_posts WHERE app_id = ?))"
           " ORDER BY ts_rank('{0, 0.1, 0.5, 1.0}', u.search, q) DESC, u.id LIMIT ? OFFSET ?";
  }();
  return QueryUsers(sql, Params().Add(*query).Add(trap_app).Add(int64_t(limit) + 1).Add(offset), Plan::kPerCall);
}

Result<std::vector<StoredPost>> PostgresStore::Search(const SearchQuery& query, const PageRequest& page) {
  if (page.relevancy) return SearchByRelevance(query, page);
  Predicate pred = CompileSearch(query.root);
  return Page("posts p", pred.sql, std::move(pred.params), page, Plan::kPerCall);
}

Result<std::vector<StoredPost>> PostgresStore::SearchByRelevance(const SearchQuery& query, const PageRequest& page) {
  // FTS5's bm25, as the SQLite store ranks (store.h: PageRequest::relevancy), computed here
  // from the same corpus figures: rows and tokens ever indexed (search_stats), each phrase's
  // rows, each match's phrase hits and size. Every match in the page's range is scored and
  // sorted, as FTS5 must too; a match holding none of the query's words scores 0.
  auto [lo, hi] = PageIdRange(page);
  const std::vector<Phrase> phrases = RelevancePhrases(query.root);
  std::vector<double> idf;
  double avgdl = 1;
  if (!phrases.empty()) {
    // The corpus figures move only with a commit: counted again only after one (a phrase's
    // rows cost a GIN lookup and a heap visit per row holding it).
    auto stats = Query("SELECT " + std::string(kWritesMark) + ", rows, tokens FROM search_stats");
    if (!stats.ok()) return stats.status();
    if (stats->size() != 1) return InternalError("search_stats holds no row");
    if (corpus_.writes != stats->Int(0, 0) || corpus_.phrase_rows.size() > 10000) {
      corpus_.writes = stats->Int(0, 0);
      corpus_.phrase_rows.clear();
    }
    const int64_t rows = stats->Int(0, 1);
    if (rows > 0) avgdl = double(stats->Int(0, 2)) / double(rows);
    for (const Phrase& ph : phrases) {
      int64_t hits = 0;
      if (!ph.tokens.empty()) {
        const std::string q = ph.Query();
        auto cached = corpus_.phrase_rows.find(q);
        if (cached != corpus_.phrase_rows.end()) {
          hits = cached->second;
        } else {
          auto n = Scalar("SELECT count(*) FROM posts WHERE search @@ ?::tsquery", Params().Add(q), Plan::kPerCall);
          if (!n.ok()) return n.status();
          hits = corpus_.phrase_rows[q] = *n;
        }
      }
      idf.push_back(Bm25Idf(rows, hits));
    }
  }
  Predicate pred = CompileSearch(query.root);
  std::string sql = "SELECT p.id, p.search_size, " + std::string(kHitsColumn) + " FROM posts p WHERE p.deleted_at IS NULL AND " +
                    std::string(kNotProtected) + " AND " + std::string(kLatestVersion) + " AND (" + pred.sql +
                    ") AND p.id >= ? AND p.id < ?";
  if (page.exclude_replies) sql += " AND p.replied_to_id IS NULL";
  if (page.exclude_retweets) sql += " AND p.retweeted_id IS NULL";
  Params params;
  params.Add(PhraseLexemes(phrases));
  for (size_t i = 0; i < pred.params.size(); ++i) params.Append(pred.params, i);
  params.Add(lo).Add(hi);
  auto rows = Query(sql, params, Plan::kPerCall);
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<double, Id>> scored;
  scored.reserve(size_t(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    double score = phrases.empty() ? 0.0 : Bm25(rows->Text(i, 2), rows->Int(i, 1), phrases, idf, avgdl);
    if (score == 0) score = 0.0;  // no word of the query: 0, not -0
    scored.emplace_back(score, rows->Int(i, 0));
  }
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    return a.first < b.first || (a.first == b.first && a.second > b.second);
  });
  std::vector<Id> ids;
  std::vector<double> scores;
  for (const auto& [score, id] : scored) {
    if (page.after && !(score > page.after->score || (score == page.after->score && id < page.after->id))) continue;
    ids.push_back(id);
    scores.push_back(score);
    if (ids.size() == size_t(page.limit) + 1) break;
  }
  auto posts = GetPosts(ids);
  if (!posts.ok()) return posts.status();
  std::unordered_map<Id, StoredPost*> by_id;
  for (auto& p : *posts) by_id[p.post.id] = &p;
  std::vector<StoredPost> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto it = by_id.find(ids[i]);
    if (it == by_id.end()) continue;  // deleted meanwhile
    out.push_back(std::move(*it->second));
    out.back().relevance = scores[i];
  }
  return out;
}

Result<std::vector<CountBucket>> PostgresStore::Count(const SearchQuery& query, TimeMs start, TimeMs end,
                                                      TimeMs bucket_ms, std::optional<Id> since_id,
                                                      std::optional<Id> until_id) {
  std::vector<CountBucket> buckets;
  TimeMs first = start - start % bucket_ms;
  for (TimeMs t = first; t < end; t += bucket_ms) buckets.push_back({std::max(t, start), std::min(t + bucket_ms, end), 0});
  Predicate pred = CompileSearch(query.root);
  std::string sql = "SELECT p.id FROM posts p WHERE p.deleted_at IS NULL AND " + std::string(kNotProtected) + " AND " +
                    std::string(kLatestVersion) + " AND (" + pred.sql + ") AND p.id >= ? AND p.id < ?";
  Id lo = IdLowerBoundForTime(start), hi = IdLowerBoundForTime(end);
  if (since_id) lo = std::max(lo, *since_id + 1);
  if (until_id) hi = std::min(hi, *until_id);
  Params params = std::move(pred.params);
  params.Add(lo).Add(hi);
  auto rows = Query(sql, params, Plan::kPerCall);
  if (!rows.ok()) return rows.status();
  for (int i = 0; i < rows->size(); ++i) {
    TimeMs t = SnowflakeTime(rows->Int(i, 0));
    size_t b = size_t((t - first) / bucket_ms);
    if (b < buckets.size()) ++buckets[b].count;
  }
  return buckets;
}

Result<std::vector<StoredTrap>> PostgresStore::FindTraps(Id app, const TrapFilter& filter, const PageRequest& page) {
  auto [lo, hi, newer] = PageWindowOf(page);
  // A trap is a post of its own conversation: no reply, quote, repost, poll or note.
  std::string sql =
      "SELECT " + std::string(kTrapColumns) +
      " FROM (SELECT t.*, '' AS note_text, t.id AS conversation_id, NULL::bigint AS in_reply_to_user_id,"
      " NULL::bigint AS replied_to_id, NULL::bigint AS quoted_id, NULL::bigint AS retweeted_id, 0 AS nullcast"
      " FROM trap_posts t WHERE " +
      std::string(app ? "t.app_id = ? AND " : "?::bigint = 0 AND ") + "t.id >= ? AND t.id < ?) p WHERE TRUE";
  Params params;
  params.Add(app).Add(lo).Add(hi);
  if (filter.author) {
    sql += " AND p.author_id = ?";
    params.Add(*filter.author);
  }
  if (filter.query) {
    Predicate pred = CompileSearch(filter.query->root, "trap_tags");
    sql += " AND (" + pred.sql + ")";
    for (size_t i = 0; i < pred.params.size(); ++i) params.Append(pred.params, i);
  }
  sql += newer ? " ORDER BY p.id ASC" : " ORDER BY p.id DESC";
  if (page.limit > 0) {
    sql += " LIMIT ?";
    params.Add(int64_t(page.limit) + 1);
  }
  auto rows = Query(sql, params, Plan::kPerCall);
  if (!rows.ok()) return rows.status();
  std::vector<StoredTrap> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadTrap(Row{*rows, i}));
  if (newer) std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace sluice::pg
