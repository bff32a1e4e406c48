#pragma once
//! Compiles a parsed search query (store/search/query.h) into SQL for the SQLite schema
//! (store/sqlite/schema.cc): keywords, phrases and url: become FTS5 MATCH expressions over
//! posts_fts; tags become lookups in post_tags; the other operators compare posts columns.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/search/query.h"

namespace sluice::sqlite {

using SqlParam = std::variant<int64_t, std::string>;

struct SqlPredicate {
  std::string sql;
  std::vector<SqlParam> params;
};

//! A boolean SQL expression over the `posts` table aliased `p`, true exactly for the posts the
//! query matches (deleted or not: the caller adds its own filters). Params bind to `?` in order.
//! Never NULL for any row, so negation is exact (-to:x matches posts that are not replies).
//! `root` is expected to come from ParseSearchQuery; a leaf with a value the parser would
//! reject (is:unknown) matches nothing. Keywords and phrases match tokens as FTS5's unicode61
//! tokenizer splits them (case and diacritics folded); a keyword with no letter or digit
//! matches no post. An emoji matches the posts whose text contains it. bio: matches the posts
//! whose author's description holds the value as whole words (ASCII case folded);
//! retweets_of: the reposts of that user's posts; is:nullcast the posts created nullcast
//! (search finds them, as X's does; -is:nullcast leaves them out). The store holds no media,
//! geo, places, annotations or lists: has:media|images|videos|video_link|geo, place_country:,
//! point_radius:, context:, entity: and list: match nothing.
//! `tables` names the FTS and tag tables the predicate reads: the posts' by default, the trap
//! records' (trap_fts, trap_tags: the same columns) to match an app's traps as its posts.
struct SearchTables {
  std::string_view fts = "posts_fts";
  std::string_view tags = "post_tags";
};
inline constexpr SearchTables kTrapSearchTables{"trap_fts", "trap_tags"};
SqlPredicate CompileSearch(const SearchNode& root, const SearchTables& tables = {});

//! The FTS5 expression over posts_fts that the whole query is, when it is one (keywords,
//! phrases and url: joined by AND, OR and NOT with a positive side: the common search), else
//! nullopt. posts_fts then drives the search in rowid (post id) order and a page stops after
//! its last post; CompileSearch's `p.id IN (SELECT rowid ...)` collects every match first.
std::optional<std::string> WholeFtsExpression(const SearchNode& root);

//! The FTS5 expression that scores a post's relevance to the query (for bm25): the whole
//! query when WholeFtsExpression is one, else its words, phrases and url: outside any
//! negation joined by OR; nullopt when it has none (from:x alone).
std::optional<std::string> RelevanceExpression(const SearchNode& root);

}  // namespace sluice::sqlite
