#include "ledger/merkle.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace sluice {
namespace {

// ---- An independent reference, written straight from RFC 6962 section 2.1 -------------
// Recursive, over the leaf bytes, hashing with OpenSSL's SHA256() directly (not the code
// under test). Slow and obviously correct.

using Leaves = std::vector<std::string>;

Hash Sha256(const std::string& data) {
  Hash h;
  SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(), h.data());
  return h;
}

std::string Bytes(const Hash& h) { return std::string(h.begin(), h.end()); }

// k: the largest power of two smaller than n.
uint64_t RefSplit(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// MTH(D[lo:hi]).
Hash RefMth(const Leaves& d, uint64_t lo, uint64_t hi) {
  uint64_t n = hi - lo;
  if (n == 0) return Sha256("");
  if (n == 1) return Sha256(std::string(1, '\0') + d[lo]);
  uint64_t k = RefSplit(n);
  return Sha256("\x01" + Bytes(RefMth(d, lo, lo + k)) + Bytes(RefMth(d, lo + k, hi)));
}

// PATH(m, D[lo:hi]).
std::vector<Hash> RefPath(const Leaves& d, uint64_t m, uint64_t lo, uint64_t hi) {
  uint64_t n = hi - lo;
  if (n == 1) return {};
  uint64_t k = RefSplit(n);
  std::vector<Hash> path;
  if (m < k) {
    path = RefPath(d, m, lo, lo + k);
    path.push_back(RefMth(d, lo + k, hi));
  } else {
    path = RefPath(d, m - k, lo + k, hi);
    path.push_back(RefMth(d, lo, lo + k));
  }
  return path;
}

// SUBPROOF(m, D[lo:hi], b).
std::vector<Hash> RefSubproof(const Leaves& d, uint64_t m, uint64_t lo, uint64_t hi, bool b) {
  uint64_t n = hi - lo;
  if (m == n) return b ? std::vector<Hash>{} : std::vector<Hash>{RefMth(d, lo, hi)};
  uint64_t k = RefSplit(n);
  std::vector<Hash> proof;
  if (m <= k) {
    proof = RefSubproof(d, m, lo, lo + k, b);
    proof.push_back(RefMth(d, lo + k, hi));
  } else {
    proof = RefSubproof(d, m - k, lo + k, hi, false);
    proof.push_back(RefMth(d, lo, lo + k));
  }
  return proof;
}

// PROOF(m, D[n]).
std::vector<Hash> RefProof(const Leaves& d, uint64_t m, uint64_t n) { return RefSubproof(d, m, 0, n, true); }

// ---- Helpers ----------------------------------------------------------------------------

std::string Hex(const Hash& h) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : h) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

// Leaves of varied lengths (including empty), distinct.
Leaves MakeLeaves(size_t n) {
  Leaves d;
  for (size_t i = 0; i < n; ++i) d.push_back(std::string(i % 5, 'x') + std::to_string(i * 7919));
  return d;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/sluice-tree-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string Level(int k) const {
    char name[32];
    std::snprintf(name, sizeof name, "/level-%02d.hashes", k);
    return path_ + name;
  }

 private:
  std::string path_;
};

std::unique_ptr<TreeHashes> OpenTree(const std::string& dir) {
  auto tree = TreeHashes::Open(dir);
  EXPECT_TRUE(tree.ok()) << tree.status().message();
  return tree.ok() ? std::move(*tree) : nullptr;
}

void AppendAll(TreeHashes& tree, const Leaves& d, size_t from, size_t to, size_t sync_every = 0) {
  for (size_t i = from; i < to; ++i) {
    ASSERT_TRUE(tree.Append(LeafHash(d[i])).ok());
    if (sync_every != 0 && (i + 1) % sync_every == 0) {
      ASSERT_TRUE(tree.Sync().ok());
    }
  }
}

// Every root, inclusion proof and consistency proof up to tree.Size() matches the reference.
void ExpectMatchesReference(const TreeHashes& tree, const Leaves& d) {
  uint64_t n = tree.Size();
  for (uint64_t size = 0; size <= n; ++size) {
    auto root = tree.Root(size);
    ASSERT_TRUE(root.ok()) << root.status().message();
    ASSERT_EQ(Hex(*root), Hex(RefMth(d, 0, size))) << "size " << size;
    for (uint64_t i = 0; i < size; ++i) {
      auto proof = tree.InclusionProof(i, size);
      ASSERT_TRUE(proof.ok()) << proof.status().message();
      ASSERT_EQ(*proof, RefPath(d, i, 0, size)) << "leaf " << i << " size " << size;
    }
    for (uint64_t m = 1; m <= size; ++m) {
      auto proof = tree.ConsistencyProof(m, size);
      ASSERT_TRUE(proof.ok()) << proof.status().message();
      ASSERT_EQ(*proof, RefProof(d, m, size)) << "from " << m << " to " << size;
    }
  }
}

constexpr size_t kReferenceLeaves = 70;

// ---- Known values -----------------------------------------------------------------------

TEST(MerkleHash, EmptyTreeIsSha256OfNothing) {
  EXPECT_EQ(Hex(EmptyTreeHash()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(*TreeHashes::InMemory()->Root(0)), Hex(EmptyTreeHash()));
}

TEST(MerkleHash, LeafAndNodeDomainSeparation) {
  // SHA-256 of the single byte 0x00: the leaf hash of an empty record.
  EXPECT_EQ(Hex(LeafHash("")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  Hash a = LeafHash("a"), b = LeafHash("b");
  EXPECT_EQ(NodeHash(a, b), Sha256("\x01" + Bytes(a) + Bytes(b)));
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
}

// The certificate-transparency reference tree of eight leaves.
TEST(MerkleHash, CertificateTransparencyVectors) {
  const Leaves leaves = {"",
                         std::string(1, '\x00'),
                         "\x10",
                         "\x20\x21",
                         "\x30\x31",
                         "\x40\x41\x42\x43",
                         "\x50\x51\x52\x53\x54\x55\x56\x57",
                         "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  const char* roots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  auto tree = TreeHashes::InMemory();
  for (size_t i = 0; i < leaves.size(); ++i) {
    ASSERT_TRUE(tree->Append(LeafHash(leaves[i])).ok());
    EXPECT_EQ(Hex(*tree->Root(i + 1)), roots[i]) << "size " << i + 1;
    EXPECT_EQ(Hex(RefMth(leaves, 0, i + 1)), roots[i]) << "reference, size " << i + 1;
  }
}

// ---- Against the reference ----------------------------------------------------------------

TEST(MerkleTree, InMemoryMatchesRfc6962Reference) {
  Leaves d = MakeLeaves(kReferenceLeaves);
  auto tree = TreeHashes::InMemory();
  AppendAll(*tree, d, 0, d.size());
  ExpectMatchesReference(*tree, d);
}

TEST(MerkleTree, FileBackedMatchesRfc6962Reference) {
  TempDir dir;
  Leaves d = MakeLeaves(kReferenceLeaves);
  {
    auto tree = OpenTree(dir.path());
    ASSERT_TRUE(tree);
    AppendAll(*tree, d, 0, 45, 7);  // some synced, some still buffered
    ExpectMatchesReference(*tree, d);
    ASSERT_TRUE(tree->Sync().ok());
    AppendAll(*tree, d, 45, d.size(), 11);
    ExpectMatchesReference(*tree, d);
    ASSERT_TRUE(tree->Sync().ok());
  }
  auto reopened = OpenTree(dir.path());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->Size(), d.size());
  ExpectMatchesReference(*reopened, d);
}

TEST(MerkleTree, PerfectSubtreesAreStoredPerLevel) {
  Leaves d = MakeLeaves(13);
  auto tree = TreeHashes::InMemory();
  AppendAll(*tree, d, 0, d.size());
  for (int level = 0; level < 4; ++level)
    for (uint64_t i = 0; i < (13u >> level); ++i)
      EXPECT_EQ(*tree->Perfect(level, i), RefMth(d, i << level, (i + 1) << level)) << level << " " << i;
  EXPECT_FALSE(tree->Perfect(0, 13).ok());
  EXPECT_FALSE(tree->Perfect(2, 3).ok());
  EXPECT_FALSE(tree->Perfect(4, 0).ok());
  EXPECT_FALSE(tree->Perfect(-1, 0).ok());
}

TEST(MerkleTree, OutOfRangeIsAProblem) {
  auto tree = TreeHashes::InMemory();
  AppendAll(*tree, MakeLeaves(5), 0, 5);
  auto root = tree->Root(6);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), StatusCode::kNotFound);
  EXPECT_NE(root.status().message().find("tree size 6"), std::string::npos) << root.status().message();
  auto incl = tree->InclusionProof(5, 5);
  ASSERT_FALSE(incl.ok());
  EXPECT_NE(incl.status().message().find("leaf 5"), std::string::npos) << incl.status().message();
  EXPECT_FALSE(tree->InclusionProof(0, 6).ok());
  EXPECT_FALSE(tree->InclusionProof(0, 0).ok());
  EXPECT_FALSE(tree->ConsistencyProof(4, 3).ok());
  EXPECT_FALSE(tree->ConsistencyProof(1, 6).ok());
  EXPECT_TRUE(tree->ConsistencyProof(0, 5)->empty());
  EXPECT_TRUE(tree->ConsistencyProof(5, 5)->empty());
  EXPECT_FALSE(tree->Truncate(6).ok());
}

// ---- Verifiers ----------------------------------------------------------------------------

TEST(MerkleVerify, InclusionAcceptsProofsAndRejectsTampering) {
  Leaves d = MakeLeaves(33);
  auto tree = TreeHashes::InMemory();
  AppendAll(*tree, d, 0, d.size());
  for (uint64_t size = 1; size <= d.size(); ++size) {
    Hash root = *tree->Root(size);
    for (uint64_t i = 0; i < size; ++i) {
      std::vector<Hash> proof = *tree->InclusionProof(i, size);
      Hash leaf = LeafHash(d[i]);
      ASSERT_TRUE(VerifyInclusion(leaf, i, size, proof, root)) << i << "/" << size;
      EXPECT_FALSE(VerifyInclusion(LeafHash(d[i] + "!"), i, size, proof, root));
      for (size_t p = 0; p < proof.size(); ++p) {
        auto bad = proof;
        bad[p][p % 32] ^= 0x01;
        EXPECT_FALSE(VerifyInclusion(leaf, i, size, bad, root)) << i << "/" << size << " element " << p;
      }
      for (uint64_t j = 0; j < size + 2; ++j) {
        if (j != i) {
          EXPECT_FALSE(VerifyInclusion(leaf, j, size, proof, root)) << i << " as " << j << "/" << size;
        }
      }
      if (size < d.size()) {
        EXPECT_FALSE(VerifyInclusion(leaf, i, size + 1, proof, *tree->Root(size + 1)));
      }
      if (2 * size <= d.size()) {
        EXPECT_FALSE(VerifyInclusion(leaf, i, 2 * size, proof, root));
      }
      auto longer = proof;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(leaf, i, size, longer, root));
      if (!proof.empty()) {
        auto shorter = proof;
        shorter.pop_back();
        EXPECT_FALSE(VerifyInclusion(leaf, i, size, shorter, root));
      }
    }
  }
}

TEST(MerkleVerify, ConsistencyAcceptsProofsAndRejectsTampering) {
  Leaves d = MakeLeaves(33);
  auto tree = TreeHashes::InMemory();
  AppendAll(*tree, d, 0, d.size());
  for (uint64_t to = 1; to <= d.size(); ++to) {
    Hash to_root = *tree->Root(to);
    for (uint64_t from = 0; from <= to; ++from) {
      Hash from_root = *tree->Root(from);
      std::vector<Hash> proof = *tree->ConsistencyProof(from, to);
      ASSERT_TRUE(VerifyConsistency(from, to, from_root, to_root, proof)) << from << "->" << to;
      for (size_t p = 0; p < proof.size(); ++p) {
        auto bad = proof;
        bad[p][31 - p % 32] ^= 0x80;
        EXPECT_FALSE(VerifyConsistency(from, to, from_root, to_root, bad)) << from << "->" << to << " element " << p;
      }
      Hash wrong = from_root;
      wrong[0] ^= 1;
      EXPECT_FALSE(VerifyConsistency(from, to, wrong, to_root, proof));
      if (from == 0) {
        // Every tree extends the empty tree: nothing to prove about to_root.
        EXPECT_TRUE(proof.empty());
        continue;
      }
      Hash wrong_to = to_root;
      wrong_to[5] ^= 1;
      EXPECT_FALSE(VerifyConsistency(from, to, from_root, wrong_to, proof));
      if (from + 1 <= to) {
        EXPECT_FALSE(VerifyConsistency(from + 1, to, *tree->Root(from + 1), to_root, proof)) << from << "->" << to;
      }
      if (to < d.size()) {
        EXPECT_FALSE(VerifyConsistency(from, to + 1, from_root, *tree->Root(to + 1), proof));
      }
      if (!proof.empty()) {
        auto shorter = proof;
        shorter.pop_back();
        EXPECT_FALSE(VerifyConsistency(from, to, from_root, to_root, shorter));
      }
      auto longer = proof;
      longer.push_back(to_root);
      EXPECT_FALSE(VerifyConsistency(from, to, from_root, to_root, longer));
    }
  }
  EXPECT_FALSE(VerifyConsistency(5, 4, *tree->Root(5), *tree->Root(4), {}));
}

// ---- Files: persistence, crash repair, truncation -------------------------------------------

TEST(MerkleTreeFiles, UnsyncedAppendsAreNotOnDisk) {
  TempDir dir;
  Leaves d = MakeLeaves(30);
  {
    auto tree = OpenTree(dir.path());
    AppendAll(*tree, d, 0, 20);
    ASSERT_TRUE(tree->Sync().ok());
    AppendAll(*tree, d, 20, 30);
  }
  auto tree = OpenTree(dir.path());
  EXPECT_EQ(tree->Size(), 20u);
  EXPECT_EQ(*tree->Root(20), RefMth(d, 0, 20));
  EXPECT_EQ(std::filesystem::file_size(dir.Level(0)), 20u * 32);
  EXPECT_EQ(std::filesystem::file_size(dir.Level(4)), 1u * 32);
  EXPECT_FALSE(std::filesystem::exists(dir.Level(5)));
}

class MerkleTreeCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = MakeLeaves(kReferenceLeaves);
    auto tree = OpenTree(dir_.path());
    AppendAll(*tree, d_, 0, 45);
    ASSERT_TRUE(tree->Sync().ok());
  }
  // Reopens, checks every level file has floor(size/2^k) entries, and the reference.
  void ExpectRepaired(uint64_t size) {
    auto tree = OpenTree(dir_.path());
    ASSERT_TRUE(tree);
    ASSERT_EQ(tree->Size(), size);
    for (int k = 0; (size >> k) > 0; ++k)
      EXPECT_EQ(std::filesystem::file_size(dir_.Level(k)), (size >> k) * 32) << "level " << k;
    ExpectMatchesReference(*tree, d_);
    // And it keeps growing correctly.
    AppendAll(*tree, d_, size, d_.size(), 9);
    ExpectMatchesReference(*tree, d_);
  }
  TempDir dir_;
  Leaves d_;
};

TEST_F(MerkleTreeCrash, TornLeafEntryIsDropped) {
  std::filesystem::resize_file(dir_.Level(0), 37 * 32 + 13);
  ExpectRepaired(37);  // level 1..5 files had entries past 37 leaves: truncated
}

TEST_F(MerkleTreeCrash, MissingUpperEntriesAreRecomputed) {
  std::filesystem::resize_file(dir_.Level(2), 4 * 32);  // 11 -> 4 entries
  std::filesystem::resize_file(dir_.Level(4), 5);       // 2 -> torn first entry
  std::filesystem::remove(dir_.Level(3));               // 5 -> gone
  ExpectRepaired(45);
}

TEST_F(MerkleTreeCrash, ZeroFilledTailIsNotData) {
  // A crash after the size grew but before the data reached the disk.
  std::filesystem::resize_file(dir_.Level(0), 48 * 32);
  std::filesystem::resize_file(dir_.Level(1), 22 * 32 + 32 * 2);
  ExpectRepaired(45);
}

TEST_F(MerkleTreeCrash, StaleHigherLevelFilesAreRemoved) {
  std::filesystem::resize_file(dir_.Level(0), 3 * 32);
  {
    auto tree = OpenTree(dir_.path());
    for (int k = 2; k <= 5; ++k) EXPECT_FALSE(std::filesystem::exists(dir_.Level(k))) << k;
  }
  ExpectRepaired(3);
}

TEST(MerkleTreeFiles, TruncateThenAppendEqualsAFreshTree) {
  TempDir dir, fresh_dir;
  Leaves d = MakeLeaves(kReferenceLeaves);
  Leaves other = d;
  for (size_t i = 20; i < other.size(); ++i) other[i] = "other " + std::to_string(i);
  auto tree = OpenTree(dir.path());
  AppendAll(*tree, d, 0, 50, 10);
  AppendAll(*tree, d, 50, 60);           // 50..59 buffered
  ASSERT_TRUE(tree->Truncate(55).ok());  // inside the buffer
  EXPECT_EQ(tree->Size(), 55u);
  ASSERT_TRUE(tree->Truncate(20).ok());  // inside the synced part
  EXPECT_EQ(tree->Size(), 20u);
  AppendAll(*tree, other, 20, other.size(), 6);
  ASSERT_TRUE(tree->Sync().ok());
  ExpectMatchesReference(*tree, other);

  auto fresh = OpenTree(fresh_dir.path());
  AppendAll(*fresh, other, 0, other.size());
  ASSERT_TRUE(fresh->Sync().ok());
  for (int k = 0; k < 7; ++k)
    EXPECT_EQ(std::filesystem::file_size(dir.Level(k)), std::filesystem::file_size(fresh_dir.Level(k))) << k;
  tree.reset();
  auto reopened = OpenTree(dir.path());
  ExpectMatchesReference(*reopened, other);
}

TEST(MerkleTreeFiles, TruncateToZeroAndInMemoryTruncate) {
  TempDir dir;
  Leaves d = MakeLeaves(20);
  auto tree = OpenTree(dir.path());
  auto mem = TreeHashes::InMemory();
  for (TreeHashes* t : {tree.get(), mem.get()}) {
    AppendAll(*t, d, 0, 20, 8);
    ASSERT_TRUE(t->Truncate(0).ok());
    EXPECT_EQ(t->Size(), 0u);
    EXPECT_EQ(*t->Root(0), EmptyTreeHash());
    AppendAll(*t, d, 0, 20);
    ExpectMatchesReference(*t, d);
  }
}

TEST(MerkleTreeFiles, OpenFailsOnAnUnusableDirectory) {
  TempDir dir;
  std::string file = dir.path() + "/plain-file";
  { std::ofstream(file) << "x"; }
  auto tree = TreeHashes::Open(file);
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.status().message().find("plain-file"), std::string::npos) << tree.status().message();
}

TEST(MerkleTree, ReadersSeePublishedSizesDuringAppends) {
  Leaves d = MakeLeaves(3000);
  TempDir dir;
  auto tree = OpenTree(dir.path());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done.load()) {
      uint64_t n = tree->Size();
      if (n == 0) continue;
      auto proof = tree->InclusionProof(n / 2, n);
      auto root = tree->Root(n);
      if (!proof.ok() || !root.ok() || !VerifyInclusion(LeafHash(d[n / 2]), n / 2, n, *proof, *root)) ++bad;
    }
  });
  AppendAll(*tree, d, 0, d.size(), 100);
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(*tree->Root(d.size()), RefMth(d, 0, d.size()));
}

}  // namespace
}  // namespace sluice
