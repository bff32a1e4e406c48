#include "store/search/query.h"

#include <optional>
#include <utility>

#include "core/status.h"
#include "store/search/lexer.h"
#include "store/search/terms.h"

// Grammar (recursive descent, one token of lookahead):
//   query   := or END
//   or      := and ('OR' and)*
//   and     := unary+                 adjacency is AND, binding tighter than OR
//   unary   := '-' primary | primary  the '-' directly before its clause
//   primary := '(' or ')' | word | phrase
// Parentheses are the only recursion, so kMaxNesting bounds the stack. Errors are found in
// query order: the tokenizer stops at its first error, and that error surfaces only when the
// parser reaches it.

namespace sluice {

namespace {

using Kind = SearchNode::Kind;
using TokenKind = SearchToken::Kind;

constexpr int kMaxNesting = 50;
constexpr std::string_view kErrorPrefix = "There were errors processing your request: ";

// Adds `node` to the children of a `kind` node under construction, flattening same kinds.
void Append(std::vector<SearchNode>& parts, SearchNode node, Kind kind) {
  if (node.kind != kind) {
    parts.push_back(std::move(node));
    return;
  }
  for (auto& child : node.children) parts.push_back(std::move(child));
}

// One part collapses to itself; more become a `kind` node at the first part's position.
SearchNode Combine(Kind kind, std::vector<SearchNode> parts) {
  if (parts.size() == 1) return std::move(parts.front());
  SearchNode node;
  node.kind = kind;
  node.position = parts.front().position;
  node.children = std::move(parts);
  return node;
}

class Parser {
 public:
  explicit Parser(std::vector<SearchToken> tokens) : tokens_(std::move(tokens)) {}

  std::optional<SearchNode> ParseQuery() {
    if (Peek().kind == TokenKind::kEnd) return Fail(1, "The query is empty");
    auto root = ParseOr(0);
    if (!root) return std::nullopt;
    if (Peek().kind == TokenKind::kRParen) return Fail(Peek().position, kUnmatchedClose);
    return root;
  }

  const SearchError& error() const { return error_; }

 private:
  static constexpr std::string_view kUnmatchedClose = "Unbalanced parentheses: ')' has no matching '('";

  const SearchToken& Peek() const { return tokens_[next_]; }
  // The tokens end with kEnd or kError, which are never consumed.
  const SearchToken& Advance() { return tokens_[next_++]; }

  std::nullopt_t Fail(int position, std::string_view reason) {
    error_ = {position, std::string(reason)};
    return std::nullopt;
  }
  std::nullopt_t Fail(const SearchError& error) { return Fail(error.position, error.reason); }

  std::optional<SearchNode> ParseOr(int depth) {
    std::vector<SearchNode> branches;
    while (true) {
      if (Peek().kind == TokenKind::kOr) return Fail(Peek().position, "OR must stand between two clauses");
      auto branch = ParseAnd(depth);
      if (!branch) return std::nullopt;
      Append(branches, std::move(*branch), Kind::kOr);
      if (Peek().kind != TokenKind::kOr) break;
      const SearchToken& op = Advance();
      if (Peek().kind == TokenKind::kEnd || Peek().kind == TokenKind::kRParen)
        return Fail(op.position, "OR must stand between two clauses");
    }
    return Combine(Kind::kOr, std::move(branches));
  }

  std::optional<SearchNode> ParseAnd(int depth) {
    std::vector<SearchNode> parts;
    while (true) {
      const TokenKind kind = Peek().kind;
      if (kind == TokenKind::kOr || kind == TokenKind::kRParen || kind == TokenKind::kEnd) break;
      auto part = ParseUnary(depth);
      if (!part) return std::nullopt;
      Append(parts, std::move(*part), Kind::kAnd);
    }
    if (parts.empty())  // only a ')' at the start of the query gets here
      return Fail(Peek().position, Peek().kind == TokenKind::kRParen ? kUnmatchedClose : "Expected a clause");
    return Combine(Kind::kAnd, std::move(parts));
  }

  std::optional<SearchNode> ParseUnary(int depth) {
    if (Peek().kind != TokenKind::kMinus) return ParsePrimary(depth);
    const SearchToken& minus = Advance();
    const SearchToken& next = Peek();
    if (next.kind == TokenKind::kError) return Fail(next.error);
    const bool clause = next.kind == TokenKind::kWord || next.kind == TokenKind::kPhrase ||
                        next.kind == TokenKind::kLParen;
    if (!clause || next.space_before)
      return Fail(minus.position, "'-' must be followed directly by a keyword, an operator or a group");
    auto child = ParsePrimary(depth);
    if (!child) return std::nullopt;
    SearchNode node;
    node.kind = Kind::kNot;
    node.position = minus.position;
    node.children.push_back(std::move(*child));
    return node;
  }

  std::optional<SearchNode> ParsePrimary(int depth) {
    const SearchToken& token = Peek();
    switch (token.kind) {
      case TokenKind::kError:
        return Fail(token.error);
      case TokenKind::kWord:
      case TokenKind::kPhrase: {
        SearchNode node;
        if (auto error = BuildSearchTerm(token, node)) return Fail(*error);
        Advance();
        return node;
      }
      case TokenKind::kLParen: {
        if (depth >= kMaxNesting)
          return Fail(token.position, "Parentheses are nested more than " + std::to_string(kMaxNesting) + " deep");
        const SearchToken& open = Advance();
        if (Peek().kind == TokenKind::kRParen) return Fail(open.position, "Empty parentheses '()'");
        auto inner = ParseOr(depth + 1);
        if (!inner) return std::nullopt;
        if (Peek().kind != TokenKind::kRParen)
          return Fail(open.position, "Unbalanced parentheses: '(' has no matching ')'");
        Advance();
        return inner;
      }
      case TokenKind::kRParen:
        return Fail(token.position, kUnmatchedClose);
      default:
        return Fail(token.position, "Expected a clause");
    }
  }

  std::vector<SearchToken> tokens_;
  size_t next_ = 0;
  SearchError error_;
};

// What the standalone rule needs to know about a tree.
struct StandaloneScan {
  bool positive_standalone = false;   // a standalone clause under no negation
  const SearchNode* first_conjunction_required = nullptr;
};

void Scan(const SearchNode& node, bool negated, StandaloneScan& scan) {
  switch (node.kind) {
    case Kind::kAnd:
    case Kind::kOr:
      for (const auto& child : node.children) Scan(child, negated, scan);
      return;
    case Kind::kNot:
      for (const auto& child : node.children) Scan(child, true, scan);
      return;
    default:
      if (NeedsConjunction(node.kind)) {
        if (scan.first_conjunction_required == nullptr) scan.first_conjunction_required = &node;
      } else if (!negated) {
        scan.positive_standalone = true;
      }
  }
}

// X's rule: a query needs at least one positive standalone clause. is:, has: and lang:
// only narrow a search; negations only exclude.
std::optional<SearchError> CheckStandalone(const SearchNode& root) {
  StandaloneScan scan;
  Scan(root, false, scan);
  if (scan.positive_standalone) return std::nullopt;
  if (const SearchNode* op = scan.first_conjunction_required)
    return SearchError{op->position, DescribeSearchTerm(*op) +
                                         " cannot be used alone: add a keyword or a standalone operator"};
  return SearchError{root.position, "The query needs at least one clause that is not negated"};
}

Status QueryError(std::string_view query, const SearchError& error) {
  return InvalidRequest("query", ToValidUtf8(query),
                        std::string(kErrorPrefix) + error.reason + " (at position " +
                            std::to_string(error.position) + ")");
}

}  // namespace

Result<SearchQuery> ParseSearchQuery(std::string_view query, size_t max_length) {
  SearchLexer lexer(query);
  if (lexer.encoding_error()) return QueryError(query, *lexer.encoding_error());
  if (lexer.length() > max_length)
    return QueryError(query, {static_cast<int>(max_length) + 1, "The query is " + std::to_string(lexer.length()) +
                                                                    " characters long; the maximum is " +
                                                                    std::to_string(max_length)});
  Parser parser(lexer.Tokenize());
  auto root = parser.ParseQuery();
  if (!root) return QueryError(query, parser.error());
  if (auto error = CheckStandalone(*root)) return QueryError(query, *error);
  return SearchQuery{std::string(query), std::move(*root)};
}

bool IsFullTextLeaf(const SearchNode& node) {
  using Kind = SearchNode::Kind;
  return node.kind == Kind::kTerm || node.kind == Kind::kPhrase || node.kind == Kind::kUrl;
}

bool IsFullText(const SearchNode& node) {
  using Kind = SearchNode::Kind;
  switch (node.kind) {
    case Kind::kOr:
      for (const auto& child : node.children)
        if (!IsFullText(child)) return false;
      return !node.children.empty();
    case Kind::kAnd: {
      bool positive = false;
      for (const auto& child : node.children) {
        if (child.kind == Kind::kNot) {
          if (child.children.size() != 1 || !IsFullText(child.children.front())) return false;
        } else if (IsFullText(child)) {
          positive = true;
        } else {
          return false;
        }
      }
      return positive;
    }
    default:
      return IsFullTextLeaf(node);
  }
}

}  // namespace sluice
