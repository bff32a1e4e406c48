#include "store_backends.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/sqlite/db.h"
#include "store/sqlite/schema.h"
#include "support/postgres_server.h"

namespace sluice::test {

StoreOptions NewStoreOptions(Backend backend, const std::string& dir) {
  if (backend == Backend::kSqlite) return {"sqlite", dir, true};
  auto url = SharedPostgres::NewDatabase();
  if (!url.ok()) {
    ADD_FAILURE() << url.status().message();
    return {"postgres://127.0.0.1:1/unavailable", dir, true};
  }
  return {*url, dir, true};
}

std::string SqliteDirBefore(std::string_view marker, const std::string& sql) {
  char tmpl[] = "/tmp/sluice-migrate-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto migrations = sqlite::Migrations();
  size_t index = 0;
  while (index < migrations.size() && migrations[index].find(marker) == std::string_view::npos) ++index;
  EXPECT_LT(index, migrations.size()) << "no migration holds " << marker;
  auto db = sqlite::Db::Open(dir + "/sluice.db");
  EXPECT_TRUE(db.ok()) << db.status().message();
  if (!db.ok()) return dir;
  EXPECT_TRUE((*db)->Exec("CREATE TABLE schema_version (version INTEGER NOT NULL)").ok());
  for (size_t i = 0; i < index; ++i) EXPECT_TRUE((*db)->Exec(migrations[i]).ok()) << i;
  EXPECT_TRUE((*db)->Exec("INSERT INTO schema_version VALUES (" + std::to_string(index) + "); " + sql).ok()) << sql;
  return dir;
}

int64_t CountRows(const StoreOptions& options, const std::string& table) {
  const std::string sql = "SELECT count(*) FROM " + table;
  if (options.url == "sqlite") {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((options.data_dir + "/sluice.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  }
  PGconn* c = PQconnectdb(options.url.c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(c, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
  int64_t n = PQntuples(r) == 1 ? std::stoll(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  PQfinish(c);
  return n;
}

}  // namespace sluice::test
