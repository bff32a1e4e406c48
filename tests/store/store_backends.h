#pragma once
//! The store tests' backends: each parameterised store test (TEST_P over Backend) runs its
//! body against the SQLite store and the PostgreSQL store alike, each test on a new, empty
//! store (a new SQLite file; a new PostgreSQL database on the run's server, postgres_server.h).

#include <gtest/gtest.h>

#include <string>

#include "store/store.h"

namespace sluice::test {

enum class Backend { kSqlite, kPostgres };

//! Options that open (create) a new, empty store of `backend`; `dir` is the test's temp dir
//! (the SQLite file's home). Fails the test when no PostgreSQL can be started.
StoreOptions NewStoreOptions(Backend backend, const std::string& dir);

//! Rows in `table` of the store `options` opened, counted by the database itself.
int64_t CountRows(const StoreOptions& options, const std::string& table);

//! A new SQLite data directory whose database an older Sluice made: migrated up to, not
//! including, the first migration whose SQL holds `marker`, then `sql` run on it (the rows of
//! that older Sluice). For the migration tests; fails the test when it cannot be made.
std::string SqliteDirBefore(std::string_view marker, const std::string& sql);

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

}  // namespace sluice::test

#define SLUICE_STORE_BACKENDS \
  ::testing::Values(::sluice::test::Backend::kSqlite, ::sluice::test::Backend::kPostgres), ::sluice::test::BackendName
