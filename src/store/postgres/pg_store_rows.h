#pragma once
//! The PostgreSQL store's row readers: the columns each query selects, in order, and the
//! value read back from them (the SQLite store's, store/sqlite/sqlite_store.cc, column for column).

#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "store/postgres/pg_conn.h"
#include "store/rows.h"
#include "store/store.h"

namespace sluice::pg {

// The columns, readers and helpers both SQL stores share (store/rows.h).
using rows::AsciiLower;
using rows::JoinCommas;
using rows::kAppColumns;
using rows::kLatestVersion;
using rows::kNotProtected;
using rows::kPostColumns;
using rows::kTrapColumns;
using rows::kUserColumns;
using rows::PageIdRange;
using rows::ResolveParent;
using rows::PageWindow;
using rows::PageWindowOf;
using rows::ReadApp;
using rows::ReadPost;
using rows::ReadTrap;
using rows::ReadUser;
using rows::SplitCommas;

//! How far store_writes moved: 0 before its first nextval, else its last value.
extern const std::string_view kWritesMark;


}  // namespace sluice::pg
