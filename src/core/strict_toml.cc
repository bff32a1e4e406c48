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
  try {  // toml++ reports syntax errors by exception; loading config is a start-up step
    return toml::parse(text, name);
  } catch (const toml::parse_error& err) {
    return TomlSyntaxError(name, err.source().begin.line, err.description());
  }
}

Problem StrictToml::Bad(std::string_view key, std::string_view why) const {
  return OneLineError(CommandError(file_ + ": key '" + std::string(key) + "' " + std::string(why)));
}

Problem StrictToml::WrongType(std::string_view key, const toml::node& node) const {
  return Bad(key, "has the wrong type (" + TypeName(node) + ")");
}

Problem StrictToml::Unknown(std::string_view key, const toml::node& node) const {
  return Error(std::string(node.is_table() ? "unknown section '" : "unknown key '") + std::string(key) + "'");
}

Problem StrictToml::Error(std::string_view detail) const {
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
