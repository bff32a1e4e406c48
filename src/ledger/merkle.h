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
  //! Opens (creating) the files and makes every level agree with level 0, after a crash
  //! between writing level files: a torn last entry and trailing all-zero entries (a file
  //! extended before its data reached the disk) are dropped; level k then keeps exactly
  //! floor(size / 2^k) entries: extras are truncated, missing ones recomputed from level
  //! k-1; files of levels above the top are removed. Size() is then the leaves in level 0,
  //! which may be fewer or more than the ledger's durable records: the caller Truncate()s
  //! or Append()s to match. An InternalError naming the file on I/O failure.
  static Result<std::unique_ptr<TreeHashes>> Open(const std::string& dir);
  //! In memory, for tests and for check-proof.
  static std::unique_ptr<TreeHashes> InMemory();
  virtual ~TreeHashes() = default;

  virtual uint64_t Size() const = 0;  // leaves
  //! Appends leaf hashes and every perfect subtree they complete.
  virtual Status Append(const Hash& leaf_hash) = 0;
  //! Writes appended hashes to disk (fdatasync). Until then they live in memory only and
  //! are lost on close. After a failed fdatasync (or truncate) every later Append, Sync and
  //! Truncate fails: reopen to recover from what is on disk. No-op in memory.
  virtual Status Sync() = 0;
  //! Drops leaves from `size` on (recovery of a cut ledger tail); synced entries are cut
  //! from the files at once (ftruncate + fdatasync). NotFound if size > Size().
  virtual Status Truncate(uint64_t size) = 0;
  //! The hash of leaves [index * 2^level, (index + 1) * 2^level); NotFound if that
  //! subtree is not complete, InternalError if a read fails.
  virtual Result<Hash> Perfect(int level, uint64_t index) const = 0;
  //! Entries [first, first + n) of `level` into *out (resized to n), as Perfect() would give
  //! them one by one (the default does just that; the file store reads them in one go).
  virtual Status ReadRange(int level, uint64_t first, uint64_t n, std::vector<Hash>* out) const;

  // Root and the proofs are computed from Perfect() alone, O(log size) calls, for any
  // size up to Size() (older tree sizes included). NotFound for sizes or indexes out of
  // range, with a detail saying which.

  //! MTH(D[0:size]); Root(0) is EmptyTreeHash().
  Result<Hash> Root(uint64_t size) const;
  //! RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves.
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const;
  //! RFC 9162 consistency proof from tree size `from` to `to`; empty when from is 0 or
  //! from == to.
  Result<std::vector<Hash>> ConsistencyProof(uint64_t from, uint64_t to) const;

 protected:
  //! MTH of leaves [start, end), end - start > 0, from perfect subtrees.
  Result<Hash> RangeHash(uint64_t start, uint64_t end) const;
};

//! Checks that every entry of every level above the leaves is the node hash of its two
//! children, for a tree of `size` leaves (<= tree.Size()): the persisted tree is then
//! consistent with its level 0, which the caller compares with the records. A CommandError
//! naming the level and entry that differs. With `from`, only the entries whose subtrees hold
//! a leaf in [from, size) (what a start checks: the leaves of the last segment, bounded).
Status CheckTreeLevels(const TreeHashes& tree, uint64_t size, uint64_t from = 0);

//! Verifiers (RFC 9162 section 2.1.3.2 and 2.1.4.2): need nothing but the proof.
//! VerifyConsistency also accepts the cases RFC 9162 leaves out, with an empty proof:
//! from == 0 (from_root must be EmptyTreeHash()) and from == to (the roots must match).
bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size, const std::vector<Hash>& proof,
                     const Hash& root);
bool VerifyConsistency(uint64_t from, uint64_t to, const Hash& from_root, const Hash& to_root,
                       const std::vector<Hash>& proof);

}  // namespace sluice
