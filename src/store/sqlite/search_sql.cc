#include "store/sqlite/search_sql.h"

#include <string_view>

#include "core/parse.h"

namespace sluice::sqlite {

namespace {

using Kind = SearchNode::Kind;

// `column : "value"`. Inside an FTS5 string only '"' is special (doubled); the tokenizer
// splits the string, so several tokens make a phrase and none matches nothing.
std::string FtsPhrase(std::string_view column, std::string_view value) {
  std::string out(column);
  out += " : \"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Fts(const SearchNode& node);

std::string JoinFts(const std::vector<const SearchNode*>& nodes, std::string_view op) {
  std::string out = "(";
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) out += op;
    out += Fts(*nodes[i]);
  }
  return out + ")";
}

// (p1 AND p2 ...) NOT (n1 OR n2 ...): the posts matching every positive and no negative.
std::string FtsAndNot(const std::vector<const SearchNode*>& positives,
                      const std::vector<const SearchNode*>& negatives) {
  std::string out = JoinFts(positives, " AND ");
  if (negatives.empty()) return out;
  return "(" + out + " NOT " + JoinFts(negatives, " OR ") + ")";
}

std::string Fts(const SearchNode& node) {
  switch (node.kind) {
    case Kind::kTerm:
    case Kind::kPhrase:
      return FtsPhrase("text", node.value);
    case Kind::kUrl:
      return FtsPhrase("urls", node.value);
    case Kind::kOr: {
      std::vector<const SearchNode*> children;
      for (const auto& child : node.children) children.push_back(&child);
      return JoinFts(children, " OR ");
    }
    default: {  // kAnd, checked by IsFullText
      std::vector<const SearchNode*> positives, negatives;
      for (const auto& child : node.children) {
        if (child.kind == Kind::kNot)
          negatives.push_back(&child.children.front());
        else
          positives.push_back(&child);
      }
      return FtsAndNot(positives, negatives);
    }
  }
}

class Compiler {
 public:
  explicit Compiler(const SearchTables& tables) : tables_(tables) {}
  SqlPredicate Take() { return std::move(out_); }

  void Emit(const SearchNode& node) {
    if (IsFullText(node)) return EmitMatch(Fts(node));
    switch (node.kind) {
      case Kind::kAnd:
      case Kind::kOr:
        return EmitJunction(node);
      case Kind::kNot:
        out_.sql += "NOT (";
        if (node.children.empty())
          out_.sql += "0";
        else
          Emit(node.children.front());
        out_.sql += ")";
        return;
      default:
        return EmitLeaf(node);
    }
  }

 private:
  void EmitMatch(std::string expression) {
    ((((out_.sql += "p.id IN (SELECT rowid FROM ") += tables_.fts) += " WHERE ") += tables_.fts) += " MATCH ?)";
    out_.params.emplace_back(std::move(expression));
  }

  // The FTS children of an AND or OR become one MATCH, first; the rest follow in order.
  void EmitJunction(const SearchNode& node) {
    const bool is_and = node.kind == Kind::kAnd;
    if (node.children.empty()) {  // not made by the parser: the identity of AND / OR
      out_.sql += is_and ? "1" : "0";
      return;
    }
    const std::string_view op = is_and ? " AND " : " OR ";
    std::vector<const SearchNode*> positives, negatives, rest;
    for (const auto& child : node.children) {
      if (IsFullText(child))
        positives.push_back(&child);
      else if (is_and && child.kind == Kind::kNot && child.children.size() == 1 && IsFullText(child.children.front()))
        negatives.push_back(&child.children.front());
      else
        rest.push_back(&child);
    }
    out_.sql += "(";
    bool first = true;
    auto separate = [&] {
      if (!first) out_.sql += op;
      first = false;
    };
    if (!positives.empty()) {
      separate();
      EmitMatch(is_and ? FtsAndNot(positives, negatives) : JoinFts(positives, " OR "));
    } else if (!negatives.empty()) {
      separate();
      out_.sql += "NOT (";
      EmitMatch(JoinFts(negatives, " OR "));
      out_.sql += ")";
    }
    for (const SearchNode* child : rest) {
      separate();
      Emit(*child);
    }
    out_.sql += ")";
  }

  void BindId(const std::string& value) {
    if (const auto id = ParseInt<int64_t>(value); id.ok())
      out_.params.emplace_back(id.value);
    else
      out_.params.emplace_back(value);
  }

  // An IN list, not a correlated EXISTS: SQLite then drives the search from the tag's
  // index entries (ms for a rare tag on 200k posts) instead of testing every post in range.
  void EmitTag(char kind, const std::string& value) {
    ((out_.sql += "p.id IN (SELECT t.post_id FROM ") += tables_.tags) += " t WHERE t.kind = '";
    out_.sql += kind;
    out_.sql += "' AND t.value = ?)";
    out_.params.emplace_back(value);
  }

  // `column` may be NULL: test it first so the predicate is false, never NULL.
  void EmitUser(std::string_view column, bool nullable, const std::string& value) {
    const bool numeric = value.find_first_not_of("0123456789") == std::string::npos;
    out_.sql += "(";
    if (nullable) (out_.sql += column) += " IS NOT NULL AND ";
    out_.sql += column;
    if (numeric) {
      out_.sql += " = ?)";
      BindId(value);
    } else {
      out_.sql += " IN (SELECT id FROM users WHERE username_lc = ?))";
      out_.params.emplace_back(value);
    }
  }

  // The posts whose author's description holds `value` as whole words: a GLOB over the
  // ASCII-lowercased description padded with spaces, the value between non-word characters.
  void EmitBio(const std::string& value) {
    std::string pattern = "*[^a-z0-9_]";
    for (char c : value) {
      if (c == '*' || c == '?' || c == '[')
        ((pattern += '[') += c) += ']';
      else
        pattern += c;
    }
    pattern += "[^a-z0-9_]*";
    out_.sql += "p.author_id IN (SELECT id FROM users WHERE ' ' || lower(description) || ' ' GLOB ?)";
    out_.params.emplace_back(std::move(pattern));
  }

  // Reposts of the posts by a user (id or username).
  void EmitRetweetsOf(const std::string& value) {
    out_.sql += "(p.retweeted_id IS NOT NULL AND p.retweeted_id IN (SELECT q.id FROM posts q WHERE ";
    EmitUser("q.author_id", false, value);
    out_.sql += "))";
  }

  void EmitId(std::string_view column, bool nullable, const std::string& value) {
    out_.sql += "(";
    if (nullable) (out_.sql += column) += " IS NOT NULL AND ";
    (out_.sql += column) += " = ?)";
    BindId(value);
  }

  void EmitLeaf(const SearchNode& node) {
    const std::string& v = node.value;
    switch (node.kind) {
      case Kind::kHashtag: return EmitTag('h', v);
      case Kind::kCashtag: return EmitTag('c', v);
      case Kind::kMention: return EmitTag('m', v);
      case Kind::kFrom: return EmitUser("p.author_id", false, v);
      case Kind::kTo: return EmitUser("p.in_reply_to_user_id", true, v);
      case Kind::kConversationId: return EmitId("p.conversation_id", false, v);
      case Kind::kInReplyToTweetId: return EmitId("p.replied_to_id", true, v);
      case Kind::kQuotesOfTweetId: return EmitId("p.quoted_id", true, v);
      case Kind::kLang:
        out_.sql += "p.lang = ?";
        out_.params.emplace_back(v);
        return;
      case Kind::kRetweetsOf: return EmitRetweetsOf(v);
      case Kind::kBio: return EmitBio(v);
      case Kind::kEmoji:
        // unicode61 drops emoji as separators, so FTS5 cannot find them: the text is searched.
        out_.sql += "instr(p.text || p.note_text, ?) > 0";  // a long post: its whole text
        out_.params.emplace_back(v);
        return;
      case Kind::kIs:
        // is:nullcast: the promoted-only posts (POST /2/tweets with "nullcast": true).
        out_.sql += v == "retweet"    ? "p.retweeted_id IS NOT NULL"
                    : v == "reply"    ? "p.replied_to_id IS NOT NULL"
                    : v == "quote"    ? "p.quoted_id IS NOT NULL"
                    : v == "verified" ? "p.author_id IN (SELECT id FROM users WHERE verified_type <> 'none')"
                    : v == "nullcast" ? "p.nullcast <> 0"
                                      : "0";
        return;
      case Kind::kHas:
        // Sluice holds no media or geo: has:media, images, videos, video_link and geo match nothing.
        out_.sql += v == "links"      ? "(p.flags & 1) <> 0"
                    : v == "mentions" ? "(p.flags & 2) <> 0"
                    : v == "hashtags" ? "(p.flags & 4) <> 0"
                    : v == "cashtags" ? "(p.flags & 8) <> 0"
                                      : "0";
        return;
      default:  // place_country:, point_radius:, context:, entity:, list:: no such data is held
        out_.sql += "0";
        return;
    }
  }

  const SearchTables tables_;
  SqlPredicate out_;
};

}  // namespace

SqlPredicate CompileSearch(const SearchNode& root, const SearchTables& tables) {
  Compiler compiler(tables);
  compiler.Emit(root);
  return compiler.Take();
}

namespace {
void CollectPositiveWords(const SearchNode& node, std::vector<const SearchNode*>& out) {
  if (node.kind == Kind::kNot) return;
  if (IsFullTextLeaf(node)) out.push_back(&node);
  for (const auto& child : node.children) CollectPositiveWords(child, out);
}
}  // namespace

std::optional<std::string> RelevanceExpression(const SearchNode& root) {
  if (auto whole = WholeFtsExpression(root)) return whole;
  std::vector<const SearchNode*> words;
  CollectPositiveWords(root, words);
  if (words.empty()) return std::nullopt;
  return JoinFts(words, " OR ");
}

std::optional<std::string> WholeFtsExpression(const SearchNode& root) {
  if (!IsFullText(root)) return std::nullopt;
  return Fts(root);
}

}  // namespace sluice::sqlite
