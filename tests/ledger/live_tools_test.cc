// The ledger tools the admin API runs against the server's own ledger while it appends:
// VerifyLedgerPrefix (what was durable when asked), LatestCheckpoint and ProveAppPosts.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/json.hpp>

#include "ledger/ledger.h"
#include "ledger/ledger_files.h"
#include "ledger/proof_bundle.h"
#include "ledger/segment.h"
#include "ledger/tools.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

LedgerRecord Delivery(Id app, std::vector<Id> posts) {
  LedgerRecord r;
  r.time = 1700000000000;
  r.app_id = app;
  r.project_id = 1;
  r.endpoint = "GET /2/tweets";
  r.status = 200;
  r.post_ids = std::move(posts);
  return r;
}

class LiveToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-live-tools-XXXXXX";
    data_ = mkdtemp(tmpl);
    options_.dir = data_ + "/ledger";
    options_.clock = &clock_;
    options_.sync_interval_ms = 1;
  }
  void TearDown() override { fs::remove_all(data_); }

  std::string data_;
  ManualClock clock_{1700000000000};
  LedgerOptions options_;
};

TEST_F(LiveToolsTest, APrefixVerifiesWhileTheLedgerAppends) {
  auto ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok()) << ledger.status().message();
  for (int i = 0; i < 500; ++i) ASSERT_TRUE((*ledger)->Append(Delivery(10 + i % 3, {Id(100 + i)})).ok());
  ASSERT_TRUE((*ledger)->Checkpoint().ok());
  std::atomic<bool> stop{false};
  std::atomic<int> failed_appends{0};
  // Bounded: an appender left to run as fast as it can grows the ledger faster than each round
  // verifies it (each round reads the whole prefix), and the test ran for minutes on a loaded
  // machine.
  constexpr int kMaxAppends = 20'000;
  std::thread appender([&] {
    for (int i = 0; !stop && i < kMaxAppends; ++i) {
      if (!(*ledger)->Append(Delivery(20, {Id(1000 + i)})).ok()) ++failed_appends;
      if (i % 50 == 0) {
        clock_.Advance(2000);  // a checkpoint is due now and then, signed past the prefix
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
  });
  for (int round = 0; round < 10; ++round) {
    const uint64_t durable = (*ledger)->DurableSize();
    auto report = VerifyLedgerPrefix(options_.dir, durable, nullptr);
    ASSERT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->records, durable);
    EXPECT_TRUE(report->in_use);
    EXPECT_FALSE(report->closed_cleanly);
    EXPECT_GE(report->checkpoints, 2u);
  }
  stop = true;
  appender.join();
  EXPECT_EQ(failed_appends, 0);
  // More records than the segments hold: records the server made durable are gone. (Every
  // record durable first: the segments may hold appended records not yet counted durable.)
  ASSERT_TRUE((*ledger)->WaitDurable((*ledger)->AppendedSize() - 1).ok());
  const uint64_t durable = (*ledger)->DurableSize();
  auto lost = VerifyLedgerPrefix(options_.dir, durable + 5, nullptr);
  ASSERT_FALSE(lost.ok());
  EXPECT_NE(lost.status().message().find(std::to_string(durable + 5) + " records durable, the segments hold only " +
                                         std::to_string(durable)),
            std::string::npos)
      << lost.status().message();
  const uint64_t appended = (*ledger)->AppendedSize();
  ASSERT_TRUE((*ledger)->Close().ok());
  auto whole = VerifyLedger(options_.dir, nullptr);
  ASSERT_TRUE(whole.ok()) << whole.status().message();
  EXPECT_EQ(whole->records, appended);
}

TEST_F(LiveToolsTest, APrefixFindsARecordAlteredBelowIt) {
  auto ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*ledger)->Append(Delivery(10, {Id(100 + i)})).ok());
  ASSERT_TRUE((*ledger)->Checkpoint().ok());
  // One byte of a record's payload changed (the CRC too would have to be forged: it is not).
  const std::string segment = options_.dir + "/" + SegmentFileName(0);
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(fs::file_size(segment) / 2));
    f.put('\x7f');
  }
  auto report = VerifyLedgerPrefix(options_.dir, (*ledger)->DurableSize(), nullptr);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find(SegmentFileName(0)), std::string::npos) << report.status().message();
  (void)(*ledger)->Close();
}

TEST_F(LiveToolsTest, LatestCheckpointIsTheNewestWithItsSigningTime) {
  auto none = LatestCheckpoint(options_.dir);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok());
  for (int i = 0; i < 9; ++i) ASSERT_TRUE((*ledger)->Append(Delivery(10, {Id(100 + i)})).ok());
  clock_.Set(1700000123456);
  auto note = (*ledger)->Checkpoint();
  ASSERT_TRUE(note.ok());
  auto latest = LatestCheckpoint(options_.dir);
  ASSERT_TRUE(latest.ok()) << latest.status().message();
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->checkpoint.size, 9u);
  EXPECT_EQ((*latest)->note, *note);
  EXPECT_EQ((*latest)->signed_at, TimeMs(1700000123456));
  EXPECT_EQ((*latest)->checkpoint.origin, options_.origin);
  ASSERT_TRUE((*ledger)->Close().ok());
}

TEST_F(LiveToolsTest, ProveAppPostsBundlesTheFirstRecordOfEachPostAndChecksWithTheKey) {
  auto ledger = Ledger::Open(options_);
  ASSERT_TRUE(ledger.ok());
  ASSERT_TRUE((*ledger)->Append(Delivery(10, {1, 2, 3})).ok());    // 0
  ASSERT_TRUE((*ledger)->Append(Delivery(11, {1, 2})).ok());       // 1: another app
  ASSERT_TRUE((*ledger)->Append(Delivery(10, {2, 4})).ok());       // 2: 2 again, 4 new
  ASSERT_TRUE((*ledger)->Append(Delivery(10, {5})).ok());          // 3: not asked for
  LedgerRecord notice = Delivery(10, {3});
  notice.channel = "job:77";
  ASSERT_TRUE((*ledger)->Append(notice).ok());                     // 4: a compliance notice
  ASSERT_TRUE((*ledger)->Checkpoint().ok());
  ASSERT_TRUE((*ledger)->Append(Delivery(10, {6})).ok());          // 5: after the checkpoint
  ASSERT_TRUE((*ledger)->WaitDurable(5).ok());

  auto text = ProveAppPosts(options_.dir, 10, {4, 2, 1, 6, 9}, {3}, 100, nullptr);
  ASSERT_TRUE(text.ok()) << text.status().message();
  auto doc = json::parse(*text).as_object();
  EXPECT_EQ(json::serialize(doc.at("post_ids")), R"(["1","2","4","6","9"])");
  EXPECT_EQ(json::serialize(doc.at("proved_post_ids")), R"(["1","2","4"])");
  EXPECT_EQ(doc.at("deliveries").as_array().size(), 2u);  // records 0 and 2
  ASSERT_EQ(doc.at("notices").as_array().size(), 1u);
  EXPECT_EQ(doc.at("notices").at(0).at("channel").as_string(), "job:77");
  EXPECT_EQ(doc.at("not_yet_checkpointed").as_int64(), 1);
  auto bundle = ProofBundleFromJson(json::serialize(doc.at("bundle")));
  ASSERT_TRUE(bundle.ok()) << bundle.status().message();
  ASSERT_EQ(bundle->entries.size(), 3u);
  EXPECT_EQ(bundle->entries[0].leaf_index, 0u);
  EXPECT_EQ(bundle->entries[1].leaf_index, 2u);
  EXPECT_EQ(bundle->entries[2].leaf_index, 4u);
  auto key = LedgerPublicKey(options_.dir);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(CheckProofBundle(*bundle, *key).ok());
  // The file as downloaded checks with `sluice ledger check-proof` (the bundle under "bundle").
  const std::string file = data_ + "/evidence.json";
  std::ofstream(file) << *text;
  auto checked = CheckProofFile(file, *key);
  ASSERT_TRUE(checked.ok()) << checked.status().message();
  EXPECT_EQ(*checked, "OK: 3 record(s) included in the signed tree of size 5");

  // A cap on the records: the first ones only.
  auto capped = ProveAppPosts(options_.dir, 10, {1, 4}, {}, 1, nullptr);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(json::serialize(json::parse(*capped).at("proved_post_ids")), R"(["1"])");
  ASSERT_TRUE((*ledger)->Close().ok());
}

}  // namespace
}  // namespace sluice
