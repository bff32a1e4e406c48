#pragma once
//! The SQL of Store::Graph (follows, likes, reposts: the tables both SQL stores share), the
//! same for SQLite and PostgreSQL: each store binds the parameters and reads the rows.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace sluice {

struct GraphStatement {
  //! Selects (edge id, listed id), newest edge first, or oldest first when `newer`. Its `?`
  //! are, in order: the list's subject (Graph's `of`), `lo`, `hi` (the edge ids in [lo, hi))
  //! and the row limit (the page's limit + 1).
  std::string sql;
  Id lo = 0, hi = INT64_MAX;
  //! A page after a cursor (newer edges): the rows come oldest first; reversed, they are
  //! still newest first, the ones nearest the cursor.
  bool newer = false;
};

//! Per list: only what may be listed (store.h): real users; live posts of accounts that are
//! not protected; a user who reposted a post twice once, at the latest repost.
GraphStatement GraphSql(GraphList list, const PageRequest& page);

//! The SQL that applies an action (Store::ApplyAction), the same for both SQL stores: `change`
//! first, with (user, target) bound, or only the target when `target_only`; then, only when it
//! changed a row, each of `counts` with the one id it names (the user's or the target's).
struct ActionStatements {
  const char* change = nullptr;
  bool target_only = false;
  struct Count {
    const char* sql = nullptr;  // nullptr: none
    bool on_target = false;
  };
  Count counts[2];
};
const ActionStatements& ActionSql(ActionIntent::Kind kind);
//! The column value of each kind in action_intents, and back (nullopt: not a kind).
std::string_view ActionKindName(ActionIntent::Kind kind);
std::optional<ActionIntent::Kind> ParseActionKind(std::string_view name);

//! A repost deleted (its deleted_at just set): the post it reposts counts one retweet less.
//! Binds the repost's id.
inline constexpr const char* kUncountRepostSql =
    "UPDATE posts SET retweet_count = CASE WHEN retweet_count > 0 THEN retweet_count - 1 ELSE 0 END"
    " WHERE id = (SELECT retweeted_id FROM posts WHERE id = ?)";
//! Store::RepostsBy: binds the reposted post's id, then the user's.
inline constexpr const char* kRepostsBySql =
    "SELECT id FROM posts WHERE retweeted_id = ? AND author_id = ? AND deleted_at IS NULL ORDER BY id";

}  // namespace sluice
