#include "provenance/jsonl_line.h"

#include <boost/json/basic_parser_impl.hpp>

#include <cstring>
#include <functional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice {
namespace {

using boost::json::error_code;
using JsonView = boost::json::string_view;

// SAX handler: tracks nesting, and keeps only the top-level "text" and "id" values.
struct TextHandler {
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);

  enum class Slot { kNone, kText, kId };

  void Reset(std::string_view input) {
    line = input;
    depth = 0;
    top_is_object = false;
    slot = Slot::kNone;
    key.clear();
    part.clear();
    has_text = false;
    text_not_string = false;
    text = {};
    id = {};
  }

  // Strings without escapes point into the line; others live in the parser's temporary
  // buffer (or in `part`), so they are copied to `own`.
  std::string_view Keep(std::string_view s, std::string& own) {
    std::less<const char*> before;
    bool inside = !before(s.data(), line.data()) &&
                  !before(line.data() + line.size(), s.data() + s.size());
    if (inside) return s;
    own.assign(s.data(), s.size());
    return own;
  }

  // The whole of a string or number delivered in parts: `part` plus the last piece.
  std::string_view Whole(JsonView last) {
    if (part.empty()) return std::string_view(last.data(), last.size());
    part.append(last.data(), last.size());
    return part;
  }

  // A value other than a string or number at the top level of the object.
  void OtherValue() {
    if (depth == 1 && slot == Slot::kText) {
      has_text = false;
      text_not_string = true;
    } else if (depth == 1 && slot == Slot::kId) {
      id = {};
    }
    slot = Slot::kNone;
  }

  void ScalarValue(std::string_view s, bool is_string) {
    if (depth == 1 && slot == Slot::kText) {
      if (is_string) {
        text = Keep(s, text_own);
        has_text = true;
        text_not_string = false;
      } else {
        has_text = false;
        text_not_string = true;
      }
    } else if (depth == 1 && slot == Slot::kId) {
      id = Keep(s, id_own);
    }
    slot = Slot::kNone;
    part.clear();
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    if (depth == 0) top_is_object = true;
    OtherValue();
    ++depth;
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    --depth;
    return true;
  }
  bool on_array_begin(error_code&) {
    OtherValue();
    ++depth;
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    --depth;
    return true;
  }
  bool on_key_part(JsonView s, std::size_t, error_code&) {
    if (depth == 1) key.append(s.data(), s.size());
    return true;
  }
  bool on_key(JsonView s, std::size_t, error_code&) {
    if (depth != 1) return true;
    std::string_view k(s.data(), s.size());
    if (!key.empty()) {
      key.append(s.data(), s.size());
      k = key;
    }
    slot = k == "text" ? Slot::kText : k == "id" ? Slot::kId : Slot::kNone;
    key.clear();
    return true;
  }
  bool on_string_part(JsonView s, std::size_t, error_code&) {
    if (depth == 1 && slot != Slot::kNone) part.append(s.data(), s.size());
    return true;
  }
  bool on_string(JsonView s, std::size_t, error_code&) {
    ScalarValue(Whole(s), true);
    return true;
  }
  bool on_number_part(JsonView s, error_code&) {
    if (depth == 1 && slot != Slot::kNone) part.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t, JsonView s, error_code&) {
    ScalarValue(Whole(s), false);
    return true;
  }
  bool on_uint64(uint64_t, JsonView s, error_code&) {
    ScalarValue(Whole(s), false);
    return true;
  }
  bool on_double(double, JsonView s, error_code&) {
    ScalarValue(Whole(s), false);
    return true;
  }
  bool on_bool(bool, error_code&) {
    OtherValue();
    return true;
  }
  bool on_null(error_code&) {
    OtherValue();
    return true;
  }
  bool on_comment_part(JsonView, error_code&) { return true; }
  bool on_comment(JsonView, error_code&) { return true; }

  std::string_view line;
  int depth = 0;
  bool top_is_object = false;
  Slot slot = Slot::kNone;
  std::string key;
  std::string part;
  bool has_text = false;
  bool text_not_string = false;
  std::string_view text;
  std::string_view id;
  std::string text_own;
  std::string id_own;
};

}  // namespace

// The fast path, for the lines most corpora are made of: a flat object whose keys and string
// values hold no escape, and whose other values are short plain numbers, true, false or null.
// It accepts exactly what Boost.JSON (with invalid UTF-8 allowed) accepts of those, and gives
// up on anything else, which Boost.JSON then parses (or rejects with its message).
class FlatObject {
 public:
  explicit FlatObject(std::string_view line)
      : p_(reinterpret_cast<const unsigned char*>(line.data())), end_(p_ + line.size()) {}

  // Parses the object; true when it is a flat object with a string "text", and then the
  // input holds nothing after it but spaces, tabs and '\r' up to where() (the end, or a '\n').
  bool Parse(std::string_view& text, std::string_view& id) {
    bool has_text = false;
    SkipSpace();
    if (!Eat('{')) return false;
    SkipSpace();
    if (!Eat('}')) {
      for (;;) {
        std::string_view key, value;
        if (!String(key)) return false;
        SkipSpace();
        if (!Eat(':')) return false;
        SkipSpace();
        const bool is_string = p_ < end_ && *p_ == '"';
        if (is_string ? !String(value) : !Scalar(value)) return false;
        if (key == "text") {
          if (!is_string) return false;  // "text" is not a string: Boost.JSON words the error
          text = value, has_text = true;
        } else if (key == "id") {
          id = !is_string && (value == "true" || value == "false" || value == "null") ? std::string_view() : value;
        }
        SkipSpace();
        if (Eat('}')) break;
        if (!Eat(',')) return false;
        SkipSpace();
      }
    }
    SkipSpace();
    return has_text;
  }
  const unsigned char* where() const { return p_; }

 private:
  // JSON whitespace but '\n', which ends a line: a line holds none, and in a run of lines it
  // must stop the parse.
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r')) ++p_;
  }
  bool Eat(char c) {
    if (p_ == end_ || *p_ != static_cast<unsigned char>(c)) return false;
    ++p_;
    return true;
  }

  // A string without escapes or control characters (its bytes as they are: invalid UTF-8 is
  // accepted, as the Boost.JSON path is told to).
  bool String(std::string_view& out) {
    if (!Eat('"')) return false;
    const unsigned char* start = p_;
#if defined(__SSE2__)
    // Sixteen bytes at a time to the first quote, backslash or control byte.
    while (end_ - p_ >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
      const __m128i control = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(-1)),   // < 0x80
                                            _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));  // < 0x20
      const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                        control);
      const int mask = _mm_movemask_epi8(stop);
      if (mask != 0) {
        p_ += __builtin_ctz(static_cast<unsigned>(mask));
        break;
      }
      p_ += 16;
    }
#endif
    while (p_ < end_ && *p_ != '"' && *p_ != '\\' && *p_ >= 0x20) ++p_;
    if (p_ == end_ || *p_ != '"') return false;  // an escape or a control byte: Boost.JSON decides
    out = std::string_view(reinterpret_cast<const char*>(start), p_ - start);
    ++p_;
    return true;
  }

  // true, false, null, or an integer / decimal number of at most 18 digits, no exponent (its
  // text, as Boost.JSON reports it); anything else is left to Boost.JSON.
  bool Scalar(std::string_view& out) {
    const unsigned char* start = p_;
    for (std::string_view word : {"true", "false", "null"}) {
      if (static_cast<size_t>(end_ - p_) >= word.size() && std::memcmp(p_, word.data(), word.size()) == 0) {
        p_ += word.size();
        out = word;
        return true;
      }
    }
    Eat('-');
    int digits = 0;
    if (Eat('0')) {
      digits = 1;
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_, ++digits;
      if (digits == 0) return false;
    }
    if (Eat('.')) {
      int fraction = 0;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_, ++fraction;
      if (fraction == 0) return false;
      digits += fraction;
    }
    if (digits > 18 || (p_ < end_ && (*p_ == 'e' || *p_ == 'E' || (*p_ >= '0' && *p_ <= '9')))) return false;
    out = std::string_view(reinterpret_cast<const char*>(start), p_ - start);
    return true;
  }

  const unsigned char* p_;
  const unsigned char* end_;
};

struct JsonlLineParser::Impl {
  bool fast_path = true;
  boost::json::basic_parser<TextHandler> parser{Options()};
  static boost::json::parse_options Options() {
    boost::json::parse_options o;
    o.allow_invalid_utf8 = true;  // a leaked dataset is scanned as it is: bad bytes are dropped later
    return o;
  }
};

JsonlLineParser::JsonlLineParser(bool fast_path) : impl_(std::make_unique<Impl>()) { impl_->fast_path = fast_path; }
JsonlLineParser::~JsonlLineParser() = default;

bool JsonlLineParser::ParseFlatLine(std::string_view lines, std::string_view& text, std::string_view& id,
                                    size_t& length) {
  if (!impl_->fast_path) return false;
  FlatObject object(lines);
  std::string_view fast_text, fast_id;
  if (!object.Parse(fast_text, fast_id)) return false;
  const auto* end = reinterpret_cast<const unsigned char*>(lines.data() + lines.size());
  if (object.where() == end || *object.where() != '\n') return false;
  text = fast_text;
  id = fast_id;
  length = static_cast<size_t>(object.where() - reinterpret_cast<const unsigned char*>(lines.data())) + 1;
  return true;
}

bool JsonlLineParser::Parse(std::string_view line, std::string_view& text, std::string_view& id,
                            std::string& why) {
  if (impl_->fast_path) {
    std::string_view fast_text, fast_id;
    FlatObject object(line);
    if (object.Parse(fast_text, fast_id) && object.where() == reinterpret_cast<const unsigned char*>(line.data() + line.size())) {
      text = fast_text;
      id = fast_id;
      return true;
    }
  }
  auto& parser = impl_->parser;
  parser.reset();
  TextHandler& h = parser.handler();
  h.Reset(line);
  error_code ec;
  std::size_t used = parser.write_some(false, line.data(), line.size(), ec);
  if (ec) {
    why = "invalid JSON: " + ec.message();
    return false;
  }
  if (used != line.size()) {
    why = "invalid JSON: extra data after the value";
    return false;
  }
  if (!h.top_is_object) {
    why = "not a JSON object";
    return false;
  }
  if (!h.has_text) {
    why = h.text_not_string ? "\"text\" is not a string" : "no \"text\" field";
    return false;
  }
  text = h.text;
  id = h.id;
  return true;
}

}  // namespace sluice
