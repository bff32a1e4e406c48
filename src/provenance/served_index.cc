#include "provenance/served_index.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace sluice {

namespace {

// Ids per block: small enough that a lookup decodes little, large enough that the block's
// first id (8 bytes) and offset (4 bytes) cost under a tenth of a byte per id.
constexpr size_t kBlockIds = 128;

// Block layout: [ids - 1 : 1 byte] then, when ids > 1, [width : 1 byte] [min gap : varint]
// [(ids - 1) * width bits, LSB first]. Widths above 56 are stored as 64 (whole words), so a
// value never straddles more than one unaligned 8-byte load.
int PackWidth(uint64_t max_value) {
  int w = max_value == 0 ? 0 : 64 - std::countl_zero(max_value);
  return w > 56 ? 64 : w;
}

void PutVarint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(uint8_t(v) | 0x80);
    v >>= 7;
  }
  out.push_back(uint8_t(v));
}

uint64_t GetVarint(const uint8_t*& p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t b = *p++;
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
}

// Reads up to 8 bytes at p (little-endian), never past end.
uint64_t LoadWord(const uint8_t* p, const uint8_t* end) {
  uint64_t w = 0;
  size_t n = std::min<size_t>(8, size_t(end - p));
  for (size_t i = 0; i < n; ++i) w |= uint64_t(p[i]) << (8 * i);
  return w;
}

// Walks one block's ids in ascending order.
class BlockReader {
 public:
  BlockReader(Id first, const uint8_t* p, const uint8_t* end) : value_(first), end_(end) {
    remaining_ = *p++;
    if (remaining_ > 0) {
      width_ = *p++;
      min_gap_ = GetVarint(p);
    }
    bits_ = p;
  }
  Id value() const { return value_; }
  // Advances to the next id; false when the block is done.
  bool Next() {
    if (remaining_ == 0) return false;
    uint64_t gap = min_gap_;
    if (width_ == 64) {
      gap += LoadWord(bits_ + 8 * index_, end_);
    } else if (width_ > 0) {
      size_t pos = index_ * size_t(width_);
      gap += (LoadWord(bits_ + (pos >> 3), end_) >> (pos & 7)) & ((uint64_t(1) << width_) - 1);
    }
    value_ = Id(uint64_t(value_) + gap);
    ++index_;
    --remaining_;
    return true;
  }

 private:
  Id value_;
  const uint8_t* end_;
  const uint8_t* bits_ = nullptr;
  size_t remaining_ = 0, index_ = 0;
  int width_ = 0;
  uint64_t min_gap_ = 0;
};

}  // namespace

void ServedIndex::Add(Id app, Id post) { apps_[app].pending.push_back(post); }

void ServedIndex::Seal() {
  for (auto& [app, set] : apps_) SealSet(set);
}

void ServedIndex::SealSet(Set& set) {
  if (set.pending.empty()) return;
  std::vector<Id> ids = std::move(set.pending);
  set.pending = {};
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (set.count > 0 && ids.front() <= set.last) {
    // Not purely newer ids: merge with what is sealed and re-encode the whole set.
    std::vector<Id> old;
    old.reserve(set.count);
    for (size_t b = 0; b < set.block_first.size(); ++b) {
      Id buf[kBlockIds];
      size_t n = DecodeBlock(set, b, buf);
      old.insert(old.end(), buf, buf + n);
    }
    std::vector<Id> merged;
    merged.reserve(old.size() + ids.size());
    std::set_union(old.begin(), old.end(), ids.begin(), ids.end(), std::back_inserter(merged));
    ids = std::move(merged);
    set.block_first.clear();
    set.block_start.clear();
    set.bytes.clear();
    set.count = 0;
  }
  AppendBlocks(set, ids.data(), ids.size());
  set.block_first.shrink_to_fit();
  set.block_start.shrink_to_fit();
  set.bytes.shrink_to_fit();
}

// ids: sorted, distinct, all greater than set.last when the set is not empty. The last block
// is not reopened: a partial block is the price of appending without decoding.
void ServedIndex::AppendBlocks(Set& set, const Id* ids, size_t n) {
  for (size_t start = 0; start < n; start += kBlockIds) {
    size_t len = std::min(kBlockIds, n - start);
    const Id* block = ids + start;
    set.block_first.push_back(block[0]);
    set.block_start.push_back(uint32_t(set.bytes.size()));
    set.bytes.push_back(uint8_t(len - 1));
    if (len > 1) {
      uint64_t min_gap = UINT64_MAX, max_gap = 0;
      for (size_t i = 1; i < len; ++i) {
        uint64_t gap = uint64_t(block[i]) - uint64_t(block[i - 1]);
        min_gap = std::min(min_gap, gap);
        max_gap = std::max(max_gap, gap);
      }
      int width = PackWidth(max_gap - min_gap);
      set.bytes.push_back(uint8_t(width));
      PutVarint(set.bytes, min_gap);
      // Bit-pack the gaps above the minimum, LSB first.
      unsigned __int128 acc = 0;
      int acc_bits = 0;
      for (size_t i = 1; i < len; ++i) {
        uint64_t v = uint64_t(block[i]) - uint64_t(block[i - 1]) - min_gap;
        acc |= (unsigned __int128)v << acc_bits;
        acc_bits += width;
        while (acc_bits >= 8) {
          set.bytes.push_back(uint8_t(acc));
          acc >>= 8;
          acc_bits -= 8;
        }
      }
      if (acc_bits > 0) set.bytes.push_back(uint8_t(acc));
    }
  }
  set.count += n;
  if (n > 0) set.last = ids[n - 1];
}

size_t ServedIndex::DecodeBlock(const Set& set, size_t b, Id* out) {
  const uint8_t* end = set.bytes.data() + set.bytes.size();
  BlockReader r(set.block_first[b], set.bytes.data() + set.block_start[b], end);
  size_t n = 0;
  do out[n++] = r.value();
  while (r.Next());
  return n;
}

bool ServedIndex::Contains(Id app, Id post) const {
  auto it = apps_.find(app);
  if (it == apps_.end() || it->second.count == 0) return false;
  const Set& set = it->second;
  if (post < set.block_first.front() || post > set.last) return false;
  size_t b = size_t(std::upper_bound(set.block_first.begin(), set.block_first.end(), post) - set.block_first.begin()) - 1;
  BlockReader r(set.block_first[b], set.bytes.data() + set.block_start[b], set.bytes.data() + set.bytes.size());
  do {
    if (r.value() >= post) return r.value() == post;
  } while (r.Next());
  return false;
}

uint64_t ServedIndex::Count(Id app) const {
  auto it = apps_.find(app);
  return it == apps_.end() ? 0 : it->second.count;
}

uint64_t ServedIndex::TotalCount() const {
  uint64_t total = 0;
  for (const auto& [app, set] : apps_) total += set.count;
  return total;
}

void ServedIndex::ForEach(Id app, const std::function<bool(Id)>& fn) const {
  auto it = apps_.find(app);
  if (it == apps_.end()) return;
  const Set& set = it->second;
  const uint8_t* end = set.bytes.data() + set.bytes.size();
  for (size_t b = 0; b < set.block_first.size(); ++b) {
    BlockReader r(set.block_first[b], set.bytes.data() + set.block_start[b], end);
    do {
      if (!fn(r.value())) return;
    } while (r.Next());
  }
}

std::vector<Id> ServedIndex::Apps() const {
  std::vector<Id> out;
  for (const auto& [app, set] : apps_)
    if (set.count > 0) out.push_back(app);
  return out;
}

size_t ServedIndex::MemoryBytes() const {
  // The table: buckets plus one node (key, Set, next pointer) per app.
  size_t total = apps_.bucket_count() * sizeof(void*) + apps_.size() * (sizeof(std::pair<const Id, Set>) + sizeof(void*));
  for (const auto& [app, set] : apps_)
    total += set.pending.capacity() * sizeof(Id) + set.block_first.capacity() * sizeof(Id) +
             set.block_start.capacity() * sizeof(uint32_t) + set.bytes.capacity();
  return total;
}

}  // namespace sluice
