// Fuzzes the JSON bodies of the actions on behalf of an account (POST /2/users/:id/likes,
// .../retweets, .../following; PUT /2/tweets/:tweet_id/hidden): whatever the bytes, an id in
// X's range or a 400 problem naming a parameter, never a crash; `hidden` comes back only from
// a body holding that literal.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/action_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (std::string_view member : {"tweet_id", "target_user_id"}) {
    auto id = ParseIdBody(bytes, member);
    if (!id.ok()) {
      if (id.status().code() != StatusCode::kInvalidRequest || id.status().parameter_errors().empty()) std::abort();
      continue;
    }
    if (*id < 0) std::abort();  // X's ^[0-9]{1,19}$ within int64
  }
  auto hidden = ParseHiddenBody(bytes);
  if (!hidden.ok() && (hidden.status().code() != StatusCode::kInvalidRequest || hidden.status().parameter_errors().empty()))
    std::abort();
  if (hidden.ok() && bytes.find(*hidden ? "true" : "false") == std::string_view::npos) std::abort();
  return 0;
}
