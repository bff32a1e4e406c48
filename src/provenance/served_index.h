#pragma once
//! The served index: per app, a compact set of every post id it has received (from the
//! ledger). Ids are 64-bit snowflakes, so instead of a bitmap each app's set is a sorted run of
//! blocks of up to 128 ids: a block keeps its first id in a small index (binary searched) and
//! the gaps to the rest as frame-of-reference bit-packed deltas (the smallest gap once, then
//! every gap minus it in the fewest bits that hold the largest). Time-ordered snowflakes a few
//! milliseconds apart cost about 3 bytes per id, against 8 for a sorted vector.
//!
//! Loading: Add ids in any order (duplicates allowed; they are buffered), then Seal, which
//! sorts, deduplicates and encodes them. Adding more after a Seal is fine (incremental
//! loading); lookups see only ids added before the last Seal. Ids beyond the current largest
//! are appended cheaply; smaller ones make Seal re-encode that app's set.
//!
//! Not thread-safe for writes; const methods may run concurrently once no one writes.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "core/types.h"

namespace sluice {

class ServedIndex {
 public:
  void Add(Id app, Id post);
  // Encodes every id added since the last Seal. Call before lookups.
  void Seal();

  bool Contains(Id app, Id post) const;
  // Distinct sealed ids of the app (0 for an unknown app).
  uint64_t Count(Id app) const;
  // Calls fn(post) for every sealed id of the app, ascending; stops when fn returns false.
  void ForEach(Id app, const std::function<bool(Id)>& fn) const;
  // Apps with at least one sealed id, in no particular order.
  std::vector<Id> Apps() const;

  // Heap bytes held: encoded blocks, block indexes, buffered ids and the per-app table.
  size_t MemoryBytes() const;
  uint64_t TotalCount() const;

 private:
  struct Set {
    std::vector<Id> pending;            // added since the last Seal, unsorted
    std::vector<Id> block_first;        // first id of each block, ascending
    std::vector<uint32_t> block_start;  // offset of each block in bytes
    std::vector<uint8_t> bytes;         // encoded blocks
    uint64_t count = 0;
    Id last = 0;  // largest sealed id (valid when count > 0)
  };

  static void SealSet(Set& set);
  static void AppendBlocks(Set& set, const Id* ids, size_t n);
  // Decodes block b into out (first id included); returns the number of ids.
  static size_t DecodeBlock(const Set& set, size_t b, Id* out);

  std::unordered_map<Id, Set> apps_;
};

}  // namespace sluice
