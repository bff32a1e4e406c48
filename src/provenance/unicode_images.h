#pragma once
//! The Unicode side of text normalisation (fingerprint.cc): UTF-8 decoding, which code points
//! make words, each code point's NFKC_Casefold image where it can be normalised alone, and ICU
//! for chunks that need context. Internal to the provenance library.

#include <unicode/umachine.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::fingerprint_detail {

// Decodes one code point at p[0..n) (n >= 1, p[0] >= 0x80). Returns its length, or 0 when the
// byte at p[0] does not start a well-formed sequence (overlong, surrogate, > U+10FFFF, cut).
inline int DecodeUtf8(const unsigned char* p, size_t n, UChar32* cp) {
  unsigned char b = p[0];
  unsigned char lo = 0x80, hi = 0xBF;
  int len;
  UChar32 c;
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2, c = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3, c = b & 0x0F;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4, c = b & 0x07;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (static_cast<size_t>(len) > n || p[1] < lo || p[1] > hi) return 0;
  c = (c << 6) | (p[1] & 0x3F);
  for (int k = 2; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    c = (c << 6) | (p[k] & 0x3F);
  }
  *cp = c;
  return len;
}

void AppendUtf8(UChar32 c, std::string& out);

//! A letter, number or combining mark (general categories L, N, M).
bool IsWordCodePoint(UChar32 c);

// NFKC_Casefold of one code point, when it can be applied code point by code point: the code
// point has a normalisation boundary before it (it never composes with, or reorders against,
// what precedes it), so a chunk made only of such code points normalises to the concatenation
// of their images. kComplex marks the others (combining marks, conjoining jamo, images longer
// than six bytes or mixing word and non-word characters): a chunk holding one goes to ICU whole.
struct CodePointImage {
  enum Kind : uint8_t { kComplex = 0, kWord, kSeparator, kNothing };
  uint8_t kind = kComplex;
  uint8_t len = 0;   // bytes of `utf8` (kWord)
  char utf8[6] = {};
};
constexpr UChar32 kImageTableSize = 0x20000;  // the BMP and plane 1 (emoji, mathematical letters)

//! The table of images for every code point below kImageTableSize (built on first use, about
//! 10 ms; then shared, read-only).
const CodePointImage* ImageTable();

//! NFKC_Casefold through ICU of a chunk (ASCII letters/digits and bytes >= 0x80 between two
//! ASCII separators): decoded (invalid bytes dropped), normalised, split into words
//! (non-ASCII separators may lie inside), the words appended to `out` separated by single
//! spaces. Chunks are bounded by ASCII separators, which start a new normalisation segment.
//! Only '<', '=' and '>' compose with what follows (U+0338 makes them ≮, ≠, ≯); the spec in
//! fingerprint.h keeps them apart, which costs nothing to matching. Keeps its buffers.
class IcuChunkNormalizer {
 public:
  void Run(const unsigned char* p, size_t n, std::string& out);

 private:
  std::vector<UChar> src_;
  std::vector<UChar> dst_;
};

}  // namespace sluice::fingerprint_detail
