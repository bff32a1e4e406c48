#pragma once
//! Strict TOML reading, shared by the config file (core/config.cc) and plans files
//! (access/plans.cc): a syntax error, an unknown key or section, a value of the wrong type or
//! out of range is one error of one line that names the file and the full dotted key, e.g.
//! "sluice.toml: key 'server.workers' must be 0..256". Start-up only: toml++ reports syntax
//! errors by exception, caught here.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>
#include <toml++/toml.h>

#include "core/result.h"

namespace sluice {

//! The text of the file at `path`; "PATH: cannot read WHAT" (what: "config file").
Result<std::string> ReadTomlFile(const std::string& path, std::string_view what);

//! Parses `text` of the file `name`; a syntax error is TomlSyntaxError's one line.
Result<toml::table> ParseToml(std::string_view text, const std::string& name);

//! Typed reads of values of one file, each error naming the file and `key` (the full dotted
//! key, as the file's reader builds it). Every Status returned is a one-line CommandError.
class StrictToml {
 public:
  explicit StrictToml(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  //! "FILE: key 'KEY' WHY".
  Status Bad(std::string_view key, std::string_view why) const;
  //! "FILE: key 'KEY' has the wrong type (TYPE)".
  Status WrongType(std::string_view key, const toml::node& node) const;
  //! "FILE: unknown section 'KEY'" for a table, else "FILE: unknown key 'KEY'".
  Status Unknown(std::string_view key, const toml::node& node) const;
  //! "FILE: DETAIL", for errors about no one key.
  Status Error(std::string_view detail) const;

  Result<std::string> String(std::string_view key, const toml::node& node) const;
  Result<bool> Bool(std::string_view key, const toml::node& node) const;
  //! An integer in [min, max], checked on the 64-bit value before any caller narrows it;
  //! out of range is Bad(key, RangeText(min, max)).
  Result<int64_t> Integer(std::string_view key, const toml::node& node, int64_t min = std::numeric_limits<int64_t>::min(),
                          int64_t max = std::numeric_limits<int64_t>::max()) const;
  //! An array of strings (empty allowed).
  Result<std::vector<std::string>> Strings(std::string_view key, const toml::node& node) const;

 private:
  std::string file_;
};

}  // namespace sluice
