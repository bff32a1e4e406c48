#pragma once
//! The body of POST /2/tweets/search/stream/rules, as X's OpenAPI document has it
//! (UpdateRulesRequest, additionalProperties false): {"add": [{"value", "tag"?}, ...]} or
//! {"delete": {"ids": [...], "values": [...]}}; with ?delete_all=true, no add or delete.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace sluice {

struct StreamRulesBody {
  struct Add {
    std::string value;
    std::optional<std::string> tag;
  };
  std::vector<Add> add;                    // non-empty for an add
  std::vector<Id> delete_ids;              // a delete: ids, values, or both (one non-empty)
  std::vector<std::string> delete_values;
  bool is_add() const { return !add.empty(); }
};

//! Parses `body`. Exactly one of `add` and `delete` (neither when `delete_all`, and then the
//! body may be empty or `{}`). Anything else is a 400 InvalidRequest naming the member at fault:
//! not JSON, an unknown member, a wrong type, an empty list, an id not of 1-19 digits. Never
//! throws; any input.
Result<StreamRulesBody> ParseStreamRulesBody(std::string_view body, bool delete_all);

}  // namespace sluice
