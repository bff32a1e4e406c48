#pragma once
//! Which signed checkpoints to keep. The ledger signs one at least every second while
//! records arrive; keeping them all would grow DATA/ledger/checkpoints by 86,400 files a
//! day. Thinning keeps every checkpoint younger than `keep_all_ms`, the newest of each hour
//! younger than `keep_hourly_ms`, and the newest of each day before that; always the newest
//! checkpoint and the oldest one. Deleting an older checkpoint loses no evidence of the
//! records: every newer checkpoint signs a tree that contains them (the log is append-only,
//! and a consistency proof between any two sizes comes from the tree hashes). What is lost
//! is only a signature from that exact moment; one an hour, then one a day, remain.
//!
//! A checkpoint's time is its file's mtime, which the ledger sets to its clock's time when
//! it writes the file, tagged (CheckpointMtime). A file whose time is unknown (unreadable,
//! or untagged: a copy or restore that did not keep mtimes) or later than now is kept.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace sluice {

struct CheckpointRetention {
  int64_t keep_all_ms = 3'600'000;              // every checkpoint of the last hour
  int64_t keep_hourly_ms = 30LL * 86'400'000;   // the newest of each hour for 30 days
  // Bucket widths, aligned to the Unix epoch (UTC hours and days). Options so tests can
  // scale the windows down; the server uses these values.
  int64_t hour_ms = 3'600'000;
  int64_t day_ms = 86'400'000;
  // The ledger lists the directory to thin it at most this often (and at start).
  int64_t thin_every_ms = 60'000;
};

//! The mtime the ledger gives a checkpoint signed at `t`: `t`, with kCheckpointMtimeTagNs as
//! the nanoseconds below the millisecond. A time a copy, a restore or a hand edit set
//! carries the tag with a chance of one in a million (or never, on a file system without
//! sub-millisecond times): its file is kept, never thinned by a wrong time.
inline constexpr long kCheckpointMtimeTagNs = 271'828;
timespec CheckpointMtime(TimeMs t);
//! The time CheckpointMtime(t) was made from, or nullopt if `mtime` is not tagged.
std::optional<TimeMs> CheckpointTimeOfMtime(const timespec& mtime);

struct CheckpointFileTime {
  uint64_t size = 0;           // the tree size the file's name gives
  std::optional<TimeMs> time;  // when it was signed (the mtime); nullopt if unreadable
};

//! The sizes of the checkpoints to delete at `now`, in increasing order. Never the largest
//! size, the smallest, `protect` (the checkpoint start-up and the clean-close marker rely
//! on), nor a file whose time is unknown or after `now` (such a file is also left out of the
//! others' reckoning). Times are taken as at least the time of every smaller checkpoint (a
//! clock step back only makes files look younger), so hours and days hold contiguous runs of
//! sizes and "the newest" of one is its largest size.
std::vector<uint64_t> CheckpointsToThin(std::vector<CheckpointFileTime> files, TimeMs now,
                                        const CheckpointRetention& retention, uint64_t protect);

//! Lists `checkpoint_dir` ("<20-digit size>.note" files; others are left alone), reads each
//! file's mtime and deletes what CheckpointsToThin says. Call it only once the newest
//! checkpoint is durable: each unlink is atomic, so a crash mid-way leaves a set that is
//! still a superset of what the rule keeps. Returns how many were deleted; an error if the
//! directory cannot be listed or a file cannot be deleted (the rest are still tried).
//! `untagged`, if given, is set to how many files had no time of the ledger's (kept).
Result<uint64_t> ThinCheckpointDir(const std::string& checkpoint_dir, TimeMs now,
                                   const CheckpointRetention& retention, uint64_t protect,
                                   uint64_t* untagged = nullptr);

}  // namespace sluice
