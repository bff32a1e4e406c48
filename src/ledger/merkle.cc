#include "ledger/merkle.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <string>

#include "core/sha256.h"

namespace sluice {

namespace {

Status OutOfRange(std::string detail) { return NotFound(std::move(detail)); }

// Largest power of two strictly less than n (n >= 2): the split point k of RFC 6962 2.1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

Hash LeafHash(std::string_view leaf_bytes) {
  static constexpr char kLeafPrefix = 0x00;
  return Sha256({std::string_view(&kLeafPrefix, 1), leaf_bytes});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  static constexpr char kNodePrefix = 0x01;
  auto bytes = [](const Hash& h) { return std::string_view(reinterpret_cast<const char*>(h.data()), h.size()); };
  return Sha256({std::string_view(&kNodePrefix, 1), bytes(left), bytes(right)});
}

Hash EmptyTreeHash() { return Sha256({}); }

// MTH(D[start:end]) by the RFC 6962 recursion. When `start` is aligned as in every subtree
// the recursion itself produces (a multiple of the smallest power of two >= end - start),
// the left half is always one perfect subtree, so this makes O(log n) Perfect() calls.
Result<Hash> TreeHashes::RangeHash(uint64_t start, uint64_t end) const {
  if (start >= end || end > Size())
    return OutOfRange("leaf range [" + std::to_string(start) + ", " + std::to_string(end) +
                      ") is empty or beyond the tree of " + std::to_string(Size()) + " leaves");
  uint64_t n = end - start;
  if (IsPowerOfTwo(n) && start % n == 0) {
    int level = std::countr_zero(n);
    return Perfect(level, start >> level);
  }
  uint64_t k = SplitPoint(n);
  auto left = RangeHash(start, start + k);
  if (!left) return left;
  auto right = RangeHash(start + k, end);
  if (!right) return right;
  return NodeHash(*left, *right);
}

Result<Hash> TreeHashes::Root(uint64_t size) const {
  if (size == 0) return EmptyTreeHash();
  if (size > Size())
    return OutOfRange("tree size " + std::to_string(size) + " is beyond the " + std::to_string(Size()) +
                      " leaves in the tree");
  return RangeHash(0, size);
}

// RFC 6962 PATH(m, D[n]), iteratively: walk down from the root, noting the sibling subtree
// at each split; the proof lists them leaf first, so reverse at the end.
Result<std::vector<Hash>> TreeHashes::InclusionProof(uint64_t index, uint64_t size) const {
  if (size > Size())
    return OutOfRange("tree size " + std::to_string(size) + " is beyond the " + std::to_string(Size()) +
                      " leaves in the tree");
  if (index >= size)
    return OutOfRange("leaf " + std::to_string(index) + " is not in a tree of " + std::to_string(size) + " leaves");
  std::vector<Hash> proof;
  uint64_t lo = 0, hi = size;
  while (hi - lo > 1) {
    uint64_t k = SplitPoint(hi - lo);
    Result<Hash> sibling = index < lo + k ? RangeHash(lo + k, hi) : RangeHash(lo, lo + k);
    if (!sibling) return sibling.status();
    proof.push_back(*sibling);
    if (index < lo + k)
      hi = lo + k;
    else
      lo += k;
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

// RFC 6962 SUBPROOF(m, D[n], b), iteratively over the subtree [lo, hi) holding the old
// tree's last leaf. Proofs from 0 or to the same size are empty.
Result<std::vector<Hash>> TreeHashes::ConsistencyProof(uint64_t from, uint64_t to) const {
  if (to > Size())
    return OutOfRange("tree size " + std::to_string(to) + " is beyond the " + std::to_string(Size()) +
                      " leaves in the tree");
  if (from > to)
    return OutOfRange("tree size " + std::to_string(from) + " is larger than " + std::to_string(to));
  std::vector<Hash> proof;
  if (from == 0 || from == to) return proof;
  uint64_t lo = 0, hi = to, m = from;  // m: leaves of the old tree inside [lo, hi)
  bool whole = true;                   // b: [lo, hi) is still a prefix the verifier knows
  while (m != hi - lo) {
    uint64_t k = SplitPoint(hi - lo);
    if (m <= k) {
      auto right = RangeHash(lo + k, hi);
      if (!right) return right.status();
      proof.push_back(*right);
      hi = lo + k;
    } else {
      auto left = RangeHash(lo, lo + k);
      if (!left) return left.status();
      proof.push_back(*left);
      lo += k;
      m -= k;
      whole = false;
    }
  }
  if (!whole) {
    auto sub = RangeHash(lo, hi);
    if (!sub) return sub.status();
    proof.push_back(*sub);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size, const std::vector<Hash>& proof,
                     const Hash& root) {
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {  // no-op when LSB(fn) is set
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t from, uint64_t to, const Hash& from_root, const Hash& to_root,
                       const std::vector<Hash>& proof) {
  if (from > to) return false;
  // The two cases RFC 9162 leaves out: every tree extends the empty one, and a tree is
  // consistent with itself. Both have empty proofs.
  if (from == 0) return proof.empty() && from_root == EmptyTreeHash();
  if (from == to) return proof.empty() && from_root == to_root;
  if (proof.empty()) return false;

  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (IsPowerOfTwo(from)) path.push_back(from_root);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = from - 1, sn = to - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {  // no-op when LSB(fn) is set
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == from_root && sr == to_root && sn == 0;
}

Status TreeHashes::ReadRange(int level, uint64_t first, uint64_t n, std::vector<Hash>* out) const {
  out->resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    auto h = Perfect(level, first + i);
    if (!h.ok()) return h.status();
    (*out)[i] = *h;
  }
  return Status::Ok();
}

Status CheckTreeLevels(const TreeHashes& tree, uint64_t size, uint64_t from) {
  constexpr uint64_t kChunk = 4096;  // parent entries per read
  std::vector<Hash> children, parents;
  for (int k = 1; k < 64 && (size >> k) > 0; ++k) {
    uint64_t want = size >> k;
    for (uint64_t i = std::min(from >> k, want); i < want; i += kChunk) {
      uint64_t n = std::min(kChunk, want - i);
      if (Status s = tree.ReadRange(k - 1, 2 * i, 2 * n, &children); !s.ok()) return s;
      if (Status s = tree.ReadRange(k, i, n, &parents); !s.ok()) return s;
      for (uint64_t j = 0; j < n; ++j)
        if (parents[j] != NodeHash(children[2 * j], children[2 * j + 1]))
          return CommandError("tree hash level " + std::to_string(k) + " entry " + std::to_string(i + j) +
                              " is not the hash of its two children at level " + std::to_string(k - 1));
    }
  }
  return Status::Ok();
}

}  // namespace sluice
