#pragma once
//! JsonlLineParser: pulls "text" and "id" out of one JSON Lines object without building a DOM.
//! A flat object without escapes (most lines of most corpora) is read by a fast path that
//! accepts what Boost.JSON accepts; any other line goes to Boost.JSON's SAX parser
//! (basic_parser). Strings may hold invalid UTF-8 (their bytes are kept; normalisation drops
//! them): a leaked dataset is scanned as it is, not refused for a bad byte. Either way a line costs no allocation unless its text or id holds escapes.
//! Reuse one parser for a whole file; not thread-safe.

#include <memory>
#include <string>
#include <string_view>

namespace sluice {

class JsonlLineParser {
 public:
  //! fast_path false: every line through Boost.JSON (tests compare the two).
  explicit JsonlLineParser(bool fast_path = true);
  ~JsonlLineParser();

  //! On success sets `text` (the top-level "text" string) and `id` (the top-level "id" string, or
  //! a number's text; "" when absent or of another type). The views point into `line` or into
  //! the parser, and stay valid until the next Parse. On failure sets `why` and returns false:
  //! invalid JSON, not an object, or no string "text" member.
  bool Parse(std::string_view line, std::string_view& text, std::string_view& id, std::string& why);

  //! The fast path alone on the first of `lines` (lines ending in '\n'), without looking for
  //! its end first: true when that line is a flat object without escapes (then as Parse would
  //! say, and `length` is the line's, '\n' included); false for any other line, which the
  //! caller then cuts at its '\n' and gives to Parse. Always false with fast_path false.
  bool ParseFlatLine(std::string_view lines, std::string_view& text, std::string_view& id, size_t& length);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
