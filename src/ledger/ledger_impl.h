#pragma once
//! The Ledger implementation, private to src/ledger. Appenders touch only the fields under
//! mu_; everything else (segment file, tree, signer, checkpoint state) belongs to the sync
//! thread once Open has started it, and to Open/Close while it is not running.

#include <atomic>
#include <functional>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/refusal_counter.h"
#include "ledger/segment.h"

namespace sluice {

class LedgerImpl final : public Ledger {
 public:
  explicit LedgerImpl(const LedgerOptions& options);
  ~LedgerImpl() override;

  //! Open's work: directories, torn-tail cut, tree catch-up, key, last checkpoint; then
  //! starts the sync thread.
  Status Start();

  Result<uint64_t> Append(LedgerRecord record) override;
  Status Count(LedgerRecord record) override;
  Status WaitDurable(uint64_t seq) override;
  void WhenDurable(uint64_t seq, std::function<void(Status)> done) override;
  uint64_t DurableSize() const override;
  uint64_t AppendedSize() const override;
  Result<std::string> Checkpoint() override;
  Status Close() override;

 private:
  // What one WriteAndSync made durable: a prefix of the batch, all of it unless `status`.
  struct Written {
    Status status;
    size_t bytes = 0;
    uint64_t records = 0;
  };

  Status Recover();
  // Recover's steps (ledger_recover.cc).
  Status TakeClosedMarker();
  // From record `from` (a segment's first) on; repair reads every record whatever `from`.
  Result<ScanResult> ScanAndCheckTree(uint64_t from, uint64_t* mismatch);
  Status RepairTail(const ScanResult& scan);
  Status SetAsideCheckpoints(uint64_t records);
  Status RefuseStart(const std::string& why) const;
  Status LogRepair(const std::string& line);
  std::string RepairDir();
  Status LoadLastCheckpoint();
  Status WriteClosedMarker();
  // Queues one encoded record (version byte chosen by the caller); mu_ held.
  uint64_t AppendLocked(uint8_t version, std::string_view body);
  Status OpenLastSegment();
  void SyncLoop();
  std::vector<std::pair<uint64_t, std::function<void(Status)>>> TakeSettledWaiters(bool all);
  void CallWaiters(std::vector<std::pair<uint64_t, std::function<void(Status)>>> settled);
  Written WriteAndSync(std::string_view batch, uint64_t first_seq);
  Status CreateSegment(uint64_t first_seq);
  void ExtendTree(std::string_view frames);
  bool CheckpointDue() const;
  Result<std::string> WriteCheckpoint();
  // After a checkpoint is durable: deletes the older ones the retention rule drops.
  void ThinCheckpoints(TimeMs now);

  const LedgerOptions options_;
  const Clock& clock_;
  const std::string checkpoint_dir_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // to the sync thread: a sync, a checkpoint or a stop is wanted
  std::condition_variable done_cv_;  // from it: durable size moved, failure, checkpoint made, room in pending_
  // Guarded by mu_.
  std::string pending_;       // frames of records [flushed_seq_, next_seq_)
  uint64_t next_seq_ = 0;
  uint64_t flushed_seq_ = 0;  // handed to the sync thread
  bool sync_requested_ = false;
  bool stopping_ = false;
  std::optional<Status> failure_;  // a write or sync failed: sticky until reopened
  uint64_t checkpoints_requested_ = 0;
  uint64_t checkpoints_done_ = 0;
  std::optional<Result<std::string>> checkpoint_result_;
  RefusalCounter refusals_;
  // WhenDurable's callers waiting for their record, by seq; called by the sync thread.
  std::vector<std::pair<uint64_t, std::function<void(Status)>>> durable_waiters_;

  std::atomic<uint64_t> durable_{0};  // written, synced, then stored (release)

  // Sync thread only.
  std::unique_ptr<TreeHashes> tree_;
  std::shared_ptr<const Signer> signer_;
  bool tree_ok_ = true;  // false after a tree write failed: no more checkpoints this run
  int segment_fd_ = -1;
  int lock_fd_ = -1;  // flock on DATA/ledger/LOCK: one writer process per ledger
  std::string segment_path_;
  uint64_t segment_size_ = 0;
  bool have_checkpoint_ = false;
  uint64_t checkpoint_size_ = 0;
  std::string checkpoint_note_;
  TimeMs checkpoint_time_ = 0;        // of the last checkpoint, or of Open
  TimeMs checkpoint_retry_after_ = 0;  // after a failed automatic checkpoint
  std::optional<TimeMs> thinned_at_;   // the last ThinCheckpoints listing, none yet this run
  bool untagged_warned_ = false;

  std::string repair_dir_;  // made on the first repair action, DATA/ledger/repaired-<ms>
  bool was_closed_ = false;  // the clean-close marker was there at Open
  bool marker_taken_ = false;
  bool repaired_ = false;    // repair changed something (logged)

  std::mutex close_mu_;
  bool started_ = false;  // Recover succeeded: Close may checkpoint and mark the ledger closed
  bool closed_ = false;
  Status close_status_;
  std::thread thread_;
};

}  // namespace sluice
