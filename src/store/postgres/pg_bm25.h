#pragma once
//! FTS5's bm25 for the PostgreSQL store's relevancy order (postgres_store.cc,
//! SearchByRelevance): the same scores as the SQLite store's bm25(posts_fts), from a match's
//! occurrences of the query's words, read out of its tsvector.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_search.h"

namespace sluice::pg {

//! The tokens of `phrases`, each once, as a PostgreSQL text[] literal (for `?::text[]`).
std::string PhraseLexemes(const std::vector<Phrase>& phrases);
//! Selects, for a posts row aliased p, the occurrences of the lexemes `?::text[]` holds:
//! "lexeme\x01positions\x01weights" per lexeme, joined by '\x02' (what Bm25 reads).
extern const std::string_view kHitsColumn;

//! FTS5's bm25 (fts5_aux.c, k1 1.2, b 0.75, every column weighing 1) of one row: `hits` its
//! kHitsColumn, `size` its tokens, `idf` each phrase's inverse document frequency (Bm25Idf),
//! `avgdl` the store's tokens per row. Lower is more relevant, as FTS5's.
double Bm25(std::string_view hits, int64_t size, const std::vector<Phrase>& phrases, const std::vector<double>& idf,
            double avgdl);
//! FTS5's idf of a phrase that `hits` of `rows` rows hold.
double Bm25Idf(int64_t rows, int64_t hits);

}  // namespace sluice::pg
