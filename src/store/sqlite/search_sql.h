#pragma once
//! Compiles a search AST into a SQL predicate over the SQLite schema.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "store/search/query.h"

namespace sluice::sqlite {

using SqlParam = std::variant<int64_t, std::string>;
struct SqlPredicate {
  std::string sql;
  std::vector<SqlParam> params;
};
//! A boolean SQL expression over the `posts` table aliased `p`, true exactly for the posts the
//! query matches (deleted or not: the caller adds its own filters). Params bind to `?` in order.
SqlPredicate CompileSearch(const SearchNode& root);

}  // namespace sluice::sqlite
