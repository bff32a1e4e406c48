#pragma once
//! Ledger: the append-only, tamper-evident record of every delivery. Appends are cheap
//! (a buffer copy under a lock); a sync thread writes the buffer to the current segment and
//! fdatasyncs it every `sync_interval_ms` (group commit), or at once for sync=always.
//! Order, as leveldb: write, sync, then publish (the durable size advances, then the Merkle
//! tree is extended and checkpoints may be signed), so no checkpoint ever covers a record
//! that is not on disk. Thread-safe.
//!
//! Open() recovers: it scans the segments, cuts a torn tail (logging the bytes dropped),
//! and brings the persisted tree hashes up to the durable records.

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "ledger/record.h"

namespace sluice {

enum class LedgerSync { kAlways, kInterval };

struct LedgerOptions {
  std::string dir;                  // DATA/ledger
  LedgerSync sync = LedgerSync::kInterval;
  int64_t sync_interval_ms = 10;
  uint64_t segment_bytes = 64 << 20;  // roll to a new segment past this size
  std::string origin = "sluice.local/ledger";  // checkpoint origin line (the log's name)
  uint64_t checkpoint_every_records = 100000;
  int64_t checkpoint_every_ms = 60000;
  const Clock* clock = nullptr;     // default: the system clock
};

class Ledger {
 public:
  static Result<std::unique_ptr<Ledger>> Open(const LedgerOptions& options);
  virtual ~Ledger() = default;

  //! Assigns the next sequence number (record.seq is overwritten) and queues the record.
  //! Returns the sequence number. For sync=always, returns once it is durable.
  virtual Result<uint64_t> Append(LedgerRecord record) = 0;
  //! Blocks until record `seq` is durable (for acknowledged writes in every sync mode).
  virtual Status WaitDurable(uint64_t seq) = 0;
  //! Records durable on disk (all of 0..size-1).
  virtual uint64_t DurableSize() const = 0;
  //! Records appended, durable or not (DurableSize() <= AppendedSize()).
  virtual uint64_t AppendedSize() const = 0;
  //! Syncs now and signs a checkpoint of the durable tree; returns its text.
  virtual Result<std::string> Checkpoint() = 0;
  //! Flushes, syncs, stops the sync thread. Further appends fail.
  virtual Status Close() = 0;
};

}  // namespace sluice
