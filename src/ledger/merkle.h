#pragma once
//! RFC 6962 / RFC 9162 Merkle tree hashing and proofs, over a store of tree hashes.
//! leaf hash = SHA-256(0x00 || record bytes); node hash = SHA-256(0x01 || left || right).
//! The store keeps the hash of every perfect subtree (level k, index i covers leaves
//! [i*2^k, (i+1)*2^k)), so any root, inclusion or consistency proof needs O(log n) reads.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace sluice {

using Hash = std::array<uint8_t, 32>;

Hash LeafHash(std::string_view leaf_bytes);
Hash NodeHash(const Hash& left, const Hash& right);
//! The hash of an empty tree: SHA-256 of nothing.
Hash EmptyTreeHash();

//! Persisted perfect-subtree hashes. Files in `dir`: level-00.hashes, level-01.hashes, ...
//! each an array of 32-byte hashes; level k's entry i is written once both halves exist.
//! Appends are not thread-safe (one writer); reads may run concurrently with appends for
//! sizes already published by the writer.
class TreeHashes {
 public:
  //! Opens (creating) the files; truncates any level beyond what `leaves` records justify
  //! (a crash between writing level files).
  static Result<std::unique_ptr<TreeHashes>> Open(const std::string& dir);
  //! In memory, for tests and for check-proof.
  static std::unique_ptr<TreeHashes> InMemory();
  virtual ~TreeHashes() = default;

  virtual uint64_t Size() const = 0;  // leaves
  //! Appends leaf hashes and every perfect subtree they complete.
  virtual Status Append(const Hash& leaf_hash) = 0;
  //! Writes appended hashes to disk (fdatasync).
  virtual Status Sync() = 0;
  //! Drops leaves from `size` on (recovery of a cut ledger tail).
  virtual Status Truncate(uint64_t size) = 0;
  virtual Result<Hash> Perfect(int level, uint64_t index) const = 0;

  //! MTH(D[0:size]).
  Result<Hash> Root(uint64_t size) const;
  //! RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves.
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const;
  //! RFC 9162 consistency proof from tree size `from` to `to`.
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) const;

 protected:
  //! MTH of leaves [start, end), end - start > 0, from perfect subtrees.
  Result<Hash> RangeHash(uint64_t start, uint64_t end) const;
};

//! Verifiers (RFC 9162 section 2.1.3.2 and 2.1.4.2): need nothing but the proof.
bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size, const std::vector<Hash>& proof,
                     const Hash& root);
bool VerifyConsistency(uint64_t from, uint64_t to, const Hash& from_root, const Hash& to_root,
                       const std::vector<Hash>& proof);

}  // namespace sluice
