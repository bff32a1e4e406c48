// Fuzzes the Content-Range header of a resumable compliance upload (ParseContentRange):
// whatever the bytes, a range or a 400 naming "Content-Range", never a crash; a range holds
// its invariants (0 <= first <= last, last < total when the total is known, total >= -1), and
// reads back from the text it would be written as.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/compliance.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = ParseContentRange(bytes);
  if (!r.ok()) {
    if (r.status().code() != StatusCode::kInvalidRequest) std::abort();
    if (r.status().parameter_errors().empty() || r.status().parameter_errors().front().parameter != "Content-Range")
      std::abort();
    return 0;
  }
  if (r->total < -1) std::abort();
  if (r->has_bytes && (r->first < 0 || r->last < r->first || (r->total >= 0 && r->last >= r->total))) std::abort();
  std::string text = "bytes ";
  text += r->has_bytes ? std::to_string(r->first) + "-" + std::to_string(r->last) : "*";
  text += "/" + (r->total < 0 ? std::string("*") : std::to_string(r->total));
  auto again = ParseContentRange(text);
  if (!again.ok() || again->has_bytes != r->has_bytes || again->first != r->first || again->last != r->last ||
      again->total != r->total)
    std::abort();
  return 0;
}
