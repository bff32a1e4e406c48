#pragma once
//! What both SQL stores share about filtered-stream rules (store.h, StreamRule): the columns,
//! the row reader, and the decision of an add (which rules are new, which are duplicates,
//! whether the cap holds), taken inside each store's transaction.

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace sluice::rows {

inline constexpr std::string_view kStreamRuleColumns = "id, app_id, value, tag, created_at";

template <class R>
StreamRule ReadStreamRule(const R& r) {
  return StreamRule{r.Int(0), r.Int(1), std::string(r.Text(2)), std::string(r.Text(3)), r.Int(4)};
}

//! The add of `adding` to an app holding `held`, against `cap` (store.h, AddStreamRules).
inline StreamRuleAdd PlanStreamRuleAdd(const std::vector<StreamRule>& held, std::span<const StreamRule> adding,
                                       int64_t cap) {
  StreamRuleAdd out;
  out.held = int64_t(held.size());
  std::unordered_map<std::string_view, const StreamRule*> by_value;
  for (const StreamRule& r : held) by_value.emplace(r.value, &r);
  for (const StreamRule& r : adding) {
    auto [it, fresh] = by_value.emplace(r.value, &r);
    if (fresh) out.added.push_back(r);
    else out.duplicates.push_back(*it->second);
  }
  out.over_cap = !out.added.empty() && out.held + int64_t(out.added.size()) > cap;
  return out;
}

}  // namespace sluice::rows
