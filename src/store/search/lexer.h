#pragma once
//! The tokenizer of the search query language (store/search/query.h), internal to the parser.
//! It decodes the query as UTF-8 and splits it into words, "phrases", parentheses, `-`
//! and `OR`. An emoji sequence (core/weighted_length.h: ZWJ sequences, flags, keycaps, skin
//! tones) is a word of its own,
//! as X treats it, except inside an operator's value; `name:[...]` is one word, spaces
//! included (point_radius:[lon lat radius]). Positions are 1-based code-point positions, as X reports them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

//! Why and where a query is invalid; the parser turns it into an kInvalidRequest Status.
struct SearchError {
  int position = 1;
  std::string reason;
};

struct SearchToken {
  enum class Kind {
    kWord,    // a run of characters up to whitespace, '(', ')', '"' or an emoji; or an emoji
    kPhrase,  // "...": text is what lies between the quotes
    kLParen,
    kRParen,
    kMinus,   // '-' at the start of a clause
    kOr,      // the word OR, uppercase
    kError,   // the query cannot be tokenized further: error says why
    kEnd,
  };
  Kind kind = Kind::kEnd;
  std::string text;
  int position = 1;
  bool space_before = false;  // whitespace (or the start of the query) precedes the token
  // kWord written `name:"value"`: text is "name:", the value follows.
  bool has_quoted_value = false;
  std::string quoted_value;
  int value_position = 0;
  bool emoji = false;  // kWord that is one emoji
  SearchError error;  // kError only
};

//! Code points that separate clauses: ASCII and Unicode spaces.
bool IsSearchSpace(char32_t c);

//! `s` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD, so that an
//! invalid query can be echoed back in an error.
std::string ToValidUtf8(std::string_view s);

//! Decodes a query and splits it into tokens.
class SearchLexer {
 public:
  //! Decodes `query`, which must outlive the lexer.
  explicit SearchLexer(std::string_view query);

  //! Where the query is not well-formed UTF-8 (overlongs, surrogates and code points past
  //! U+10FFFF included), if it is not. Then length() counts the code points before it and
  //! Tokenize() must not be called.
  const std::optional<SearchError>& encoding_error() const { return encoding_error_; }
  //! The query's length in code points.
  size_t length() const { return code_points_.size(); }

  //! The tokens in query order. Never fails: the first problem (a control character, an
  //! unterminated quote) becomes a kError token that ends the list; otherwise kEnd does.
  std::vector<SearchToken> Tokenize() const;

 private:
  std::string Slice(size_t begin, size_t end) const;  // code-point indexes -> UTF-8
  size_t ReadQuoted(size_t open, SearchToken& token, std::string& out) const;

  std::string_view query_;
  std::vector<char32_t> code_points_;
  std::vector<size_t> offsets_;  // byte offset of each code point, then query_.size()
  std::optional<SearchError> encoding_error_;
};

}  // namespace sluice
