#pragma once
//! Internal to text.cc and weighted_length.cc (and their tests): UTF-8 decoding and the
//! character classes entity extraction needs. The classes are approximations of Unicode's: any code point >= 0x80
//! that is not in a known punctuation, space, symbol or emoji range counts as a letter.

#include <cstddef>
#include <string_view>
#include <vector>

namespace sluice::text_internal {

//! Text decoded once: code points and the byte offset where each starts (offsets has one
//! more entry, the total size). Input must be valid UTF-8.
struct Decoded {
  std::vector<char32_t> cps;
  std::vector<size_t> offsets;
};
Decoded Decode(std::string_view s);

inline bool IsAsciiDigit(char32_t c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlpha(char32_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool IsAsciiAlnum(char32_t c) { return IsAsciiDigit(c) || IsAsciiAlpha(c); }

//! Unicode white space (ASCII and the other Zs/Zl/Zp code points).
bool IsSpace(char32_t c);
//! A decimal digit of any script (ASCII, Arabic-Indic, Devanagari, fullwidth, ...).
bool IsDigit(char32_t c);
//! A letter or combining mark: ASCII letters, and non-ASCII code points outside the
//! punctuation/space/symbol/emoji ranges.
bool IsLetter(char32_t c);
//! Letter, digit or '_': what may not come right before a hashtag, mention or cashtag.
inline bool IsWordChar(char32_t c) { return c == '_' || IsDigit(c) || IsLetter(c); }
//! Latin letters with diacritics (U+00C0-U+024F, U+1E00-U+1EFF).
bool IsLatinAccent(char32_t c);

}  // namespace sluice::text_internal
