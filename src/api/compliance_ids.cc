// The upload of a batch compliance job: a text file of ids, and the Content-Range header of
// its resumable upload (compliance.h). In sluice_api_parse,
// with the other parsers of client input, for its fuzz target.
#include <cstdint>
#include <limits>
#include <optional>
#include <unordered_set>

#include "api/compliance.h"

namespace sluice {

namespace {

constexpr uint64_t kMaxId = uint64_t(std::numeric_limits<int64_t>::max());

// A line quoted in a problem: at most 40 bytes, so a huge line does not make a huge answer.
std::string Quoted(std::string_view line) { return std::string(line.substr(0, 40)); }

constexpr size_t kMaxPositionDigits = 18;  // below 2^63: no overflow

// A byte position at the front of `s` (consumed): 1 to 18 digits; nullopt for anything else.
std::optional<int64_t> TakePosition(std::string_view& s) {
  size_t n = 0;
  int64_t v = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
    if (++n > kMaxPositionDigits) return std::nullopt;
    v = v * 10 + (s[n - 1] - '0');
  }
  if (n == 0) return std::nullopt;
  s.remove_prefix(n);
  return v;
}

bool Take(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

Result<ContentRange> ParseContentRange(std::string_view value) {
  const std::string quoted = Quoted(value);
  auto bad = [&](std::string why) { return InvalidRequest("Content-Range", quoted, "Content-Range: " + std::move(why)); };
  constexpr std::string_view kForms =
      "the header is `bytes FIRST-LAST/TOTAL`, `bytes FIRST-LAST/*`, `bytes */TOTAL` or `bytes */*`";
  std::string_view rest = value;
  // The unit is case-insensitive (RFC 9110, 14.1); one space follows it.
  constexpr std::string_view kUnit = "bytes";
  if (rest.size() <= kUnit.size() || rest[kUnit.size()] != ' ') return bad(std::string(kForms));
  for (size_t i = 0; i < kUnit.size(); ++i)
    if ((rest[i] | 0x20) != kUnit[i]) return bad(std::string(kForms));  // ASCII letters: | 0x20 lowers
  rest.remove_prefix(kUnit.size() + 1);
  ContentRange r;
  if (!Take(rest, '*')) {
    auto first = TakePosition(rest);
    if (!first || !Take(rest, '-')) return bad(std::string(kForms) + " (a byte position has 1 to 18 digits)");
    auto last = TakePosition(rest);
    if (!last) return bad(std::string(kForms) + " (a byte position has 1 to 18 digits)");
    if (*last < *first)
      return bad("the last byte (" + std::to_string(*last) + ") comes before the first (" + std::to_string(*first) + ")");
    r.has_bytes = true;
    r.first = *first;
    r.last = *last;
  }
  if (!Take(rest, '/')) return bad(std::string(kForms));
  if (!Take(rest, '*')) {
    auto total = TakePosition(rest);
    if (!total) return bad(std::string(kForms) + " (the total has 1 to 18 digits)");
    if (r.has_bytes && r.last >= *total)
      return bad("the last byte (" + std::to_string(r.last) + ") is past the total of " + std::to_string(*total) + " bytes");
    r.total = *total;
  }
  if (!rest.empty()) return bad(std::string(kForms));
  return r;
}

Result<std::vector<Id>> ParseComplianceIds(std::string_view body) {
  std::vector<Id> ids;
  std::unordered_set<Id> seen;
  size_t line_no = 0;
  while (!body.empty()) {
    size_t end = body.find('\n');
    std::string_view line = body.substr(0, end);
    body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::string where = "line " + std::to_string(line_no) + ": ";
    if (line.size() > 19)
      return InvalidRequest("ids", Quoted(line), where + "an id has 1 to 19 digits; this line has " +
                                                     std::to_string(line.size()) + " characters");
    uint64_t v = 0;
    for (char c : line) {
      if (c < '0' || c > '9')
        return InvalidRequest("ids", Quoted(line), where + "not an id: one id per line, digits only (the upload is a text file of ids)");
      v = v * 10 + uint64_t(c - '0');
    }
    if (v == 0 || v > kMaxId) return InvalidRequest("ids", Quoted(line), where + "not a valid id (1 to 9223372036854775807)");
    if (seen.insert(Id(v)).second) ids.push_back(Id(v));
  }
  if (ids.empty()) return InvalidRequest("ids", "", "The upload holds no id: give one post or user id per line");
  return ids;
}

}  // namespace sluice
