#pragma once
//! TraceRuns: the trace runs of the admin API (POST /admin/v1/traces; docs/admin-api.md,
//! "Evidence: ledger and trace runs"). A run is `sluice trace --json` over this node's ledger
//! and the store, of one dataset: bytes uploaded (kept under DIR/<id>/dataset/<name>) or a
//! file on the server (read in place). Runs go one at a time, oldest first, on one thread of
//! their own ("trace-runs"); each signs a checkpoint of the ledger first (Ledger::Checkpoint),
//! so every delivery before the run has a proof.
//!
//! On disk, DIR/<id>/: run.json (what Info says, rewritten atomically at each change of
//! state), report.json (the report, once done), matches.json (per app of the report, the
//! matched posts it received and the deleted ones it was told of) and evidence/<app>.json
//! (evidence bundles, built when the run ends for the apps it names, on first request for the
//! others). Open reads every run back: finished runs keep their reports across restarts; a
//! run that was queued or running when the server stopped is failed ("interrupted").
//! Progress (bytes read) lives in memory only.
//!
//! Thread-safe. Submit* and Evidence do file I/O and Evidence may scan the whole ledger: call
//! them off the request path (api/admin_evidence.h runs them on its task thread).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/snowflake.h"
#include "store/store.h"

namespace sluice {

class Ledger;

enum class TraceRunState : uint8_t { kQueued, kRunning, kDone, kFailed };
std::string_view TraceRunStateName(TraceRunState state);  // "queued", "running", "done", "failed"

struct TraceRunInfo {
  Id id = 0;
  std::string name;   // the dataset's file name: its format, as `sluice trace` reads names
  std::string path;   // a run of a server file: its absolute path; "" for an upload
  TraceRunState state = TraceRunState::kQueued;
  TimeMs created_at = 0;
  std::optional<TimeMs> finished_at;
  uint64_t bytes_read = 0;   // of the dataset, from disk (compressed bytes for .gz/.zst)
  uint64_t bytes_total = 0;
  std::string error;         // failed: why
};

class TraceRuns {
 public:
  struct Options {
    std::string dir;         // DATA/traces
    std::string ledger_dir;  // DATA/ledger
    Ledger* ledger = nullptr;  // signs a checkpoint before each run; null: none is signed
    std::function<Result<std::unique_ptr<Store>>()> stores;  // the run's own store connection
    const Clock* clock = nullptr;
    SnowflakeGenerator* ids = nullptr;
    int threads = 1;             // TraceOptions::threads of each run
    size_t max_waiting = 16;     // queued runs past which Submit* refuse (kUnavailable)
    size_t evidence_max_records = 10000;  // records in one evidence bundle (ProveAppPosts)
  };

  //! Reads back the runs in options.dir (made if missing) and starts the thread.
  static Result<std::unique_ptr<TraceRuns>> Open(Options options);
  //! Stops the run under way at its next document (failed: "interrupted: the server
  //! stopped"), and the thread.
  ~TraceRuns();
  TraceRuns(const TraceRuns&) = delete;
  TraceRuns& operator=(const TraceRuns&) = delete;

  //! A run of `bytes`, kept as DIR/<id>/dataset/<name> (written and fsynced before it is
  //! queued). `name`: 1 to 100 of [A-Za-z0-9._-], not starting with '.' (else kInvalidRequest
  //! naming "name"); empty: "dataset" (plain text). An empty dataset is kInvalidRequest. On an
  //! error nothing is left on disk.
  Result<TraceRunInfo> SubmitUpload(std::string name, std::string_view bytes);
  //! A run of the server file `path`: absolute, a regular file (after symlinks) this process
  //! can read, else kInvalidRequest naming "path". Its name is the file's.
  Result<TraceRunInfo> SubmitPath(const std::string& path);

  //! Every run, newest first.
  std::vector<TraceRunInfo> List() const;
  std::optional<TraceRunInfo> Find(Id id) const;
  //! The report JSON of a done run (nullopt otherwise).
  Result<std::optional<std::string>> Report(Id id) const;
  //! The evidence bundle of `app` in done run `id`: kNotFound for an unknown run, or an app
  //! the report does not list; kConflict while the run is not done (or failed).
  Result<std::string> Evidence(Id id, Id app);

  //! The TraceRun object of the admin API: {"id","name","state","created_at","finished_at"?,
  //! "progress":{"bytes_read","bytes_total"},"report":<report>|null,"error"?}.
  static std::string RunJson(const TraceRunInfo& run, const std::optional<std::string>& report);

 private:
  explicit TraceRuns(Options options);
  Status Load();
  Result<TraceRunInfo> Queue(TraceRunInfo run, const std::string& run_dir);
  Status Save(const TraceRunInfo& run) const;
  std::string RunDir(Id id) const;
  void Loop();
  void Run(TraceRunInfo run);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<Id, TraceRunInfo> runs_;  // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  std::mutex evidence_mu_;           // one evidence build at a time (they cache to one file)
  std::thread thread_;
};

}  // namespace sluice
