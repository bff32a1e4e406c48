#pragma once
//! The evidence part of the admin API (docs/admin-api.md, "Evidence: ledger and trace runs"):
//!   GET  /admin/v1/ledger                        this node's ledger: size, latest checkpoint, key
//!   POST /admin/v1/ledger/verify                 verify the records durable when asked
//!   POST /admin/v1/ledger/checkpoints            sign a checkpoint now
//!   POST /admin/v1/traces                        a trace run: dataset bytes, or {"path": ...}
//!   GET  /admin/v1/traces[/:id]                  runs (newest first), progress, report
//!   GET  /admin/v1/traces/:id/evidence/:app_id   an app's evidence bundle, to download
//! Who may call them (the admin token or an admin session, CSRF on POSTs) is the admin API's
//! to decide before Handle (api/admin.h): these handlers serve an admin.
//!
//! A worker never waits here: what reads or writes files or waits for the ledger's sync
//! thread runs on this object's task thread ("admin-evidence"), one job at a time; a verify
//! on a thread of its own ("ledger-verify"), so that status and checkpoints answer while it
//! runs, and a verify asked for while one runs is answered by that one; trace runs on
//! TraceRuns' thread. Answers come back on the worker through its executor (as the OAuth
//! server's password checks do). The last verify's result is kept in memory only: a restart
//! forgets it (the ledger is verified again on demand).

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/exchange.h"

namespace sluice {

class Ledger;
class TraceRuns;

class AdminEvidence {
 public:
  struct Options {
    std::string ledger_dir;       // DATA/ledger
    std::string origin;           // the ledger's origin (before it has a checkpoint)
    Ledger* ledger = nullptr;     // the server's ledger (required)
    TraceRuns* traces = nullptr;  // the trace runs (required)
    int64_t upload_max_bytes = 256LL << 20;  // traces.upload_max_bytes
    size_t max_queued = 256;      // jobs waiting for the task thread, past which 503
  };
  AdminEvidence(const Clock& clock, Options options);
  //! Runs the jobs queued and finishes the verify under way (its waiters are not answered:
  //! call it once the server has stopped, as cli/serve.cc does).
  ~AdminEvidence();
  AdminEvidence(const AdminEvidence&) = delete;
  AdminEvidence& operator=(const AdminEvidence&) = delete;

  //! The routes Handle serves: the admin routes without a handler in AdminRouteOf (admin_call.h).
  static bool Serves(RouteId route);
  //! Serves `route` for an admin on `worker`; calls `done` once, on the worker's thread: at
  //! once, or later through worker.executor (`req`'s views stay valid until then). `capture`
  //! and `capture2` are the route's ":id" and ":app_id". Never throws.
  void Handle(const Services& services, RouteId route, WorkerState& worker, const ApiRequest& req,
              std::string_view capture, std::string_view capture2, std::function<void(ApiResponse)> done);

 private:
  struct Job {
    std::function<ApiResponse()> work;
    Executor* executor;
    std::function<void(ApiResponse)> done;
    std::shared_ptr<void> keep;
  };
  // Runs `work` on the task thread and hands its response to `done` on the worker.
  void Later(const Services& services, WorkerState& worker, std::function<ApiResponse()> work,
             std::function<void(ApiResponse)> done);
  void Verify(const Services& services, WorkerState& worker, std::function<void(ApiResponse)> done);
  void TaskLoop();
  void VerifyLoop();
  ApiResponse LedgerStatus(const Services& services);
  ApiResponse SignCheckpoint(const Services& services);
  std::string VerifyNow();

  const Clock& clock_;
  const Options options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;             // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  std::vector<Job> verify_waiters_;  // guarded by mu_: answered by the verify that ends next
  std::optional<std::string> last_verify_;  // guarded by mu_: the Verify JSON
  std::thread tasks_;
  std::thread verifier_;
};

}  // namespace sluice
