#include "core/text_chars.h"

#include <algorithm>
#include <iterator>

namespace sluice::text_internal {

namespace {

struct Range {
  char32_t lo;
  char32_t hi;  // inclusive
};

// Non-ASCII code points that are not letters for entity purposes: punctuation, spaces,
// symbols, emoji, private use. Sorted, non-overlapping. Digits are handled by IsDigit.
constexpr Range kNotLetter[] = {
    {0x0080, 0x00A9},   {0x00AB, 0x00B4},   {0x00B6, 0x00B9},   {0x00BB, 0x00BF},
    {0x00D7, 0x00D7},   {0x00F7, 0x00F7},   {0x037E, 0x037E},   {0x0387, 0x0387},
    {0x055A, 0x055F},   {0x0589, 0x058A},   {0x05C0, 0x05C0},   {0x05C3, 0x05C3},
    {0x05C6, 0x05C6},   {0x0600, 0x060F},   {0x061B, 0x061F},   {0x066A, 0x066D},
    {0x06D4, 0x06D4},   {0x0964, 0x0965},   {0x0970, 0x0970},   {0x0E3F, 0x0E3F},
    {0x0E4F, 0x0E4F},   {0x0E5A, 0x0E5B},   {0x1680, 0x1680},   {0x2000, 0x200B},
    {0x200E, 0x2BFF},   {0x2E00, 0x2E7F},   {0x3000, 0x3004},   {0x3008, 0x3020},
    {0x3030, 0x3030},   {0x303D, 0x303F},   {0xD800, 0xF8FF},   {0xFE00, 0xFE6F},
    {0xFEFF, 0xFEFF},   {0xFF01, 0xFF0F},   {0xFF1A, 0xFF20},   {0xFF3B, 0xFF40},
    {0xFF5B, 0xFF65},   {0xFFE0, 0xFFFF},   {0x1F000, 0x1FAFF}, {0xE0000, 0xE01EF},
    {0xF0000, 0x10FFFF},
};

bool InRanges(char32_t c, const Range* begin, const Range* end) {
  const Range* it = std::upper_bound(begin, end, c, [](char32_t v, const Range& r) { return v < r.lo; });
  return it != begin && c <= std::prev(it)->hi;
}

}  // namespace

Decoded Decode(std::string_view s) {
  Decoded d;
  d.cps.reserve(s.size());
  d.offsets.reserve(s.size() + 1);
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (i + len > s.size()) len = int(s.size() - i);  // only on invalid input
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    d.offsets.push_back(i);
    d.cps.push_back(c);
    i += len;
  }
  d.offsets.push_back(s.size());
  return d;
}

bool IsSpace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsDigit(char32_t c) {
  if (c < 0x80) return IsAsciiDigit(c);
  constexpr char32_t kZeros[] = {0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0E50, 0xFF10};
  for (char32_t z : kZeros)
    if (c >= z && c <= z + 9) return true;
  return false;
}

bool IsLetter(char32_t c) {
  if (c < 0x80) return IsAsciiAlpha(c);
  return !IsDigit(c) && !InRanges(c, std::begin(kNotLetter), std::end(kNotLetter));
}

bool IsLatinAccent(char32_t c) {
  return (c >= 0x00C0 && c <= 0x024F && c != 0xD7 && c != 0xF7) || (c >= 0x1E00 && c <= 0x1EFF);
}

}  // namespace sluice::text_internal
