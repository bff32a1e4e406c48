#include "access/id_set.h"

#include <algorithm>

#include "core/mix.h"

namespace sluice {

// fastrange: the high 64 bits of hash * capacity are uniform in [0, capacity) for any
// capacity, without a division.
size_t IdSet::Home(uint64_t id) const {
  return size_t((static_cast<unsigned __int128>(Mix64(id)) * slots_.size()) >> 64);
}

bool IdSet::Contains(uint64_t id) const {
  if (id == 0) return has_zero_;
  if (slots_.empty()) return false;
  const size_t capacity = slots_.size();
  for (size_t i = Home(id);;) {
    uint64_t s = slots_[i];
    if (s == id) return true;
    if (s == 0) return false;
    if (++i == capacity) i = 0;
  }
}

bool IdSet::Insert(uint64_t id) {
  if (id == 0) {
    bool added = !has_zero_;
    has_zero_ = true;
    return added;
  }
  // Load after the insert stays <= 0.8; the array always keeps an empty slot, which ends
  // every probe.
  if ((size_ + 1) * 5 > slots_.size() * 4) {
    if (Contains(id)) return false;  // a full set must not grow for an id it holds
    Grow();
  }
  const size_t capacity = slots_.size();
  for (size_t i = Home(id);;) {
    uint64_t& s = slots_[i];
    if (s == id) return false;
    if (s == 0) {
      s = id;
      ++size_;
      return true;
    }
    if (++i == capacity) i = 0;
  }
}

void IdSet::Grow() {
  size_t capacity = std::max(kMinCapacity, slots_.size() + slots_.size() / 2);
  std::vector<uint64_t> old(capacity, 0);
  old.swap(slots_);
  for (uint64_t id : old) {
    if (id == 0) continue;
    for (size_t i = Home(id);; i = (i + 1 == capacity) ? 0 : i + 1) {
      if (slots_[i] == 0) {
        slots_[i] = id;
        break;
      }
    }
  }
}

void IdSet::Reserve(size_t n) {
  // The capacity Insert keeps for n ids (load <= 0.8), grown as it would grow.
  while (n * 5 > slots_.size() * 4) Grow();
}

void IdSet::Clear() {
  std::vector<uint64_t>().swap(slots_);
  size_ = 0;
  has_zero_ = false;
}

}  // namespace sluice
