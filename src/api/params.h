#pragma once
//! Query-string parameters of X API v2 requests, decoded once (Boost.URL), with X's validation
//! and X's wording for each kind of bad value.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "store/store.h"

namespace sluice {

class Params {
 public:
  //! Decodes `query`. 400 for malformed percent-encoding or a parameter given twice.
  static Result<Params> Parse(std::string_view query);

  std::optional<std::string_view> Get(std::string_view name) const;
  //! 400 naming every parameter not in `allowed`, as X does.
  Status CheckAllowed(std::initializer_list<std::string_view> allowed) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

//! A decimal id of 1-19 digits that fits in int64; the problem names `name`.
Result<Id> ParseIdValue(std::string_view name, std::string_view value);
//! A required comma-separated list of 1..`max` ids (duplicates removed, order kept).
Result<std::vector<Id>> ParseIdList(const Params& p, std::string_view name, size_t max);
//! An optional id parameter.
Result<std::optional<Id>> OptionalId(const Params& p, std::string_view name);
//! max_results within [lo, hi], `def` when absent.
Result<int> ParseMaxResults(const Params& p, int lo, int hi, int def);
//! An optional RFC 3339 time parameter.
Result<std::optional<TimeMs>> OptionalTime(const Params& p, std::string_view name);

//! Opaque pagination tokens: a direction and the id to continue from.
std::string EncodePageToken(PageRequest::Direction dir, Id boundary);
Result<std::pair<PageRequest::Direction, Id>> DecodePageToken(std::string_view name, std::string_view token);
//! Tokens of a relevancy-ordered search: the (score, id) of the page's last post. A token of
//! the other kind is not valid here, nor one of these there.
std::string EncodeRelevanceToken(const PageRequest::RelevanceKey& key);
Result<PageRequest::RelevanceKey> DecodeRelevanceToken(std::string_view name, std::string_view token);

}  // namespace sluice
