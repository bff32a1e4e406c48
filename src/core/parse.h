#pragma once
//! The one way Sluice reads integers and comma lists from text: query parameters, CLI flags,
//! config and plans values, file names of the ledger. Callers word their own errors (X's
//! wording for query parameters, "FILE: key 'K' ..." for config) from the kind reported here.

#include <charconv>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/result.h"

namespace sluice {

enum class IntError {
  kNone,
  kNotAnInteger,  // empty, a sign other than a leading '-', spaces, "0x", "1e3", "12abc"...
  kOutOfRange,    // an integer, but outside [min, max] (or outside T)
};

template <std::integral T>
struct ParsedInt {
  T value{};
  IntError error = IntError::kNone;
  bool ok() const { return error == IntError::kNone; }
};

//! `text` as a decimal integer in [min, max]: an optional '-' and one or more ASCII digits,
//! nothing else (no '+', no spaces, no base prefix). An integer too large for T, or a
//! negative one for an unsigned T, is kOutOfRange, not kNotAnInteger.
template <std::integral T>
ParsedInt<T> ParseInt(std::string_view text, T min = std::numeric_limits<T>::min(),
                      T max = std::numeric_limits<T>::max()) {
  ParsedInt<T> out;
  const bool negative = !text.empty() && text.front() == '-';
  const std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    out.error = IntError::kNotAnInteger;
    return out;
  }
  if constexpr (std::is_unsigned_v<T>) {
    if (negative) {  // from_chars takes no '-' for an unsigned T; "-0" is 0
      if (digits.find_first_not_of('0') != std::string_view::npos) out.error = IntError::kOutOfRange;
      else if (T(0) < min) out.error = IntError::kOutOfRange;
      return out;
    }
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out.value);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && (out.value < min || out.value > max)))
    out.error = IntError::kOutOfRange;
  else if (ec != std::errc() || end != text.data() + text.size())
    out.error = IntError::kNotAnInteger;  // not reached for the text checked above; kept for safety
  return out;
}

//! "must be MIN..MAX", or for an open range "must not be negative" (0..), "must be positive"
//! (1..) or "must be at least MIN": the wording of config and plans errors.
std::string RangeText(int64_t min, int64_t max);

//! The error of a named integer setting such as a CLI flag: "--users 12abc: not an integer",
//! "--users 0: must be 1..10000000". `what` names the setting ("--users").
template <std::integral T>
Result<T> ParseIntSetting(std::string_view what, std::string_view text, T min, T max) {
  auto parsed = ParseInt<T>(text, min, max);
  if (parsed.ok()) return parsed.value;
  std::string head = std::string(what) + " " + std::string(text) + ": ";
  if (parsed.error == IntError::kNotAnInteger) return CommandError(head + "not an integer");
  if constexpr (std::is_unsigned_v<T>) {
    if (max > uint64_t(std::numeric_limits<int64_t>::max()))
      return CommandError(head + "must be " + std::to_string(min) + ".." + std::to_string(max));
  }
  return CommandError(head + RangeText(int64_t(min), int64_t(max)));
}

//! The items of a comma-separated list, in order, empty ones included: "a,,b" is {"a", "", "b"}
//! and "" is {""}; callers decide what an empty item means (X refuses it as a value).
//! The views point into `text`.
std::vector<std::string_view> SplitCommaList(std::string_view text);

}  // namespace sluice
