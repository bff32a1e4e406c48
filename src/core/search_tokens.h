#pragma once
//! The words full-text search sees in a text, as SQLite FTS5's tokenizer
//! `unicode61 remove_diacritics 2` splits and folds them (store/sqlite/schema.cc posts_fts), for
//! matching a query in memory (store/search/match.h) exactly as the store's search does.

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

//! Tokens: maximal runs of letters, digits and private-use characters (Unicode L*, N*, Co);
//! combining marks inside a token are dropped; everything else separates. Latin letters lose
//! their diacritics ("Été" -> "ete"), as FTS5's table does; letters of other scripts keep
//! them ("ά" stays); every character is lowercased one to one ("İ" -> "i", "Σ" -> "σ", final
//! "ς" kept, "ß" kept). Invalid UTF-8 bytes separate. Thread-safe. Checked against SQLite
//! itself: tests/store/search/match_test.cc.
std::vector<std::string> SearchTokens(std::string_view text);

//! SearchTokens(word) joined by single spaces (a query keyword's or phrase's tokens).
std::string SearchTokensJoined(std::string_view text);

}  // namespace sluice
