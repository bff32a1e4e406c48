// Checkpoint thinning: the rule (CheckpointsToThin) over the full windows, and the ledger
// applying it to its checkpoint files with a ManualClock over scaled-down windows.
#include "ledger/checkpoint_retention.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "ledger/ledger.h"
#include "ledger/ledger_files.h"
#include "ledger/tools.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

constexpr TimeMs kHour = 3'600'000;
constexpr TimeMs kDay = 86'400'000;
// An hour (and day) boundary, so the expected sets below are simple arithmetic.
constexpr TimeMs kStart = 19'700 * kDay;

std::set<uint64_t> Kept(uint64_t count, const std::vector<uint64_t>& thinned) {
  std::set<uint64_t> kept;
  for (uint64_t i = 0; i < count; ++i) kept.insert(i);
  for (uint64_t size : thinned) kept.erase(size);
  return kept;
}

TEST(CheckpointRetentionTest, TwoHoursOfOneASecondKeepTheLastHourAndTheNewestOfTheFirst) {
  std::vector<CheckpointFileTime> files;
  for (uint64_t i = 0; i <= 7200; ++i) files.push_back({i, kStart + TimeMs(i) * 1000});
  const TimeMs now = kStart + 7200 * 1000;
  auto thinned = CheckpointsToThin(files, now, CheckpointRetention{}, 7200);
  std::set<uint64_t> expected = {0, 3599};  // the first; the newest of the first hour
  for (uint64_t i = 3601; i <= 7200; ++i) expected.insert(i);  // younger than an hour
  EXPECT_EQ(Kept(7201, thinned), expected);
  EXPECT_TRUE(std::is_sorted(thinned.begin(), thinned.end()));
}

TEST(CheckpointRetentionTest, FortyDaysOfOneAMinuteKeepHoursForThirtyDaysThenDays) {
  const uint64_t n = 40 * 1440;
  std::vector<CheckpointFileTime> files;
  for (uint64_t i = 0; i <= n; ++i) files.push_back({i, kStart + TimeMs(i) * 60'000});
  const TimeMs now = kStart + TimeMs(n) * 60'000;
  auto thinned = CheckpointsToThin(files, now, CheckpointRetention{}, n);
  std::set<uint64_t> expected;
  for (uint64_t i = 0; i <= n; ++i) {
    const uint64_t age_minutes = n - i;
    if (i == 0 || i == n || age_minutes < 60 ||                  // first, newest, last hour
        (age_minutes < 30 * 1440 && i % 60 == 59) ||            // last minute of each hour
        i % 1440 == 1439)                                        // last minute of each day
      expected.insert(i);
  }
  EXPECT_EQ(Kept(n + 1, thinned), expected);
  EXPECT_EQ(expected.size(), 1u + 60 + 719 + 10);
  // Thinning again later never needs a file it deleted: what it keeps is what a rerun keeps.
  std::vector<CheckpointFileTime> left;
  for (uint64_t i : expected) left.push_back({i, kStart + TimeMs(i) * 60'000});
  EXPECT_TRUE(CheckpointsToThin(left, now, CheckpointRetention{}, n).empty());
}

TEST(CheckpointRetentionTest, NewestOldestProtectedUnknownAndFutureTimesAreKept) {
  const TimeMs now = kStart + 10 * kDay;
  std::vector<CheckpointFileTime> files;
  for (uint64_t i = 0; i < 10; ++i) files.push_back({i, kStart + TimeMs(i)});  // all in one old hour
  files[3].time = std::nullopt;         // unreadable
  files[5].time = now + kHour;          // later than now: a copy, or a clock set back
  // Shuffled order: the rule sorts by size.
  std::swap(files[0], files[9]);
  auto thinned = CheckpointsToThin(files, now, CheckpointRetention{}, 7);
  EXPECT_EQ(thinned, (std::vector<uint64_t>{1, 2, 4, 6, 8}));
  // Too few to thin.
  EXPECT_TRUE(CheckpointsToThin({{0, kStart}, {1, kStart}}, now, CheckpointRetention{}, 1).empty());
}

TEST(CheckpointRetentionTest, AClockStepBackMakesLaterFilesLookYoungerNeverOlder) {
  const TimeMs now = kStart + 3 * kHour;
  // Sizes 0..4 in the first hour, then the clock stepped back a day for sizes 5..9.
  std::vector<CheckpointFileTime> files;
  for (uint64_t i = 0; i < 5; ++i) files.push_back({i, kStart + TimeMs(i) * 1000});
  for (uint64_t i = 5; i < 10; ++i) files.push_back({i, kStart - kDay + TimeMs(i) * 1000});
  files.push_back({10, now});
  // 5..9 count as of the time of 4: one hour with 0..9 in it, of which 9 is the newest.
  auto thinned = CheckpointsToThin(files, now, CheckpointRetention{}, 10);
  EXPECT_EQ(thinned, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(CheckpointRetentionTest, OnlyMtimesTheLedgerSetCarryATime) {
  for (TimeMs t : {kStart, kStart + 1, kStart + 999, TimeMs(0), TimeMs(1)}) {
    auto back = CheckpointTimeOfMtime(CheckpointMtime(t));
    ASSERT_TRUE(back.has_value()) << t;
    EXPECT_EQ(*back, t);
  }
  // Whole seconds (cp, tar, a coarse file system) and other sub-millisecond digits: unknown.
  EXPECT_FALSE(CheckpointTimeOfMtime(timespec{time_t(kStart / 1000), 0}).has_value());
  EXPECT_FALSE(CheckpointTimeOfMtime(timespec{time_t(kStart / 1000), 123'456'789}).has_value());
}

// ---- The ledger thinning its directory -----------------------------------------------------

LedgerRecord Record(int i) {
  LedgerRecord r;
  r.time = kStart + i;
  r.app_id = 1000;
  r.endpoint = "GET /2/tweets/:id";
  r.status = 200;
  r.post_ids = {Id(5000 + i)};
  return r;
}

class LedgerThinningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-thin-XXXXXX";
    data_ = mkdtemp(tmpl);
    options_.dir = data_ + "/ledger";
    options_.clock = &clock_;
    // Scaled-down windows (each fsynced checkpoint costs milliseconds): all of the last
    // 20 s, the newest of each 5 s for 150 s, the newest of each 50 s before; thinned at
    // every checkpoint.
    options_.checkpoint_retention = {20'000, 150'000, 5'000, 50'000, 0};
  }
  void TearDown() override { fs::remove_all(data_); }

  std::set<uint64_t> Files() const {
    std::set<uint64_t> sizes;
    for (const auto& e : fs::directory_iterator(CheckpointDir(options_.dir)))
      sizes.insert(std::stoull(e.path().filename().string()));
    return sizes;
  }
  std::string NotePath(uint64_t size) const { return fmt::format("{}/{:020}.note", CheckpointDir(options_.dir), size); }

  std::string data_;
  ManualClock clock_{kStart};
  LedgerOptions options_;
};

TEST_F(LedgerThinningTest, FiveMinutesOfACheckpointASecondLeaveTheRetainedSetAndVerify) {
  auto ledger = Ledger::Open(options_);  // signs size 0 at kStart
  ASSERT_TRUE(ledger.ok()) << ledger.status().message();
  for (int s = 1; s <= 300; ++s) {
    clock_.Set(kStart + s * 1000);
    ASSERT_TRUE((*ledger)->Append(Record(s)).ok());
    auto note = (*ledger)->Checkpoint();
    ASSERT_TRUE(note.ok()) << note.status().message();
    ASSERT_TRUE(fs::exists(NotePath(uint64_t(s)))) << "the newest checkpoint survives, at " << s;
    if (s == 10) {
      // A file whose time is later than now (a clock set back) is never thinned.
      const timespec future[2] = {{0, UTIME_OMIT}, CheckpointMtime(kStart + 86'400'000)};
      ASSERT_EQ(::utimensat(AT_FDCWD, NotePath(5).c_str(), future, 0), 0);
      // Nor one whose mtime the ledger did not set (a copy that lost mtimes), however old.
      const timespec copied[2] = {{0, UTIME_OMIT}, {time_t(kStart / 1000 - 86'400), 0}};
      ASSERT_EQ(::utimensat(AT_FDCWD, NotePath(6).c_str(), copied, 0), 0);
    }
  }
  std::set<uint64_t> expected = {0, 5, 6};
  for (uint64_t i = 281; i <= 300; ++i) expected.insert(i);     // the last 20 s
  for (uint64_t i = 154; i <= 279; i += 5) expected.insert(i);  // newest of each 5 s
  for (uint64_t i = 49; i <= 149; i += 50) expected.insert(i);  // newest of each 50 s
  EXPECT_EQ(Files(), expected);

  auto report = VerifyLedger(options_.dir, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->checkpoints, expected.size());

  // A proof uses the newest checkpoint; a consistency proof spans thinned sizes.
  const std::string proof_file = data_ + "/proof.json";
  auto proof = ProveDelivery(options_.dir, Id(1000), Id(5000 + 100), nullptr);
  ASSERT_TRUE(proof.ok()) << proof.status().message();
  std::ofstream(proof_file) << *proof;
  auto vkey = LedgerPublicKey(options_.dir);
  ASSERT_TRUE(vkey.ok());
  auto checked = CheckProofFile(proof_file, *vkey);
  EXPECT_TRUE(checked.ok()) << checked.status().message();
  EXPECT_TRUE(ConsistencyJson(options_.dir, 100, 300).ok());

  // Closed cleanly and reopened: the newest checkpoint is still the one start-up finds.
  ASSERT_TRUE((*ledger)->Close().ok());
  report = VerifyLedger(options_.dir, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->closed_cleanly);
  ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok()) << ledger.status().message();
  EXPECT_EQ((*ledger)->DurableSize(), 300u);
  ASSERT_TRUE((*ledger)->Close().ok());
}

// verify on a running server lists the checkpoints before it scans the records (minutes on
// a large ledger); the server's thinning may delete some of those meanwhile. The progress
// callback runs between the scan and the checkpoint checks: thin there.
TEST_F(LedgerThinningTest, VerifyIsNotFooledByCheckpointsThinnedDuringItsScan) {
  auto ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok()) << ledger.status().message();
  for (int s = 1; s <= 5; ++s) {
    clock_.Set(kStart + s * 1000);
    ASSERT_TRUE((*ledger)->Append(Record(s)).ok());
    ASSERT_TRUE((*ledger)->Checkpoint().ok());
  }
  bool thinned = false;
  auto report = VerifyLedger(options_.dir, [&](uint64_t, uint64_t) {
    if (!thinned) thinned = fs::remove(NotePath(2)) && fs::remove(NotePath(3));
  });
  EXPECT_TRUE(thinned);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, 5u);
  EXPECT_TRUE(report->in_use);
  ASSERT_TRUE((*ledger)->Close().ok());
}

// A start with no new record signs no new file, but still thins: a ledger from before
// thinning, or one stopped for a day, is brought to the rule at once.
TEST_F(LedgerThinningTest, AStartWithoutNewRecordsThinsToo) {
  {
    auto ledger = Ledger::Open(options_);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    for (int s = 1; s <= 5; ++s) {
      clock_.Set(kStart + s * 1000);
      ASSERT_TRUE((*ledger)->Append(Record(s)).ok());
      ASSERT_TRUE((*ledger)->Checkpoint().ok());
    }
    ASSERT_TRUE((*ledger)->Close().ok());
  }
  EXPECT_EQ(Files(), (std::set<uint64_t>{0, 1, 2, 3, 4, 5}));
  clock_.Set(kStart + 1'000'000);  // all in one old "day" of 100 s now
  auto ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok()) << ledger.status().message();
  EXPECT_EQ(Files(), (std::set<uint64_t>{0, 5}));
  ASSERT_TRUE((*ledger)->Close().ok());
  auto report = VerifyLedger(options_.dir, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->closed_cleanly);
}

TEST_F(LedgerThinningTest, TheDirectoryIsListedAtMostOncePerThinInterval) {
  options_.checkpoint_retention = {60'000, 600'000, 10'000, 100'000, 60'000};
  auto ledger = Ledger::Open(options_);  // thins at start
  ASSERT_TRUE(ledger.ok()) << ledger.status().message();
  for (int s = 1; s <= 119; ++s) {
    clock_.Set(kStart + s * 1000);
    ASSERT_TRUE((*ledger)->Append(Record(s)).ok());
    ASSERT_TRUE((*ledger)->Checkpoint().ok());
  }
  // Listed at start and at 60 s, when nothing but the first was 60 s old; not since, so at
  // 119 s sizes 1..59, old enough by now, are all still there.
  EXPECT_EQ(Files().size(), 120u);
  clock_.Set(kStart + 120'000);
  ASSERT_TRUE((*ledger)->Append(Record(120)).ok());
  ASSERT_TRUE((*ledger)->Checkpoint().ok());
  // At 120 s, the listing of 60 s ago is due: sizes 1..59 (older than 60 s) keep only the
  // newest of each 10 s (9, 19, ... 59); 60 (exactly 60 s old) goes, its 10 s has 69.
  std::set<uint64_t> expected = {0};
  for (uint64_t i = 9; i <= 59; i += 10) expected.insert(i);
  for (uint64_t i = 61; i <= 120; ++i) expected.insert(i);
  EXPECT_EQ(Files(), expected);
  ASSERT_TRUE((*ledger)->Close().ok());
}

}  // namespace
}  // namespace sluice
