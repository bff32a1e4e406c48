#include "store/sqlite/search_sql.h"

#include <string_view>

#include "core/parse.h"
#include "store/search/sql_predicate.h"

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

// The SQLite side of PredicateWriter (store/search/sql_predicate.h).
struct Dialect {
  static constexpr std::string_view kTrue = "1", kFalse = "0";
  std::string sql;
  std::vector<SqlParam> params;
  std::string_view fts, tags;

  void Match(const SearchNode& node) {
    ((((sql += "p.id IN (SELECT rowid FROM ") += fts) += " WHERE ") += fts) += " MATCH ?)";
    params.emplace_back(Fts(node));
  }
  void BindText(const std::string& value) { params.emplace_back(value); }
  // Past int64, bound as text: it then equals no id.
  bool BindId(const std::string& value) {
    if (const auto id = ParseInt<int64_t>(value); id.ok())
      params.emplace_back(id.value);
    else
      params.emplace_back(value);
    return true;
  }
  // A GLOB over the ASCII-lowercased description padded with spaces, the value between
  // non-word characters.
  void Bio(const std::string& value) {
    std::string pattern = "*[^a-z0-9_]";
    for (char c : value) {
      if (c == '*' || c == '?' || c == '[')
        ((pattern += '[') += c) += ']';
      else
        pattern += c;
    }
    pattern += "[^a-z0-9_]*";
    sql += "p.author_id IN (SELECT id FROM users WHERE ' ' || lower(description) || ' ' GLOB ?)";
    params.emplace_back(std::move(pattern));
  }
  // unicode61 drops emoji as separators, so FTS5 cannot find them: the text is searched (a
  // long post: its whole text).
  void Contains(const std::string& value) {
    sql += "instr(p.text || p.note_text, ?) > 0";
    params.emplace_back(value);
  }
};

}  // namespace

SqlPredicate CompileSearch(const SearchNode& root, const SearchTables& tables) {
  Dialect d{.fts = tables.fts, .tags = tables.tags};
  PredicateWriter<Dialect>(d).Emit(root);
  return {std::move(d.sql), std::move(d.params)};
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
