#pragma once
//! Byte-level pieces of text normalisation (fingerprint.cc): ASCII classes, the classification
//! of 64-byte blocks into bitmaps (AVX2 where the CPU has it, else SSE2), and scanning those
//! bitmaps. Internal to the provenance library.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sluice::fingerprint_detail {

// Byte classes. Most corpora are mostly ASCII: a run of ASCII letters and digits is lowercased
// byte by byte (NFKC_Casefold maps ASCII exactly so); only a run that holds a byte >= 0x80 is
// normalised code point by code point.
enum ByteClass : uint8_t { kSep = 0, kAlnum = 1, kHigh = 2 };

struct Tables {
  std::array<uint8_t, 256> cls{};
  std::array<char, 256> lower{};
  constexpr Tables() {
    for (int c = 0; c < 256; ++c) {
      lower[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      cls[c] = c >= 0x80 ? kHigh : alnum ? kAlnum : kSep;
    }
  }
};
inline constexpr Tables kT;

inline uint8_t Cls(unsigned char c) { return kT.cls[c]; }
inline bool IsAsciiSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool IsMentionChar(unsigned char c) { return Cls(c) == kAlnum || c == '_'; }


// Classifies one block of 64 bytes: writes it with ASCII letters lowercased to `low` and sets
// the bitmaps (bit k is byte k) of ASCII letters and digits, of bytes >= 0x80, and of '@'.
// Signed compares after a shift of the range to the bottom of the signed bytes: c is in
// [lo, lo + len) exactly when c + (128 - lo), wrapped, is below -128 + len (bytes >= 0x80
// never land there for these ranges).
struct BlockBits {
  uint64_t alnum = 0, high = 0, at = 0;
};
BlockBits ClassifyBlock(const unsigned char* src, char* low);

// For Latin-1 letters (fingerprint.cc, MarkLatin1Letters), a block's bitmaps of 0xC3; of the
// bytes that follow one in a letter (0x80..0xBF but for 0x97, 0x9F and 0xB7: ×, ß and ÷); of
// those among them that follow it in a capital (0x80..0x9E); and of 'h' and 'w' in either case.
struct Latin1Bits {
  uint64_t c3 = 0, tail = 0, capital_tail = 0, h_or_w = 0;
};
Latin1Bits ClassifyLatin1(const unsigned char* src);
inline bool IsLatin1Tail(unsigned char c) { return c >= 0x80 && c <= 0xBF && c != 0x97 && c != 0x9F && c != 0xB7; }
inline bool IsHOrW(unsigned char c) { return (c | 0x20) == 'h' || (c | 0x20) == 'w'; }

// Bitmaps: bit i is byte i of the text.

// The first set bit at or after `pos`; the bitmap ends with a zero word, at index `words`.
inline size_t NextSet(const uint64_t* bits, size_t words, size_t pos) {
  size_t w = pos >> 6;
  uint64_t x = bits[w] & (~uint64_t{0} << (pos & 63));
  while (x == 0) {
    if (++w >= words) return words * 64;
    x = bits[w];
  }
  return w * 64 + static_cast<size_t>(std::countr_zero(x));
}

// The first clear bit at or after `pos` (there is one: the last word is zero).
inline size_t NextClear(const uint64_t* bits, size_t pos) {
  size_t w = pos >> 6;
  uint64_t x = ~bits[w] & (~uint64_t{0} << (pos & 63));
  while (x == 0) x = ~bits[++w];
  return w * 64 + static_cast<size_t>(std::countr_zero(x));
}

inline bool AnySet(const uint64_t* bits, size_t from, size_t to) {  // in [from, to), from < to
  size_t w = from >> 6, last = (to - 1) >> 6;
  uint64_t x = bits[w] & (~uint64_t{0} << (from & 63));
  while (w < last) {
    if (x) return true;
    x = bits[++w];
  }
  return (x & (~uint64_t{0} >> (63 - ((to - 1) & 63)))) != 0;
}

}  // namespace sluice::fingerprint_detail
