#pragma once
//! The words full-text search sees in a text, as SQLite FTS5's tokenizer
//! `unicode61 remove_diacritics 2` splits and folds them (store/sqlite/schema.cc posts_fts), for
//! matching a query in memory (store/search/match.h) exactly as the store's search does.

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

//! Tokens: maximal runs of letters, digits and private-use characters (Unicode L*, N*, Co);
//! everything else separates. Each token is case folded and stripped of diacritics (the
//! canonical decomposition's combining marks dropped: "Été" -> "ete", "ﬁ" kept as one letter).
//! Invalid UTF-8 bytes separate. Thread-safe.
std::vector<std::string> SearchTokens(std::string_view text);

//! SearchTokens(word) joined by single spaces (a query keyword's or phrase's tokens).
std::string SearchTokensJoined(std::string_view text);

}  // namespace sluice
