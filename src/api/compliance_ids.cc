// The upload of a batch compliance job: a text file of ids (compliance.h). In sluice_api_parse,
// with the other parsers of client input, for its fuzz target.
#include <cstdint>
#include <limits>
#include <unordered_set>

#include "api/compliance.h"

namespace sluice {

namespace {

constexpr uint64_t kMaxId = uint64_t(std::numeric_limits<int64_t>::max());

// A line quoted in a problem: at most 40 bytes, so a huge line does not make a huge answer.
std::string Quoted(std::string_view line) { return std::string(line.substr(0, 40)); }

}  // namespace

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
