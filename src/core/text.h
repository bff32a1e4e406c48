#pragma once
//! Post text: validation, length in code points, and entity extraction (hashtags, cashtags,
//! mentions, urls) with spans in Unicode code points. Length as X counts it (weighted, after
//! NFC): core/weighted_length.h.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.h"

namespace sluice {

//! True if `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

//! Number of Unicode code points in valid UTF-8 `s`.
int64_t CountCodePoints(std::string_view s);

//! Finds #hashtags, $cashtags, @mentions and urls in valid UTF-8 text, in order of start.
//! Follows twitter-text's main rules: a hashtag/mention must not follow a letter, digit or
//! '_' ("a#b" and "a@b.c" are not entities); hashtags hold letters, digits, '_' and are
//! not all digits; cashtags are 1-6 ASCII letters; usernames are 1-15 of [A-Za-z0-9_];
//! urls start with http:// or https:// or a bare domain with a known TLD (example.com/x),
//! and trailing punctuation (.,;:!?')") is not part of a url. Mention ids are left unset.
Entities ExtractEntities(std::string_view text);

//! X's `entities` object as JSON (hashtags, cashtags, mentions with the user id when known,
//! urls; start/end in code points); "" when there are none.
std::string EntitiesJson(const Entities& e);

}  // namespace sluice
