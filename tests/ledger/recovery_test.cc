// Ledger::Open on damaged ledgers: records the tree hashes or a checkpoint cover are never
// cut silently (Open refuses, saying how to inspect and repair); `repair` cuts them,
// keeping what it removed; a torn tail past them is what a crash leaves, and is cut.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "ledger/ledger.h"
#include "ledger/ledger_files.h"
#include "ledger/segment.h"
#include "ledger/tools.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

LedgerRecord Record(int i) {
  LedgerRecord r;
  r.time = 1700000000000 + i;
  r.app_id = 1000 + i;
  r.project_id = 7;
  r.endpoint = "GET /2/tweets/:id";
  r.status = 200;
  r.post_ids = {Id(5000 + i)};
  r.request_id = fmt::format("req-{}", i);
  return r;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-recovery-XXXXXX";
    data_ = mkdtemp(tmpl);
    options_.dir = data_ + "/ledger";
    options_.clock = &clock_;
  }
  void TearDown() override { fs::remove_all(data_); }

  // `n` records appended and the ledger closed cleanly (tree hashes and a checkpoint of all).
  void Write(int n) {
    auto ledger = Ledger::Open(options_);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    for (int i = 0; i < n; ++i) ASSERT_TRUE((*ledger)->Append(Record(i)).ok());
    ASSERT_TRUE((*ledger)->Close().ok());
  }
  std::string Segment(size_t i = 0) { return options_.dir + "/" + (*ListSegments(options_.dir))[i].name; }
  // Byte offset of record `k`'s frame in a one-segment ledger.
  uint64_t FrameOffset(int k) {
    std::string bytes = ReadAll(Segment());
    uint64_t offset = kSegmentHeaderBytes;
    for (int i = 0; i < k; ++i)
      offset += kFrameHeaderBytes + (uint8_t(bytes[offset]) | uint8_t(bytes[offset + 1]) << 8);
    return offset;
  }
  // Open must refuse, naming `why`, the two commands, and leave the segments as they are.
  void ExpectRefused(const std::string& why) {
    std::string before = ReadAll(Segment());
    bool marked = fs::exists(ClosedMarkerPath(options_.dir));
    auto ledger = Ledger::Open(options_);
    ASSERT_FALSE(ledger.ok());
    EXPECT_EQ(fs::exists(ClosedMarkerPath(options_.dir)), marked);  // a refused start changes nothing
    const std::string& detail = ledger.status().message();
    EXPECT_NE(detail.find(why), std::string::npos) << detail;
    EXPECT_NE(detail.find("sluice ledger verify --data " + data_), std::string::npos) << detail;
    EXPECT_NE(detail.find("sluice ledger repair --data " + data_), std::string::npos) << detail;
    EXPECT_EQ(ReadAll(Segment()), before);  // nothing cut
    EXPECT_FALSE(VerifyLedger(options_.dir, nullptr).ok());
  }
  // Repair, then the ledger opens with `records`, verifies and has logged what it did.
  void ExpectRepairedTo(uint64_t records, const std::string& logged) {
    LedgerOptions repair = options_;
    repair.repair = true;
    auto repaired = Ledger::Open(repair);
    ASSERT_TRUE(repaired.ok()) << repaired.status().message();
    EXPECT_EQ((*repaired)->DurableSize(), records);
    ASSERT_TRUE((*repaired)->Close().ok());
    std::string log = ReadAll(RepairLogPath(options_.dir));
    EXPECT_NE(log.find(logged), std::string::npos) << log;
    auto report = VerifyLedger(options_.dir, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->records, records);
    EXPECT_TRUE(report->closed_cleanly);
    auto ledger = Ledger::Open(options_);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    EXPECT_EQ((*ledger)->DurableSize(), records);
  }

  std::string data_;
  ManualClock clock_{1700000000000};
  LedgerOptions options_;
};

TEST_F(RecoveryTest, CutAtAFrameBoundaryRefusesEvenPastTheLastCheckpoint) {
  Write(10);
  // The checkpoints and the marker gone too: the tree hashes alone still cover 10 records.
  for (const auto& e : fs::directory_iterator(options_.dir + "/checkpoints")) fs::remove(e.path());
  fs::remove(ClosedMarkerPath(options_.dir));
  fs::resize_file(Segment(), FrameOffset(8));
  ExpectRefused("the tree hashes cover 10 records, but the segments hold 8 whole records");
  ExpectRepairedTo(8, "the tree hashes cover 10 records");
}

TEST_F(RecoveryTest, DeletedLastSegmentRefuses) {
  options_.segment_bytes = 200;  // a few records a segment
  Write(12);
  auto segments = *ListSegments(options_.dir);
  ASSERT_GT(segments.size(), 2u);
  uint64_t kept = segments.back().first_seq;
  fs::remove(options_.dir + "/" + segments.back().name);
  ExpectRefused(fmt::format("but the segments hold {} whole records", kept));
  ExpectRepairedTo(kept, "moved checkpoint 00000000000000000012.note");
}

TEST_F(RecoveryTest, TailCutMidFrameRefuses) {
  Write(6);
  fs::resize_file(Segment(), FrameOffset(5) + 11);
  ExpectRefused("but the segments hold 5 whole records, then the 52-byte frame runs past the end");
  ExpectRepairedTo(5, "cut 11 bytes at seg-00000000000000000000.log offset");
}

TEST_F(RecoveryTest, ZeroedTailRefuses) {
  Write(6);
  std::string bytes = ReadAll(Segment());
  uint64_t at = FrameOffset(4);
  std::fill(bytes.begin() + at, bytes.end(), '\0');
  WriteAll(Segment(), bytes);
  ExpectRefused("but the segments hold 4 whole records");
  ExpectRepairedTo(4, "(record 4)");
}

TEST_F(RecoveryTest, FlippedLengthBitInACoveredRecordRefuses) {
  Write(6);
  std::string bytes = ReadAll(Segment());
  bytes[FrameOffset(3) + 2] ^= 0x10;  // the length now runs past the end of the file
  WriteAll(Segment(), bytes);
  ExpectRefused("but the segments hold 3 whole records, then the");
  ExpectRepairedTo(3, "runs past the end of the segment");
}

TEST_F(RecoveryTest, CorruptTreeHashRefusesAndCheckpointIsNotSigned) {
  Write(9);
  for (int level : {0, 1, 3}) {
    std::string path = TreeLevelPath(TreeDir(options_.dir), level);
    std::string original = ReadAll(path);
    std::string bytes = original;
    bytes[bytes.size() - 5] ^= 0x01;
    WriteAll(path, bytes);
    auto ledger = Ledger::Open(options_);  // what `sluice ledger checkpoint` opens
    ASSERT_FALSE(ledger.ok()) << "level " << level;
    EXPECT_NE(ledger.status().message().find("the tree hashes do not match the records"), std::string::npos)
        << ledger.status().message();
    WriteAll(path, original);
  }
  std::string path = TreeLevelPath(TreeDir(options_.dir), 0);
  std::string bytes = ReadAll(path);
  bytes[40] ^= 0x01;  // leaf 1
  WriteAll(path, bytes);
  ASSERT_FALSE(Ledger::Open(options_).ok());
  EXPECT_EQ(fs::file_size(options_.dir + "/checkpoints/00000000000000000009.note") > 0, true);
  EXPECT_FALSE(fs::exists(options_.dir + "/checkpoints/00000000000000000010.note"));
  ExpectRepairedTo(9, "rebuilt the tree hashes from the records: tree hash level 1 entry 0");
}

TEST_F(RecoveryTest, TornTailPastTheTreeHashesIsCutAsACrash) {
  Write(4);
  fs::remove(ClosedMarkerPath(options_.dir));
  // Two whole records the tree hashes do not cover yet, then half a frame: a crash.
  std::string frames;
  for (int i = 4; i < 6; ++i) {
    LedgerRecord r = Record(i);
    r.seq = i;
    AppendFrame(EncodeRecord(r), &frames);
  }
  LedgerRecord torn = Record(6);
  torn.seq = 6;
  std::string half;
  AppendFrame(EncodeRecord(torn), &half);
  frames += half.substr(0, 13);
  std::ofstream(Segment(), std::ios::binary | std::ios::app) << frames;
  auto ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok()) << ledger.status().message();
  EXPECT_EQ((*ledger)->DurableSize(), 6u);
  ASSERT_TRUE((*ledger)->Close().ok());
  auto report = VerifyLedger(options_.dir, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, 6u);
  EXPECT_TRUE(report->closed_cleanly);
}

TEST_F(RecoveryTest, RepairOfAHealthyLedgerChangesNothing) {
  Write(5);
  std::string before = ReadAll(Segment());
  ExpectRepairedTo(5, "nothing to repair: 5 records match");
  EXPECT_EQ(ReadAll(Segment()), before);
}

// A start reads the segment holding the last record the tree hashes cover and what follows,
// not the whole ledger (its time must not grow with the ledger): damage in an earlier
// segment is found by `sluice ledger verify`, which reads every record, not by the start.
TEST_F(RecoveryTest, StartReadsTheLastSegmentOnlyAndVerifyFindsDamageBeforeIt) {
  options_.segment_bytes = 200;  // a few records a segment
  Write(12);
  auto segments = *ListSegments(options_.dir);
  ASSERT_GT(segments.size(), 2u);
  std::string first = ReadAll(Segment(0));
  first[kSegmentHeaderBytes + kFrameHeaderBytes + 3] ^= 0x01;  // inside record 0
  WriteAll(Segment(0), first);
  {
    auto ledger = Ledger::Open(options_);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    EXPECT_EQ((*ledger)->DurableSize(), 12u);
    ASSERT_TRUE((*ledger)->Close().ok());
  }
  auto report = VerifyLedger(options_.dir, nullptr);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find(segments[0].name + " offset 16 (record 0): CRC mismatch"), std::string::npos)
      << report.status().message();

  // The same damage in the last segment refuses the start.
  WriteAll(Segment(0), ReadAll(Segment(0)));
  const std::string last = Segment(segments.size() - 1);
  std::string bytes = ReadAll(last);
  bytes[kSegmentHeaderBytes + kFrameHeaderBytes + 3] ^= 0x01;
  WriteAll(last, bytes);
  auto refused = Ledger::Open(options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("CRC mismatch"), std::string::npos) << refused.status().message();
}

}  // namespace
}  // namespace sluice
