#pragma once
//! Post length as X counts it (its "counting characters" rules, twitter-text's v3
//! configuration): text NFC-normalised first, then weighed.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

//! Valid UTF-8 `s` in Unicode Normalization Form C: what X stores and counts, so that
//! "e" + U+0301 is one character (é), as X counts it.
std::string NormalizeNfc(std::string_view s);

//! The weighted length of valid UTF-8 `text` (normalise it first with NormalizeNfc), as
//! twitter-text v3 computes it (scale 100, default weight 200, max 280):
//! - a code point in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F or U+2032-U+2037 counts 1
//!   (Latin, Greek, Cyrillic, ... and common punctuation), any other counts 2 (CJK, ...);
//! - an emoji sequence counts 2 however many code points it holds: a ZWJ sequence (families),
//!   a flag (two regional indicators, or a black flag with tag characters), a keycap, a base
//!   with a skin tone, each with its variation selectors;
//! - a url counts 23 whatever its length (the t.co link X replaces it with): the urls
//!   ExtractEntities finds (http(s):// with any letter TLD, or a bare domain whose TLD is in
//!   its short list; twitter-text knows every TLD, so a bare "example.xyz" counts per letter).
//! Always >= 1 for non-empty text, 0 for empty text.
int64_t WeightedLength(std::string_view text);

//! The end of the emoji sequence that starts at `cps[i]` (the sequences WeightedLength counts
//! 2: ZWJ sequences, flags, keycaps, a base with its skin tone and variation selectors), or
//! `i` if none starts there. The search query language reads emoji with it (store/search).
size_t EmojiSequenceEnd(const std::vector<char32_t>& cps, size_t i);

}  // namespace sluice
