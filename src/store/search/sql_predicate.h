#pragma once
//! PredicateWriter: a parsed search query (query.h) as a boolean SQL expression over the
//! `posts` table aliased `p`, written the same way for both SQL stores. The walk is shared: the
//! full-text children of each AND or OR (keywords, phrases, url:, and under an AND their
//! negations) become one full-text match, written first; the other children follow in order;
//! tags are rows of a tag table, users and ids compare columns, is: and has: test columns and
//! flags. What differs between SQLite and PostgreSQL is the Dialect's:
//!
//!   std::string sql;                               the expression written so far
//!   static constexpr std::string_view kTrue, kFalse;  boolean literals
//!   std::string_view tags;                         the tag table (posts' or traps')
//!   void Match(const SearchNode& fts);             a full-text subtree (IsFullText, or an AND
//!                                                  or OR of such subtrees and their negations)
//!   void BindText(const std::string& value);       a text parameter for the next `?`
//!   bool BindId(const std::string& digits);        an id parameter; false: no such id can exist
//!   void Bio(const std::string& value);            bio: (whole words of the author's description)
//!   void Contains(const std::string& value);       a text holding `value` (emoji: no token has it)
//!
//! Never NULL for any row, so negation is exact (-to:x matches posts that are not replies).

#include <string>
#include <string_view>
#include <vector>

#include "store/search/query.h"

namespace sluice {

template <class Dialect>
class PredicateWriter {
 public:
  explicit PredicateWriter(Dialect& d) : d_(d) {}

  void Emit(const SearchNode& node) {
    using Kind = SearchNode::Kind;
    if (IsFullText(node)) return d_.Match(node);
    switch (node.kind) {
      case Kind::kAnd:
      case Kind::kOr:
        return Junction(node);
      case Kind::kNot:
        d_.sql += "NOT (";
        if (node.children.empty())
          d_.sql += Dialect::kFalse;
        else
          Emit(node.children.front());
        d_.sql += ")";
        return;
      default:
        return Leaf(node);
    }
  }

 private:
  using Kind = SearchNode::Kind;

  void Junction(const SearchNode& node) {
    const bool is_and = node.kind == Kind::kAnd;
    if (node.children.empty()) {  // not made by the parser: the identity of AND / OR
      d_.sql += is_and ? Dialect::kTrue : Dialect::kFalse;
      return;
    }
    const std::string_view op = is_and ? " AND " : " OR ";
    SearchNode fts{.kind = node.kind};
    std::vector<const SearchNode*> rest;
    bool positive = false;
    for (const auto& child : node.children) {
      if (IsFullText(child)) {
        fts.children.push_back(child);
        positive = true;
      } else if (is_and && child.kind == Kind::kNot && child.children.size() == 1 && IsFullText(child.children.front())) {
        fts.children.push_back(child);
      } else {
        rest.push_back(&child);
      }
    }
    d_.sql += "(";
    bool first = true;
    auto separate = [&] {
      if (!first) d_.sql += op;
      first = false;
    };
    if (positive) {
      separate();
      d_.Match(fts);
    } else if (!fts.children.empty()) {  // negated words only: NOT (any of them)
      separate();
      SearchNode any{.kind = Kind::kOr};
      for (const auto& negated : fts.children) any.children.push_back(negated.children.front());
      d_.sql += "NOT (";
      d_.Match(any);
      d_.sql += ")";
    }
    for (const SearchNode* child : rest) {
      separate();
      Emit(*child);
    }
    d_.sql += ")";
  }

  // An IN list, not a correlated EXISTS: the store then drives the search from the tag's
  // index entries instead of testing every post in range.
  void Tag(char kind, const std::string& value) {
    ((d_.sql += "p.id IN (SELECT t.post_id FROM ") += d_.tags) += " t WHERE t.kind = '";
    d_.sql += kind;
    d_.sql += "' AND t.value = ?)";
    d_.BindText(value);
  }

  // A user by id or username; `column` may be NULL: tested first, so the predicate is false.
  void User(std::string_view column, bool nullable, const std::string& value) {
    const bool numeric = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
    if (numeric && !d_.BindId(value)) {
      d_.sql += Dialect::kFalse;
      return;
    }
    d_.sql += "(";
    if (nullable) (d_.sql += column) += " IS NOT NULL AND ";
    d_.sql += column;
    if (numeric) {
      d_.sql += " = ?)";
    } else {
      d_.sql += " IN (SELECT id FROM users WHERE username_lc = ?))";
      d_.BindText(value);
    }
  }

  void IdColumn(std::string_view column, bool nullable, const std::string& value) {
    if (!d_.BindId(value)) {
      d_.sql += Dialect::kFalse;
      return;
    }
    d_.sql += "(";
    if (nullable) (d_.sql += column) += " IS NOT NULL AND ";
    (d_.sql += column) += " = ?)";
  }

  void Leaf(const SearchNode& node) {
    const std::string& v = node.value;
    switch (node.kind) {
      case Kind::kHashtag: return Tag('h', v);
      case Kind::kCashtag: return Tag('c', v);
      case Kind::kMention: return Tag('m', v);
      case Kind::kFrom: return User("p.author_id", false, v);
      case Kind::kTo: return User("p.in_reply_to_user_id", true, v);
      case Kind::kConversationId: return IdColumn("p.conversation_id", false, v);
      case Kind::kInReplyToTweetId: return IdColumn("p.replied_to_id", true, v);
      case Kind::kQuotesOfTweetId: return IdColumn("p.quoted_id", true, v);
      case Kind::kLang:
        d_.sql += "p.lang = ?";
        d_.BindText(v);
        return;
      case Kind::kRetweetsOf:  // the reposts of the posts by a user (id or username)
        d_.sql += "(p.retweeted_id IS NOT NULL AND p.retweeted_id IN (SELECT q.id FROM posts q WHERE ";
        User("q.author_id", false, v);
        d_.sql += "))";
        return;
      case Kind::kBio: return d_.Bio(v);
      case Kind::kEmoji: return d_.Contains(v);
      case Kind::kIs:
        // is:nullcast: the promoted-only posts (POST /2/tweets with "nullcast": true).
        d_.sql += v == "retweet"    ? "p.retweeted_id IS NOT NULL"
                  : v == "reply"    ? "p.replied_to_id IS NOT NULL"
                  : v == "quote"    ? "p.quoted_id IS NOT NULL"
                  : v == "verified" ? "p.author_id IN (SELECT id FROM users WHERE verified_type <> 'none')"
                  : v == "nullcast" ? "p.nullcast <> 0"
                                    : Dialect::kFalse;
        return;
      case Kind::kHas:
        // Sluice holds no media or geo: has:media, images, videos, video_link and geo match nothing.
        d_.sql += v == "links"      ? "(p.flags & 1) <> 0"
                  : v == "mentions" ? "(p.flags & 2) <> 0"
                  : v == "hashtags" ? "(p.flags & 4) <> 0"
                  : v == "cashtags" ? "(p.flags & 8) <> 0"
                                    : Dialect::kFalse;
        return;
      default:  // place_country:, point_radius:, context:, entity:, list:: no such data is held
        d_.sql += Dialect::kFalse;
        return;
    }
  }

  Dialect& d_;
};

}  // namespace sluice
