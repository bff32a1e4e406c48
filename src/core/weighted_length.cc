#include "core/weighted_length.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>

#include <stdexcept>
#include <vector>

#include "core/text.h"
#include "core/text_chars.h"

namespace sluice {

namespace {

using text_internal::Decode;

// twitter-text v3's configuration: weights in hundredths of a character.
constexpr int64_t kScale = 100;
constexpr int64_t kDefaultWeight = 200;
constexpr int64_t kTransformedUrlLength = 23;
struct WeightRange {
  char32_t lo, hi;  // inclusive
  int64_t weight;
};
constexpr WeightRange kRanges[] = {
    {0x0000, 0x10FF, 100}, {0x2000, 0x200D, 100}, {0x2010, 0x201F, 100}, {0x2032, 0x2037, 100}};

constexpr char32_t kZwj = 0x200D;
constexpr char32_t kEmojiVs = 0xFE0F;
constexpr char32_t kTextVs = 0xFE0E;
constexpr char32_t kKeycap = 0x20E3;
constexpr char32_t kTagLo = 0xE0020, kTagHi = 0xE007E, kCancelTag = 0xE007F;

int64_t Weight(char32_t c) {
  for (const auto& r : kRanges)
    if (c >= r.lo && c <= r.hi) return r.weight;
  return kDefaultWeight;
}

// ICU loads the emoji properties on first use under its own once-flag, which ThreadSanitizer
// cannot see inside the uninstrumented library; loading them under a C++ static's guard makes
// every later reader ordered after the load.
bool Has(char32_t c, UProperty p) {
  static const bool loaded = u_hasBinaryProperty(0x1F600, UCHAR_EXTENDED_PICTOGRAPHIC);
  (void)loaded;
  return u_hasBinaryProperty(UChar32(c), p);
}

class EmojiScanner {
 public:
  explicit EmojiScanner(const std::vector<char32_t>& cps) : cps_(cps) {}

  // The end of the emoji sequence starting at i, or i if none starts there.
  size_t SequenceEnd(size_t i) const {
    if (IsRegional(At(i))) return IsRegional(At(i + 1)) ? i + 2 : i + 1;  // a flag, or a lone indicator
    if (IsKeycapBase(At(i))) {
      size_t j = i + 1;
      if (At(j) == kEmojiVs) ++j;
      return At(j) == kKeycap ? j + 1 : i;
    }
    size_t end = ElementEnd(i);
    if (end == i) return i;
    // Further elements joined by ZWJ; a trailing ZWJ with nothing emoji after it is not part of it.
    while (At(end) == kZwj) {
      size_t next = ElementEnd(end + 1);
      if (next == end + 1) break;
      end = next;
    }
    return end;
  }

 private:
  char32_t At(size_t i) const { return i < cps_.size() ? cps_[i] : 0; }
  static bool IsRegional(char32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }
  static bool IsKeycapBase(char32_t c) { return (c >= '0' && c <= '9') || c == '#' || c == '*'; }

  // One pictograph with what may follow it: a variation selector, a skin tone, tag characters
  // ending in a cancel tag (subdivision flags). © and ® (weight-100 code points that are
  // pictographic) count as emoji only when asked for with U+FE0F, as X's emoji list has them.
  size_t ElementEnd(size_t i) const {
    char32_t c = At(i);
    if (c == 0) return i;
    bool pictographic = Has(c, UCHAR_EXTENDED_PICTOGRAPHIC) || Has(c, UCHAR_EMOJI_MODIFIER);
    if (!pictographic || (Weight(c) < kDefaultWeight && At(i + 1) != kEmojiVs)) return i;
    size_t j = i + 1;
    if (At(j) == kEmojiVs || At(j) == kTextVs) ++j;
    if (Has(At(j), UCHAR_EMOJI_MODIFIER)) ++j;
    size_t t = j;
    while (At(t) >= kTagLo && At(t) <= kTagHi) ++t;
    if (t > j && At(t) == kCancelTag) j = t + 1;
    return j;
  }

  const std::vector<char32_t>& cps_;
};

}  // namespace

std::string NormalizeNfc(std::string_view s) {
  // Fetched once under a C++ static's guard, for the reason Has gives.
  static const icu::Normalizer2* nfc = [] {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(err);
    // ICU's data is linked in; failing here means a broken installation, not bad input.
    if (U_FAILURE(err)) throw std::runtime_error("ICU NFC normalizer unavailable");
    return n;
  }();
  UErrorCode err = U_ZERO_ERROR;
  std::string out;
  out.reserve(s.size());
  icu::StringByteSink<std::string> sink(&out);
  nfc->normalizeUTF8(0, icu::StringPiece(s.data(), int32_t(s.size())), sink, nullptr, err);
  if (U_FAILURE(err)) throw std::runtime_error("ICU NFC normalisation failed");
  return out;
}

size_t EmojiSequenceEnd(const std::vector<char32_t>& cps, size_t i) { return EmojiScanner(cps).SequenceEnd(i); }

int64_t WeightedLength(std::string_view text) {
  auto decoded = Decode(text);
  const auto& cps = decoded.cps;
  auto urls = ExtractEntities(text).urls;  // in order of start, spans in code points
  EmojiScanner emoji(cps);
  int64_t total = 0;
  size_t next_url = 0;
  for (size_t i = 0; i < cps.size();) {
    while (next_url < urls.size() && size_t(urls[next_url].span.start) < i) ++next_url;  // inside an emoji
    if (next_url < urls.size() && size_t(urls[next_url].span.start) == i) {
      total += kTransformedUrlLength * kScale;
      i = size_t(urls[next_url++].span.end);
      continue;
    }
    size_t end = emoji.SequenceEnd(i);
    if (end > i) {
      total += kDefaultWeight;
      i = end;
      continue;
    }
    total += Weight(cps[i++]);
  }
  return total / kScale;
}

}  // namespace sluice
