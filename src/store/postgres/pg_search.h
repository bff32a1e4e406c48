#pragma once
//! The search query language (store/search/query.h) for the PostgreSQL schema
//! (pg_schema.cc), matching exactly what the SQLite store's compiler (store/sqlite/search_sql.h)
//! matches. Words never go through PostgreSQL's text parser: the store writes each row's
//! `search` tsvector from the tokens SQLite's FTS5 tokenizer makes (fts5_tokens.h: unicode61
//! remove_diacritics 2, the SQLite store's), and a keyword, phrase or url: becomes a tsquery of the same tokens
//! (a phrase: `a <-> b`), so both backends split and fold text identically. In a post's
//! vector the text's tokens carry weight A and its urls' weight B: `url:` matches B only,
//! keywords A only. A subtree of keywords, phrases and url: joined by AND, OR and NOT is one
//! tsquery (one GIN lookup); the other operators compare columns and tag rows as SQLite's do.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/postgres/pg_conn.h"
#include "store/search/query.h"

namespace sluice::pg {

//! A text's fields as one tsvector literal (for `?::tsvector`): each field's tokens with
//! their positions and the field's weight letter ('A'..'D'); fields are kept two positions
//! apart so no phrase spans two of them. `tokens`, when given, receives how many tokens the
//! fields hold (FTS5's size of the row, for bm25).
std::string SearchVector(const std::vector<std::pair<std::string_view, char>>& fields, int64_t* tokens = nullptr);

//! One phrase of a full-text expression: its tokens and the weight (column) it is matched in.
struct Phrase {
  std::vector<std::string> tokens;
  char weight = 'A';
  std::string Query() const;  // as a tsquery (matches nothing when there are no tokens: "")
};

//! The phrases FTS5 scores for RelevanceQuery(root), in the order of its expression.
std::vector<Phrase> RelevancePhrases(const SearchNode& root);

struct Predicate {
  std::string sql;  // `?` placeholders
  Params params;
};

//! A boolean SQL expression over posts aliased `p` (with the columns of `posts`, `search`
//! included), true exactly for the posts the query matches; never NULL. `tags` is the tag
//! table: post_tags, or trap_tags for trap records.
Predicate CompileSearch(const SearchNode& root, std::string_view tags = "post_tags");

//! Users search: each word's tokens as a phrase whose last token may be a prefix, all words
//! required; nullopt when no word has a token.
std::optional<std::string> UsersQuery(const std::vector<std::string>& words);

}  // namespace sluice::pg
