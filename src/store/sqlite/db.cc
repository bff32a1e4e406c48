#include "store/sqlite/db.h"

#include "store/store.h"

namespace sluice::sqlite {

Status SqliteError(int code, std::string_view what, std::string_view message) {
  std::string detail = "storage error in " + std::string(what) + ": " + std::string(message);
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return ServiceUnavailable(std::move(detail), 1);
    case SQLITE_CONSTRAINT:
      return Conflict(std::move(detail));
    default:
      return InternalError(std::move(detail));
  }
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    db_ = o.db_;
    s_ = o.s_;
    o.s_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Result<bool> Stmt::Step() {
  // A write inside a read transaction would have to upgrade its snapshot, which fails
  // (SQLITE_BUSY_SNAPSHOT) once another connection has committed since; and it would commit
  // only with the read transaction. So it runs on its own, from the latest state.
  bool writes = !sqlite3_stmt_readonly(s_);
  if (!sqlite3_stmt_busy(s_)) db_->BeforeStep(writes);
  int rc = sqlite3_step(s_);
  // A write outside a transaction has committed (or rolled back) by now: caches must know.
  if (writes && sqlite3_get_autocommit(db_->raw())) BumpStoreWriteGeneration();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, "statement", sqlite3_errmsg(db_->raw()));
}

Status Stmt::Run() {
  auto r = Step();
  if (!r.ok()) return r.status();
  return Status::Ok();
}

std::string_view Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  if (!p) return {};
  return {p, size_t(sqlite3_column_bytes(s_, col))};
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  // Before SQLite initializes (the first open): no memory statistics, which nothing reads and
  // which take a process-wide mutex around every sqlite3_malloc and sqlite3_free of every
  // worker's connection. After an earlier initialization this is SQLITE_MISUSE, and harmless.
  static const int kConfigured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)kConfigured;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Db> db(new Db(raw));
  if (rc != SQLITE_OK) return CommandError(path + ": cannot open database: " + sqlite3_errstr(rc));
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  // WAL: readers never block the writer. synchronous=FULL: a commit is on disk when it returns,
  // which is what "201 once durable" needs. mmap_size: reads of the database file come from
  // the OS's page cache through a mapping shared by every connection, without a read()
  // system call and a copy into each connection's own cache per page (a lookup the workers'
  // caches cannot answer touches pages spread over the whole file).
  if (Status s = db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                          " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;");
      !s.ok())
    return CommandError(path + ": " + s.message());
  return db;
}

Db::~Db() {
  EndRead();
  begin_.reset();
  commit_.reset();
  rollback_.reset();
  cache_.clear();
  sqlite3_close_v2(db_);
}

Status Db::Error(std::string_view what) const {
  return SqliteError(sqlite3_errcode(db_), what, sqlite3_errmsg(db_));
}

Status Db::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  // A transaction ended here (COMMIT, ROLLBACK) or a statement wrote outside one. BEGIN and
  // savepoints leave a transaction open: nothing is committed yet.
  if (sqlite3_get_autocommit(db_)) BumpStoreWriteGeneration();
  if (rc == SQLITE_OK) return Status::Ok();
  Status p = SqliteError(rc, "exec", err ? err : sqlite3_errstr(rc));
  sqlite3_free(err);
  return p;
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, "prepare", sqlite3_errmsg(db_));
  return Stmt(this, s);
}

bool Db::RunControl(std::optional<Stmt>& stmt, const char* sql) {
  if (!stmt) {
    auto s = Prepare(sql);
    if (!s.ok()) return false;
    stmt.emplace(std::move(*s));
  }
  // Straight to SQLite: these statements must not go through Stmt::Step's write check.
  sqlite3_stmt* raw = stmt->raw();
  int rc = sqlite3_step(raw);
  sqlite3_reset(raw);
  return rc == SQLITE_DONE;
}

void Db::BeginRead() {
  if (tx_depth_ == 0) read_wanted_ = true;
}

void Db::EndRead() {
  read_wanted_ = false;
  CloseReadTx();
}

void Db::BeforeStep(bool writes) {
  if (writes) {
    CloseReadTx();
    return;
  }
  if (!read_wanted_ || read_tx_ || tx_depth_ > 0) return;
  if (!sqlite3_get_autocommit(db_)) return;  // some transaction is open: not ours to wrap
  // If BEGIN fails, the reads run one by one, each on the latest state: correct, slower.
  read_tx_ = RunControl(begin_, "BEGIN");
}

void Db::CloseReadTx() {
  if (!read_tx_) return;
  read_tx_ = false;
  // It wrote nothing, so COMMIT and ROLLBACK are the same; ROLLBACK if COMMIT failed, so that
  // no snapshot outlives the request that took it.
  if (!RunControl(commit_, "COMMIT")) RunControl(rollback_, "ROLLBACK");
}

Result<Stmt*> Db::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return &it->second;
  auto s = Prepare(sql);
  if (!s.ok()) return s.status();
  // Dynamic search SQL varies; keep the cache bounded.
  if (cache_.size() > 256) cache_.clear();
  return &cache_.emplace(sql, std::move(*s)).first->second;
}

Result<Transaction> Transaction::Begin(Db& db) {
  if (db.tx_depth_ == 0) db.CloseReadTx();  // a write starts from the latest state, never a snapshot
  std::string sql = db.tx_depth_ == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT sp" + std::to_string(db.tx_depth_);
  if (Status s = db.Exec(sql); !s.ok()) return s;
  Transaction tx(&db);
  ++db.tx_depth_;
  return tx;
}

Transaction::~Transaction() {
  if (!db_) return;
  --db_->tx_depth_;
  std::string sp = "sp" + std::to_string(depth_);
  (void)db_->Exec(depth_ == 0 ? std::string("ROLLBACK") : "ROLLBACK TO " + sp + "; RELEASE " + sp);
}

Status Transaction::Commit() {
  Status s = db_->Exec(depth_ == 0 ? std::string("COMMIT") : "RELEASE sp" + std::to_string(depth_));
  if (s.ok()) {
    --db_->tx_depth_;
    db_ = nullptr;
  }
  return s;
}

}  // namespace sluice::sqlite
