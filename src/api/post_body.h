#pragma once
//! The JSON body of POST /2/tweets: {"text": ..., "reply": {"in_reply_to_tweet_id": ...},
//! "quote_tweet_id": ...}, as X takes it (the members Sluice supports).

#include <cstdint>
#include <string_view>

#include "core/result.h"
#include "core/types.h"

namespace sluice {

//! The post the body asks for: text and references only (id, author and the rest are the
//! caller's). Any body at all gives a post or a 400 InvalidRequest naming the member: not a
//! JSON object, an unknown member, a member of the wrong type, an id that is not a string of
//! digits, a missing or empty text, text that is not UTF-8 or longer than `max_chars` as X
//! counts it (WeightedLength of its NFC form: a url 23, CJK and emoji 2). The post's text is
//! the NFC form. Never throws.
Result<Post> ParsePostBody(std::string_view body, int64_t max_chars);

}  // namespace sluice
