#include <filesystem>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace sluice {

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  std::string_view url = options.url;
  std::string path;
  if (url.empty() || url == "sqlite") {
    std::error_code ec;
    std::filesystem::create_directories(options.data_dir, ec);
    if (ec) return CommandError(options.data_dir + ": cannot create data directory: " + ec.message());
    path = (std::filesystem::path(options.data_dir) / "sluice.db").string();
  } else if (url.rfind("sqlite://", 0) == 0) {
    path = std::string(url.substr(9));
  } else if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    return pg::PostgresStore::Open(std::string(url), options.create, options.pool_size);
  } else {
    return CommandError("--store " + std::string(url) + ": unknown store URL (expected sqlite, sqlite:///path or postgres://user@host:port/database)");
  }
  return sqlite::SqliteStore::Open(path, options.create);
}

}  // namespace sluice
