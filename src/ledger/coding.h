#pragma once
//! Byte coding for the ledger's formats, private to src/ledger: unsigned LEB128 varints and
//! zigzag (records), little-endian u32 (segment and frame headers). Varint decoding accepts
//! only the minimal encoding, so bytes and values map 1:1.

#include <cstdint>

namespace sluice::ledger_internal {

inline constexpr int kMaxVarintBytes = 10;

//! Writes `v` at `p` (room for kMaxVarintBytes); returns the end.
inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

enum class VarintStatus { kOk, kTruncated, kOverlong };

//! Reads a varint from [*p, end), advancing *p. kOverlong: more than 10 bytes, a value past
//! 64 bits, or a non-minimal encoding (a final 0x00 byte after a continuation byte).
inline VarintStatus GetVarint(const char** p, const char* end, uint64_t* v) {
  const char* q = *p;
  uint64_t result = 0;
  for (int i = 0; i < kMaxVarintBytes; ++i) {
    if (q == end) return VarintStatus::kTruncated;
    uint64_t byte = static_cast<uint8_t>(*q++);
    if (i == kMaxVarintBytes - 1 && byte > 1) return VarintStatus::kOverlong;
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      if (byte == 0 && i > 0) return VarintStatus::kOverlong;
      *v = result;
      *p = q;
      return VarintStatus::kOk;
    }
  }
  return VarintStatus::kOverlong;
}

inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

inline uint32_t LoadLe32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}

inline void StoreLe32(uint32_t v, char* p) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

}  // namespace sluice::ledger_internal
