#pragma once
//! Server: HTTP/1.1 (optionally TLS) on Boost.Beast. One acceptor (two with [admin] listen, the
//! second marking its requests ApiRequest::admin_listener) hands connections round-robin to N
//! workers; each worker is one thread with its own io_context and its own Store
//! connection, and runs requests to completion on that thread. Stop() drains: no new
//! connections, idle keep-alive connections are closed, in-flight requests finish (up to
//! drain_timeout_ms), then Run() returns.
//! Slow and greedy clients: a request's header must arrive within server.header_timeout_ms and
//! its body within server.body_timeout_ms (each a deadline for the whole, which trickling
//! cannot extend); past server.max_connections open connections a new one is accepted and
//! closed at once; accept errors (out of descriptors) back off from 10 ms to 1 s and are logged
//! at most once a second, with a count.
//! This header is Beast-free so main.cc compiles without Asio.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/result.h"
#include "store/store.h"

namespace sluice {

class AdmissionCounters;
class AdminApi;
class OAuthServer;
class Ledger;
class Plans;
class UsageMeter;
class TrapInjector;
class RevocationGeneration;
class StreamHub;
class AdminEvidence;
class PortalFiles;
using StoreFactory = std::function<Result<std::unique_ptr<Store>>()>;

//! Blocks SIGINT and SIGTERM in the calling thread and the threads it creates after. Call it
//! before creating any thread when Run(true) will handle them: Run unblocks them in its own
//! thread once its handler is in place, so none is lost or fatal in between.
void BlockStopSignals();

//! The connection cap when server.max_connections is 0: the soft file limit (RLIMIT_NOFILE)
//! less headroom for what else the process opens (per worker: its store's files and its event
//! loop's; then the ledger's files, logs, the listening socket): 64 + 8 per worker, at most half
//! the limit. At least 1.
int64_t DefaultMaxConnections(int64_t file_limit, int workers);

class Server {
 public:
  //! What the request path shares across workers; each may be null (that stage is off) and
  //! must outlive the server. With config.metering.enabled false the server uses neither
  //! its rate limiter nor `meter`.
  struct Shared {
    Ledger* ledger = nullptr;
    const Plans* plans = nullptr;
    UsageMeter* meter = nullptr;
    TrapInjector* traps = nullptr;
    const RevocationGeneration* revocations = nullptr;  // null: revocations show within a second
    AdmissionCounters* counters = nullptr;  // shared counters (Redis); null: this node's limiter and meter
    OAuthServer* oauth = nullptr;           // null: no authorization server (its routes answer 404)
    StreamHub* streams = nullptr;           // null: the stream endpoints answer 503
    const AdminApi* admin = nullptr;        // null: the admin API's routes answer 404
    AdminEvidence* evidence = nullptr;      // null: the admin ledger and trace routes answer 404
    const PortalFiles* portal = nullptr;    // null: / and /portal/ answer 404
  };
  Server(const Config& config, StoreFactory stores, Shared shared);
  ~Server();

  //! Binds config.server.listen (port 0 picks one), and config.admin.listen when set, and opens
  //! one store per worker. Returns the main listener's bound port.
  Result<int> Start();
  //! After Start: the admin listener's bound port; nullopt when config.admin.listen is "".
  std::optional<int> AdminPort() const;
  //! Serves until Stop() (or SIGINT/SIGTERM when `handle_signals`) and draining end. With
  //! `handle_signals`, SIGINT and SIGTERM stay blocked in the calling thread from the start of
  //! draining on, so that a repeated signal cannot kill the shutdown that follows.
  void Run(bool handle_signals);
  //! Thread-safe; begins draining.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
