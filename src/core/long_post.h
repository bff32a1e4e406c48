#pragma once
//! Long posts ("note tweets"): a post over 280 weighted characters is served as X serves it,
//! `text` cut to X's limit and the whole text, with its entities, in `note_tweet`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/types.h"

namespace sluice {

//! X's limit on `text`, in weighted characters (WeightedLength).
inline constexpr int64_t kMaxPostWeight = 280;

//! Where X cuts a long post's `text`: nullopt when valid UTF-8 `text` weighs at most 280
//! (WeightedLength of its NFC form), else the byte length of the cut. X serves the longest
//! prefix that ends before a white space and weighs at most 280, without its trailing white
//! space and with no ellipsis (a post of 283 Latin letters comes back as its first 270, up
//! to the word that would pass 280: xdevplatform/samples#202). When the first word alone
//! passes 280, the cut falls after the last whole character (an emoji sequence is kept
//! whole) that fits. The cut text is a prefix of the whole text, so a leak of either holds it.
std::optional<size_t> LongPostCut(std::string_view text);

//! The same cut for another limit: nullopt when `text` weighs at most `max_weight`, else the
//! byte length of the longest prefix X's rule above keeps within it (0 when none does).
std::optional<size_t> CutToWeight(std::string_view text, int64_t max_weight);

//! The entities of `all` that lie wholly within the first `code_points` code points: those
//! of a cut text.
Entities EntitiesWithin(const Entities& all, int64_t code_points);

//! The bytes of the @usernames `text` starts with, each followed by spaces ("@a @b hi" -> 6):
//! a reply's metadata, which X leaves out of its length.
size_t ReplyMentionsBytes(std::string_view text);

//! Makes `post` a long post when its text (with its entities; a reply's leading @usernames
//! left out) weighs over 280: note_text and note_entities take the whole text and its
//! entities, text and entities X's cut. Returns whether it did; a post that fits is left as
//! it is.
bool MakeLongPost(Post& post);

}  // namespace sluice
