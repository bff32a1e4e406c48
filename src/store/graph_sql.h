#pragma once
//! The SQL of Store::Graph (follows, likes, reposts: the tables both SQL stores share), the
//! same for SQLite and PostgreSQL: each store binds the parameters and reads the rows.

#include <cstdint>
#include <string>

#include "store/store.h"

namespace sluice {

struct GraphStatement {
  //! Selects (edge id, listed id), newest edge first, or oldest first when `newer`. Its `?`
  //! are, in order: the list's subject (Graph's `of`), `lo`, `hi` (the edge ids in [lo, hi))
  //! and the row limit (the page's limit + 1).
  std::string sql;
  Id lo = 0, hi = INT64_MAX;
  //! A page after a cursor (newer edges): the rows come oldest first; reversed, they are
  //! still newest first, the ones nearest the cursor.
  bool newer = false;
};

//! Per list: only what may be listed (store.h): real users; live posts of accounts that are
//! not protected; a user who reposted a post twice once, at the latest repost.
GraphStatement GraphSql(GraphList list, const PageRequest& page);

}  // namespace sluice
