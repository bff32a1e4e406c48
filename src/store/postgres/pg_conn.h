#pragma once
//! Thin RAII over libpq for the PostgreSQL store: parameters and results in text format,
//! statements prepared once per connection, nested transactions as savepoints, and a small
//! fixed pool of connections shared by every PostgresStore of a process that names the same URL.
//! Errors come back as Status: a lost connection, a server shutting down or out of resources,
//! a serialization failure or a deadlock as kUnavailable (the API answers 503; the connection
//! is re-established on its next use); a unique, foreign-key or check violation as kConflict;
//! others as kInternal.

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/result.h"

namespace sluice::pg {

//! Statement parameters, bound in order to `?` (or `$n`) placeholders. Text format, except
//! Bytes (binary: bytea).
class Params {
 public:
  Params& Add(int64_t v) { return Push(std::to_string(v), 0); }
  Params& Add(std::string_view v) { return Push(std::string(v), 0); }
  Params& Add(const std::string& v) { return Push(v, 0); }
  Params& Add(const char* v) { return Push(v, 0); }
  Params& Add(double v);
  Params& Add(const std::optional<int64_t>& v) { return v ? Add(*v) : AddNull(); }
  Params& AddBytes(std::string_view v) { return Push(std::string(v), 1); }
  Params& AddNull();
  //! Appends `other`'s parameter `i` (to splice a compiled predicate's parameters in).
  Params& Append(const Params& other, size_t i);
  size_t size() const { return values_.size(); }

 private:
  friend class Conn;
  Params& Push(std::string v, int format);
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> formats_;
};

//! A query's rows (text format).
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int size() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  int64_t Int(int row, int col) const;
  double Double(int row, int col) const;
  std::string_view Text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), size_t(PQgetlength(r_.get(), row, col))};
  }
  std::optional<int64_t> OptInt(int row, int col) const {
    return IsNull(row, col) ? std::nullopt : std::optional<int64_t>(Int(row, col));
  }
  int columns() const { return PQnfields(r_.get()); }
  //! Rows an INSERT, UPDATE or DELETE touched.
  int64_t Affected() const;

 private:
  std::shared_ptr<PGresult> r_;
};

//! One row of Rows, for readers shared by queries.
struct Row {
  const Rows& rows;
  int i;
  int64_t Int(int c) const { return rows.Int(i, c); }
  double Double(int c) const { return rows.Double(i, c); }
  std::string_view Text(int c) const { return rows.Text(i, c); }
  bool IsNull(int c) const { return rows.IsNull(i, c); }
  std::optional<int64_t> OptInt(int c) const { return rows.OptInt(i, c); }
};

//! `?` placeholders (outside quoted literals) numbered as PostgreSQL wants them: $1, $2, ...
std::string NumberPlaceholders(std::string_view sql);

//! Statements to run in order (Conn::RunBatch), each prepared once per connection.
struct Batch {
  std::vector<std::pair<std::string, Params>> statements;
  void Add(std::string sql, Params params) { statements.emplace_back(std::move(sql), std::move(params)); }
};

//! How a statement is planned. kPrepared: prepared once per connection, its plan made for
//! its parameters' values or, after a few runs, once for all (PostgreSQL's plan cache).
//! kPerCall: planned at each call for that call's values, and not kept: searches, whose
//! tsquery decides between walking ids newest first (a common word) and the GIN index (a rare
//! one), and whose SQL varies with the query's shape.
enum class Plan { kPrepared, kPerCall };

//! One libpq connection. Not thread-safe: a Pool hands it to one user at a time.
class Conn {
 public:
  static Result<std::unique_ptr<Conn>> Open(const std::string& url);
  ~Conn();

  //! Runs `sql` (with `?` placeholders) as a statement prepared once per connection. When the
  //! connection was lost it is re-established first, outside a transaction; a statement that
  //! only reads (SELECT) is retried once on a fresh connection when the connection drops
  //! while it runs (after a server restart every pooled connection is stale once), and so is
  //! a transaction's BEGIN (Tx::Begin). A write is never retried: it may have committed.
  Result<Rows> Query(const std::string& sql, const Params& params = {}, Plan plan = Plan::kPrepared);
  //! Runs one or more statements without parameters (simple query protocol).
  Status Exec(std::string_view sql);
  //! Runs `batch` in order without waiting for each answer before sending the next (libpq's
  //! pipeline mode; one round trip per chunk of statements), inside the caller's transaction.
  //! Stops at the first failure, whose index goes to `failed`; the statements after it do not
  //! run, and the transaction is then to be rolled back (PostgreSQL refuses anything more).
  Status RunBatch(const Batch& batch, size_t* failed = nullptr);
  bool InTransaction() const { return tx_depth_ > 0; }
  //! The store_writes value the last outermost commit on this connection moved it to (0: unknown).
  int64_t last_write_mark() const { return last_write_mark_; }

 private:
  friend class Tx;
  explicit Conn(PGconn* c, std::string url) : c_(c), url_(std::move(url)) {}
  //! Reconnects when the connection is known lost and no transaction was open on it.
  Status EnsureConnected();
  Result<Rows> Run(const std::string& sql, const Params& params, Plan plan);
  //! The name of `sql` prepared on this connection, preparing it the first time.
  Result<const std::string*> Prepared(const std::string& sql);
  //! `params` as libpq takes them; refuses a text holding NUL.
  Status Values(const Params& params, std::vector<const char*>& values, std::vector<int>& lengths);
  Status Error(PGresult* r, std::string_view what);
  PGconn* c_;
  std::string url_;
  int tx_depth_ = 0;
  bool tx_lost_ = false;  // the connection dropped inside the open transaction
  int64_t last_write_mark_ = 0;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

//! Rolls back unless Commit() was called. The outermost is BEGIN ... COMMIT; nested ones are
//! savepoints. An outermost commit moves StoreWriteGeneration (store.h) and the store's
//! write sequence (PollOtherWriters), after the commit.
class Tx {
 public:
  static Result<Tx> Begin(Conn& c);
  Tx(Tx&& o) noexcept : c_(o.c_), depth_(o.depth_) { o.c_ = nullptr; }
  Tx& operator=(Tx&&) = delete;
  ~Tx();
  Status Commit();

 private:
  Tx(Conn* c, int depth) : c_(c), depth_(depth) {}
  Conn* c_;
  int depth_;
};

//! A fixed number of connections to one URL, opened on first use; Acquire waits for a free
//! one. Thread-safe.
class Pool {
 public:
  static constexpr int kDefaultSize = 8;
  //! The process's pool for `url` (one per URL, shared by every store that names it); `size`
  //! counts when this call makes it.
  static std::shared_ptr<Pool> For(const std::string& url, int size = kDefaultSize);
  explicit Pool(std::string url, int size) : url_(std::move(url)), size_(size) {}

  class Lease {
   public:
    Lease() = default;
    Lease(Pool* pool, std::unique_ptr<Conn> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&& o) noexcept;
    ~Lease() { Release(); }
    Conn& operator*() { return *c_; }
    Conn* operator->() { return c_.get(); }
    explicit operator bool() const { return c_ != nullptr; }
    void Release();

   private:
    Pool* pool_ = nullptr;
    std::unique_ptr<Conn> c_;
  };
  //! A connection for the caller alone until the Lease goes; kUnavailable when a new one
  //! cannot be opened.
  Result<Lease> Acquire();
  const std::string& url() const { return url_; }

 private:
  void Return(std::unique_ptr<Conn> c);
  const std::string url_;
  const int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int open_ = 0;  // connections in existence (idle or leased)
};

}  // namespace sluice::pg
