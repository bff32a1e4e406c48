#pragma once
//! The PostgreSQL store's row readers: the columns each query selects, in order, and the
//! value read back from them (the SQLite store's, store/sqlite/sqlite_store.cc, column for column).

#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace sluice::pg {

//! Over posts aliased p.
extern const std::string_view kPostColumns;
extern const std::string_view kUserColumns;
extern const std::string_view kTrapColumns;
extern const std::string_view kAppColumns;

StoredPost ReadPost(const Row& r);
User ReadUser(const Row& r);
StoredTrap ReadTrap(const Row& r);
App ReadApp(const Row& r);

//! Lists and counts leave out protected accounts' posts (store.h), over posts aliased p.
extern const std::string_view kNotProtected;
//! Lists, searches and counts serve the latest version of an edited post only.
extern const std::string_view kLatestVersion;
//! How far store_writes moved: 0 before its first nextval, else its last value.
extern const std::string_view kWritesMark;
//! Every time and id limit of a page as one [lo, hi) range on the snowflake (no cursor).
std::pair<Id, Id> PageIdRange(const PageRequest& page);

//! ASCII letters lowercased (usernames, tags: as the SQLite store folds them).
std::string AsciiLower(std::string_view s);
//! Joined by ',' ("" for none); SplitCommas reads it back.
std::string JoinCommas(const std::vector<std::string>& parts);
std::vector<std::string> SplitCommas(std::string_view s);

}  // namespace sluice::pg
