// Fuzzes the JSON body of POST /2/tweets: whatever the bytes, ParsePostBody returns a post
// or a 400 problem naming the member, never crashes; a post it returns has non-empty valid
// UTF-8 text in NFC within the weighted limit, and at most one reply and one quote reference.
// The bytes themselves, when valid UTF-8, are weighed too (raw and normalised): a weighted
// length is 0 only for empty text, and at most 23 per code point (a url of >= 4 code points
// counts 23; anything else at most 2 per code point). Its language is detected without a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/post_body.h"
#include "core/language.h"
#include "core/text.h"
#include "core/weighted_length.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  constexpr int64_t kMaxChars = 280;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto check_weight = [](std::string_view text) {
    int64_t w = WeightedLength(text), cps = CountCodePoints(text);
    if (w < 0 || (w == 0) != text.empty() || w > 23 * cps) std::abort();
    return w;
  };
  if (IsValidUtf8(bytes)) {
    check_weight(bytes);
    std::string nfc = NormalizeNfc(bytes);
    if (!IsValidUtf8(nfc) || NormalizeNfc(nfc) != nfc) std::abort();
    check_weight(nfc);
  }
  auto post = ParsePostBody(bytes, kMaxChars);
  if (!post.ok()) {
    if (post.status().code() != sluice::StatusCode::kInvalidRequest) std::abort();
    return 0;
  }
  if (post->text.empty() || !IsValidUtf8(post->text) || NormalizeNfc(post->text) != post->text ||
      check_weight(post->text) > kMaxChars)
    std::abort();
  int replies = 0, quotes = 0;
  for (const auto& ref : post->referenced) {
    replies += ref.type == ReferenceType::kRepliedTo;
    quotes += ref.type == ReferenceType::kQuoted;
  }
  if (replies > 1 || quotes > 1) std::abort();
  // The language detected for it is a tag: "und" or 2 lower-case letters.
  std::string_view lang = DetectLanguage(post->text, ExtractEntities(post->text));
  if (lang != "und" && (lang.size() != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z')) std::abort();
  return 0;
}
