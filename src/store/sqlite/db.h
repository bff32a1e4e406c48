#pragma once
//! Thin RAII over the SQLite C API: a connection (Db) and prepared statements (Stmt).
//! Neither is thread-safe; one Db per thread. Errors come back as Status: SQLITE_BUSY,
//! SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL and SQLITE_CANTOPEN as kUnavailable (retry
//! later), SQLITE_CONSTRAINT as kConflict, others as kInternal.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

namespace sluice::sqlite {

class Db;

class Stmt {
 public:
  Stmt() = default;
  Stmt(Db* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  ~Stmt();

  // Bind by 1-based index. Text is copied (SQLITE_TRANSIENT) unless `static_text`.
  void Bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Bind(int i, std::string_view v) { sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT); }
  void BindBlob(int i, std::string_view v) { sqlite3_bind_blob(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT); }
  void BindNull(int i) { sqlite3_bind_null(s_, i); }
  void Bind(int i, const std::optional<int64_t>& v) { v ? Bind(i, *v) : BindNull(i); }
  void BindDouble(int i, double v) { sqlite3_bind_double(s_, i, v); }

  //! Advances: true when a row is ready, false when done; an error Status on error. Between
  //! Db::BeginRead and EndRead, the first statement that reads opens the read transaction;
  //! a statement that writes ends it before it starts.
  Result<bool> Step();
  //! Runs a statement that returns no rows to completion.
  Status Run();
  void Reset() { sqlite3_reset(s_); sqlite3_clear_bindings(s_); }
  sqlite3_stmt* raw() { return s_; }

  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Double(int col) const { return sqlite3_column_double(s_, col); }
  int Columns() const { return sqlite3_column_count(s_); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::optional<int64_t> OptInt(int col) const { return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col)); }
  std::string_view Text(int col) const;

 private:
  Db* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

//! Resets a statement when it goes out of scope, so a cached statement is reusable after
//! an early return.
class StmtScope {
 public:
  explicit StmtScope(Stmt& s) : s_(s) {}
  ~StmtScope() { s_.Reset(); }
  Stmt* operator->() { return &s_; }
  Stmt& operator*() { return s_; }

 private:
  Stmt& s_;
};

class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();

  Status Exec(std::string_view sql);
  Result<Stmt> Prepare(std::string_view sql);
  //! A statement prepared once per connection and kept; reset it after use (StmtScope).
  Result<Stmt*> Cached(const std::string& sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  //! A Transaction is open (writes now commit with it, not on their own).
  bool InTransaction() const { return tx_depth_ > 0; }
  sqlite3* raw() { return db_; }

  Status Error(std::string_view what) const;

  //! Until EndRead(), reads share a read transaction: one snapshot and one WAL read lock
  //! instead of one per statement. It is opened (BEGIN, deferred) by the first statement that
  //! reads, so reads that never come cost nothing, and the snapshot holds every commit made
  //! before this call. A write through this connection (a Transaction, or a statement that
  //! writes) ends it first, so the write never starts from an old snapshot; a read after the
  //! write opens a new one. No-op inside a Transaction or when called twice.
  void BeginRead();
  //! Ends the read transaction, if one is open, and the reads' sharing.
  void EndRead();
  bool in_read() const { return read_tx_; }

 private:
  friend class Stmt;
  friend class Transaction;
  explicit Db(sqlite3* db) : db_(db) {}
  //! Runs one of the read-transaction statements (prepared once); true on success.
  bool RunControl(std::optional<Stmt>& stmt, const char* sql);
  //! For Stmt::Step: before a read, opens the read transaction when wanted; before a write,
  //! ends it.
  void BeforeStep(bool writes);
  void CloseReadTx();
  sqlite3* db_;
  int tx_depth_ = 0;  // open Transactions; inner ones are savepoints
  bool read_wanted_ = false;  // between BeginRead and EndRead
  bool read_tx_ = false;      // the read transaction is open (BEGIN ran)
  std::optional<Stmt> begin_, commit_, rollback_;
  std::unordered_map<std::string, Stmt> cache_;
};

//! The Status for a SQLite result code and message.
Status SqliteError(int code, std::string_view what, std::string_view message);

//! Rolls back unless Commit() was called. The outermost one is BEGIN IMMEDIATE (takes the
//! write lock up front, so it never fails half-way on a lock upgrade); nested ones are
//! savepoints, so a write that is atomic on its own can also be part of a larger one.
class Transaction {
 public:
  static Result<Transaction> Begin(Db& db);
  Transaction(Transaction&& o) noexcept : db_(o.db_), depth_(o.depth_) { o.db_ = nullptr; }
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db), depth_(db->tx_depth_) {}
  Db* db_;
  int depth_;  // 0 = outermost
};

}  // namespace sluice::sqlite
