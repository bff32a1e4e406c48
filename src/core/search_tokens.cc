#include "core/search_tokens.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace sluice {

namespace {

bool IsTokenChar(UChar32 c) {
  const int8_t t = u_charType(c);
  return (t >= U_UPPERCASE_LETTER && t <= U_OTHER_LETTER) || t == U_DECIMAL_DIGIT_NUMBER || t == U_LETTER_NUMBER ||
         t == U_OTHER_NUMBER || t == U_PRIVATE_USE_CHAR;
}

void AppendUtf8(UChar32 c, std::string& out) {
  char buf[4];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(buf, n, 4, c, error);
  if (!error) out.append(buf, size_t(n));
}

// FTS5 removes diacritics from Latin letters only (fts5_unicode2.c's table covers Latin-1,
// Latin Extended-A/B and Latin Extended Additional): "é" -> "e", but Greek "ά" stays.
bool IsLatinRange(UChar32 c) { return c < 0x250 || (c >= 0x1E00 && c <= 0x1EFF); }

// Folds one code point as FTS5 does: its diacritics dropped (Latin), then lowercased one
// character to one ("İ" -> "i", "Σ" -> "σ", final "ς" kept).
void AppendFolded(UChar32 c, const icu::Normalizer2* nfd, std::string& out) {
  if (!IsLatinRange(c) || !nfd) {
    AppendUtf8(u_tolower(c), out);
    return;
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString decomposed = nfd->normalize(icu::UnicodeString(c), status);
  if (U_FAILURE(status)) {
    AppendUtf8(u_tolower(c), out);
    return;
  }
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 d = decomposed.char32At(i);
    i += U16_LENGTH(d);
    if (u_charType(d) != U_NON_SPACING_MARK) AppendUtf8(u_tolower(d), out);
  }
}

}  // namespace

std::vector<std::string> SearchTokens(std::string_view text) {
  // Fetched once under a C++ static's guard: ICU's own once-flag is invisible to ThreadSanitizer.
  static const icu::Normalizer2* nfd = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFDInstance(status);
    return U_FAILURE(status) ? nullptr : n;
  }();
  std::vector<std::string> tokens;
  std::string current;
  const int32_t n = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(text.data(), i, n, c);
    if (c >= 0 && c < 0x80) {  // ASCII fast path
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        current += char(c);
        continue;
      }
      if (c >= 'A' && c <= 'Z') {
        current += char(c | 0x20);
        continue;
      }
    } else if (c >= 0 && IsTokenChar(c)) {
      AppendFolded(c, nfd, current);
      continue;
    } else if (c >= 0 && !current.empty() && u_charType(c) == U_NON_SPACING_MARK) {
      continue;  // a combining diacritic: removed
    }
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

std::string SearchTokensJoined(std::string_view text) {
  std::string out;
  for (const auto& t : SearchTokens(text)) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

}  // namespace sluice
