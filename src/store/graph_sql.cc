#include "store/graph_sql.h"

#include <array>
#include <string_view>

namespace sluice {
namespace {

// Per list: the edge and listed id columns, and the FROM/WHERE that keeps only what may be listed.
struct ListSql {
  std::string_view select;
  std::string_view from_where;
  std::string_view edge;
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

GraphStatement GraphSql(GraphList list, const PageRequest& page) {
  const ListSql& q = SqlFor(list);
  GraphStatement out;
  if (page.cursor) {
    if (page.cursor->first == PageRequest::Direction::kOlder) {
      out.hi = page.cursor->second;
    } else {
      out.lo = page.cursor->second + 1;
      out.newer = true;
    }
  }
  const bool posts = list == GraphList::kLikedPosts || list == GraphList::kRepostedBy;
  std::string& sql = out.sql;
  sql = "SELECT " + std::string(q.select) + " FROM " + std::string(q.from_where);
  if (posts) sql += " AND " + std::string(kVisiblePost);
  std::string edge(q.edge);
  if (list == GraphList::kRepostedBy) {
    // A user who reposted the post twice is listed once, at its latest repost.
    sql += " GROUP BY p.author_id HAVING ";
    edge = "max(p.id)";
  } else {
    sql += " AND ";
  }
  sql += edge + " >= ? AND " + edge + " < ? ORDER BY " + edge + (out.newer ? " ASC" : " DESC") + " LIMIT ?";
  return out;
}

const ActionStatements& ActionSql(ActionIntent::Kind kind) {
  using K = ActionIntent::Kind;
  static const ActionStatements kLike{
      "INSERT INTO likes (user_id, post_id) VALUES (?, ?) ON CONFLICT DO NOTHING", false,
      {{"UPDATE users SET like_count = like_count + 1 WHERE id = ?", false},
       {"UPDATE posts SET like_count = like_count + 1 WHERE id = ?", true}}};
  static const ActionStatements kUnlike{
      "DELETE FROM likes WHERE user_id = ? AND post_id = ?", false,
      {{"UPDATE users SET like_count = CASE WHEN like_count > 0 THEN like_count - 1 ELSE 0 END WHERE id = ?", false},
       {"UPDATE posts SET like_count = CASE WHEN like_count > 0 THEN like_count - 1 ELSE 0 END WHERE id = ?", true}}};
  static const ActionStatements kFollow{
      "INSERT INTO follows (follower_id, followee_id) VALUES (?, ?) ON CONFLICT DO NOTHING", false,
      {{"UPDATE users SET following_count = following_count + 1 WHERE id = ?", false},
       {"UPDATE users SET followers_count = followers_count + 1 WHERE id = ?", true}}};
  static const ActionStatements kUnfollow{
      "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?", false,
      {{"UPDATE users SET following_count = CASE WHEN following_count > 0 THEN following_count - 1 ELSE 0 END WHERE id = ?", false},
       {"UPDATE users SET followers_count = CASE WHEN followers_count > 0 THEN followers_count - 1 ELSE 0 END WHERE id = ?", true}}};
  static const ActionStatements kHide{"UPDATE posts SET hidden = 1 WHERE id = ?", true, {}};
  static const ActionStatements kUnhide{"UPDATE posts SET hidden = 0 WHERE id = ?", true, {}};
  switch (kind) {
    case K::kLike: return kLike;
    case K::kUnlike: return kUnlike;
    case K::kFollow: return kFollow;
    case K::kUnfollow: return kUnfollow;
    case K::kHide: return kHide;
    case K::kUnhide: return kUnhide;
  }
  return kLike;
}

namespace {
constexpr std::array<std::string_view, 6> kActionNames = {"like", "unlike", "follow", "unfollow", "hide", "unhide"};
}  // namespace

std::string_view ActionKindName(ActionIntent::Kind kind) { return kActionNames[size_t(kind)]; }

std::optional<ActionIntent::Kind> ParseActionKind(std::string_view name) {
  for (size_t i = 0; i < kActionNames.size(); ++i)
    if (kActionNames[i] == name) return ActionIntent::Kind(i);
  return std::nullopt;
}

}  // namespace sluice
