// Fuzzes the JSON body of POST /2/tweets/search/stream/rules: whatever the bytes (the first
// one's low bit standing for ?delete_all=true), ParseStreamRulesBody returns a body or a 400
// InvalidRequest naming a member, never crashes; a body it returns is exactly one of an add
// (rules with values), a delete (ids or values) or, with delete_all, neither. Each value added
// then goes through the rule parser at the longest rule length a plan may set, without a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/stream_rules_body.h"
#include "store/search/query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  if (size == 0) return 0;
  const bool delete_all = (data[0] & 1) != 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto parsed = ParseStreamRulesBody(body, delete_all);
  if (!parsed.ok()) {
    if (parsed.status().code() != StatusCode::kInvalidRequest || parsed.status().parameter_errors().empty()) std::abort();
    return 0;
  }
  const bool deletes = !parsed->delete_ids.empty() || !parsed->delete_values.empty();
  if (delete_all) {
    if (parsed->is_add() || deletes) std::abort();
    return 0;
  }
  if (parsed->is_add() == deletes) std::abort();
  for (Id id : parsed->delete_ids)
    if (id < 0) std::abort();
  for (const auto& add : parsed->add) (void)ParseSearchQuery(add.value, 4096);
  return 0;
}
