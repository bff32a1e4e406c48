#pragma once
//! IdSet: a compact set of 64-bit ids, for the usage meter's "delivered today" sets. Open
//! addressing with linear probing in one flat array of ids (no per-entry overhead); 0 marks
//! an empty slot, and id 0 itself is kept in a flag. The array grows by 1.5x when an insert
//! would take the load past 0.8, so it holds between 8/0.8 = 10 and 8/0.533 = 15 bytes per id
//! (above 16 ids). Slots are picked by a 64-bit mixer and fastrange, so the capacity need
//! not be a power of two. Not thread-safe: the owner locks.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice {

class IdSet {
 public:
  bool Contains(uint64_t id) const;
  //! True when `id` was not in the set.
  bool Insert(uint64_t id);
  size_t size() const { return size_ + (has_zero_ ? 1 : 0); }
  //! Bytes held by the slot array.
  size_t Bytes() const { return slots_.capacity() * sizeof(uint64_t); }
  //! Empties the set and frees its array.
  void Clear();
  //! Calls f(id) for every id held, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    if (has_zero_) f(uint64_t(0));
    for (uint64_t id : slots_)
      if (id != 0) f(id);
  }
  //! Makes room for `n` ids without growing on the way (loading a saved set).
  void Reserve(size_t n);

  static constexpr size_t kMinCapacity = 16;

 private:
  size_t Home(uint64_t id) const;
  void Grow();

  std::vector<uint64_t> slots_;  // 0: empty
  size_t size_ = 0;              // nonzero ids held
  bool has_zero_ = false;
};

}  // namespace sluice
