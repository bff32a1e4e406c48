#pragma once
//! Ledger: the append-only, tamper-evident record of every delivery. Appends are cheap
//! (a buffer copy under a lock); a sync thread writes the buffer to the current segment and
//! fdatasyncs it every `sync_interval_ms` (group commit), or at once for sync=always.
//! Order, as leveldb: write, sync, then publish (the durable size advances, then the Merkle
//! tree is extended and checkpoints may be signed), so no checkpoint ever covers a record
//! that is not on disk. Thread-safe.
//!
//! Open() recovers: it checks the persisted tree hashes against the records of the segment
//! holding the last record they cover and the segments after it (not the whole ledger:
//! start-up does not grow with it; `sluice ledger verify` reads every record), cuts a torn
//! tail past what the tree hashes and checkpoints cover (logging the bytes dropped), brings
//! the tree hashes up to the records and signs a checkpoint. It refuses (a CommandError
//! saying how to inspect and repair) when records the tree hashes or a checkpoint cover are
//! missing or damaged, or when the tree hashes do not match the records: nothing is cut
//! then, unless `repair` is set (`sluice ledger repair`), which cuts to the whole records,
//! keeps what it removes in DATA/ledger/repaired-<ms>/ and logs it to repairs.log.
//!
//! Checkpoints: at Open, every `checkpoint_every_ms` (or `checkpoint_every_records`)
//! while records arrive, on Checkpoint(), and at Close. Each file's mtime is the clock's
//! time when it was signed (CheckpointMtime); after writing one, the older ones are thinned (at most once per
//! `checkpoint_retention.thin_every_ms`) to those checkpoint_retention.h keeps. Close also writes the clean-close
//! marker (DATA/ledger/CLOSED), which Open removes: a ledger without it was not closed.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "ledger/checkpoint.h"
#include "ledger/checkpoint_retention.h"
#include "ledger/record.h"

namespace sluice {

enum class LedgerSync { kAlways, kInterval };

//! The sync thread's name (top, perf, /proc/PID/task/TID/comm). It runs as SCHED_BATCH: its
//! work is throughput, not latency, and it must not preempt a worker serving a request.
inline constexpr char kSyncThreadName[] = "ledger-sync";

struct LedgerOptions {
  std::string dir;                  // DATA/ledger
  LedgerSync sync = LedgerSync::kInterval;
  int64_t sync_interval_ms = 10;
  uint64_t segment_bytes = 64 << 20;  // roll to a new segment past this size
  std::string origin = "sluice.local/ledger";  // checkpoint origin line (the log's name)
  uint64_t checkpoint_every_records = 100000;
  int64_t checkpoint_every_ms = 1000;
  // Which older checkpoints are deleted after a new one is written (checkpoint_retention.h).
  CheckpointRetention checkpoint_retention;
  const Clock* clock = nullptr;     // default: the system clock
  // Signs checkpoints. Default: the Ed25519 key in dir/checkpoint.key, created if absent
  // (Signer::LoadOrCreate). Tests pass one whose signing fails.
  std::shared_ptr<const Signer> signer;
  bool repair = false;              // Open cuts damaged or missing covered records (see above)
  // Called after each new checkpoint file is durable, with what it signs, on the thread that
  // wrote it (the sync thread, or Open's or Close's caller): it must only hand it on (usage
  // snapshots, api/usage_snapshot.h, are written with the checkpoints this way).
  std::function<void(const Checkpoint&)> on_checkpoint;
};

class Ledger {
 public:
  static Result<std::unique_ptr<Ledger>> Open(const LedgerOptions& options);
  virtual ~Ledger() = default;

  //! Assigns the next sequence number (record.seq is overwritten) and queues the record.
  //! Returns the sequence number. For sync=always, returns once it is durable.
  virtual Result<uint64_t> Append(LedgerRecord record) = 0;
  //! Counts a refusal of a request without a known app (record.app_id 0): aggregated with
  //! the others of its second, node, endpoint and status into one record (RefusalCounter),
  //! appended once the second has passed or at Close. Not durable on return: a crash loses
  //! the counts of the last second or so. The default appends the record as it is.
  virtual Status Count(LedgerRecord record) {
    return Append(std::move(record)).status();
  }
  //! Blocks until record `seq` is durable (for acknowledged writes in every sync mode).
  virtual Status WaitDurable(uint64_t seq) = 0;
  //! Calls `done` once record `seq` is durable (ok) or can no longer be (the failure): at
  //! once on this thread when that is already known, else later on the ledger's sync thread,
  //! so `done` must only hand the result on (post it to the waiter's thread). Group commit
  //! applies: one sync serves every waiter. The default waits (WaitDurable) on this thread.
  virtual void WhenDurable(uint64_t seq, std::function<void(Status)> done) { done(WaitDurable(seq)); }
  //! Records durable on disk (all of 0..size-1).
  virtual uint64_t DurableSize() const = 0;
  //! Records appended, durable or not (DurableSize() <= AppendedSize()).
  virtual uint64_t AppendedSize() const = 0;
  //! Syncs now and signs a checkpoint of the durable tree; returns its text.
  virtual Result<std::string> Checkpoint() = 0;
  //! Appends the counted refusals, flushes, syncs, stops the sync thread, signs a checkpoint
  //! and writes the clean-close marker (not after a write failure). Further appends fail.
  virtual Status Close() = 0;
};

}  // namespace sluice
