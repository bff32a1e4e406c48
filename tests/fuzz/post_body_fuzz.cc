// Fuzzes the JSON body of POST /2/tweets: whatever the bytes, ParsePostBody returns a post
// or a 400 problem naming the member, never crashes; a post it returns has non-empty valid
// UTF-8 text within the limit, and at most one reply and one quote reference.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/post_body.h"
#include "core/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  constexpr int64_t kMaxChars = 280;
  auto post = ParsePostBody(std::string_view(reinterpret_cast<const char*>(data), size), kMaxChars);
  if (!post.ok()) {
    if (post.status().code() != sluice::StatusCode::kInvalidRequest) std::abort();
    return 0;
  }
  if (post->text.empty() || !IsValidUtf8(post->text) || CountCodePoints(post->text) > kMaxChars) std::abort();
  int replies = 0, quotes = 0;
  for (const auto& ref : post->referenced) {
    replies += ref.type == ReferenceType::kRepliedTo;
    quotes += ref.type == ReferenceType::kQuoted;
  }
  if (replies > 1 || quotes > 1) std::abort();
  return 0;
}
