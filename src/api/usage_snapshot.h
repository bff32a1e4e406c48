#pragma once
//! Usage restored at start without reading the whole ledger: the meter's state is saved in a
//! usage snapshot (ledger/snapshot_file.h) after the ledger's checkpoints, and a start loads
//! the newest valid snapshot and replays only the records after it. A snapshot is the state
//! a replay of exactly the records [0, size) builds (a second meter, fed from the ledger's
//! durable records by a background thread, not the live meter, whose charges run ahead of
//! their records and may be refunded), so a restored meter equals a full replay's.
//!
//! A snapshot also names the plan (and its prices) it priced each project by: when a
//! project's plan or its prices are not the same now, the snapshot is not used (a full
//! replay prices every record by today's plans). One that is altered, not of this ledger's
//! records, or unreadable is skipped with a warning, for an older one or the full replay.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>

#include "access/plans.h"
#include "access/usage_meter.h"
#include "core/clock.h"
#include "ledger/checkpoint.h"
#include "ledger/record.h"
#include "ledger/segment.h"
#include "store/store.h"

namespace sluice {

//! Feeds ledger records to a UsageMeter as the meter's rebuild does: writes (POST records)
//! and GET deliveries of projects that have a plan, priced by the plan the project has when
//! first met, trap posts left out. Not thread-safe.
class UsageReplay {
 public:
  UsageReplay(Store& store, const Plans& plans) : store_(store), plans_(plans) {}
  //! (Re)reads the store's traps; call before replaying records that may hold new ones.
  Status LoadTraps();
  //! One record (its encoded bytes), into `meter`.
  Status Apply(std::string_view payload, UsageMeter& meter);
  //! The plans it priced by, per project met, as bytes (for a snapshot).
  std::string SavePlans() const;
  //! Reads SavePlans' bytes from the front of `bytes` and advances past them; false (and a
  //! reason in *why) when they are not well formed or a project's plan differs now.
  bool SamePlans(std::string_view* bytes, std::string* why);

 private:
  const Plan* PlanFor(Id project);

  Store& store_;
  const Plans& plans_;
  std::map<Id, const Plan*> plan_of_;  // project -> its plan (nullptr: none), looked up once
  std::unordered_set<Id> traps_;
  std::vector<Id> posts_;
};

//! What RestoreUsage did.
struct RestoredUsage {
  uint64_t snapshot_size = 0;  // records the snapshot used reflects (0: none, full replay)
  uint64_t replayed = 0;       // records read after it
  LedgerPosition end;          // where the next record will start
};

//! Loads the newest valid snapshot of `ledger_dir` into `meter` (empty before) and replays
//! the records after it; every record when there is none. Skipped snapshots are logged.
Result<RestoredUsage> RestoreUsage(const std::string& ledger_dir, UsageReplay& replay, UsageMeter& meter);

//! Writes usage snapshots after checkpoints, on its own thread, from its own meter.
//! Thread-safe.
class UsageSnapshots {
 public:
  struct Options {
    std::string ledger_dir;
    std::string origin;           // the ledger's (ledger.origin)
    int64_t every_ms = 10'000;    // at most one snapshot per this long (the last one always)
    size_t keep = 2;              // snapshot files kept, newest first
    const Clock* clock = nullptr; // default: the system clock
  };
  explicit UsageSnapshots(Options options);
  ~UsageSnapshots();

  //! The ledger's on_checkpoint: notes the newest checkpoint. Cheap; any thread.
  void CheckpointWritten(const Checkpoint& checkpoint);
  //! Restores `live` (empty) as RestoreUsage does, and starts the thread that snapshots the
  //! checkpoints from then on; `store` becomes its connection. Call once, after the ledger is open.
  Result<RestoredUsage> Start(std::unique_ptr<Store> store, const Plans& plans, UsageMeter& live);
  //! Writes the snapshot of the newest checkpoint when it is not written yet (the ledger's
  //! Close signs one of every record: call after it) and stops the thread.
  void Stop();
  //! Snapshots written by this process, and writes that failed (tests).
  uint64_t Written() const;
  uint64_t Failed() const;

 private:
  void Loop();
  Status CatchUpAndWrite(const Checkpoint& target);

  const Options options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  std::optional<Checkpoint> latest_;
  bool stopping_ = false;
  uint64_t written_count_ = 0;
  uint64_t failed_count_ = 0;
  // The snapshot thread's, once started.
  std::unique_ptr<Store> store_;
  std::unique_ptr<UsageReplay> replay_;
  std::unique_ptr<UsageMeter> meter_;
  std::unique_ptr<Signer> signer_;
  LedgerPosition position_;       // the next record to replay into meter_
  uint64_t snapshotted_ = 0;      // the size of the newest snapshot present
  TimeMs last_write_ = 0;
  TimeMs retry_at_ = 0;           // after a failed write, not before this
  std::thread thread_;
};

}  // namespace sluice
