#pragma once
//! Turns one word or phrase of a search query into its AST leaf: a keyword, an "exact
//! phrase", a #hashtag, $cashtag, @mention, or an operator `name:value` with its value
//! checked. Internal to the parser (store/search/query.cc).

#include <optional>

#include "store/search/lexer.h"
#include "store/search/query.h"

namespace sluice {

//! Fills `node` (kind, value, position) from a kWord or kPhrase token. Returns why the token
//! is not a valid clause, at the position of the fault: an unknown operator, an empty or
//! malformed value, a lone sigil.
std::optional<SearchError> BuildSearchTerm(const SearchToken& token, SearchNode& node);

//! True for the operators that X says cannot stand alone: is:, has:, lang:.
bool NeedsConjunction(SearchNode::Kind kind);

//! The clause as it reads in a query, e.g. "is:retweet", for messages. Leaves only.
std::string DescribeSearchTerm(const SearchNode& node);

}  // namespace sluice
