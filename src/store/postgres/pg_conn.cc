#include "store/postgres/pg_conn.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>

#include "store/store.h"

namespace sluice::pg {

Params& Params::Push(std::string v, int format) {
  values_.push_back(std::move(v));
  null_.push_back(false);
  formats_.push_back(format);
  return *this;
}

Params& Params::AddNull() {
  Push("", 0);
  null_.back() = true;
  return *this;
}

Params& Params::Append(const Params& other, size_t i) {
  Push(other.values_[i], other.formats_[i]);
  null_.back() = other.null_[i];
  return *this;
}

Params& Params::Add(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  return Push(std::string(buf, end), 0);
}

int64_t Rows::Int(int row, int col) const {
  std::string_view t = Text(row, col);
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

double Rows::Double(int row, int col) const {
  std::string t(Text(row, col));
  return std::strtod(t.c_str(), nullptr);
}

int64_t Rows::Affected() const {
  const char* n = PQcmdTuples(r_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator
// intervention (admin shutdown, cannot connect now), 40 transaction rollback (serialization
// failure, deadlock); 23 integrity constraint violation.
StatusCode CodeFor(const char* state) {
  if (!state || std::strlen(state) < 2) return StatusCode::kUnavailable;  // no server answer
  std::string_view cls(state, 2);
  if (cls == "08" || cls == "53" || cls == "57" || cls == "40") return StatusCode::kUnavailable;
  if (cls == "23") return StatusCode::kConflict;
  return StatusCode::kInternal;
}

Status Make(StatusCode code, std::string message) {
  switch (code) {
    case StatusCode::kUnavailable: return ServiceUnavailable(std::move(message), 1);
    case StatusCode::kConflict: return Conflict(std::move(message));
    default: return InternalError(std::move(message));
  }
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

constexpr const char* kSessionSetup = "SET client_encoding = 'UTF8'; SET client_min_messages = warning";

bool ReadsOnly(std::string_view sql) { return sql.rfind("SELECT ", 0) == 0; }

}  // namespace

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& url) {
  // libpq waits for a connection without end by default: a host that does not answer (not
  // one that refuses) would hold the request that noticed it. 5 s unless the URL says otherwise
  // (its parameters, expanded from dbname, override the ones before it).
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"5", url.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(c) != CONNECTION_OK) {
    std::string message = Trim(PQerrorMessage(c));
    PQfinish(c);
    return ServiceUnavailable("PostgreSQL: cannot connect: " + message, 1);
  }
  // Server notices (a shutdown's "terminating connection") are not errors: the results say those.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  auto conn = std::unique_ptr<Conn>(new Conn(c, url));
  if (Status s = conn->Exec(kSessionSetup); !s.ok()) return s;
  return conn;
}

Conn::~Conn() { PQfinish(c_); }

Status Conn::EnsureConnected() {
  if (PQstatus(c_) == CONNECTION_OK) return Status::Ok();
  if (tx_depth_ > 0) {
    tx_lost_ = true;
    return ServiceUnavailable("PostgreSQL: the connection was lost inside a transaction", 1);
  }
  PQreset(c_);
  prepared_.clear();
  if (PQstatus(c_) != CONNECTION_OK)
    return ServiceUnavailable("PostgreSQL: cannot reconnect: " + Trim(PQerrorMessage(c_)), 1);
  return Exec(kSessionSetup);
}

Status Conn::Error(PGresult* r, std::string_view what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = r ? Trim(PQresultErrorMessage(r)) : "";
  if (message.empty()) message = Trim(PQerrorMessage(c_));
  StatusCode code = PQstatus(c_) == CONNECTION_OK ? CodeFor(state) : StatusCode::kUnavailable;
  if (PQstatus(c_) != CONNECTION_OK && tx_depth_ > 0) tx_lost_ = true;
  return Make(code, "PostgreSQL: " + std::string(what.substr(0, 80)) + ": " + message);
}

Result<Rows> Conn::Query(const std::string& sql, const Params& params, Plan plan) {
  auto rows = Run(sql, params, plan);
  if (!rows.ok() && rows.status().code() == StatusCode::kUnavailable && tx_depth_ == 0 &&
      PQstatus(c_) != CONNECTION_OK && ReadsOnly(sql))
    return Run(sql, params, plan);
  return rows;
}

Result<const std::string*> Conn::Prepared(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) return &it->second;
  std::string name = "s" + std::to_string(prepared_.size() + 1);
  std::string numbered = NumberPlaceholders(sql);
  PGresult* r = PQprepare(c_, name.c_str(), numbered.c_str(), 0, nullptr);
  if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
    Status s = Error(r, sql);
    PQclear(r);
    return s;
  }
  PQclear(r);
  return &prepared_.emplace(sql, name).first->second;
}

Status Conn::Values(const Params& params, std::vector<const char*>& values, std::vector<int>& lengths) {
  values.resize(params.size());
  lengths.resize(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    // PostgreSQL's text holds no NUL, and libpq would cut a text parameter at one silently.
    if (params.formats_[i] == 0 && params.values_[i].find('\0') != std::string::npos)
      return MalformedRequest("The request holds a U+0000 (NUL) character, which this store cannot keep.");
    values[i] = params.null_[i] ? nullptr : params.values_[i].data();
    lengths[i] = int(params.values_[i].size());
  }
  return Status::Ok();
}

Result<Rows> Conn::Run(const std::string& sql, const Params& params, Plan plan) {
  if (Status s = EnsureConnected(); !s.ok()) return s;
  const std::string* name = nullptr;
  if (plan == Plan::kPrepared) {
    auto prepared = Prepared(sql);
    if (!prepared.ok()) return prepared.status();
    name = *prepared;
  }
  std::vector<const char*> values;
  std::vector<int> lengths;
  if (Status s = Values(params, values, lengths); !s.ok()) return s;
  PGresult* r =
      plan == Plan::kPrepared
          ? PQexecPrepared(c_, name->c_str(), int(params.size()), values.data(), lengths.data(),
                           params.formats_.data(), 0)
          : PQexecParams(c_, NumberPlaceholders(sql).c_str(), int(params.size()), nullptr, values.data(),
                         lengths.data(), params.formats_.data(), 0);
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Status s = Error(r, sql);
    PQclear(r);
    return s;
  }
  return Rows(r);
}

Status Conn::Exec(std::string_view sql) {
  if (Status s = EnsureConnected(); !s.ok()) return s;
  std::string text(sql);
  PGresult* r = PQexec(c_, text.c_str());
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Status s = Error(r, sql);
    PQclear(r);
    return s;
  }
  PQclear(r);
  return Status::Ok();
}

Status Conn::RunBatch(const Batch& batch, size_t* failed) {
  if (Status s = EnsureConnected(); !s.ok()) return s;
  std::vector<const std::string*> names;
  for (const auto& [sql, params] : batch.statements) {
    auto name = Prepared(sql);
    if (!name.ok()) return name.status();
    names.push_back(*name);
  }
  // Chunks: a blocking connection may not send without end while the server's answers wait
  // unread (each is a few dozen bytes: a chunk's fit the socket buffers).
  constexpr size_t kChunk = 256;
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (size_t start = 0; start < batch.statements.size(); start += kChunk) {
    const size_t end = std::min(batch.statements.size(), start + kChunk);
    if (PQenterPipelineMode(c_) != 1) return Error(nullptr, "pipeline");
    Status first = Status::Ok();
    size_t sent = start;
    for (; sent < end; ++sent) {
      const Params& params = batch.statements[sent].second;
      if (first = Values(params, values, lengths); !first.ok()) break;
      if (PQsendQueryPrepared(c_, names[sent]->c_str(), int(params.size()), values.data(), lengths.data(),
                              params.formats_.data(), 0) != 1) {
        first = Error(nullptr, batch.statements[sent].first);
        break;
      }
    }
    if (!first.ok() && failed) *failed = sent;
    const bool synced = PQpipelineSync(c_) == 1;
    for (size_t i = start; i < sent && synced; ++i) {
      PGresult* r = PQgetResult(c_);
      if (!r) {  // the connection went
        if (first.ok()) {
          first = Error(nullptr, batch.statements[i].first);
          if (failed) *failed = i;
        }
        break;
      }
      const ExecStatusType st = PQresultStatus(r);
      if (first.ok() && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        first = Error(r, batch.statements[i].first);
        if (failed) *failed = i;
      }
      PQclear(r);
      while ((r = PQgetResult(c_)) != nullptr) PQclear(r);  // the statement's end
    }
    if (synced) {
      for (PGresult* r; (r = PQgetResult(c_)) != nullptr;) {
        const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync) break;
      }
    }
    PQexitPipelineMode(c_);
    if (!synced && first.ok()) first = Error(nullptr, "pipeline sync");
    if (!first.ok()) return first;
  }
  return Status::Ok();
}

Result<Tx> Tx::Begin(Conn& c) {
  int depth = c.tx_depth_;
  if (depth == 0) c.tx_lost_ = false;
  Status s = c.Exec(depth == 0 ? std::string("BEGIN") : "SAVEPOINT sp" + std::to_string(depth));
  // A connection found dead at BEGIN has sent nothing of the transaction: begin again on a
  // fresh one (after a server restart every pooled connection is stale once).
  if (!s.ok() && depth == 0 && PQstatus(c.c_) != CONNECTION_OK) s = c.Exec("BEGIN");
  if (!s.ok()) return s;
  ++c.tx_depth_;
  return Tx(&c, depth);
}

Status Tx::Commit() {
  Conn* c = c_;
  c_ = nullptr;
  if (depth_ > 0) {
    --c->tx_depth_;
    return c->Exec("RELEASE SAVEPOINT sp" + std::to_string(depth_));
  }
  c->tx_depth_ = 0;
  if (c->tx_lost_) return ServiceUnavailable("PostgreSQL: the connection was lost inside a transaction", 1);
  // After the commit, in its own transaction: a reader that sees the sequence move also sees
  // the commit (a move seen before it could let a cache keep the old state for good).
  Status s = c->Exec("COMMIT");
  if (!s.ok()) return s;
  BumpStoreWriteGeneration();
  // Best effort: a miss only delays another node noticing (its caches' own expiry still holds).
  auto mark = c->Query("SELECT nextval('store_writes')");
  c->last_write_mark_ = mark.ok() && mark->size() == 1 ? mark->Int(0, 0) : 0;
  return Status::Ok();
}

Tx::~Tx() {
  if (!c_) return;
  if (depth_ > 0) {
    --c_->tx_depth_;
    if (PQstatus(c_->c_) != CONNECTION_OK) return;
    std::string sp = "sp" + std::to_string(depth_);
    (void)c_->Exec("ROLLBACK TO SAVEPOINT " + sp + "; RELEASE SAVEPOINT " + sp);
  } else {
    c_->tx_depth_ = 0;
    // A lost connection took its transaction with it: nothing to roll back, and no reconnect here.
    if (PQstatus(c_->c_) == CONNECTION_OK) (void)c_->Exec("ROLLBACK");
  }
}

Pool::Lease& Pool::Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    Release();
    pool_ = o.pool_;
    c_ = std::move(o.c_);
  }
  return *this;
}

void Pool::Lease::Release() {
  if (c_ && pool_) pool_->Return(std::move(c_));
  c_.reset();
}

std::shared_ptr<Pool> Pool::For(const std::string& url, int size) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<Pool>> pools;
  std::lock_guard lock(mu);
  auto& weak = pools[url];
  if (auto pool = weak.lock()) return pool;
  auto pool = std::make_shared<Pool>(url, size);
  weak = pool;
  return pool;
}

Result<Pool::Lease> Pool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++open_;
  lock.unlock();
  auto c = Conn::Open(url_);
  if (!c.ok()) {
    std::lock_guard relock(mu_);
    --open_;
    cv_.notify_one();
    return c.status();
  }
  return Lease(this, std::move(*c));
}

void Pool::Return(std::unique_ptr<Conn> c) {
  std::lock_guard lock(mu_);
  if (c->InTransaction()) {  // never hand on a connection left inside a transaction
    --open_;
  } else {
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

}  // namespace sluice::pg
