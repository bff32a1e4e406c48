#include "provenance/fingerprint.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "core/mix.h"
#include "provenance/byte_classes.h"
#include "provenance/unicode_images.h"

namespace sluice {
namespace {

using namespace fingerprint_detail;

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

// Hashes, fixed forever (the index stores them), defined on bytes only:
//   WordHash(bytes): up to 8 bytes: Mix64(kSeed ^ x), x the bytes as a little-endian 64-bit
//     word, zero-padded (words hold no NUL byte, so x differs for every such word, and Mix64,
//     splitmix64's finaliser, is a bijection: short words never collide). Longer: read as
//     little-endian 64-bit words, the last one zero-padded; h = kSeed ^ length; per word
//     h = (h ^ word) * kMul, h ^= h >> 29 (a bijection of h for a given word, so no state
//     collapses); the result is Mix64(h).
//   Shingle hash of words w1..wm (m = kShingleWords, or fewer for a short text), from their
//     word hashes: Mix64(kSeed ^ m) + w1 * kBase^(m-1) + ... + wm * kBase^0, mod 2^64 (a
//     polynomial in kBase, odd). So it is a hash of the words joined by single spaces,
//     computed from one hash per word: each word is hashed once, not once per shingle it
//     belongs to, and a shingle costs three independent multiplications. The word hashes are
//     already mixed, so the sum is as uniform as they are (winnowing takes minima of it).
constexpr uint64_t kSeed = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kMul = 0xA0761D6478BD642FULL;
constexpr uint64_t kBase = 0xE7037ED1A0B428DBULL;

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
  if (n <= 8) return Mix64(kSeed ^ (n == 0 ? 0 : n == 8 ? LoadLe<uint64_t>(p) : LoadTail(p, n)));
  uint64_t h = kSeed ^ n;
  for (; n > 8; p += 8, n -= 8) h = Step(h, LoadLe<uint64_t>(p));
  return Mix64(Step(h, n == 8 ? LoadLe<uint64_t>(p) : LoadTail(p, n)));
}

// WordHash of 1..n bytes at p when eight bytes may be read from p (the scan's buffers are
// padded): a word of up to eight bytes (most words) is one masked load and Mix64.
inline uint64_t PaddedWordHash(const char* p, size_t n) {
  if (n > 8) return WordHash(p, n);
  return Mix64(kSeed ^ (LoadLe<uint64_t>(p) & (~uint64_t{0} >> (64 - 8 * n))));
}

constexpr uint64_t kBase2 = kBase * kBase;
constexpr uint64_t kBase3 = kBase2 * kBase;

// The shingle hash of m <= kShingleWords word hashes (the definition above).
inline uint64_t CombineWords(const uint64_t* words, size_t m) {
  uint64_t h = 0;
  for (size_t k = 0; k < m; ++k) h = h * kBase + words[k];
  return Mix64(kSeed ^ m) + h;
}

static_assert(kShingleWords == 4 && kWinnowWindow == 4, "ShingleWinnow is written for 4 and 4");

// ShingleHashes and Winnow in one pass over the word hashes, with its state in registers:
// each shingle once, each window's minimum as the smaller of two pair minima, written when
// it differs from the previous window's. Writes at most max(1, n - 6) hashes to `out`;
// returns how many. `out` may be `w`: hash k is written after word k + 3 is read.
size_t ShingleWinnow(const uint64_t* w, size_t n, uint64_t* out) {
  if (n == 0) return 0;
  if (n < 4) {  // one hash of all the words
    out[0] = CombineWords(w, n);
    return 1;
  }
  constexpr uint64_t kFourWords = Mix64(kSeed ^ 4);
  auto shingle = [w](size_t i) { return kFourWords + w[i] * kBase3 + w[i + 1] * kBase2 + w[i + 2] * kBase + w[i + 3]; };
  const size_t shingles = n - 3;
  const uint64_t s0 = shingle(0), s1 = shingle(shingles > 1), s2 = shingle(shingles > 2 ? 2 : 0);
  if (shingles < 4) {  // one window
    out[0] = std::min(std::min(s0, s1), s2);
    return 1;
  }
  uint64_t last = shingle(3);
  uint64_t pair_before = std::min(s1, s2);  // the pair minima the next windows need
  uint64_t pair_last = std::min(s2, last);
  uint64_t previous = std::min(std::min(s0, s1), pair_last);  // window 0
  out[0] = previous;
  size_t count = 1;
  for (size_t i = 4; i < shingles; ++i) {
    const uint64_t s = shingle(i);
    const uint64_t pair = std::min(last, s);
    const uint64_t v = std::min(pair_before, pair);  // the window ending at shingle i
    out[count] = v;
    count += v != previous;
    previous = v;
    pair_before = pair_last;
    pair_last = pair;
    last = s;
  }
  return count;
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

// Splits a text into normalised words and hands each to a sink, in order, with a position in
// the text inside the word's run (its start, or the start of the chunk it was normalised from). The text is first
// classified 64 bytes at a time into bitmaps (bytes of words: ASCII letters, digits and every
// byte >= 0x80; bytes >= 0x80; '@') and copied with ASCII letters lowercased, so the words are
// found by counting zeros instead of a branch per byte; a word of ASCII letters and digits
// needs no more work. A chunk holding bytes >= 0x80 is normalised code point by code point
// through ImageTable(), or by ICU when one of its code points needs context. Buffers keep
// their capacity between texts, so a corpus scan does not allocate per document.
class WordScanner {
 public:
  template <typename Sink>
  void Run(std::string_view text, Sink&& sink) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    const size_t words = words_ = (n + 63) / 64;
    Classify(p, n, words);
    const uint64_t* word = word_.data();
    if (AnySet(at_.data(), 0, words * 64 + 1)) DropMentions(p, n, words);
    const uint32_t http = LoadLe<uint32_t>("http"), www = LoadLe<uint32_t>("www.");
    size_t pos = 0;
    for (;;) {
      size_t s = NextSet(word, words, pos);
      if (s >= n) break;
      {
        // The common case: every word of ASCII letters and digits that starts and ends in
        // this block, straight from the bitmaps. A word running into the next block, holding
        // a byte >= 0x80, or that may start a URL stops the loop and takes the general path.
        const size_t block = s >> 6;
        const uint64_t bits = word[block] & (~uint64_t{0} << (s & 63));
        const uint64_t high = complex_[block];
        const char* base = low_.data() + block * 64;
        uint64_t starts = bits & ~(bits << 1);
        bool crossed = false;
        for (; starts != 0; starts &= starts - 1) {
          const unsigned i = static_cast<unsigned>(std::countr_zero(starts));
          const uint64_t after = ~bits & (~uint64_t{0} << i);  // the clear bits from i on
          const uint32_t head = LoadLe<uint32_t>(base + i);
          if (head == http || head == www) break;
          if (after == 0) {
            // The block's last word runs into the next block (word_ ends with a zero word):
            // taken here when it ends there and holds no byte >= 0x80.
            const uint64_t next_clear = ~word[block + 1];
            if (next_clear == 0) break;
            const unsigned e = static_cast<unsigned>(std::countr_zero(next_clear));
            if ((high >> i) != 0 || (complex_[block + 1] & ((uint64_t{1} << e) - 1)) != 0) break;
            sink(base + i, 64 - i + e, block * 64 + i);
            pos = (block + 1) * 64 + e;
            crossed = true;
            break;
          }
          // Bits i..e-1 are the word: (after & -after) - (1 << i).
          if ((high & ((after & (~after + 1)) - (uint64_t{1} << i))) != 0) break;
          const unsigned e = static_cast<unsigned>(std::countr_zero(after));
          sink(base + i, e - i, block * 64 + i);
        }
        if (crossed) continue;
        if (starts == 0) {
          pos = (block + 1) * 64;
          continue;
        }
        s = block * 64 + static_cast<size_t>(std::countr_zero(starts));
      }
      const size_t e = NextClear(word, s);
      // A URL can start where a chunk starts.
      uint32_t head = LoadLe<uint32_t>(low_.data() + s);
      if (head == http || head == www) {
        if (size_t u = UrlPrefix(p + s, n - s)) {
          pos = SkipUrl(p, n, s + u);
          continue;
        }
      }
      if (!AnySet(complex_.data(), s, e)) {
        sink(low_.data() + s, e - s, s);
        pos = e;
        continue;
      }
      pos = Chunk(p, n, s, e, sink);
    }
  }

 private:
  // Fills low_ (the text, ASCII letters lowercased, zero-padded) and the bitmaps word_,
  // high_, complex_ and at_ (each `words` words plus a zero word).
  void Classify(const unsigned char* p, size_t n, size_t words) {
    low_.resize(words * 64 + 16);
    word_.resize(words + 1);
    high_.resize(words + 1);
    complex_.resize(words + 1);
    at_.resize(words + 1);
    word_[words] = high_[words] = complex_[words] = at_[words] = 0;
    char* low = low_.data();
    if (n % 64) std::memset(low + (n & ~size_t{63}), 0, 64 + 16);  // the tail's padding
    else std::memset(low + n, 0, 16);
    std::memcpy(low + (n & ~size_t{63}), p + (n & ~size_t{63}), n % 64);
    bool any_high = false;
    for (size_t w = 0; w < words; ++w) {
      const size_t off = w * 64;
      // Full blocks are read from the text, the last partial one from its padded copy.
      const unsigned char* src = off + 64 <= n ? p + off : reinterpret_cast<unsigned char*>(low + off);
      const BlockBits b = ClassifyBlock(src, low + off);
      word_[w] = b.alnum | b.high;
      high_[w] = complex_[w] = b.high;
      at_[w] = b.at;
      any_high |= b.high != 0;
    }
    if (any_high) MarkLatin1Letters(words);
  }

  // Latin-1 letters (U+00C0..U+00FF but for ×, ÷ and ß: the accented letters of French,
  // Spanish, German, ...) are lowercased in low_ like ASCII and leave complex_, so a word made
  // of them and ASCII stays on the scan's fast path. Each is C3 and a tail byte; its image is
  // itself, or for a capital (tail 0x80..0x9E) the tail plus 0x20. Not one followed by 'h' or
  // 'w', which may start a URL right after it (the general path decides). Bit algebra on each
  // block holding bytes >= 0x80 (classified from low_, whose bytes >= 0x80 are the text's),
  // with the next block's first two bytes.
  void MarkLatin1Letters(size_t words) {
    const auto* low = reinterpret_cast<const unsigned char*>(low_.data());  // padded: 2 bytes past any block
    uint64_t carried_tail = 0;  // bit 0: the previous block ended with a letter's C3
    for (size_t w = 0; w < words; ++w) {
      if (high_[w] == 0) continue;  // then carried_tail is 0: a tail is >= 0x80
      const Latin1Bits b = ClassifyLatin1(low + w * 64);
      const unsigned char* next = low + (w + 1) * 64;
      const uint64_t tail_after = (b.tail >> 1) | (uint64_t{IsLatin1Tail(next[0])} << 63);
      const uint64_t h_or_w_two_after =
          (b.h_or_w >> 2) | (uint64_t{IsHOrW(next[0])} << 62) | (uint64_t{IsHOrW(next[1])} << 63);
      const uint64_t first = b.c3 & tail_after & ~h_or_w_two_after;
      const uint64_t tail = (first << 1) | carried_tail;
      carried_tail = first >> 63;
      complex_[w] &= ~(first | tail);
      for (uint64_t capital = tail & b.capital_tail; capital != 0; capital &= capital - 1)
        low_[w * 64 + static_cast<size_t>(std::countr_zero(capital))] += 0x20;
    }
  }

  // '@' + [A-Za-z0-9_]+, the '@' not preceded by an ASCII letter or digit: its bytes leave
  // word_. (Mentions never contain whitespace, so one that starts inside a URL ends there.)
  void DropMentions(const unsigned char* p, size_t n, size_t words) {
    for (size_t a = NextSet(at_.data(), words, 0); a < n; a = NextSet(at_.data(), words, a + 1)) {
      if (a + 1 >= n || !IsMentionChar(p[a + 1]) || (a > 0 && Cls(p[a - 1]) == kAlnum)) continue;
      for (size_t m = a + 1; m < n && IsMentionChar(p[m]); ++m) word_[m >> 6] &= ~(uint64_t{1} << (m & 63));
    }
  }

  // The chunk [s, e) holds bytes >= 0x80. A URL right after one of them ends the chunk there
  // ("—https://x"). Returns where the scan resumes.
  template <typename Sink>
  size_t Chunk(const unsigned char* p, size_t n, size_t s, size_t e, Sink& sink) {
    if (OneWordOfTwoByteLetters(p, n, s, e, sink)) return e;
    size_t end = e;
    for (size_t j = NextSet(high_.data(), words_, s); j + 1 < e; j = NextSet(high_.data(), words_, j + 1)) {
      const unsigned char c = p[j + 1];
      if (((c | 0x20) == 'h' || (c | 0x20) == 'w') && UrlPrefix(p + j + 1, n - j - 1)) {
        end = j + 1;
        break;
      }
    }
    // The chunk's words, split by single spaces, in a buffer that may be read past their end.
    size_t len = 0;
    const bool by_table = ChunkByTable(p + s, end - s, len);  // may grow chunk_
    const char* out = chunk_.data();
    if (!by_table) {
      slow_.clear();
      icu_.Run(p + s, end - s, slow_);
      len = slow_.size();
      slow_.append(8, '\0');
      out = slow_.data();
    }
    size_t start = 0;
    for (size_t k = 0; k <= len; ++k) {
      if (k == len || out[k] == ' ') {
        if (k > start) sink(out + start, k - start, s);
        start = k + 1;
      }
    }
    return end;
  }

  // The most common chunk, a word such as "Été" or "réseaux": ASCII letters and two-byte
  // code points whose images are two-byte letters ("É" -> "é"), no URL after any of them. Its
  // image is the lowercased copy with each two-byte sequence replaced in place: one word,
  // without decoding the ASCII byte by byte. False (nothing emitted) for any other chunk.
  template <typename Sink>
  bool OneWordOfTwoByteLetters(const unsigned char* p, size_t n, size_t s, size_t e, Sink& sink) {
    const size_t len = e - s;
    if (chunk_.size() < len + 24) chunk_.resize(len + 24);  // copied 16 bytes at a time, read 8
    char* out = chunk_.data();
    for (size_t k = 0; k < len; k += 16) std::memcpy(out + k, low_.data() + s + k, 16);  // low_ is padded
    const CodePointImage* table = Table();
    for (size_t j = NextSet(high_.data(), words_, s); j < e; j = NextSet(high_.data(), words_, j + 2)) {
      if (j + 1 >= e || p[j] < 0xC2 || p[j] > 0xDF || (p[j + 1] & 0xC0) != 0x80) return false;
      const CodePointImage& img = table[(p[j] & 0x1F) << 6 | (p[j + 1] & 0x3F)];
      if (img.kind != CodePointImage::kWord || img.len != 2) return false;
      if (j + 2 < n && ((p[j + 2] | 0x20) == 'h' || (p[j + 2] | 0x20) == 'w')) return false;  // a URL?
      out[j - s] = img.utf8[0];
      out[j - s + 1] = img.utf8[1];
    }
    sink(out, len, s);
    return true;
  }

  // The chunk's words into chunk_ (`len` bytes) through ImageTable(); false when a code point
  // needs ICU.
  bool ChunkByTable(const unsigned char* p, size_t n, size_t& len) {
    const CodePointImage* table = Table();
    // An image is at most six bytes for a code point of at least two, plus a space: 4n bytes
    // hold any chunk, and 8 more let an image be copied, or a word read, eight bytes at a time.
    // Grown, never cleared: bytes past the words are never used.
    if (chunk_.size() < 4 * n + 8) chunk_.resize(4 * n + 8);
    char* const begin = chunk_.data();
    char* o = begin;
    bool space = false;  // a separator came after the last word character
    for (size_t i = 0; i < n;) {
      const unsigned char c = p[i];
      if (c < 0x80) {  // an ASCII letter or digit: chunks hold no ASCII separator
        if (space && o != begin) *o++ = ' ';
        space = false;
        *o++ = kT.lower[c];
        ++i;
        continue;
      }
      UChar32 cp;
      int len;
      if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {  // Latin, Greek, Cyrillic, ...
        cp = (UChar32{c} & 0x1F) << 6 | (p[i + 1] & 0x3F);
        len = 2;
      } else if ((len = DecodeUtf8(p + i, n - i, &cp)) == 0) {
        ++i;  // invalid byte: dropped
        continue;
      }
      i += len;
      if (cp >= kImageTableSize) return false;
      const CodePointImage& img = table[cp];
      if (img.kind == CodePointImage::kWord) {
        if (space && o != begin) *o++ = ' ';
        space = false;
        std::memcpy(o, img.utf8, sizeof img.utf8);
        o += img.len;
      } else if (img.kind == CodePointImage::kSeparator) {
        space = true;
      } else if (img.kind == CodePointImage::kComplex) {
        return false;
      }
    }
    len = static_cast<size_t>(o - begin);
    return true;
  }

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

  std::string low_;
  size_t words_ = 0;  // bitmap words of the current text
  std::vector<uint64_t> word_, high_, complex_, at_;  // complex_: high_ but Latin-1 letters
  // ImageTable(), looked up once per scanner (a function-local static costs a guard check).
  const CodePointImage* Table() {
    if (table_ == nullptr) table_ = ImageTable();
    return table_;
  }

  const CodePointImage* table_ = nullptr;
  std::vector<char> chunk_;  // ChunkByTable's words
  std::string slow_;         // icu_'s words
  IcuChunkNormalizer icu_;
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

// The minimum of each window of four is the smaller of two pair minima, so no window waits on
// another (the textbook loop carries the kept position from window to window).
void WinnowInto(const std::vector<uint64_t>& h, std::vector<uint64_t>& out) {
  const size_t n = h.size();
  if (n < static_cast<size_t>(kWinnowWindow)) {  // one window (or none)
    out.clear();
    if (n > 0) out.push_back(*std::min_element(h.begin(), h.end()));
    return;
  }
  static_assert(kWinnowWindow == 4, "the window minimum below is written for four hashes");
  const uint64_t* p = h.data();
  out.resize(n - 3);
  uint64_t* o = out.data();
  uint64_t previous = std::min(std::min(p[0], p[1]), std::min(p[2], p[3]));
  o[0] = previous;
  size_t count = 1;
  for (size_t lo = 1; lo + 4 <= n; ++lo) {
    const uint64_t v = std::min(std::min(p[lo], p[lo + 1]), std::min(p[lo + 2], p[lo + 3]));
    o[count] = v;
    count += v != previous;  // compared in a register: reading o[count - 1] would wait on the store
    previous = v;
  }
  out.resize(count);
}

struct Scratch {
  WordScanner scanner;
  std::vector<uint64_t> words;
  std::vector<size_t> first_word;  // AppendFingerprints': per document, its first word
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

}  // namespace

std::string NormalizeText(std::string_view text) {
  Scratch& s = ThreadScratch();
  std::string out;
  s.scanner.Run(text, [&out](const char* word, size_t len, size_t) {
    if (!out.empty()) out += ' ';
    out.append(word, len);
  });
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

namespace {

// The word hashes of `text` into s.words (grown when full: NFKC can make more words than
// bytes / 2); returns how many. before_word(at, k) is called before word k is stored, with a
// position in the text inside the word's run (see WordScanner).
template <typename BeforeWord>
size_t WordHashesOfText(std::string_view text, Scratch& s, BeforeWord&& before_word) {
  if (s.words.size() < 64) s.words.resize(64);
  uint64_t* words = s.words.data();
  size_t room = s.words.size(), n = 0;
  // Inlined at each of Run's call sites: a call per word costs more than the hash.
  s.scanner.Run(text, [&](const char* word, size_t len, size_t at) __attribute__((always_inline)) {
    if (n == room) [[unlikely]] {
      s.words.resize(room * 2);
      words = s.words.data();
      room = s.words.size();
    }
    before_word(at, n);
    words[n++] = PaddedWordHash(word, len);
  });
  return n;
}

// The fingerprint of words[0..n), appended to `out`. In place: ShingleWinnow writes hash k
// only after reading word k + 3 (and the word hashes have room for its one hash when there
// are none).
size_t AppendWinnowed(uint64_t* words, size_t n, std::vector<uint64_t>& out) {
  const size_t added = ShingleWinnow(words, n, words);
  out.insert(out.end(), words, words + added);
  return added;
}

}  // namespace

size_t AppendFingerprint(std::string_view text, std::vector<uint64_t>& out) {
  Scratch& s = ThreadScratch();
  const size_t n = WordHashesOfText(text, s, [](size_t, size_t) {});
  return AppendWinnowed(s.words.data(), n, out);
}

void AppendFingerprints(std::span<const std::string_view> documents, std::vector<uint64_t>& hashes,
                        std::vector<uint32_t>& ends) {
  for (size_t d = 0; d + 1 < documents.size(); ++d) {
    const char* after = documents[d].data() + documents[d].size();
    if (documents[d + 1].data() != after + 1 || *after != '\n')
      throw std::invalid_argument("AppendFingerprints: documents not joined by '\\n'");
  }
  if (!documents.empty() && documents.back().data()[documents.back().size()] != '\n')
    throw std::invalid_argument("AppendFingerprints: the last document not followed by '\\n'");
  Scratch& s = ThreadScratch();
  // Groups of documents (up to kGroupBytes, or one longer document) scanned as one text, so
  // that the scanner's working buffers stay in cache.
  constexpr size_t kGroupBytes = size_t{32} << 10;
  std::vector<size_t>& first_word = s.first_word;  // per document of the group, then its end
  for (size_t first = 0; first < documents.size();) {
    const char* begin = documents[first].data();
    auto end_of = [&](size_t d) { return static_cast<size_t>(documents[d].data() + documents[d].size() - begin); };
    size_t last = first + 1;  // the group is documents [first, last)
    while (last < documents.size() && end_of(last) + 1 <= kGroupBytes) ++last;
    first_word.assign(1, 0);
    size_t d = first, doc_end = end_of(first);
    const size_t n = WordHashesOfText(std::string_view(begin, end_of(last - 1) + 1), s, [&](size_t at, size_t k) {
      while (at > doc_end) {  // past document d and its '\n': the word is a later document's
        first_word.push_back(k);
        doc_end = end_of(++d);
      }
    });
    first_word.resize(last - first + 1, n);  // the documents after the last word, and the end
    for (size_t k = 0; k + first < last; ++k) {
      AppendWinnowed(s.words.data() + first_word[k], first_word[k + 1] - first_word[k], hashes);
      ends.push_back(static_cast<uint32_t>(hashes.size()));
    }
    first = last;
  }
}

void FingerprintInto(std::string_view text, std::vector<uint64_t>& out) {
  out.clear();
  AppendFingerprint(text, out);
}

std::vector<uint64_t> Fingerprint(std::string_view text) {
  std::vector<uint64_t> out;
  FingerprintInto(text, out);
  return out;
}

}  // namespace sluice
