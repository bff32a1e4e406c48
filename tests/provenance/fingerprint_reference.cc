#include "fingerprint_reference.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>

#include "provenance/fingerprint.h"  // kShingleWords, kWinnowWindow only

namespace sluice::reference {
namespace {

bool IsAsciiLetterOrDigit(unsigned char b) {
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
}

bool IsSeparatorByte(unsigned char b) { return b < 0x80 && !IsAsciiLetterOrDigit(b); }

bool IsMentionByte(unsigned char b) { return IsAsciiLetterOrDigit(b) || b == '_'; }

unsigned char AsciiLower(unsigned char b) { return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b; }

unsigned char ByteAt(std::string_view s, size_t i) { return static_cast<unsigned char>(s[i]); }

bool HasPrefixNoCase(std::string_view s, size_t i, std::string_view prefix) {
  if (s.size() - i < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k) {
    if (AsciiLower(ByteAt(s, i + k)) != static_cast<unsigned char>(prefix[k])) return false;
  }
  return true;
}

// Length of the URL prefix at s[i], or 0.
size_t UrlPrefixLength(std::string_view s, size_t i) {
  for (std::string_view prefix : {"http://", "https://", "www."}) {
    if (HasPrefixNoCase(s, i, prefix)) return prefix.size();
  }
  return 0;
}

// Length of the mention at s[i] ('@' included), or 0.
size_t MentionLength(std::string_view s, size_t i) {
  if (ByteAt(s, i) != '@') return 0;
  if (i > 0 && IsAsciiLetterOrDigit(ByteAt(s, i - 1))) return 0;
  size_t end = i + 1;
  while (end < s.size() && IsMentionByte(ByteAt(s, end))) ++end;
  return end - i == 1 ? 0 : end - i;
}

// The end of a URL body starting at s[i]: the first byte of the next White_Space code point.
// Ill-formed bytes are part of the URL.
size_t UrlEnd(std::string_view s, size_t i) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  int32_t k = static_cast<int32_t>(i);
  while (k < n) {
    const int32_t at = k;
    UChar32 c;
    U8_NEXT(bytes, k, n, c);
    if (c >= 0 && u_isUWhiteSpace(c)) return static_cast<size_t>(at);
  }
  return s.size();
}

// Step 1: mentions and URLs dropped, the rest cut into chunks.
std::vector<std::string> Chunks(std::string_view s) {
  std::vector<std::string> chunks;
  std::string chunk;
  auto end_chunk = [&] {
    if (!chunk.empty()) chunks.push_back(chunk);
    chunk.clear();
  };
  bool url_may_start = true;  // at the start of the text
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = ByteAt(s, i);
    if (IsSeparatorByte(b)) {
      end_chunk();
      const size_t mention = MentionLength(s, i);
      i += mention > 0 ? mention : 1;
      url_may_start = true;
      continue;
    }
    if (url_may_start) {
      if (size_t prefix = UrlPrefixLength(s, i)) {
        end_chunk();
        i = UrlEnd(s, i + prefix);
        url_may_start = true;
        continue;
      }
    }
    chunk.push_back(static_cast<char>(b));
    url_may_start = b >= 0x80;
    ++i;
  }
  end_chunk();
  return chunks;
}

// Well-formed code points of `bytes`, as UTF-16; ill-formed sequences dropped.
std::vector<UChar> DecodeToUtf16(std::string_view bytes) {
  std::vector<UChar> out;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const int32_t n = static_cast<int32_t>(bytes.size());
  for (int32_t k = 0; k < n;) {
    UChar32 c;
    U8_NEXT(p, k, n, c);
    if (c < 0) continue;
    UChar units[2];
    int32_t len = 0;
    U16_APPEND_UNSAFE(units, len, c);
    out.insert(out.end(), units, units + len);
  }
  return out;
}

std::vector<UChar> NfkcCasefold(const std::vector<UChar>& in) {
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* norm = unorm2_getNFKCCasefoldInstance(&err);
  if (U_FAILURE(err)) {
    std::fprintf(stderr, "ICU NFKC_Casefold unavailable: %s\n", u_errorName(err));
    std::abort();
  }
  const int32_t in_len = static_cast<int32_t>(in.size());
  // Preflight for the length, then normalise into a buffer of exactly that size.
  int32_t len = unorm2_normalize(norm, in.data(), in_len, nullptr, 0, &err);
  if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) std::abort();
  std::vector<UChar> out(static_cast<size_t>(len));
  err = U_ZERO_ERROR;
  unorm2_normalize(norm, in.data(), in_len, out.data(), len, &err);
  if (U_FAILURE(err)) std::abort();
  return out;
}

bool IsWordCodePoint(UChar32 c) {
  return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_M_MASK)) != 0;
}

void AppendUtf8(UChar32 c, std::string& out) {
  uint8_t buf[U8_MAX_LENGTH];
  int32_t len = 0;
  U8_APPEND_UNSAFE(buf, len, c);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
}

// Step 2: the words of one chunk.
void AppendChunkWords(std::string_view chunk, std::vector<std::string>& words) {
  const std::vector<UChar> folded = NfkcCasefold(DecodeToUtf16(chunk));
  std::string word;
  const int32_t n = static_cast<int32_t>(folded.size());
  for (int32_t k = 0; k < n;) {
    UChar32 c;
    U16_NEXT(folded.data(), k, n, c);
    if (IsWordCodePoint(c)) {
      AppendUtf8(c, word);
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(word);
}

// ---------------------------------------------------------------------------------------------
// HASH DEFINITION — transcribed from the comment "Hashes, fixed forever" in
// src/provenance/fingerprint.cc. If that definition changes, update these four items only.
constexpr uint64_t kSeed = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kMul = 0xA0761D6478BD642FULL;
constexpr uint64_t kBase = 0xE7037ED1A0B428DBULL;

// splitmix64's finaliser.
uint64_t Finalise(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// One step over one 64-bit word.
uint64_t Step(uint64_t h, uint64_t word) {
  h = (h ^ word) * kMul;
  return h ^ (h >> 29);
}
// ---------------------------------------------------------------------------------------------

}  // namespace

std::vector<std::string> SplitWords(std::string_view normalized) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : normalized) {
    if (ch == ' ') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word.push_back(ch);
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

std::string ReferenceNormalizeText(std::string_view text) {
  std::vector<std::string> words;
  for (const std::string& chunk : Chunks(text)) AppendChunkWords(chunk, words);
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

// HASH DEFINITION (word): up to 8 bytes: the finaliser of kSeed ^ (the bytes as a little-
// endian 64-bit word, zero-padded). Longer: the bytes as little-endian 64-bit words, the last
// one zero-padded; h = kSeed ^ length, one Step per word, then the finaliser.
uint64_t ReferenceWordHash(std::string_view word) {
  auto little_endian = [&](size_t start) {
    uint64_t w = 0;
    for (size_t k = 0; k < 8 && start + k < word.size(); ++k) {
      w |= static_cast<uint64_t>(ByteAt(word, start + k)) << (8 * k);
    }
    return w;
  };
  if (word.size() <= 8) return Finalise(kSeed ^ little_endian(0));
  uint64_t h = kSeed ^ static_cast<uint64_t>(word.size());
  for (size_t start = 0; start < word.size(); start += 8) h = Step(h, little_endian(start));
  return Finalise(h);
}

// HASH DEFINITION (shingle): Finalise(kSeed ^ m) + w1 * kBase^(m-1) + ... + wm * kBase^0
// (mod 2^64) over the m word hashes.
uint64_t ReferenceShingleHash(const std::vector<uint64_t>& word_hashes) {
  const size_t m = word_hashes.size();
  uint64_t sum = Finalise(kSeed ^ static_cast<uint64_t>(m));
  for (size_t j = 0; j < m; ++j) {
    uint64_t power = 1;
    for (size_t k = j + 1; k < m; ++k) power *= kBase;
    sum += word_hashes[j] * power;
  }
  return sum;
}

std::vector<uint64_t> ReferenceShingleHashes(std::string_view normalized) {
  std::vector<uint64_t> word_hashes;
  for (const std::string& w : SplitWords(normalized)) word_hashes.push_back(ReferenceWordHash(w));
  std::vector<uint64_t> out;
  if (word_hashes.empty()) return out;
  const size_t m = static_cast<size_t>(kShingleWords);
  if (word_hashes.size() < m) {
    out.push_back(ReferenceShingleHash(word_hashes));
    return out;
  }
  for (size_t i = 0; i + m <= word_hashes.size(); ++i) {
    std::vector<uint64_t> shingle(word_hashes.begin() + i, word_hashes.begin() + i + m);
    out.push_back(ReferenceShingleHash(shingle));
  }
  return out;
}

// Each window's minimum, in order, a minimum equal to the previous window's not repeated.
std::vector<uint64_t> ReferenceWinnow(const std::vector<uint64_t>& hashes) {
  const size_t n = hashes.size();
  const size_t window = std::min(static_cast<size_t>(kWinnowWindow), n);
  std::vector<uint64_t> out;
  for (size_t lo = 0; window > 0 && lo + window <= n; ++lo) {
    uint64_t min = hashes[lo];
    for (size_t k = lo; k < lo + window; ++k) min = std::min(min, hashes[k]);
    if (lo == 0 || out.back() != min) out.push_back(min);
  }
  return out;
}

std::vector<uint64_t> ReferenceFingerprint(std::string_view text) {
  return ReferenceWinnow(ReferenceShingleHashes(ReferenceNormalizeText(text)));
}

}  // namespace sluice::reference
