#include "provenance/fingerprint.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "core/mix.h"

namespace sluice {
namespace {

// Byte classes for the ASCII fast path. Most corpora are mostly ASCII: a run of ASCII letters
// and digits is lowercased byte by byte (NFKC_Casefold maps ASCII exactly so); only a run that
// holds a byte >= 0x80 goes through ICU.
enum ByteClass : uint8_t { kSep = 0, kAlnum = 1, kHigh = 2 };

struct Tables {
  std::array<uint8_t, 256> cls{};
  std::array<char, 256> lower{};
  // One lookup for the fast path: the lowercased byte for an ASCII letter or digit (all >= '0'),
  // kFoldSep for a separator, kFoldHigh for a byte >= 0x80.
  std::array<uint8_t, 256> fold{};
  constexpr Tables() {
    for (int c = 0; c < 256; ++c) {
      lower[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      cls[c] = c >= 0x80 ? kHigh : alnum ? kAlnum : kSep;
      fold[c] = c >= 0x80 ? 1 : alnum ? static_cast<uint8_t>(lower[c]) : 0;
    }
  }
};
constexpr Tables kT;
constexpr uint8_t kFoldSep = 0;
constexpr uint8_t kFoldHigh = 1;

inline uint8_t Cls(unsigned char c) { return kT.cls[c]; }
inline bool IsAsciiSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool IsMentionChar(unsigned char c) { return Cls(c) == kAlnum || c == '_'; }

bool StartsWithNoCase(const unsigned char* p, size_t n, std::string_view prefix) {
  if (n < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k)
    if (kT.lower[p[k]] != prefix[k]) return false;
  return true;
}

size_t UrlPrefix(const unsigned char* p, size_t n) {
  if (StartsWithNoCase(p, n, "https://")) return 8;
  if (StartsWithNoCase(p, n, "http://")) return 7;
  if (StartsWithNoCase(p, n, "www.")) return 4;
  return 0;
}

// Decodes one code point at p[0..n) (n >= 1, p[0] >= 0x80). Returns its length, or 0 when the
// byte at p[0] does not start a well-formed sequence (overlong, surrogate, > U+10FFFF, cut).
int DecodeUtf8(const unsigned char* p, size_t n, UChar32* cp) {
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

void AppendUtf8(UChar32 c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool IsWordCodePoint(UChar32 c) {
  if (c < 0x80) return Cls(static_cast<unsigned char>(c)) == kAlnum;
  return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_M_MASK)) != 0;
}

const UNormalizer2* NfkcCasefold() {
  static const UNormalizer2* norm = [] {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2* n = unorm2_getNFKCCasefoldInstance(&err);
    // ICU's data is linked in; failing here means a broken installation, not bad input.
    if (U_FAILURE(err)) throw std::runtime_error("ICU NFKC_Casefold unavailable");
    return n;
  }();
  return norm;
}

// Hashes, fixed forever (the index stores them), defined on bytes only:
//   WordHash(bytes): read the bytes as little-endian 64-bit words, the last one zero-padded;
//     h = kSeed ^ length; per word h = (h ^ word) * kMul, h ^= h >> 29 (a bijection of h for a
//     given word, so no state collapses); the result is Mix64(h) (splitmix64's finaliser).
//   Shingle hash of words w1..wm (m = kShingleWords, or fewer for a short text): the same
//     step over their word hashes from h = kSeed ^ m, then Mix64. So it is a hash of the
//     words joined by single spaces, computed from one hash per word: each word is hashed
//     once while it is written, not once per shingle it belongs to.
constexpr uint64_t kSeed = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kMul = 0xA0761D6478BD642FULL;

template <typename T>
inline T LoadLe(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) {
    if constexpr (sizeof v == 8) v = __builtin_bswap64(v);
    if constexpr (sizeof v == 4) v = __builtin_bswap32(v);
  }
  return v;
}

inline void StoreLe(char* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

constexpr uint64_t kHighBits = 0x8080808080808080ULL;
constexpr uint64_t Rep(uint8_t b) { return 0x0101010101010101ULL * b; }

// For eight bytes (byte 0 lowest), the high bit of each byte that is an ASCII letter or
// digit; `upper` gets the high bit of each uppercase ASCII letter. Bytes are taken as 7-bit
// values (non-ASCII bytes are masked out at the end), so adding a constant below 0x81 never
// carries into the next byte: the high bit of y + (0x80 - lo) says y >= lo.
inline uint64_t AlnumBytes(uint64_t x, uint64_t* upper) {
  uint64_t ascii = ~x & kHighBits;
  uint64_t y = x & ~kHighBits;
  uint64_t folded = y | Rep(0x20);
  uint64_t letter = ((folded + Rep(0x80 - 'a')) & ~(folded + Rep(0x7F - 'z'))) & kHighBits;
  uint64_t digit = ((y + Rep(0x80 - '0')) & ~(y + Rep(0x7F - '9'))) & kHighBits;
  *upper = ((y + Rep(0x80 - 'A')) & ~(y + Rep(0x7F - 'Z'))) & ascii;
  return (letter | digit) & ascii;
}

inline uint64_t Step(uint64_t h, uint64_t x) {
  h = (h ^ x) * kMul;
  return h ^ (h >> 29);
}

// The last 1..7 bytes, zero-padded, without a byte loop: overlapping loads OR the same byte
// into the same place.
inline uint64_t LoadTail(const char* p, size_t n) {
  if (n >= 4) {
    uint64_t lo = LoadLe<uint32_t>(p);
    uint64_t hi = LoadLe<uint32_t>(p + n - 4);
    return lo | (hi << (8 * (n - 4)));
  }
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint64_t{u[0]} | (uint64_t{u[n / 2]} << (8 * (n / 2))) | (uint64_t{u[n - 1]} << (8 * (n - 1)));
}

inline uint64_t WordHash(const char* p, size_t n) {
  uint64_t h = kSeed ^ n;
  while (n > 8) {
    h = Step(h, LoadLe<uint64_t>(p));
    p += 8;
    n -= 8;
  }
  if (n == 8) {
    h = Step(h, LoadLe<uint64_t>(p));
  } else if (n > 0) {
    h = Step(h, LoadTail(p, n));
  }
  return Mix64(h);
}

inline uint64_t CombineWords(const uint64_t* words, size_t m) {
  uint64_t h = kSeed ^ m;
  for (size_t k = 0; k < m; ++k) h = Step(h, words[k]);
  return Mix64(h);
}

void ShinglesFromWords(const std::vector<uint64_t>& words, std::vector<uint64_t>& out) {
  out.clear();
  const size_t n = words.size();
  if (n == 0) return;
  if (n < static_cast<size_t>(kShingleWords)) {
    out.push_back(CombineWords(words.data(), n));
    return;
  }
  out.resize(n - kShingleWords + 1);
  for (size_t i = 0; i + kShingleWords <= n; ++i) out[i] = CombineWords(words.data() + i, kShingleWords);
}

// Writes normalised words into `out` and their hashes into `word_hashes` (both cleared
// first). Per-word work never allocates: the buffers keep their capacity between calls.
class Normalizer {
 public:
  void Run(std::string_view text, std::string& out, std::vector<uint64_t>& word_hashes) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    word_hashes.clear();
    out.resize(n + 1);
    char* base = out.data();
    size_t w = 0;
    size_t i = 0;
    while (i < n) {
      unsigned char c = p[i];
      if (kT.fold[c] == kFoldSep) {
        // '@' after a non-alphanumeric starts a mention: '@' + [A-Za-z0-9_]+ is dropped.
        if (c == '@' && i + 1 < n && IsMentionChar(p[i + 1]) && (i == 0 || Cls(p[i - 1]) != kAlnum)) {
          i += 2;
          while (i < n && IsMentionChar(p[i])) ++i;
        } else {
          ++i;
        }
        continue;
      }
      // A chunk starts here, right after a separator (or at the start): a URL may start too.
      if (((c | 0x20) == 'h' || (c | 0x20) == 'w') && n - i >= 4) {
        uint32_t head = LoadLe<uint32_t>(text.data() + i) | 0x20202020u;
        if (head == LoadLe<uint32_t>("http") || head == (LoadLe<uint32_t>("www.") | 0x20202020u)) {
          if (size_t u = UrlPrefix(p + i, n - i)) {
            i = SkipUrl(p, n, i + u);
            continue;
          }
        }
      }
      // Fast path: lowercase ASCII letters and digits straight into `out`, hashing the word.
      if (w + (n - i) + 1 > out.size()) {
        out.resize(w + (n - i) + 1);
        base = out.data();
      }
      size_t start = w == 0 ? 0 : w + 1;
      char* o = base + start;
      size_t j = i;
      uint8_t f = 0;
      // A word shorter than eight bytes that ends inside its first load (most words) is
      // hashed from the register: WordHash of 1..7 bytes is one Step over them zero-padded.
      uint64_t short_word = 0;
      // Eight bytes at a time while they last: a word's end is found with one count of
      // trailing zeros instead of a branch per byte (which mispredicted at every word end).
      while (n - j >= 8) {
        uint64_t x = LoadLe<uint64_t>(text.data() + j);
        uint64_t upper = 0;
        uint64_t alnum = AlnumBytes(x, &upper);
        const uint64_t lowered = x | (upper >> 2);  // 0x80 >> 2 == 0x20: uppercase to lowercase
        StoreLe(o, lowered);
        if (alnum == kHighBits) {
          o += 8, j += 8;
          continue;
        }
        size_t k = static_cast<size_t>(std::countr_zero(~alnum & kHighBits)) / 8;
        if (j == i) short_word = lowered & ((uint64_t{1} << (8 * k)) - 1);  // k < 8 here
        o += k, j += k;
        f = kT.fold[p[j]];
        break;
      }
      if (n - j < 8)
        while (j < n && (f = kT.fold[p[j]]) > kFoldHigh) *o++ = static_cast<char>(f), ++j;
      if (j == n || f == kFoldSep) {
        if (w != 0) base[w] = ' ';
        w = start + (j - i);
        const size_t len = j - i;
        word_hashes.push_back(short_word != 0 && len < 8 ? Mix64(Step(kSeed ^ len, short_word))
                                                         : WordHash(base + start, len));
        i = j;
        continue;
      }
      // The chunk holds non-ASCII: find its end, then NFKC_Casefold it with ICU.
      bool high = false;
      while (j < n) {
        uint8_t k = Cls(p[j]);
        if (k == kSep) break;
        if (k == kHigh) {
          high = true;
        } else if (high && ((p[j] | 0x20) == 'h' || (p[j] | 0x20) == 'w') && Cls(p[j - 1]) == kHigh &&
                   UrlPrefix(p + j, n - j)) {
          break;  // a URL right after a non-ASCII character ("—https://x"): stop before it
        }
        ++j;
      }
      slow_.clear();
      NormalizeChunk(p + i, j - i, slow_);
      if (!slow_.empty()) {
        if (w + slow_.size() + 1 + (n - j) > out.size()) {
          out.resize(w + slow_.size() + 1 + (n - j));
          base = out.data();
        }
        if (w != 0) base[w++] = ' ';
        std::memcpy(base + w, slow_.data(), slow_.size());
        // Hash each word of the chunk (words inside it are split by single spaces).
        size_t word_start = w;
        for (size_t k = 0; k <= slow_.size(); ++k) {
          if (k == slow_.size() || slow_[k] == ' ') {
            word_hashes.push_back(WordHash(base + word_start, w + k - word_start));
            word_start = w + k + 1;
          }
        }
        w += slow_.size();
      }
      i = j;
    }
    out.resize(w);
  }


 private:
  // Skips a URL body from `i` up to the next whitespace (ASCII, or a Unicode space).
  static size_t SkipUrl(const unsigned char* p, size_t n, size_t i) {
    while (i < n) {
      if (p[i] < 0x80) {
        if (IsAsciiSpace(p[i])) break;
        ++i;
        continue;
      }
      UChar32 cp;
      int len = DecodeUtf8(p + i, n - i, &cp);
      if (len == 0) {
        ++i;
        continue;
      }
      if (u_isUWhiteSpace(cp)) break;
      i += len;
    }
    return i;
  }

  // A chunk of ASCII letters/digits and non-ASCII bytes: decode (dropping invalid bytes),
  // NFKC_Casefold, then split into words (non-ASCII separators may lie inside the chunk).
  // Chunks are bounded by ASCII separators, which start a new normalisation segment: no
  // ASCII punctuation or space composes into a letter, so normalising chunk by chunk gives
  // the words normalising the whole text would.
  void NormalizeChunk(const unsigned char* p, size_t n, std::string& out) {
    src_.clear();
    for (size_t i = 0; i < n;) {
      if (p[i] < 0x80) {
        src_.push_back(p[i++]);
        continue;
      }
      UChar32 cp;
      int len = DecodeUtf8(p + i, n - i, &cp);
      if (len == 0) {
        ++i;  // invalid byte: dropped
        continue;
      }
      if (cp < 0x10000) {
        src_.push_back(static_cast<UChar>(cp));
      } else {
        src_.push_back(U16_LEAD(cp));
        src_.push_back(U16_TRAIL(cp));
      }
      i += len;
    }
    if (src_.empty()) return;
    if (dst_.size() < src_.size() * 2 + 16) dst_.resize(src_.size() * 2 + 16);
    UErrorCode err = U_ZERO_ERROR;
    int32_t m = unorm2_normalize(NfkcCasefold(), src_.data(), static_cast<int32_t>(src_.size()), dst_.data(),
                                 static_cast<int32_t>(dst_.size()), &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {
      dst_.resize(m);
      err = U_ZERO_ERROR;
      m = unorm2_normalize(NfkcCasefold(), src_.data(), static_cast<int32_t>(src_.size()), dst_.data(),
                           static_cast<int32_t>(dst_.size()), &err);
    }
    if (U_FAILURE(err)) return;  // cannot happen for well-formed UTF-16 input
    bool in_word = false;
    for (int32_t k = 0; k < m;) {
      UChar32 cp;
      U16_NEXT(dst_.data(), k, m, cp);
      if (IsWordCodePoint(cp)) {
        if (!in_word && !out.empty()) out += ' ';
        in_word = true;
        AppendUtf8(cp, out);
      } else {
        in_word = false;
      }
    }
  }

  std::string slow_;
  std::vector<UChar> src_;
  std::vector<UChar> dst_;
};


void ShingleHashesInto(std::string_view s, std::vector<uint64_t>& words, std::vector<uint64_t>& out) {
  words.clear();
  size_t start = 0;
  for (size_t k = 0; k <= s.size(); ++k) {
    if (k == s.size() || s[k] == ' ') {
      if (k > start) words.push_back(WordHash(s.data() + start, k - start));
      start = k + 1;
    }
  }
  ShinglesFromWords(words, out);
}

// Each window's choice is computed without data-dependent branches (a new minimum arrives
// at random, so branches on it mispredicted about once per window). Values are carried
// beside positions, and a full window's minimum is a tree of two pairs, so no load waits on
// the previous comparison.
void WinnowInto(const std::vector<uint64_t>& h, std::vector<uint64_t>& out) {
  const size_t n = h.size();
  if (n == 0) {
    out.clear();
    return;
  }
  const size_t w = std::min<size_t>(kWinnowWindow, n);
  out.resize(n - w + 1);
  if (w < static_cast<size_t>(kWinnowWindow)) {  // one window: its rightmost minimum
    size_t m = 0;
    for (size_t k = 1; k < w; ++k) m = h[k] <= h[m] ? k : m;
    out[0] = h[m];
    out.resize(1);
    return;
  }
  static_assert(kWinnowWindow == 4, "the window minimum below is written for four hashes");
  const uint64_t* p = h.data();
  uint64_t* o = out.data();
  size_t count = 0;
  size_t kept = 0;
  uint64_t kept_value = 0;
  bool have = false;  // false until the first window has chosen
  for (size_t lo = 0; lo + 4 <= n; ++lo) {
    const uint64_t a0 = p[lo], a1 = p[lo + 1], a2 = p[lo + 2], a3 = p[lo + 3];
    const bool r01 = a1 <= a0, r23 = a3 <= a2;  // rightmost minimum of each pair
    const uint64_t v01 = r01 ? a1 : a0, v23 = r23 ? a3 : a2;
    const size_t i01 = lo + r01, i23 = lo + 2 + r23;
    const bool right = v23 <= v01;
    size_t m = right ? i23 : i01;
    const uint64_t v = right ? v23 : v01;
    // Robust winnowing: the previous choice stays while it is in the window and minimal.
    const bool keep = have && kept >= lo && kept_value == v;
    m = keep ? kept : m;
    o[count] = v;
    count += !keep;
    kept = m;
    kept_value = v;
    have = true;
  }
  out.resize(count);
}

struct Scratch {
  Normalizer normalizer;
  std::string normalized;
  std::vector<uint64_t> words;
  std::vector<uint64_t> shingles;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

}  // namespace

std::string NormalizeText(std::string_view text) {
  Scratch& s = ThreadScratch();
  std::string out;
  s.normalizer.Run(text, out, s.words);
  return out;
}

std::vector<uint64_t> ShingleHashes(std::string_view normalized) {
  std::vector<uint64_t> out;
  ShingleHashesInto(normalized, ThreadScratch().words, out);
  return out;
}

std::vector<uint64_t> Winnow(const std::vector<uint64_t>& shingles) {
  std::vector<uint64_t> out;
  WinnowInto(shingles, out);
  return out;
}

void FingerprintInto(std::string_view text, std::vector<uint64_t>& out) {
  Scratch& s = ThreadScratch();
  s.normalizer.Run(text, s.normalized, s.words);
  ShinglesFromWords(s.words, s.shingles);
  WinnowInto(s.shingles, out);
}

std::vector<uint64_t> Fingerprint(std::string_view text) {
  std::vector<uint64_t> out;
  FingerprintInto(text, out);
  return out;
}

}  // namespace sluice
