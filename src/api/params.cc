#include "api/params.h"

#include <boost/url/params_encoded_view.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>
#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <set>

#include "core/parse.h"
#include "core/time_format.h"

namespace sluice {

Result<Params> Params::Parse(std::string_view query) {
  Params out;
  if (query.empty()) return out;
  // Boost.URL 1.81's params view reads the last value up to the end of the underlying
  // buffer, not of the view (tests/api/params_test.cc: ViewIntoLargerBuffer): parse a copy.
  const std::string owned(query);
  auto parsed = boost::urls::parse_query(owned);
  if (!parsed) return InvalidRequest("query", std::string(query), "The query string is not valid percent-encoding.");
  for (auto param : *parsed) {
    std::string key = param.key.decode(boost::urls::encoding_opts(true));
    std::string value = param.has_value ? param.value.decode(boost::urls::encoding_opts(true)) : std::string();
    for (const auto& [k, v] : out.items_)
      if (k == key) return InvalidRequest(key, value, "The `" + key + "` query parameter can only be given once.");
    out.items_.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

std::optional<std::string_view> Params::Get(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

Status Params::CheckAllowed(std::initializer_list<std::string_view> allowed) const {
  std::vector<ParameterError> errors;
  for (const auto& [k, v] : items_) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == k;
    if (ok) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ",") + std::string(a);
    errors.push_back({k, v, "The query parameter [" + k + "] is not one of [" + list + "]"});
  }
  if (errors.empty()) return Status::Ok();
  return InvalidRequest(std::move(errors));
}

Result<Id> ParseIdValue(std::string_view name, std::string_view value) {
  // X's pattern: 1 to 19 digits, no sign (ParseInt would take "-0"), and within int64.
  const auto id = ParseInt<Id>(value, 0);
  if (value.size() > 19 || value.starts_with('-') || !id.ok())
    return InvalidRequest(std::string(name), std::string(value),
                          "The `" + std::string(name) + "` query parameter value [" + std::string(value) +
                              "] does not match ^[0-9]{1,19}$");
  return id.value;
}

Result<std::vector<Id>> ParseIdList(const Params& p, std::string_view name, size_t max) {
  auto v = p.Get(name);
  if (!v) return InvalidRequest(std::string(name), "", "The `" + std::string(name) + "` query parameter can not be empty");
  std::vector<Id> ids;
  std::set<Id> seen;
  for (std::string_view item : SplitCommaList(*v)) {
    auto id = ParseIdValue(name, item);
    if (!id.ok()) return id.status();
    if (seen.insert(*id).second) ids.push_back(*id);
  }
  if (ids.size() > max)
    return InvalidRequest(std::string(name), std::string(*v),
                          "The number of values in the `" + std::string(name) + "` query parameter list [" +
                              std::to_string(ids.size()) + "] is not between 1 and " + std::to_string(max));
  return ids;
}

Result<std::optional<Id>> OptionalId(const Params& p, std::string_view name) {
  auto v = p.Get(name);
  if (!v) return std::optional<Id>();
  auto id = ParseIdValue(name, *v);
  if (!id.ok()) return id.status();
  return std::optional<Id>(*id);
}

Result<int> ParseMaxResults(const Params& p, int lo, int hi, int def) {
  auto v = p.Get("max_results");
  if (!v) return def;
  const auto n = ParseInt<int>(*v, lo, hi);
  if (!n.ok())  // X words "not a number" and "out of range" alike
    return InvalidRequest("max_results", std::string(*v),
                          "The `max_results` query parameter value [" + std::string(*v) + "] is not between " +
                              std::to_string(lo) + " and " + std::to_string(hi));
  return n.value;
}

Result<std::optional<TimeMs>> OptionalTime(const Params& p, std::string_view name) {
  auto v = p.Get(name);
  if (!v) return std::optional<TimeMs>();
  auto t = ParseTime(*v);
  if (!t)
    return InvalidRequest(std::string(name), std::string(*v),
                          "Invalid '" + std::string(name) + "':'" + std::string(*v) +
                              "'. '" + std::string(name) + "' must be a valid RFC 3339 time, e.g. 2023-05-01T12:00:00Z");
  return std::optional<TimeMs>(*t);
}

// Tokens: one direction letter and the id in base 36. Opaque to clients; stable under inserts.
namespace {

// Base 36, lowercase; `width` pads with leading zeros.
std::string Base36(uint64_t v, size_t width = 1) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string digits;
  do {
    digits.insert(digits.begin(), kDigits[v % 36]);
    v /= 36;
  } while (v);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

// Base 36 digits to a value; nullopt on a bad digit or past `max`.
std::optional<uint64_t> FromBase36(std::string_view s, uint64_t max) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : -1;
    if (d < 0 || v > (max - uint64_t(d)) / 36) return std::nullopt;
    v = v * 36 + uint64_t(d);
  }
  return v;
}

constexpr size_t kScoreDigits = 13;  // 36^13 > 2^64: the bits of a double

}  // namespace

std::string EncodePageToken(PageRequest::Direction dir, Id boundary) {
  return std::string(dir == PageRequest::Direction::kOlder ? "7" : "3") + "140" + Base36(uint64_t(boundary));
}

std::string EncodeRelevanceToken(const PageRequest::RelevanceKey& key) {
  // The score's exact bits, so that the next page starts exactly after this one's last post.
  return "r140" + Base36(std::bit_cast<uint64_t>(key.score), kScoreDigits) + Base36(uint64_t(key.id));
}

Result<PageRequest::RelevanceKey> DecodeRelevanceToken(std::string_view name, std::string_view token) {
  auto bad = [&] {
    return InvalidRequest(std::string(name), std::string(token),
                          "The `" + std::string(name) + "` query parameter value [" + std::string(token) + "] is not valid");
  };
  if (token.size() < 4 + kScoreDigits + 1 || token.size() > 4 + kScoreDigits + 13 || token.substr(0, 4) != "r140")
    return bad();
  auto bits = FromBase36(token.substr(4, kScoreDigits), UINT64_MAX);
  auto id = FromBase36(token.substr(4 + kScoreDigits), uint64_t(INT64_MAX));
  if (!bits || !id) return bad();
  double score = std::bit_cast<double>(*bits);
  if (!std::isfinite(score)) return bad();
  return PageRequest::RelevanceKey{score, Id(*id)};
}

Result<std::pair<PageRequest::Direction, Id>> DecodePageToken(std::string_view name, std::string_view token) {
  auto bad = [&] {
    return InvalidRequest(std::string(name), std::string(token),
                          "The `" + std::string(name) + "` query parameter value [" + std::string(token) + "] is not valid");
  };
  if (token.size() < 5 || token.size() > 20 || token.substr(1, 3) != "140" || (token[0] != '7' && token[0] != '3'))
    return bad();
  auto v = FromBase36(token.substr(4), uint64_t(INT64_MAX));
  if (!v) return bad();
  auto dir = token[0] == '7' ? PageRequest::Direction::kOlder : PageRequest::Direction::kNewer;
  return std::make_pair(dir, Id(*v));
}

}  // namespace sluice
