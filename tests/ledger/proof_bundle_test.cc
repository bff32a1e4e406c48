#include "ledger/proof_bundle.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "ledger/checkpoint.h"

namespace sluice {
namespace {

class MerkleProofBundle : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-bundle-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto signer = Signer::LoadOrCreate(dir_ + "/key", "bundle.test");
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    signer_ = std::move(*signer);
    tree_ = TreeHashes::InMemory();
    for (int i = 0; i < kLeaves; ++i) {
      records_.push_back("record " + std::to_string(i) + std::string(i % 3, '\0'));
      ASSERT_TRUE(tree_->Append(LeafHash(records_.back())).ok());
    }
    Checkpoint c{.origin = "bundle.test", .size = kLeaves, .root = *tree_->Root(kLeaves)};
    bundle_.checkpoint_note = signer_->Sign(c).value();
    bundle_.tree_size = kLeaves;
    for (uint64_t i : {0, 17, 36})
      bundle_.entries.push_back({i, Base64Encode(records_[i]), *tree_->InclusionProof(i, kLeaves)});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void ExpectRejected(const ProofBundle& b, const std::string& why) {
    Status s = CheckProofBundle(b, signer_->VerifierKey());
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
  }

  static constexpr int kLeaves = 41;
  std::string dir_;
  std::unique_ptr<Signer> signer_;
  std::unique_ptr<TreeHashes> tree_;
  std::vector<std::string> records_;
  ProofBundle bundle_;
};

TEST_F(MerkleProofBundle, JsonRoundTripChecks) {
  std::string json = ProofBundleToJson(bundle_);
  auto parsed = ProofBundleFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->checkpoint_note, bundle_.checkpoint_note);
  EXPECT_EQ(parsed->tree_size, bundle_.tree_size);
  ASSERT_EQ(parsed->entries.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed->entries[i].leaf_index, bundle_.entries[i].leaf_index);
    EXPECT_EQ(parsed->entries[i].record_base64, bundle_.entries[i].record_base64);
    EXPECT_EQ(parsed->entries[i].proof, bundle_.entries[i].proof);
  }
  EXPECT_EQ(ProofBundleToJson(*parsed), json);
  Status s = CheckProofBundle(*parsed, signer_->VerifierKey());
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_NE(json.find("\"leaf_index\":17"), std::string::npos) << json;
  EXPECT_NE(json.find(HashToHex(bundle_.entries[0].proof[0])), std::string::npos) << json;
}

TEST_F(MerkleProofBundle, TamperedRecordNamesTheEntry) {
  ProofBundle b = bundle_;
  b.entries[1].record_base64 = Base64Encode("record 18");
  ExpectRejected(b, "entries[1] (leaf 17): inclusion proof does not lead");
  b = bundle_;
  b.entries[2].record_base64 = "not base64!";
  ExpectRejected(b, "entries[2] (leaf 36): record is not base64");
}

TEST_F(MerkleProofBundle, TamperedProofNamesTheEntry) {
  ProofBundle b = bundle_;
  b.entries[2].proof[1][7] ^= 0x20;
  ExpectRejected(b, "entries[2] (leaf 36)");
  b = bundle_;
  b.entries[0].leaf_index = 1;
  ExpectRejected(b, "entries[0] (leaf 1)");
  b = bundle_;
  b.entries[0].proof.pop_back();
  ExpectRejected(b, "entries[0] (leaf 0)");
  b = bundle_;
  b.entries[1].leaf_index = kLeaves;
  ExpectRejected(b, "outside the tree");
}

TEST_F(MerkleProofBundle, TamperedCheckpointIsRejected) {
  ProofBundle b = bundle_;
  b.checkpoint_note.replace(b.checkpoint_note.find("\n41\n"), 4, "\n42\n");
  ExpectRejected(b, "does not verify");
  b = bundle_;
  b.tree_size = 40;
  ExpectRejected(b, "tree_size 40 differs from the checkpoint's size 41");
  // A correctly signed checkpoint of another tree does not cover these proofs.
  b = bundle_;
  b.checkpoint_note = signer_->Sign({.origin = "bundle.test", .size = kLeaves, .root = *tree_->Root(40)}).value();
  ExpectRejected(b, "entries[0] (leaf 0)");
  auto other = Signer::LoadOrCreate(dir_ + "/other", "bundle.test");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(CheckProofBundle(bundle_, (*other)->VerifierKey()).ok());
}

TEST_F(MerkleProofBundle, MalformedJsonIsRejected) {
  std::string json = ProofBundleToJson(bundle_);
  auto expect_bad = [](const std::string& text, const std::string& why) {
    auto r = ProofBundleFromJson(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  };
  expect_bad("{", "not JSON");
  expect_bad("[]", "must be a JSON object");
  expect_bad(R"({"checkpoint":"x","tree_size":1,"entries":[],"extra":1})", "unknown key 'extra'");
  expect_bad(R"({"checkpoint":"x","entries":[]})", "missing key 'tree_size'");
  expect_bad(R"({"checkpoint":"x","tree_size":-1,"entries":[]})", "non-negative integer");
  expect_bad(R"({"checkpoint":1,"tree_size":1,"entries":[]})", "'checkpoint' must be a string");
  expect_bad(R"({"checkpoint":"x","tree_size":1,"entries":[{"leaf_index":0,"record":"","proof":["abc"]}]})",
             "entries[0]: 'proof' must hold 64-digit hex hashes");
  expect_bad(R"({"checkpoint":"x","tree_size":1,"entries":[{"leaf_index":0,"record":""}]})",
             "entries[0]: missing key 'proof'");
  auto ok = ProofBundleFromJson(R"({"checkpoint":"x","tree_size":18446744073709551615,"entries":[]})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->tree_size, UINT64_MAX);
}

TEST(MerkleHashHex, RoundTrip) {
  Hash h = LeafHash("x");
  EXPECT_EQ(*HashFromHex(HashToHex(h)), h);
  std::string upper = HashToHex(h);
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(*HashFromHex(upper), h);
  EXPECT_FALSE(HashFromHex(HashToHex(h).substr(1)).ok());
  EXPECT_FALSE(HashFromHex(std::string(64, 'g')).ok());
}

}  // namespace
}  // namespace sluice
