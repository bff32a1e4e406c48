// VerifyLedger: what a crash leaves is reported as "not closed cleanly" with what recovery
// will do; anything else that does not add up is an error naming the file.
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
  r.seq = uint64_t(i);
  r.time = 1700000000000 + i;
  r.app_id = 1000 + i;
  r.endpoint = "GET /2/tweets/:id";
  r.status = 200;
  r.post_ids = {Id(5000 + i)};
  return r;
}

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-verify-XXXXXX";
    data_ = mkdtemp(tmpl);
    options_.dir = data_ + "/ledger";
    options_.clock = &clock_;
    auto ledger = Ledger::Open(options_);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    for (int i = 0; i < 7; ++i) ASSERT_TRUE((*ledger)->Append(Record(i)).ok());
    ASSERT_TRUE((*ledger)->Close().ok());
    segment_ = options_.dir + "/" + SegmentFileName(0);
  }
  void TearDown() override { fs::remove_all(data_); }

  // Whole frames of records [from, to), and `torn` bytes of the next one.
  static std::string Frames(int from, int to, size_t torn = 0) {
    std::string out;
    for (int i = from; i < to; ++i) AppendFrame(EncodeRecord(Record(i)), &out);
    std::string next;
    AppendFrame(EncodeRecord(Record(to)), &next);
    return out + next.substr(0, torn);
  }
  void AppendToSegment(const std::string& bytes) { std::ofstream(segment_, std::ios::binary | std::ios::app) << bytes; }
  std::string Error() {
    auto report = VerifyLedger(options_.dir, nullptr);
    return report.ok() ? "" : report.status().message();
  }

  std::string data_, segment_;
  ManualClock clock_{1700000000000};
  LedgerOptions options_;
};

TEST_F(VerifyTest, ClosedLedgerVerifiesCleanly) {
  auto report = VerifyLedger(options_.dir, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->records, 7u);
  EXPECT_EQ(report->checkpoints, 2u);  // at open (0) and at close (7)
  EXPECT_TRUE(report->closed_cleanly);
  EXPECT_EQ(DescribeVerifyReport(*report),
            "ledger OK: 7 records in 1 segments, 2 signed checkpoints verified; closed cleanly\n");
}

TEST_F(VerifyTest, CrashLeftoversAreReportedWithWhatRecoveryWillDo) {
  fs::remove(ClosedMarkerPath(options_.dir));
  AppendToSegment(Frames(7, 9, 13));
  // A level the crash did not get to, and a level 0 file extended by zeros.
  std::string level1 = TreeLevelPath(TreeDir(options_.dir), 1);
  fs::resize_file(level1, fs::file_size(level1) - 32);
  std::string level0 = TreeLevelPath(TreeDir(options_.dir), 0);
  fs::resize_file(level0, fs::file_size(level0) + 64);
  auto report = VerifyLedger(options_.dir, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_FALSE(report->closed_cleanly);
  EXPECT_EQ(report->records, 9u);
  EXPECT_EQ(report->tree_records, 7u);
  EXPECT_EQ(report->past_tree, 2u);
  EXPECT_TRUE(report->torn);
  EXPECT_EQ(report->torn_bytes, 13u);
  std::string text = DescribeVerifyReport(*report);
  EXPECT_NE(text.find("not closed cleanly"), std::string::npos) << text;
  EXPECT_NE(text.find("the next start's recovery will: add the 2 records past the tree hashes to them; cut 13 "
                      "bytes of torn tail at seg-00000000000000000000.log offset"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("altered"), std::string::npos);

  // And recovery does just that.
  auto ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok()) << ledger.status().message();
  EXPECT_EQ((*ledger)->DurableSize(), 9u);
  ASSERT_TRUE((*ledger)->Close().ok());
  EXPECT_EQ(Error(), "");
}

TEST_F(VerifyTest, ALedgerInUseIsNeitherClosedNorAltered) {
  auto ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok()) << ledger.status().message();
  for (int i = 7; i < 20; ++i) ASSERT_TRUE((*ledger)->Append(Record(i)).ok());
  ASSERT_TRUE((*ledger)->WaitDurable(19).ok());
  auto report = VerifyLedger(options_.dir, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->in_use);
  EXPECT_FALSE(report->closed_cleanly);
  EXPECT_NE(DescribeVerifyReport(*report).find("in use by a running server"), std::string::npos);
  ASSERT_TRUE((*ledger)->Close().ok());
  report = VerifyLedger(options_.dir, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->closed_cleanly);
  EXPECT_EQ(report->records, 20u);
}

TEST_F(VerifyTest, ClosedCleanlyThenChangedIsAnError) {
  AppendToSegment(Frames(7, 8));
  EXPECT_NE(Error().find("closed cleanly with 7 records, the segments hold 8"), std::string::npos) << Error();
}

TEST_F(VerifyTest, ClosedCleanlyWithATornTailIsAnError) {
  AppendToSegment(Frames(7, 7, 5));
  EXPECT_NE(Error().find("(record 7): the frame header is cut short"), std::string::npos) << Error();
}

TEST_F(VerifyTest, FewerRecordsThanTheTreeHashesCoverIsAnError) {
  fs::remove(ClosedMarkerPath(options_.dir));
  std::string bytes;
  {
    std::ifstream in(segment_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string six = Frames(0, 6);
  std::ofstream(segment_, std::ios::binary | std::ios::trunc) << bytes.substr(0, kSegmentHeaderBytes) + six;
  EXPECT_NE(Error().find("the tree hashes cover 7 records, the segments hold only 6: records were removed or cut"),
            std::string::npos)
      << Error();
}

TEST_F(VerifyTest, AlteredTreeHashIsAnError) {
  std::string level0 = TreeLevelPath(TreeDir(options_.dir), 0);
  std::fstream f(level0, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(3 * 32 + 4);
  f.put('\x7f');
  f.close();
  EXPECT_NE(Error().find("level-00.hashes: hash 3 differs"), std::string::npos) << Error();
}

TEST_F(VerifyTest, CheckpointFilesMustBeConsistent) {
  std::string dir = options_.dir + "/checkpoints/";
  fs::rename(dir + "00000000000000000007.note", dir + "00000000000000000006.note");
  EXPECT_NE(Error().find("signed over 7 records, not what its name says"), std::string::npos) << Error();
  fs::rename(dir + "00000000000000000006.note", dir + "00000000000000000007.note");
  fs::remove(dir + "00000000000000000007.note");
  EXPECT_NE(Error().find("the newest checkpoint is of 0"), std::string::npos) << Error();
  fs::remove(dir + "00000000000000000000.note");
  EXPECT_NE(Error().find("no signed checkpoint, but 7 records"), std::string::npos) << Error();
}

}  // namespace
}  // namespace sluice
