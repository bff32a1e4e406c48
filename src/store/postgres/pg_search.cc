#include "store/postgres/pg_search.h"

#include <algorithm>

#include "core/parse.h"
#include "store/postgres/fts5_tokens.h"

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

class Compiler {
 public:
  explicit Compiler(std::string_view tags) : tags_(tags) {}
  Predicate Take() { return std::move(out_); }

  void Emit(const SearchNode& node) {
    if (IsFullText(node)) return EmitMatch(TsQuery(node));
    switch (node.kind) {
      case Kind::kAnd:
      case Kind::kOr:
        return EmitJunction(node);
      case Kind::kNot:
        out_.sql += "NOT (";
        if (node.children.empty())
          out_.sql += "FALSE";
        else
          Emit(node.children.front());
        out_.sql += ")";
        return;
      default:
        return EmitLeaf(node);
    }
  }

 private:
  void EmitMatch(const std::optional<std::string>& query) {
    if (!query) {
      out_.sql += "FALSE";
      return;
    }
    out_.sql += "p.search @@ ?::tsquery";
    out_.params.Add(*query);
  }

  // The FTS children of an AND or OR become one tsquery, first; the rest follow in order.
  void EmitJunction(const SearchNode& node) {
    const bool is_and = node.kind == Kind::kAnd;
    if (node.children.empty()) {
      out_.sql += is_and ? "TRUE" : "FALSE";
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
    out_.sql += "(";
    bool first = true;
    auto separate = [&] {
      if (!first) out_.sql += op;
      first = false;
    };
    if (positive) {
      separate();
      EmitMatch(TsQuery(fts));
    } else if (!fts.children.empty()) {  // negated words only: NOT (any of them)
      separate();
      SearchNode any{.kind = Kind::kOr};
      for (const auto& neg : fts.children) any.children.push_back(neg.children.front());
      out_.sql += "NOT (";
      EmitMatch(TsQuery(any));
      out_.sql += ")";
    }
    for (const SearchNode* child : rest) {
      separate();
      Emit(*child);
    }
    out_.sql += ")";
  }

  // An id operand: FALSE when it is no int64 (nothing has such an id).
  bool BindId(const std::string& value) {
    const auto id = ParseInt<int64_t>(value);
    if (!id.ok()) return false;
    out_.params.Add(int64_t(id.value));
    return true;
  }

  void EmitTag(char kind, const std::string& value) {
    out_.sql += "p.id IN (SELECT t.post_id FROM " + std::string(tags_) + " t WHERE t.kind = '";
    out_.sql += kind;
    out_.sql += "' AND t.value = ?)";
    out_.params.Add(value);
  }

  void EmitUser(std::string_view column, bool nullable, const std::string& value) {
    const bool numeric = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
    std::string sql = "(";
    if (nullable) (sql += column) += " IS NOT NULL AND ";
    sql += column;
    if (numeric) {
      if (!BindId(value)) {
        out_.sql += "FALSE";
        return;
      }
      sql += " = ?)";
    } else {
      sql += " IN (SELECT id FROM users WHERE username_lc = ?))";
      out_.params.Add(value);
    }
    out_.sql += sql;
  }

  // Whole words of the author's description: a regular expression over the ASCII-lowercased
  // description padded with spaces (SQLite's lower() folds ASCII only; so does translate()).
  void EmitBio(const std::string& value) {
    std::string pattern = "[^a-z0-9_]";
    for (char c : value) {
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
      pattern += c;
    }
    pattern += "[^a-z0-9_]";
    out_.sql +=
        "p.author_id IN (SELECT id FROM users WHERE ' ' || translate(description, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
        " 'abcdefghijklmnopqrstuvwxyz') || ' ' ~ ?)";
    out_.params.Add(pattern);
  }

  void EmitRetweetsOf(const std::string& value) {
    out_.sql += "(p.retweeted_id IS NOT NULL AND p.retweeted_id IN (SELECT q.id FROM posts q WHERE ";
    EmitUser("q.author_id", false, value);
    out_.sql += "))";
  }

  void EmitId(std::string_view column, bool nullable, const std::string& value) {
    std::string sql = "(";
    if (nullable) (sql += column) += " IS NOT NULL AND ";
    (sql += column) += " = ?)";
    if (!BindId(value)) {
      out_.sql += "FALSE";
      return;
    }
    out_.sql += sql;
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
        out_.params.Add(v);
        return;
      case Kind::kRetweetsOf: return EmitRetweetsOf(v);
      case Kind::kBio: return EmitBio(v);
      case Kind::kEmoji:
        // Emoji separate tokens, so no tsquery finds them: the text is searched.
        out_.sql += "strpos(p.text || p.note_text, ?) > 0";
        out_.params.Add(v);
        return;
      case Kind::kIs:
        out_.sql += v == "retweet"    ? "p.retweeted_id IS NOT NULL"
                    : v == "reply"    ? "p.replied_to_id IS NOT NULL"
                    : v == "quote"    ? "p.quoted_id IS NOT NULL"
                    : v == "verified" ? "p.author_id IN (SELECT id FROM users WHERE verified_type <> 'none')"
                    : v == "nullcast" ? "p.nullcast <> 0"
                                      : "FALSE";
        return;
      case Kind::kHas:
        out_.sql += v == "links"      ? "(p.flags & 1) <> 0"
                    : v == "mentions" ? "(p.flags & 2) <> 0"
                    : v == "hashtags" ? "(p.flags & 4) <> 0"
                    : v == "cashtags" ? "(p.flags & 8) <> 0"
                                      : "FALSE";
        return;
      default:  // place_country:, point_radius:, context:, entity:, list:: no such data is held
        out_.sql += "FALSE";
        return;
    }
  }

  const std::string_view tags_;
  Predicate out_;
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
  Compiler compiler(tags);
  compiler.Emit(root);
  return compiler.Take();
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
