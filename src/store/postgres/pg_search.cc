#include "store/postgres/pg_search.h"

#include <algorithm>

#include "core/parse.h"
#include "store/postgres/fts5_tokens.h"
#include "store/search/sql_predicate.h"

namespace sluice::pg {

namespace {

using Kind = SearchNode::Kind;

// tsvector and tsquery literals quote a lexeme in '...' with ' and \ escaped. Tokens are
// letters and digits, so neither occurs; escaped all the same.
void AppendLexeme(std::string& out, std::string_view token) {
  out += '\'';
  for (char c : token) {
    if (c == '\'' || c == '\\') out += c == '\'' ? '\'' : '\\';
    out += c;
  }
  out += '\'';
}

// PostgreSQL keeps positions up to 16383 (larger ones are stored as 16383).
constexpr int kMaxPosition = 16383;

// PostgreSQL refuses a lexeme of 2048 bytes or more: a longer token is cut (at a character
// boundary), alike when written and when searched.
std::vector<std::string> Lexemes(std::string_view text) {
  std::vector<std::string> tokens = Fts5Tokens(text);
  for (std::string& t : tokens) {
    if (t.size() < 2000) continue;
    size_t cut = 2000;
    while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;
    t.resize(cut);
  }
  return tokens;
}

// A leaf's tokens as a phrase restricted to `weight`; nullopt when it has no token (it then
// matches nothing, as FTS5's empty phrase does).
std::optional<std::string> PhraseQuery(std::string_view text, char weight, bool last_prefix = false) {
  std::vector<std::string> tokens = Lexemes(text);
  if (tokens.empty()) return std::nullopt;
  std::string out = tokens.size() > 1 ? "(" : "";
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += " <-> ";
    AppendLexeme(out, tokens[i]);
    const bool prefix = last_prefix && i + 1 == tokens.size();
    if (weight || prefix) {
      out += ':';
      if (prefix) out += '*';
      if (weight) out += weight;
    }
  }
  if (tokens.size() > 1) out += ")";
  return out;
}

// The tsquery of an FTS subtree (IsFullText); nullopt: it matches no post.
std::optional<std::string> TsQuery(const SearchNode& node) {
  switch (node.kind) {
    case Kind::kTerm:
    case Kind::kPhrase:
      return PhraseQuery(node.value, 'A');
    case Kind::kUrl:
      return PhraseQuery(node.value, 'B');
    case Kind::kOr: {
      std::string out;
      for (const auto& child : node.children) {
        auto q = TsQuery(child);
        if (!q) continue;  // matches nothing: drops out of an OR
        if (!out.empty()) out += " | ";
        out += *q;
      }
      if (out.empty()) return std::nullopt;
      return "(" + out + ")";
    }
    default: {  // kAnd with a positive child
      std::string positives, negatives;
      for (const auto& child : node.children) {
        if (child.kind == Kind::kNot) {
          auto q = TsQuery(child.children.front());
          if (!q) continue;  // NOT (nothing) holds for every post
          if (!negatives.empty()) negatives += " | ";
          negatives += *q;
        } else {
          auto q = TsQuery(child);
          if (!q) return std::nullopt;
          if (!positives.empty()) positives += " & ";
          positives += *q;
        }
      }
      std::string out = "(" + positives;
      if (!negatives.empty()) out += " & !(" + negatives + ")";
      return out + ")";
    }
  }
}

// The PostgreSQL side of PredicateWriter (store/search/sql_predicate.h).
struct Dialect {
  static constexpr std::string_view kTrue = "TRUE", kFalse = "FALSE";
  std::string sql;
  Params params;
  std::string_view tags;

  void Match(const SearchNode& node) {
    const std::optional<std::string> query = TsQuery(node);
    if (!query) {
      sql += kFalse;
      return;
    }
    sql += "p.search @@ ?::tsquery";
    params.Add(*query);
  }
  void BindText(const std::string& value) { params.Add(value); }
  // Past int64: no such id (a bigint parameter could not hold it).
  bool BindId(const std::string& value) {
    const auto id = ParseInt<int64_t>(value);
    if (!id.ok()) return false;
    params.Add(int64_t(id.value));
    return true;
  }
  // Whole words of the author's description: a regular expression over the ASCII-lowercased
  // description padded with spaces (SQLite's lower() folds ASCII only; so does translate()).
  void Bio(const std::string& value) {
    std::string pattern = "[^a-z0-9_]";
    for (char c : value) {
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
      pattern += c;
    }
    pattern += "[^a-z0-9_]";
    sql +=
        "p.author_id IN (SELECT id FROM users WHERE ' ' || translate(description, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
        " 'abcdefghijklmnopqrstuvwxyz') || ' ' ~ ?)";
    params.Add(pattern);
  }
  // Emoji separate tokens, so no tsquery finds them: the text is searched.
  void Contains(const std::string& value) {
    sql += "strpos(p.text || p.note_text, ?) > 0";
    params.Add(value);
  }
};

void CollectPositiveWords(const SearchNode& node, std::vector<const SearchNode*>& out) {
  if (node.kind == Kind::kNot) return;
  if (IsFullTextLeaf(node)) out.push_back(&node);
  for (const auto& child : node.children) CollectPositiveWords(child, out);
}

}  // namespace

std::string SearchVector(const std::vector<std::pair<std::string_view, char>>& fields, int64_t* tokens) {
  std::string out;
  int position = 0;
  if (tokens) *tokens = 0;
  for (const auto& [text, weight] : fields) {
    if (position) position += 1;  // a gap: no phrase spans two fields
    for (const std::string& token : Lexemes(text)) {
      if (tokens) ++*tokens;
      position = std::min(position + 1, kMaxPosition);
      if (!out.empty()) out += ' ';
      AppendLexeme(out, token);
      out += ':' + std::to_string(position);
      out += weight;
    }
  }
  return out;
}

Predicate CompileSearch(const SearchNode& root, std::string_view tags) {
  Dialect d{.tags = tags};
  PredicateWriter<Dialect>(d).Emit(root);
  return {std::move(d.sql), std::move(d.params)};
}


namespace {

void CollectPhrases(const SearchNode& node, std::vector<Phrase>& out) {
  switch (node.kind) {
    case Kind::kTerm:
    case Kind::kPhrase:
      out.push_back({Lexemes(node.value), 'A'});
      return;
    case Kind::kUrl:
      out.push_back({Lexemes(node.value), 'B'});
      return;
    case Kind::kOr:
      for (const auto& child : node.children) CollectPhrases(child, out);
      return;
    default: {  // kAnd: FTS5's expression lists the positive children, then the negated ones
      for (const auto& child : node.children)
        if (child.kind != Kind::kNot) CollectPhrases(child, out);
      for (const auto& child : node.children)
        if (child.kind == Kind::kNot) CollectPhrases(child.children.front(), out);
    }
  }
}

}  // namespace

std::string Phrase::Query() const {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += " <-> ";
    AppendLexeme(out, tokens[i]);
    (out += ':') += weight;
  }
  return out;
}

std::vector<Phrase> RelevancePhrases(const SearchNode& root) {
  std::vector<Phrase> out;
  if (IsFullText(root)) {
    CollectPhrases(root, out);
  } else {
    std::vector<const SearchNode*> words;
    CollectPositiveWords(root, words);
    for (const SearchNode* w : words) CollectPhrases(*w, out);
  }
  return out;
}

std::optional<std::string> UsersQuery(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    auto q = PhraseQuery(word, 0, true);
    if (!q) continue;
    if (!out.empty()) out += " & ";
    out += *q;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace sluice::pg
