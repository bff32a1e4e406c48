#include "ledger/snapshot_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/clock.h"
#include "ledger/ledger.h"
#include "ledger/ledger_files.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class SnapshotFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-snapshot-XXXXXX";
    data_ = mkdtemp(tmpl);
    dir_ = data_ + "/ledger";
    LedgerOptions o;
    o.dir = dir_;
    o.clock = &clock_;
    o.on_checkpoint = [this](const Checkpoint& c) { checkpoints_.push_back(c); };
    auto ledger = Ledger::Open(o);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    for (int i = 0; i < 5; ++i) {
      LedgerRecord r;
      r.time = 1700000000000 + i;
      r.endpoint = "GET /2/tweets/:id";
      r.status = 200;
      r.post_ids = {Id(100 + i)};
      ASSERT_TRUE((*ledger)->Append(r).ok());
    }
    ASSERT_TRUE((*ledger)->Close().ok());
    auto signer = Signer::LoadOrCreate(SigningKeyPath(dir_), "sluice.local/ledger");
    ASSERT_TRUE(signer.ok());
    signer_ = std::move(*signer);
  }
  void TearDown() override { fs::remove_all(data_); }

  std::string Path(uint64_t size) { return fmt::format("{}/{:020}.snap", UsageSnapshotDir(dir_), size); }
  std::string ReadError(uint64_t size) {
    auto s = ReadSnapshot(dir_, size);
    return s.ok() ? "(ok)" : s.status().message();
  }

  std::string data_, dir_;
  ManualClock clock_{1700000000000};
  std::vector<Checkpoint> checkpoints_;
  std::unique_ptr<Signer> signer_;
};

TEST_F(SnapshotFileTest, ReadsBackWhatWasWrittenBoundToTheCheckpointOfItsSize) {
  // Open signs the empty tree, Close the tree of all 5 records: the hook saw both.
  ASSERT_EQ(checkpoints_.size(), 2u);
  const Checkpoint& all = checkpoints_.back();
  ASSERT_EQ(all.size, 5u);
  SnapshotBinding b{5, all.root, {SegmentFileName(0), 345, 5}};
  ASSERT_TRUE(WriteSnapshot(dir_, *signer_, "sluice.local/ledger", b, "the meter's state").ok());
  auto s = ReadSnapshot(dir_, 5);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->body, "the meter's state");
  EXPECT_EQ(s->binding.size, 5u);
  EXPECT_EQ(s->binding.root, all.root);
  EXPECT_EQ(s->binding.next.segment, SegmentFileName(0));
  EXPECT_EQ(s->binding.next.offset, 345u);
  EXPECT_EQ(s->binding.next.seq, 5u);
}

TEST_F(SnapshotFileTest, RefusesWhatWasAlteredOrIsNotOfThisLedgersRecords) {
  const Checkpoint& all = checkpoints_.back();
  ASSERT_TRUE(WriteSnapshot(dir_, *signer_, "sluice.local/ledger", {5, all.root, {}}, "state").ok());
  const std::string path = Path(5);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('X');
  }
  EXPECT_EQ(ReadError(5), "usage snapshot " + path + ": its contents are not what was signed");

  // Signed, but over another root than the checkpoint of its size signs.
  Hash other = all.root;
  other[0] ^= 1;
  ASSERT_TRUE(WriteSnapshot(dir_, *signer_, "sluice.local/ledger", {5, other, {}}, "state").ok());
  EXPECT_EQ(ReadError(5), "usage snapshot " + path +
                              ": it is not of this ledger's records (the checkpoint of 5 records signs another root)");

  // A size no checkpoint signs.
  ASSERT_TRUE(WriteSnapshot(dir_, *signer_, "sluice.local/ledger", {3, all.root, {}}, "state").ok());
  EXPECT_EQ(ReadError(3), "usage snapshot " + Path(3) + ": no checkpoint of 3 records");

  // Signed by another key.
  auto stranger = Signer::LoadOrCreate(data_ + "/other.key", "sluice.local/ledger");
  ASSERT_TRUE(stranger.ok());
  ASSERT_TRUE(WriteSnapshot(dir_, **stranger, "sluice.local/ledger", {5, all.root, {}}, "state").ok());
  EXPECT_NE(ReadError(5).find("its signature does not verify"), std::string::npos) << ReadError(5);

  // Under another size's name.
  ASSERT_TRUE(WriteSnapshot(dir_, *signer_, "sluice.local/ledger", {0, checkpoints_.front().root, {}}, "state").ok());
  fs::rename(Path(0), Path(5));
  EXPECT_EQ(ReadError(5), "usage snapshot " + path + ": its size is not its name's");
  EXPECT_EQ(ReadError(7), "usage snapshot " + Path(7) + ": cannot be read");
}

TEST_F(SnapshotFileTest, ListsLargestFirstAndPruneKeepsTheNewest) {
  for (uint64_t size : {0, 5, 3})
    ASSERT_TRUE(WriteSnapshot(dir_, *signer_, "sluice.local/ledger", {size, {}, {}}, "state").ok());
  std::ofstream(Path(9) + ".tmp") << "half written";
  EXPECT_EQ(ListSnapshots(dir_), (std::vector<uint64_t>{5, 3, 0}));
  PruneSnapshots(dir_, 2);
  EXPECT_EQ(ListSnapshots(dir_), (std::vector<uint64_t>{5, 3}));
  EXPECT_FALSE(fs::exists(Path(9) + ".tmp"));
}

}  // namespace
}  // namespace sluice
