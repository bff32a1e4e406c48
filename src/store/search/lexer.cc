#include "store/search/lexer.h"

#include <cstdio>

#include "core/weighted_length.h"

namespace sluice {

namespace {

// Decodes one code point at `s[i]`; returns its length in bytes, or 0 when the bytes there
// are not well-formed UTF-8 (truncated, overlong, surrogate, above U+10FFFF).
size_t DecodeOne(std::string_view s, size_t i, char32_t& out) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    out = b0;
    return 1;
  }
  size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;  // a continuation byte, or 0xF8..0xFF
  }
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  out = cp;
  return len;
}

// C0 and C1 controls other than whitespace, and DEL: never part of a query.
bool IsControl(char32_t c) {
  return (c < 0x20 && !IsSearchSpace(c)) || (c >= 0x7F && c <= 0x9F && c != 0x85);
}

bool EndsWord(char32_t c) {
  return IsSearchSpace(c) || c == '(' || c == ')' || c == '"' || IsControl(c);
}

SearchError InvalidCharacter(size_t index, char32_t c) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(c));
  return {static_cast<int>(index) + 1, std::string("Invalid character ") + hex};
}

}  // namespace

bool IsSearchSpace(char32_t c) {
  switch (c) {
    case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t c = 0;
    const size_t len = DecodeOne(s, i, c);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

SearchLexer::SearchLexer(std::string_view query) : query_(query) {
  code_points_.reserve(query.size());
  offsets_.reserve(query.size() + 1);
  for (size_t i = 0; i < query.size();) {
    char32_t c = 0;
    const size_t len = DecodeOne(query, i, c);
    if (len == 0) {
      encoding_error_ = SearchError{static_cast<int>(code_points_.size()) + 1, "Invalid UTF-8"};
      return;
    }
    code_points_.push_back(c);
    offsets_.push_back(i);
    i += len;
  }
  offsets_.push_back(query.size());
}

std::string SearchLexer::Slice(size_t begin, size_t end) const {
  return std::string(query_.substr(offsets_[begin], offsets_[end] - offsets_[begin]));
}

// Reads the quoted string whose opening quote is at `open` into `out`; returns the index
// after the closing quote. On failure turns `token` into a kError token.
size_t SearchLexer::ReadQuoted(size_t open, SearchToken& token, std::string& out) const {
  for (size_t i = open + 1; i < code_points_.size(); ++i) {
    const char32_t c = code_points_[i];
    if (c == '"') {
      out = Slice(open + 1, i);
      return i + 1;
    }
    if (IsControl(c)) {
      token.kind = SearchToken::Kind::kError;
      token.error = InvalidCharacter(i, c);
      return i;
    }
  }
  token.kind = SearchToken::Kind::kError;
  token.error = {static_cast<int>(open) + 1, "Unterminated quote: '\"' has no closing '\"'"};
  return code_points_.size();
}

std::vector<SearchToken> SearchLexer::Tokenize() const {
  using Kind = SearchToken::Kind;
  std::vector<SearchToken> tokens;
  const size_t n = code_points_.size();
  size_t i = 0;
  bool space = true;
  while (true) {
    while (i < n && IsSearchSpace(code_points_[i])) {
      ++i;
      space = true;
    }
    SearchToken& t = tokens.emplace_back();
    t.position = static_cast<int>(i) + 1;
    t.space_before = space;
    space = false;
    if (i == n) {
      t.kind = Kind::kEnd;
      return tokens;
    }
    const char32_t c = code_points_[i];
    if (IsControl(c)) {
      t.kind = Kind::kError;
      t.error = InvalidCharacter(i, c);
      return tokens;
    }
    if (c == '(' || c == ')' || c == '-') {
      t.kind = c == '(' ? Kind::kLParen : c == ')' ? Kind::kRParen : Kind::kMinus;
      ++i;
      continue;
    }
    if (c == '"') {
      t.kind = Kind::kPhrase;
      i = ReadQuoted(i, t, t.text);
      if (t.kind == Kind::kError) return tokens;
      continue;
    }
    const size_t start = i;
    t.kind = Kind::kWord;
    if (const size_t end = EmojiSequenceEnd(code_points_, i); end > i) {
      i = end;
      t.text = Slice(start, i);
      t.emoji = true;
      continue;
    }
    // An emoji ends a word unless it is part of an operator's value (bio:😀).
    bool in_value = false;
    while (i < n && !EndsWord(code_points_[i]) && (in_value || EmojiSequenceEnd(code_points_, i) == i)) {
      if (code_points_[i] == '[' && i > start && code_points_[i - 1] == ':') {
        const size_t open = i;
        while (i < n && code_points_[i] != ']' && !IsControl(code_points_[i])) ++i;
        if (i < n && code_points_[i] == ']') {
          ++i;
          break;
        }
        t.kind = Kind::kError;
        t.error = i < n ? InvalidCharacter(i, code_points_[i])
                        : SearchError{static_cast<int>(open) + 1, "Unterminated bracket: '[' has no closing ']'"};
        return tokens;
      }
      in_value = in_value || code_points_[i] == ':';
      ++i;
    }
    t.text = Slice(start, i);
    if (t.text.back() == ':' && i < n && code_points_[i] == '"') {
      t.has_quoted_value = true;
      t.value_position = static_cast<int>(i) + 2;
      i = ReadQuoted(i, t, t.quoted_value);
      if (t.kind == Kind::kError) return tokens;
    } else if (t.text == "OR") {
      t.kind = Kind::kOr;
    }
  }
}

}  // namespace sluice
