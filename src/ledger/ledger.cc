#include "ledger/ledger.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ledger/coding.h"
#include "ledger/files.h"
#include "ledger/ledger_files.h"
#include "ledger/ledger_impl.h"
#include "ledger/segment.h"

namespace sluice {

using ledger_internal::FileError;
using ledger_internal::LoadLe32;
using ledger_internal::StoreLe32;
using ledger_internal::FsyncDir;
using ledger_internal::WriteAll;
using ledger_internal::WriteFileDurably;

namespace {

// Appends wait for the sync thread once this much is queued: memory stays bounded when the
// disk is slower than the appenders.
constexpr size_t kMaxPendingBytes = 64 << 20;
constexpr int kRetryAfterSeconds = 5;
constexpr TimeMs kCheckpointRetryMs = 1000;

Status Unavailable(std::string_view detail) {
  return ServiceUnavailable(fmt::format("The ledger cannot record deliveries: {}", detail), kRetryAfterSeconds);
}

// Calls f(payload) for each frame of a buffer of whole frames.
template <typename F>
void ForEachPayload(std::string_view frames, F&& f) {
  for (size_t pos = 0; pos < frames.size();) {
    uint32_t length = LoadLe32(frames.data() + pos);
    f(frames.substr(pos + kFrameHeaderBytes, length));
    pos += kFrameHeaderBytes + length;
  }
}

LedgerOptions Normalized(LedgerOptions o) {
  o.sync_interval_ms = std::max<int64_t>(o.sync_interval_ms, 1);
  o.segment_bytes = std::max<uint64_t>(o.segment_bytes, kSegmentHeaderBytes + 1);
  o.checkpoint_every_records = std::max<uint64_t>(o.checkpoint_every_records, 1);
  return o;
}

}  // namespace

Result<std::unique_ptr<Ledger>> Ledger::Open(const LedgerOptions& options) {
  auto ledger = std::make_unique<LedgerImpl>(options);
  if (Status s = ledger->Start(); !s.ok()) return s;
  return std::unique_ptr<Ledger>(std::move(ledger));
}

LedgerImpl::LedgerImpl(const LedgerOptions& options)
    : options_(Normalized(options)),
      clock_(options.clock ? *options.clock : SystemClock::Instance()),
      checkpoint_dir_(CheckpointDir(options.dir)) {}

LedgerImpl::~LedgerImpl() {
  Status s = Close();  // a failure was logged when it happened
  (void)s;
}

Status LedgerImpl::Start() {
  if (Status s = Recover(); !s.ok()) return s;
  // Every start signs one (size 0 included), so a ledger with records and no checkpoint
  // has lost its checkpoints: verify says so.
  if (auto note = WriteCheckpoint(); !note.ok()) return note.status();
  ThinCheckpoints(clock_.NowMs());  // also when no new one was signed (nothing new to sign)
  started_ = true;
  thread_ = std::thread(&LedgerImpl::SyncLoop, this);
  return Status::Ok();
}

// ---- Appending ------------------------------------------------------------------------

Result<uint64_t> LedgerImpl::Append(LedgerRecord record) {
  // The body (everything but seq) is encoded outside the lock, into a buffer each thread
  // reuses; inside, only the seq, a copy and the CRC.
  thread_local std::string body;
  body.clear();
  AppendRecordBody(record, &body);
  if (body.size() + 1 + 10 > kMaxPayloadBytes)
    return InternalError(fmt::format("ledger: a record of {} bytes is over the limit", body.size()));

  const uint8_t version = RecordVersion(record);
  std::unique_lock lock(mu_);
  while (pending_.size() >= kMaxPendingBytes && !failure_ && !stopping_) {
    sync_requested_ = true;
    work_cv_.notify_one();
    done_cv_.wait(lock);
  }
  if (failure_) return *failure_;
  if (stopping_) return Unavailable("the ledger is closed");
  uint64_t seq = AppendLocked(version, body);
  if (options_.sync == LedgerSync::kAlways) {
    sync_requested_ = true;
    work_cv_.notify_one();
    done_cv_.wait(lock, [&] { return durable_.load() > seq || failure_; });
    if (durable_.load() <= seq) return *failure_;
  }
  return seq;
}

uint64_t LedgerImpl::AppendLocked(uint8_t version, std::string_view body) {
  uint64_t seq = next_seq_++;
  size_t frame = pending_.size();
  pending_.append(kFrameHeaderBytes, '\0');
  AppendRecordHead(seq, version, &pending_);
  pending_.append(body);
  std::string_view payload(pending_.data() + frame + kFrameHeaderBytes, pending_.size() - frame - kFrameHeaderBytes);
  StoreLe32(static_cast<uint32_t>(payload.size()), pending_.data() + frame);
  StoreLe32(Crc32c(payload), pending_.data() + frame + 4);
  return seq;
}

Status LedgerImpl::Count(LedgerRecord record) {
  std::lock_guard lock(mu_);
  if (failure_) return *failure_;
  if (stopping_) return Unavailable("the ledger is closed");
  refusals_.Add(record);
  return Status::Ok();
}

Status LedgerImpl::WaitDurable(uint64_t seq) {
  if (durable_.load(std::memory_order_acquire) > seq) return Status::Ok();
  std::unique_lock lock(mu_);
  if (seq >= next_seq_) return InternalError(fmt::format("ledger: record {} was never appended", seq));
  while (durable_.load() <= seq && !failure_) {
    sync_requested_ = true;  // group commit still applies: one sync serves every waiter
    work_cv_.notify_one();
    done_cv_.wait(lock);
  }
  if (durable_.load() > seq) return Status::Ok();
  return *failure_;
}

void LedgerImpl::WhenDurable(uint64_t seq, std::function<void(Status)> done) {
  if (durable_.load(std::memory_order_acquire) > seq) return done(Status::Ok());
  std::unique_lock lock(mu_);
  if (seq >= next_seq_) {
    lock.unlock();
    return done(InternalError(fmt::format("ledger: record {} was never appended", seq)));
  }
  if (durable_.load() > seq || failure_ || stopping_) {
    Status s = durable_.load() > seq ? Status::Ok() : failure_ ? Status(*failure_) : Unavailable("the ledger is closed");
    lock.unlock();
    return done(std::move(s));
  }
  durable_waiters_.emplace_back(seq, std::move(done));
  sync_requested_ = true;  // group commit still applies: one sync serves every waiter
  work_cv_.notify_one();
}

// With mu_ held: the waiters whose record is now durable, or all of them after a failure or
// at the stop, taken out to be called without the lock.
std::vector<std::pair<uint64_t, std::function<void(Status)>>> LedgerImpl::TakeSettledWaiters(bool all) {
  std::vector<std::pair<uint64_t, std::function<void(Status)>>> settled;
  const uint64_t durable = durable_.load();
  auto keep = std::partition(durable_waiters_.begin(), durable_waiters_.end(),
                             [&](const auto& w) { return !all && !failure_ && w.first >= durable; });
  std::move(keep, durable_waiters_.end(), std::back_inserter(settled));
  durable_waiters_.erase(keep, durable_waiters_.end());
  return settled;
}

void LedgerImpl::CallWaiters(std::vector<std::pair<uint64_t, std::function<void(Status)>>> settled) {
  for (auto& [seq, done] : settled) {
    Status s;
    if (durable_.load() > seq) {
      s = Status::Ok();
    } else {
      std::lock_guard lock(mu_);
      s = failure_ ? Status(*failure_) : Unavailable("the ledger is closed");
    }
    done(std::move(s));
  }
}

uint64_t LedgerImpl::DurableSize() const { return durable_.load(std::memory_order_acquire); }

uint64_t LedgerImpl::AppendedSize() const {
  std::lock_guard lock(mu_);
  return next_seq_;
}

Result<std::string> LedgerImpl::Checkpoint() {
  std::unique_lock lock(mu_);
  if (stopping_) return Unavailable("the ledger is closed");
  uint64_t ticket = ++checkpoints_requested_;
  sync_requested_ = true;
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return checkpoints_done_ >= ticket; });
  return *checkpoint_result_;
}

Status LedgerImpl::Close() {
  std::lock_guard close_lock(close_mu_);
  if (closed_) return close_status_;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    work_cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  bool failed = false;
  {
    std::lock_guard lock(mu_);
    failed = failure_.has_value();
  }
  // The sync thread is gone: its state is ours. A graceful stop signs the final tree and
  // says so; after a write failure the ledger is left for recovery, unmarked.
  if (started_ && !failed && tree_ok_) {
    auto note = WriteCheckpoint();
    Status s = note.ok() ? WriteClosedMarker() : note.status();
    if (!s.ok()) {
      spdlog::error("ledger: closing: {}", s.message());
      close_status_ = s;
    }
  }
  if (segment_fd_ >= 0) ::close(segment_fd_);
  segment_fd_ = -1;
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  lock_fd_ = -1;
  closed_ = true;
  std::lock_guard lock(mu_);
  if (failure_) close_status_ = *failure_;
  return close_status_;
}

// ---- The sync thread --------------------------------------------------------------------

void LedgerImpl::SyncLoop() {
  // Writing, syncing, hashing and signing are throughput work: as a batch thread (sched(7)) its
  // wake-ups (every sync_interval_ms, and after each fdatasync) do not preempt a worker in the
  // middle of a request on the same core (docs/benchmarks.md: p99 at half load). Best effort.
  pthread_setname_np(pthread_self(), kSyncThreadName);
  sched_param param{};
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  std::string batch;  // swapped with pending_, so the two buffers keep their capacity
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait_for(lock, std::chrono::milliseconds(options_.sync_interval_ms), [this] {
      return sync_requested_ || stopping_ || checkpoints_requested_ > checkpoints_done_;
    });
    sync_requested_ = false;
    const bool stopping = stopping_;
    const uint64_t ticket = checkpoints_requested_;
    const bool checkpoint_wanted = ticket > checkpoints_done_;
    const bool failed = failure_.has_value();
    // Counted refusals of seconds that have passed (all of them when stopping) become records.
    if (!failed)
      for (const LedgerRecord& r : refusals_.TakeEnded(stopping ? std::numeric_limits<TimeMs>::max() : clock_.NowMs())) {
        std::string body;
        AppendRecordBody(r, &body);
        AppendLocked(RecordVersion(r), body);
      }
    const uint64_t first_seq = flushed_seq_;
    batch.clear();
    batch.swap(pending_);
    flushed_seq_ = next_seq_;
    done_cv_.notify_all();  // appenders held back by a full buffer
    lock.unlock();

    // Write, sync, then publish; a failed batch is never published (nor the ones after it).
    Written written;
    if (!failed && !batch.empty()) written = WriteAndSync(batch, first_seq);
    lock.lock();
    if (written.records > 0) durable_.store(first_seq + written.records, std::memory_order_release);
    if (!written.status.ok() && !failure_) {
      spdlog::error("{}; the ledger refuses appends until it is reopened", written.status.message());
      failure_ = Unavailable(written.status.message());
    }
    if (written.records > 0 || failure_) done_cv_.notify_all();
    auto settled = TakeSettledWaiters(/*all=*/false);
    lock.unlock();
    CallWaiters(std::move(settled));

    // The tree follows the durable records, so checkpoints cover nothing that is not synced.
    if (written.records > 0) ExtendTree(std::string_view(batch).substr(0, written.bytes));
    std::optional<Result<std::string>> note;
    if (checkpoint_wanted) {
      note = WriteCheckpoint();
    } else if (CheckpointDue()) {
      if (auto r = WriteCheckpoint(); !r.ok()) {
        spdlog::error("ledger: checkpoint: {}", r.status().message());
        checkpoint_retry_after_ = clock_.NowMs() + kCheckpointRetryMs;
      }
    }

    lock.lock();
    if (checkpoint_wanted) {
      checkpoints_done_ = ticket;
      checkpoint_result_ = std::move(*note);
      done_cv_.notify_all();
    }
    // Once stopping_ is seen, Append and Checkpoint refuse: nothing more can arrive.
    if (stopping && pending_.empty() && checkpoints_requested_ == checkpoints_done_) {
      auto left = TakeSettledWaiters(/*all=*/true);
      lock.unlock();
      CallWaiters(std::move(left));
      lock.lock();
      break;
    }
  }
}

LedgerImpl::Written LedgerImpl::WriteAndSync(std::string_view batch, uint64_t first_seq) {
  Written done;  // what is synced so far
  uint64_t synced_size = segment_size_;
  auto fail = [&](Status s) {
    // Undo the unsynced part, so a retry after restart finds no half-written frames.
    if (segment_fd_ >= 0 && ::ftruncate(segment_fd_, static_cast<off_t>(synced_size)) == 0) segment_size_ = synced_size;
    done.status = std::move(s);
    return done;
  };
  size_t pos = 0;
  uint64_t seq = first_seq;
  while (pos < batch.size()) {
    if (segment_fd_ < 0 || segment_size_ >= options_.segment_bytes) {
      if (segment_fd_ >= 0) {
        if (::fdatasync(segment_fd_) != 0) return fail(FileError("fdatasync", segment_path_));
        done.bytes = pos;
        done.records = seq - first_seq;
        ::close(segment_fd_);
        segment_fd_ = -1;
      }
      if (Status s = CreateSegment(seq); !s.ok()) return fail(std::move(s));
      synced_size = segment_size_;
    }
    // Whole frames up to the segment size (at least one: a segment is never empty).
    size_t end = pos;
    uint64_t end_seq = seq;
    while (end < batch.size() && segment_size_ + (end - pos) < options_.segment_bytes) {
      end += kFrameHeaderBytes + LoadLe32(batch.data() + end);
      ++end_seq;
    }
    if (Status s = WriteAll(segment_fd_, batch.substr(pos, end - pos), segment_path_); !s.ok()) return fail(std::move(s));
    segment_size_ += end - pos;
    pos = end;
    seq = end_seq;
  }
  if (::fdatasync(segment_fd_) != 0) return fail(FileError("fdatasync", segment_path_));
  done.bytes = batch.size();
  done.records = seq - first_seq;
  return done;
}

Status LedgerImpl::CreateSegment(uint64_t first_seq) {
  std::string path = options_.dir + "/" + SegmentFileName(first_seq);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return FileError("create", path);
  Status s = WriteAll(fd, SegmentHeader(), path);
  if (s.ok()) s = FsyncDir(options_.dir);
  if (!s.ok()) {
    ::close(fd);
    ::unlink(path.c_str());
    return s;
  }
  segment_fd_ = fd;
  segment_path_ = path;
  segment_size_ = kSegmentHeaderBytes;
  return Status::Ok();
}

void LedgerImpl::ExtendTree(std::string_view frames) {
  if (!tree_ok_) return;
  Status s;
  ForEachPayload(frames, [&](std::string_view payload) {
    if (s.ok()) s = tree_->Append(LeafHash(payload));
  });
  if (s.ok()) s = tree_->Sync();
  if (!s.ok()) {
    tree_ok_ = false;
    spdlog::error("ledger: the Merkle tree stopped at {} leaves ({}); no checkpoints until restart", tree_->Size(),
                  s.message());
  }
}

bool LedgerImpl::CheckpointDue() const {
  if (!tree_ok_) return false;
  uint64_t size = tree_->Size();
  if (size <= checkpoint_size_ && have_checkpoint_) return false;
  if (size == 0) return false;
  TimeMs now = clock_.NowMs();
  if (now < checkpoint_retry_after_) return false;
  return size - checkpoint_size_ >= options_.checkpoint_every_records ||
         now - checkpoint_time_ >= options_.checkpoint_every_ms;
}

Status LedgerImpl::WriteClosedMarker() {
  return WriteFileDurably(options_.dir, kClosedMarkerName, fmt::format("records {}\n", durable_.load()));
}

Result<std::string> LedgerImpl::WriteCheckpoint() {
  if (!tree_ok_) return Unavailable("the Merkle tree is behind the records; restart to rebuild it");
  uint64_t size = tree_->Size();
  if (have_checkpoint_ && size == checkpoint_size_) return checkpoint_note_;
  auto root = tree_->Root(size);
  if (!root.ok()) return root.status();
  auto signed_note = signer_->Sign(sluice::Checkpoint{options_.origin, size, *root});
  if (!signed_note.ok()) return signed_note.status();
  std::string note = std::move(*signed_note);
  // The mtime carries when it was signed, by the ledger's clock: thinning reads it.
  const TimeMs now = clock_.NowMs();
  if (Status s = WriteFileDurably(checkpoint_dir_, fmt::format("{:020}.note", size), note, CheckpointMtime(now));
      !s.ok())
    return s;
  have_checkpoint_ = true;
  checkpoint_size_ = size;
  checkpoint_note_ = note;
  checkpoint_time_ = now;
  ThinCheckpoints(now);
  if (options_.on_checkpoint) options_.on_checkpoint(sluice::Checkpoint{options_.origin, size, *root});
  return note;
}

void LedgerImpl::ThinCheckpoints(TimeMs now) {
  // Listing thousands of files a second would cost more than the checkpoint: once a minute.
  if (thinned_at_ && now >= *thinned_at_ && now - *thinned_at_ < options_.checkpoint_retention.thin_every_ms) return;
  thinned_at_ = now;
  uint64_t untagged = 0;
  auto removed = ThinCheckpointDir(checkpoint_dir_, now, options_.checkpoint_retention, checkpoint_size_, &untagged);
  if (!removed.ok()) spdlog::warn("ledger: thinning old checkpoints: {}", removed.status().message());
  // Said once a run: they stay until removed by hand (docs/ledger.md, Checkpoint retention).
  if (untagged > 0 && !untagged_warned_) {
    untagged_warned_ = true;
    spdlog::warn("ledger: {} checkpoints in {} carry no signing time of the ledger's (written before thinning, or "
                 "copied without their mtimes): they are kept, never thinned",
                 untagged, checkpoint_dir_);
  }
}

}  // namespace sluice
