// Fuzzes the JSON body of POST /2/tweets: whatever the bytes, ParsePostBody returns a post
// or a 400 problem naming the member (a 403 only for for_super_followers_only), never
// crashes; a post it returns has non-empty valid UTF-8 text in NFC within the weighted limit,
// at most one reply and one quote reference, and a poll only within X's bounds (2-4 options
// of 1-25 characters in NFC, one vote count each, 5-10080 minutes) and never with a quote.
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
#include "core/long_post.h"
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
    // X's cut of a long post: a prefix of valid UTF-8 weighing at most 280, only for text over it.
    if (auto cut = LongPostCut(nfc)) {
      std::string_view kept = std::string_view(nfc).substr(0, *cut);
      if (*cut >= nfc.size() || !IsValidUtf8(kept) || WeightedLength(kept) > 280 || WeightedLength(nfc) <= 280)
        std::abort();
    } else if (WeightedLength(nfc) > 280) {
      std::abort();
    }
  }
  auto post = ParsePostBody(bytes, kMaxChars);
  if (!post.ok()) {
    const auto code = post.status().code();
    if (code == StatusCode::kForbidden && bytes.find("for_super_followers_only") != std::string_view::npos) return 0;
    if (code != StatusCode::kInvalidRequest || post.status().parameter_errors().empty()) std::abort();
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
  if (const auto& poll = post->poll) {
    if (quotes || poll->options.size() < 2 || poll->options.size() > 4 || poll->votes.size() != poll->options.size() ||
        poll->duration_minutes < 5 || poll->duration_minutes > 10080)
      std::abort();
    for (const auto& label : poll->options) {
      int64_t chars = CountCodePoints(label);
      if (chars < 1 || chars > 25 || !IsValidUtf8(label) || NormalizeNfc(label) != label) std::abort();
    }
  }
  return 0;
}
