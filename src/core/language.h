#pragma once
//! The language of a post written through the API, as X's `lang`: a BCP 47 tag, or "und"
//! when it cannot tell. Mentions, hashtags, cashtags and urls are not language.

#include <string_view>

#include "core/types.h"

namespace sluice {

//! By script (ICU's) where a script names one language: kana ja, Hangul ko, Han alone zh,
//! Thai th, Greek el, Georgian ka, Armenian hy, Devanagari hi, Hebrew iw (as X tags it), Arabic
//! ar (fa with Persian letters), Cyrillic ru (uk with Ukrainian letters). Latin-script text by
//! its function words (en, fr, es, de, it, pt, nl): at least two, and more than any other
//! language's. Anything else: "und".
std::string_view DetectLanguage(std::string_view text, const Entities& entities);

}  // namespace sluice
