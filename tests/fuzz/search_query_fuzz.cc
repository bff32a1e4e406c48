// libFuzzer entry: any byte string must parse or fail with a 400 problem, never crash, and
// every parsed query must compile to SQL whose placeholders match its parameters.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/search/query.h"
#include "store/sqlite/search_sql.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  auto parsed = sluice::ParseSearchQuery(query);
  if (!parsed.ok()) {
    if (parsed.status().code() != sluice::StatusCode::kInvalidRequest || parsed.status().parameter_errors().size() != 1) std::abort();
    return 0;
  }
  const auto predicate = sluice::sqlite::CompileSearch(parsed->root);
  size_t placeholders = 0;
  for (char c : predicate.sql) placeholders += c == '?';
  if (placeholders != predicate.params.size()) std::abort();
  return 0;
}
