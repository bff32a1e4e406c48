#include "core/long_post.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/text.h"
#include "core/text_chars.h"
#include "core/weighted_length.h"

namespace sluice {

namespace {

using text_internal::Decode;
using text_internal::IsSpace;

int64_t Weigh(std::string_view prefix) { return WeightedLength(NormalizeNfc(prefix)); }

// The largest of `candidates` (byte offsets, ascending) whose prefix weighs at most the
// limit, found by bisection: weight grows with the prefix at these cuts. nullopt if none.
std::optional<size_t> LastFitting(std::string_view text, const std::vector<size_t>& candidates, int64_t max_weight) {
  size_t lo = 0, hi = candidates.size();  // answer in [lo, hi): the first that does not fit
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (Weigh(text.substr(0, candidates[mid])) <= max_weight) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return std::nullopt;
  return candidates[lo - 1];
}

}  // namespace

std::optional<size_t> LongPostCut(std::string_view text) { return CutToWeight(text, kMaxPostWeight); }

std::optional<size_t> CutToWeight(std::string_view text, int64_t max_weight) {
  if (Weigh(text) <= max_weight) return std::nullopt;
  auto decoded = Decode(text);
  const auto& cps = decoded.cps;
  const auto& offsets = decoded.offsets;
  // Word ends: the offset of each white space that follows a non-space (a URL never holds a
  // space, so each is whole on one side; a prefix is normalised the same alone or in the text).
  std::vector<size_t> word_ends;
  for (size_t i = 1; i < cps.size(); ++i)
    if (IsSpace(cps[i]) && !IsSpace(cps[i - 1])) word_ends.push_back(offsets[i]);
  if (auto cut = LastFitting(text, word_ends, max_weight)) return cut;
  // One word longer than the limit: after whole characters, emoji sequences kept whole.
  std::vector<size_t> char_ends;
  for (size_t i = 0; i < cps.size();) {
    size_t end = std::max(EmojiSequenceEnd(cps, i), i + 1);
    if (end < cps.size()) char_ends.push_back(offsets[end]);
    i = end;
  }
  return LastFitting(text, char_ends, max_weight).value_or(0);
}

Entities EntitiesWithin(const Entities& all, int64_t code_points) {
  Entities out;
  auto within = [&](const Span& s) { return s.end <= code_points; };
  for (const auto& e : all.hashtags)
    if (within(e.span)) out.hashtags.push_back(e);
  for (const auto& e : all.cashtags)
    if (within(e.span)) out.cashtags.push_back(e);
  for (const auto& e : all.mentions)
    if (within(e.span)) out.mentions.push_back(e);
  for (const auto& e : all.urls)
    if (within(e.span)) out.urls.push_back(e);
  return out;
}

size_t ReplyMentionsBytes(std::string_view text) {
  size_t end = 0, i = 0;
  while (i < text.size() && text[i] == '@') {
    size_t j = i + 1;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
    if (j == i + 1 || j == text.size() || text[j] != ' ') break;
    while (j < text.size() && text[j] == ' ') ++j;
    end = i = j;
  }
  return end;
}

bool MakeLongPost(Post& post) {
  // A reply's leading @usernames (X's reply metadata) are outside the limit, as on X.
  const size_t prefix = post.Reference(ReferenceType::kRepliedTo) ? ReplyMentionsBytes(post.text) : 0;
  auto cut = LongPostCut(std::string_view(post.text).substr(prefix));
  if (!cut) return false;
  post.note_text = std::move(post.text);
  post.note_entities = std::move(post.entities);
  post.text = post.note_text.substr(0, prefix + *cut);
  post.entities = EntitiesWithin(post.note_entities, CountCodePoints(post.text));
  return true;
}

}  // namespace sluice
