#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/segment.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

LedgerRecord Record(int i) {
  LedgerRecord r;
  r.time = 1700000000000 + i;
  r.node_id = 3;
  r.app_id = 1460323737035677698 + i;
  r.project_id = 1460323737035677000;
  r.use = "search";
  r.endpoint = i % 2 ? "GET /2/tweets/:id" : "POST /2/tweets";
  r.status = i % 7 ? 200 : 429;
  for (int k = 0; k < i % 13; ++k) r.post_ids.push_back(1460323737035677698 - k * 4194304);
  r.user_ids = {Id(i), 12};
  r.request_id = fmt::format("req-{}", i);
  r.response_bytes = 100 + i;
  return r;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-ledger-XXXXXX";
    dir_ = mkdtemp(tmpl);
    options_.dir = dir_ + "/ledger";
    options_.clock = &clock_;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Ledger> OpenLedger() {
    auto l = Ledger::Open(options_);
    EXPECT_TRUE(l.ok()) << l.status().message();
    return l.ok() ? std::move(*l) : nullptr;
  }
  // Every record on disk, decoded (VerifySegments passes first).
  std::vector<LedgerRecord> OnDisk() {
    auto verified = VerifySegments(options_.dir);
    EXPECT_TRUE(verified.ok()) << verified.status().message();
    std::vector<LedgerRecord> out;
    auto r = ScanSegments(options_.dir, false, [&](const LedgerPosition&, std::string_view payload) {
      out.push_back(*DecodeRecord(payload));
      return Status::Ok();
    });
    EXPECT_TRUE(r.ok());
    return out;
  }
  std::vector<uint64_t> CheckpointSizes() {
    std::vector<uint64_t> sizes;
    for (const auto& e : fs::directory_iterator(options_.dir + "/checkpoints"))
      sizes.push_back(std::stoull(e.path().filename().string()));
    std::sort(sizes.begin(), sizes.end());
    return sizes;
  }
  // The note a checkpoint of the first `size` records must be: same key, tree rebuilt here.
  std::string ExpectedNote(uint64_t size) {
    auto tree = TreeHashes::InMemory();
    auto r = ScanSegments(options_.dir, false, [&](const LedgerPosition& at, std::string_view payload) {
      return at.seq < size ? tree->Append(LeafHash(payload)) : Status::Ok();
    });
    EXPECT_TRUE(r.ok());
    auto signer = Signer::LoadOrCreate(options_.dir + "/checkpoint.key", options_.origin);
    EXPECT_TRUE(signer.ok());
    return (*signer)->Sign(Checkpoint{options_.origin, size, *tree->Root(size)}).value();
  }
  std::string LastSegment() {
    auto segments = ListSegments(options_.dir);
    return options_.dir + "/" + segments->back().name;
  }
  static bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done();
  }

  std::string dir_;
  ManualClock clock_{1700000000000};
  LedgerOptions options_;
};

TEST_F(LedgerTest, AppendsSurviveReopen) {
  auto ledger = OpenLedger();
  std::vector<LedgerRecord> appended;
  for (int i = 0; i < 500; ++i) {
    LedgerRecord r = Record(i);
    r.seq = 999;  // overwritten
    auto seq = ledger->Append(r);
    ASSERT_TRUE(seq.ok()) << seq.status().message();
    EXPECT_EQ(*seq, uint64_t(i));
    r.seq = *seq;
    appended.push_back(r);
  }
  ASSERT_TRUE(ledger->Close().ok());
  EXPECT_EQ(ledger->DurableSize(), 500u);
  EXPECT_EQ(OnDisk(), appended);

  ledger = OpenLedger();
  EXPECT_EQ(ledger->DurableSize(), 500u);
  auto seq = ledger->Append(Record(500));
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 500u);
  ASSERT_TRUE(ledger->Close().ok());
  EXPECT_EQ(OnDisk().size(), 501u);
}

TEST_F(LedgerTest, SyncAlwaysIsDurableOnReturn) {
  options_.sync = LedgerSync::kAlways;
  options_.sync_interval_ms = 60000;  // only the appends themselves can cause a sync
  auto ledger = OpenLedger();
  for (int i = 0; i < 20; ++i) {
    auto seq = ledger->Append(Record(i));
    ASSERT_TRUE(seq.ok());
    EXPECT_GT(ledger->DurableSize(), *seq);
  }
  EXPECT_EQ(OnDisk().size(), 20u);  // on disk while still open
}

TEST_F(LedgerTest, WaitDurableWakesTheSyncThread) {
  options_.sync_interval_ms = 60000;
  auto ledger = OpenLedger();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(ledger->Append(Record(i)).ok());
  EXPECT_EQ(ledger->DurableSize(), 0u);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(ledger->WaitDurable(9).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(ledger->DurableSize(), 10u);
  EXPECT_TRUE(ledger->WaitDurable(3).ok());
  EXPECT_FALSE(ledger->WaitDurable(10).ok());  // never appended
}

// The sync thread is named and runs as SCHED_BATCH, so that its wake-ups do not preempt a
// worker mid-request on a shared core (docs/benchmarks.md, p99 at half load).
TEST_F(LedgerTest, SyncThreadIsANamedBatchThread) {
  auto ledger = OpenLedger();
  ASSERT_NE(ledger, nullptr);
  std::vector<pid_t> found;
  ASSERT_TRUE(WaitFor([&] {
    found.clear();
    for (const auto& task : fs::directory_iterator("/proc/self/task")) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      if (name == kSyncThreadName) found.push_back(std::stoi(task.path().filename().string()));
    }
    return found.size() == 1 && sched_getscheduler(found[0]) == SCHED_BATCH;
  }));
  ASSERT_TRUE(ledger->Close().ok());
}

// The request path's wait for a write's record: no thread blocks; the sync thread calls back.
TEST_F(LedgerTest, WhenDurableCallsBackOnceEachRecordIsDurable) {
  options_.sync_interval_ms = 60000;  // only a request for a sync makes one
  auto ledger = OpenLedger();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<uint64_t, bool>> called;  // seq, ok
  auto note = [&](uint64_t seq) {
    return [&, seq](Status s) {
      EXPECT_GE(ledger->DurableSize(), s.ok() ? seq + 1 : 0) << seq;
      std::lock_guard lock(mu);
      called.emplace_back(seq, s.ok());
      cv.notify_all();
    };
  };
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ledger->Append(Record(i)).ok());
  for (uint64_t seq : {4, 0, 2}) ledger->WhenDurable(seq, note(seq));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return called.size() == 3; }));
  }
  EXPECT_EQ(ledger->DurableSize(), 5u);
  for (const auto& [seq, ok] : called) EXPECT_TRUE(ok) << seq;
  // Already durable: called at once, on this thread. Never appended: an error, at once.
  ledger->WhenDurable(1, note(1));
  ledger->WhenDurable(5, note(5));
  std::lock_guard lock(mu);
  ASSERT_EQ(called.size(), 5u);
  EXPECT_EQ(called[3], std::make_pair(uint64_t(1), true));
  EXPECT_EQ(called[4], std::make_pair(uint64_t(5), false));
}

TEST_F(LedgerTest, WhenDurableReportsAWriteFailure) {
  options_.segment_bytes = 1;
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger->Append(Record(0)).ok());
  ASSERT_TRUE(ledger->WaitDurable(0).ok());
  fs::create_directory(options_.dir + "/" + SegmentFileName(1));  // the next segment cannot be made
  auto seq = ledger->Append(Record(1));
  ASSERT_TRUE(seq.ok());
  std::promise<Status> result;
  ledger->WhenDurable(*seq, [&](Status s) { result.set_value(std::move(s)); });
  auto future = result.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  Status s = future.get();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
}

TEST_F(LedgerTest, TornTailIsCutOnReopen) {
  auto ledger = OpenLedger();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ledger->Append(Record(i)).ok());
  ASSERT_TRUE(ledger->Close().ok());
  std::string segment = LastSegment();
  uint64_t whole = fs::file_size(segment);
  {
    // Half of the next frame, as a crash in the middle of write() leaves it.
    LedgerRecord next = Record(5);
    next.seq = 5;
    std::string frame;
    AppendFrame(EncodeRecord(next), &frame);
    std::ofstream(segment, std::ios::binary | std::ios::app) << frame.substr(0, 23);
  }
  ASSERT_FALSE(VerifySegments(options_.dir).ok());

  ledger = OpenLedger();
  EXPECT_EQ(ledger->DurableSize(), 5u);
  EXPECT_EQ(fs::file_size(segment), whole);  // exactly the 23 torn bytes went
  auto seq = ledger->Append(Record(5));
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 5u);
  ASSERT_TRUE(ledger->Close().ok());
  EXPECT_EQ(OnDisk().size(), 6u);
}

TEST_F(LedgerTest, TornSegmentHeaderIsRemoved) {
  auto ledger = OpenLedger();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ledger->Append(Record(i)).ok());
  ASSERT_TRUE(ledger->Close().ok());
  std::ofstream(options_.dir + "/" + SegmentFileName(3), std::ios::binary) << "SLUI";
  ledger = OpenLedger();
  EXPECT_EQ(ledger->DurableSize(), 3u);
  EXPECT_FALSE(fs::exists(options_.dir + "/" + SegmentFileName(3)));
}

TEST_F(LedgerTest, DamageBeforeTheTailRefusesToOpen) {
  auto ledger = OpenLedger();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ledger->Append(Record(i)).ok());
  ASSERT_TRUE(ledger->Close().ok());
  std::string segment = LastSegment();
  {
    std::fstream f(segment, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(kSegmentHeaderBytes + kFrameHeaderBytes + 3);
    f.put('\x55');
  }
  auto reopened = Ledger::Open(options_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find("(record 0): CRC mismatch"), std::string::npos)
      << reopened.status().message();
}

TEST_F(LedgerTest, ConcurrentAppendsGetDenseUniqueSeqs) {
  options_.segment_bytes = 64 << 10;  // and roll segments while at it
  auto ledger = OpenLedger();
  constexpr int kThreads = 8, kEach = 2000;
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        LedgerRecord r = Record(i);
        r.request_id = fmt::format("{}-{}", t, i);
        auto seq = ledger->Append(std::move(r));
        ASSERT_TRUE(seq.ok());
        seqs[t].push_back(*seq);
      }
    });
  for (auto& th : threads) th.join();
  ASSERT_TRUE(ledger->Close().ok());
  std::vector<uint64_t> all;
  for (const auto& v : seqs) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), size_t(kThreads * kEach));
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i);
  // Each record is where its seq says, whichever thread appended it.
  auto records = OnDisk();
  ASSERT_EQ(records.size(), all.size());
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kEach; ++i) EXPECT_EQ(records[seqs[t][i]].request_id, fmt::format("{}-{}", t, i));
  EXPECT_GT(ListSegments(options_.dir)->size(), 3u);
}

TEST_F(LedgerTest, CheckpointSignsTheDurableTree) {
  auto ledger = OpenLedger();
  for (int i = 0; i < 37; ++i) ASSERT_TRUE(ledger->Append(Record(i)).ok());
  auto note = ledger->Checkpoint();
  ASSERT_TRUE(note.ok()) << note.status().message();
  EXPECT_EQ(ledger->DurableSize(), 37u);
  EXPECT_TRUE(note->starts_with(options_.origin + "\n37\n")) << *note;
  EXPECT_EQ(*note, ExpectedNote(37));
  EXPECT_EQ(CheckpointSizes(), (std::vector<uint64_t>{0, 37}));  // the empty tree, signed at Open
  // Nothing new: the same note, no new file (nor at Close).
  auto again = ledger->Checkpoint();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *note);
  EXPECT_EQ(CheckpointSizes(), (std::vector<uint64_t>{0, 37}));
  ASSERT_TRUE(ledger->Close().ok());

  // After reopening, still the same note until records arrive; all checkpoints are kept.
  ledger = OpenLedger();
  EXPECT_EQ(*ledger->Checkpoint(), *note);
  ASSERT_TRUE(ledger->Append(Record(37)).ok());
  auto next = ledger->Checkpoint();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, ExpectedNote(38));
  EXPECT_EQ(CheckpointSizes(), (std::vector<uint64_t>{0, 37, 38}));
}

// Signs with the real key until `fail` is set, then fails as OpenSSL would when out of memory.
class FailingSigner final : public Signer {
 public:
  explicit FailingSigner(std::unique_ptr<Signer> real) : real_(std::move(real)) {}
  Result<std::string> Sign(const Checkpoint& checkpoint) const override {
    if (fail.load()) return InternalError("checkpoint: signing failed (test)");
    return real_->Sign(checkpoint);
  }
  std::string VerifierKey() const override { return real_->VerifierKey(); }
  std::atomic<bool> fail{false};

 private:
  std::unique_ptr<Signer> real_;
};

// A checkpoint that cannot be signed is an error returned (or logged by the sync thread),
// never an exception on that thread: records still become durable and later checkpoints work.
TEST_F(LedgerTest, AFailedSignatureIsAnErrorAndTheLedgerGoesOn) {
  fs::create_directories(options_.dir);
  auto real = Signer::LoadOrCreate(options_.dir + "/checkpoint.key", options_.origin);
  ASSERT_TRUE(real.ok()) << real.status().message();
  auto signer = std::make_shared<FailingSigner>(std::move(*real));
  options_.signer = signer;
  options_.checkpoint_every_records = 1;  // the sync thread tries after every batch
  auto ledger = OpenLedger();
  signer->fail = true;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ledger->Append(Record(i)).ok());
  ASSERT_TRUE(ledger->WaitDurable(4).ok());
  auto note = ledger->Checkpoint();
  ASSERT_FALSE(note.ok());
  EXPECT_EQ(note.status().code(), StatusCode::kInternal);
  EXPECT_EQ(note.status().message(), "checkpoint: signing failed (test)");
  EXPECT_EQ(CheckpointSizes(), std::vector<uint64_t>{0});  // only the one signed at Open
  ASSERT_TRUE(ledger->Append(Record(5)).ok());

  signer->fail = false;
  auto later = ledger->Checkpoint();
  ASSERT_TRUE(later.ok()) << later.status().message();
  EXPECT_EQ(*later, ExpectedNote(6));

  signer->fail = true;
  ASSERT_TRUE(ledger->Append(Record(6)).ok());
  Status closed = ledger->Close();
  EXPECT_EQ(closed.code(), StatusCode::kInternal);
  EXPECT_EQ(ledger->DurableSize(), 7u);
}

TEST_F(LedgerTest, CheckpointsEveryNRecordsAndEveryInterval) {
  options_.checkpoint_every_records = 100;
  options_.checkpoint_every_ms = 60000;
  auto ledger = OpenLedger();
  for (int i = 0; i < 99; ++i) ASSERT_TRUE(ledger->Append(Record(i)).ok());
  ASSERT_TRUE(ledger->WaitDurable(98).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(CheckpointSizes(), std::vector<uint64_t>{0});  // signed at Open
  ASSERT_TRUE(ledger->Append(Record(99)).ok());
  ASSERT_TRUE(ledger->WaitDurable(99).ok());
  EXPECT_TRUE(WaitFor([&] { return CheckpointSizes() == std::vector<uint64_t>{0, 100}; }));

  ASSERT_TRUE(ledger->Append(Record(100)).ok());
  ASSERT_TRUE(ledger->WaitDurable(100).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(CheckpointSizes().size(), 2u);
  clock_.Advance(60000);
  EXPECT_TRUE(WaitFor([&] { return CheckpointSizes() == std::vector<uint64_t>{0, 100, 101}; }));
}

TEST_F(LedgerTest, CheckpointPastTheRecordsRefusesToOpen) {
  auto ledger = OpenLedger();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(ledger->Append(Record(i)).ok());
  ASSERT_TRUE(ledger->Checkpoint().ok());
  ASSERT_TRUE(ledger->Close().ok());
  // The last record goes missing (torn, as far as the scan can tell): a signed record lost.
  std::string segment = LastSegment();
  uint64_t cut_size = fs::file_size(segment) - 2;
  fs::resize_file(segment, cut_size);
  auto reopened = Ledger::Open(options_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find("the tree hashes cover 4 records and checkpoint 00000000000000000004.note "
                                           "is signed over 4, but the segments hold 3 whole records"),
            std::string::npos)
      << reopened.status().message();
  EXPECT_EQ(fs::file_size(segment), cut_size);  // nothing more was cut
}

TEST_F(LedgerTest, CloseIsIdempotentAndFinal) {
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger->Append(Record(0)).ok());
  EXPECT_TRUE(ledger->Close().ok());
  EXPECT_TRUE(ledger->Close().ok());
  EXPECT_EQ(ledger->DurableSize(), 1u);
  auto late = ledger->Append(Record(1));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(ledger->Checkpoint().ok());
  EXPECT_TRUE(ledger->WaitDurable(0).ok());
}

TEST_F(LedgerTest, WriteFailureIsServiceUnavailableAndNothingIsPublished) {
  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger->Append(Record(0)).ok());
  ASSERT_TRUE(ledger->WaitDurable(0).ok());
  // A segment that cannot be created: the next roll hits a directory in its way.
  ASSERT_TRUE(ledger->Close().ok());
  options_.segment_bytes = 1;
  ledger = OpenLedger();
  fs::create_directory(options_.dir + "/" + SegmentFileName(1));
  auto seq = ledger->Append(Record(1));
  ASSERT_TRUE(seq.ok());
  Status s = ledger->WaitDurable(*seq);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(ledger->DurableSize(), 1u);
  EXPECT_FALSE(ledger->Append(Record(2)).ok());
  EXPECT_FALSE(ledger->Close().ok());
}

// kill -9 while appending and checkpointing: every acknowledged record survives, and no
// checkpoint covers more than what is on disk.
TEST_F(LedgerTest, SurvivesKillNine) {
  options_.clock = nullptr;
  options_.checkpoint_every_records = 300;
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(acks[0]);
    auto ledger = Ledger::Open(options_);
    if (!ledger.ok()) _exit(2);
    for (int i = 0;; ++i) {
      auto seq = (*ledger)->Append(Record(i));
      if (!seq.ok()) _exit(3);
      if (i % 50 == 49) {
        if (!(*ledger)->WaitDurable(*seq).ok()) _exit(4);
        uint64_t acked = *seq;
        if (write(acks[1], &acked, sizeof acked) != sizeof acked) _exit(5);
      }
    }
  }
  close(acks[1]);
  uint64_t acked = 0, last = 0;
  while (acked < 3000 && read(acks[0], &last, sizeof last) == sizeof last) acked = last;
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(acks[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited " << WEXITSTATUS(status);
  ASSERT_GE(acked, 3000u);

  auto ledger = OpenLedger();
  ASSERT_TRUE(ledger);
  EXPECT_GT(ledger->DurableSize(), acked);
  auto sizes = CheckpointSizes();
  ASSERT_FALSE(sizes.empty());
  EXPECT_LE(sizes.back(), ledger->DurableSize());
  ASSERT_TRUE(ledger->Close().ok());
  EXPECT_EQ(OnDisk().size(), ledger->DurableSize());
}

}  // namespace
}  // namespace sluice
