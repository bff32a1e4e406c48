#include "provenance/jsonl_line.h"

#include <boost/json/basic_parser_impl.hpp>

#include <functional>

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

struct JsonlLineParser::Impl {
  boost::json::basic_parser<TextHandler> parser{boost::json::parse_options()};
};

JsonlLineParser::JsonlLineParser() : impl_(std::make_unique<Impl>()) {}
JsonlLineParser::~JsonlLineParser() = default;

bool JsonlLineParser::Parse(std::string_view line, std::string_view& text, std::string_view& id,
                            std::string& why) {
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
