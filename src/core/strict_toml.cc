#include "core/strict_toml.h"

#include <fstream>
#include <sstream>

#include "core/config.h"
#include "core/parse.h"

namespace sluice {

namespace {

std::string TypeName(const toml::node& n) {
  std::ostringstream s;
  s << n.type();
  return s.str();
}

// toml++ 3.3.0 (Debian 12's) asks is_non_ascii_horizontal_whitespace about a non-ASCII code
// point in a few places, and that function reaches __builtin_unreachable for most of them
// (upstream issues #190 and #295, fixed after 3.3): undefined behaviour on a config file holding
// "é" between tokens (found by fuzzing the config loader under UBSan). Valid TOML has non-ASCII
// only inside strings and comments, and toml++ stumbles there only right after a backslash in a
// multi-line basic string; this finds the first non-ASCII byte anywhere else, so that such a
// file is refused before toml++ reads it. A quote opens a string only where TOML starts one (a
// value, a quoted key); anywhere else (`10'`) the text is invalid and stays "outside", as
// toml++ reads it. Returns the 1-based line and the reason, or line 0 when safe to parse.
std::pair<int64_t, const char*> UnsafeForToml(std::string_view t) {
  enum class In { kToken, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral } in = In::kToken;
  int64_t line = 1;
  std::string brackets;     // open '[' (array), 'h' (table header) and '{' (inline table)
  bool key = true;          // where a key may start (else a value)
  char last = '\n';         // the last character outside strings, spaces and tabs excepted
  auto run = [&](size_t i, char q) {  // length of the run of `q` starting at i
    size_t n = 0;
    while (i + n < t.size() && t[i + n] == q) ++n;
    return n;
  };
  size_t i = t.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a UTF-8 byte order mark, which toml++ skips
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\n') ++line;
    switch (in) {
      case In::kToken: {
        if (static_cast<unsigned char>(c) >= 0x80) return {line, "a non-ASCII character outside a string or comment"};
        const bool opens = last == '\n' || last == '=' || last == '[' || last == ',' || last == '{' || (last == '.' && key);
        if ((c == '"' || c == '\'') && opens) {
          const bool multi = run(i, c) >= 3;
          in = c == '"' ? (multi ? In::kMultiBasic : In::kBasic) : (multi ? In::kMultiLiteral : In::kLiteral);
          if (multi) i += 2;
          last = c;
          break;
        }
        if (c == '#') in = In::kComment;
        else if (c == '\n' && brackets.empty()) key = true;
        else if (c == '=') key = false;
        else if (c == '{') brackets += '{', key = true;
        else if (c == '[') brackets += key && (brackets.empty() || brackets.back() == 'h') ? 'h' : '[', key = brackets.back() == 'h';
        else if ((c == ']' || c == '}') && !brackets.empty()) brackets.pop_back(), key = false;
        else if (c == ',') key = !brackets.empty() && brackets.back() == '{';
        if (c != ' ' && c != '\t' && c != '\r') last = c;
        break;
      }
      case In::kComment:
        if (c == '\n') {
          in = In::kToken;
          if (brackets.empty()) key = true;
          last = '\n';
        }
        break;
      case In::kBasic:
      case In::kLiteral:
        if (c == '\n' || c == (in == In::kBasic ? '"' : '\'')) {  // a line break: toml++'s error
          in = In::kToken;
          if (c == '\n' && brackets.empty()) key = true;
          last = c;
        } else if (in == In::kBasic && c == '\\' && i + 1 < t.size() && t[i + 1] != '\n') {
          ++i;  // an escaped character
        }
        break;
      case In::kMultiBasic:
      case In::kMultiLiteral: {
        const char q = in == In::kMultiBasic ? '"' : '\'';
        if (c == q && run(i, q) >= 3) {  // up to two quotes of content, then the closing three
          i += run(i, q) - 1;
          in = In::kToken;
          last = q;
        } else if (in == In::kMultiBasic && c == '\\') {
          // An escape, or a line-ending backslash: toml++ tests the character after it, and
          // after a line-ending one the first after the white space, as white space.
          auto space = [&](size_t j) { return t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n'; };
          size_t j = i + 1;
          while (j < t.size() && space(j)) line += t[j++] == '\n';
          if (j < t.size() && static_cast<unsigned char>(t[j]) >= 0x80)
            return {line, "a non-ASCII character right after a backslash in a multi-line string"};
          i = j == i + 1 ? j : j - 1;  // past the escaped character, or up to the next one
        }
        break;
      }
    }
  }
  return {0, nullptr};
}

}  // namespace

Result<std::string> ReadTomlFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  // The path may come from a config file, so it may hold a line break.
  if (!in) return OneLineError(CommandError(path + ": cannot read " + std::string(what)));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Result<toml::table> ParseToml(std::string_view text, const std::string& name) {
  if (auto [line, why] = UnsafeForToml(text); line) return TomlSyntaxError(name, line, why);
  try {  // toml++ reports syntax errors by exception; loading config is a start-up step
    return toml::parse(text, name);
  } catch (const toml::parse_error& err) {
    return TomlSyntaxError(name, err.source().begin.line, err.description());
  }
}

Status StrictToml::Bad(std::string_view key, std::string_view why) const {
  return OneLineError(CommandError(file_ + ": key '" + std::string(key) + "' " + std::string(why)));
}

Status StrictToml::WrongType(std::string_view key, const toml::node& node) const {
  return Bad(key, "has the wrong type (" + TypeName(node) + ")");
}

Status StrictToml::Unknown(std::string_view key, const toml::node& node) const {
  return Error(std::string(node.is_table() ? "unknown section '" : "unknown key '") + std::string(key) + "'");
}

Status StrictToml::Error(std::string_view detail) const {
  return OneLineError(CommandError(file_ + ": " + std::string(detail)));
}

Result<std::string> StrictToml::String(std::string_view key, const toml::node& node) const {
  if (!node.is_string()) return WrongType(key, node);
  return *node.value<std::string>();
}

Result<bool> StrictToml::Bool(std::string_view key, const toml::node& node) const {
  if (!node.is_boolean()) return WrongType(key, node);
  return *node.value<bool>();
}

Result<int64_t> StrictToml::Integer(std::string_view key, const toml::node& node, int64_t min, int64_t max) const {
  if (!node.is_integer()) return WrongType(key, node);
  const int64_t v = node.as_integer()->get();
  if (v < min || v > max) return Bad(key, RangeText(min, max));
  return v;
}

Result<std::vector<std::string>> StrictToml::Strings(std::string_view key, const toml::node& node) const {
  const auto* array = node.as_array();
  if (!array) return WrongType(key, node);
  std::vector<std::string> out;
  for (const auto& item : *array) {
    if (!item.is_string()) return Bad(key, "must be an array of strings");
    out.push_back(*item.value<std::string>());
  }
  return out;
}

}  // namespace sluice
