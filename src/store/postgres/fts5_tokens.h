#pragma once
//! The tokens SQLite's FTS5 makes of a text with `unicode61 remove_diacritics 2` (the SQLite
//! store's posts_fts, users_fts and trap_fts), made by SQLite's own tokenizer: the PostgreSQL
//! store writes and queries its tsvectors with these, so both stores split and fold every text
//! exactly alike. (core/search_tokens.h approximates the same with ICU, and differs for code
//! points FTS5's older Unicode tables class otherwise: unassigned ones, emoji skin-tone
//! modifiers, a few foldings such as 'µ' and 'ſ'.)

#include <string>
#include <string_view>
#include <vector>

namespace sluice::pg {

//! Thread-safe (one tokenizer per thread). Empty when SQLite's FTS5 is unavailable, which
//! the build rules out (the SQLite store needs it).
std::vector<std::string> Fts5Tokens(std::string_view text);

}  // namespace sluice::pg
