#pragma once
//! The JSON body of POST /2/tweets, as X takes it (its OpenAPI document's TweetCreateRequest):
//! text, reply (in_reply_to_tweet_id, exclude_reply_user_ids, auto_populate_reply_metadata),
//! quote_tweet_id, reply_settings, poll, made_with_ai, paid_partnership, nullcast,
//! share_with_followers, for_super_followers_only, media and geo. docs/api.md says what each
//! does in Sluice.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace sluice {

//! The longest a poll can run, and the shortest (X: 5 minutes to 7 days).
inline constexpr int32_t kPollMinMinutes = 5;
inline constexpr int32_t kPollMaxMinutes = 10080;
//! Options a poll has (2-4) and characters (code points, NFC) an option has (1-25).
inline constexpr size_t kPollMinOptions = 2;
inline constexpr size_t kPollMaxOptions = 4;
inline constexpr int64_t kPollOptionMaxChars = 25;

//! The post the body asks for: text, references, reply settings, disclosures, nullcast and the
//! poll (options and duration: its id and end are the caller's, as are the post's id, author
//! and the rest). Any body at all gives a post or an error naming the member:
//! - 400 InvalidRequest: not a JSON object, an unknown member, a member of the wrong JSON type,
//!   an id that is not a string of digits, a missing or empty text, text that is not UTF-8 or
//!   longer than `max_chars` as X counts it (WeightedLength of its NFC form: a url 23, CJK and
//!   emoji 2), a reply_settings not in X's enum, a poll with fewer than 2 or more than 4
//!   options, an option empty or past 25 characters, a duration outside 5-10080 minutes, a
//!   poll with a quote (X: mutually exclusive); and, X's problem for an unknown media id / an
//!   unknown place, any media.media_ids or geo.place_id (Sluice holds no media and no places);
//! - 403 Forbidden (without a resource: the caller names the posting account):
//!   for_super_followers_only true (Sluice has no Super Follows).
//! The post's text and poll options are their NFC form. `exclude_reply_user_ids`, when given,
//! receives reply.exclude_reply_user_ids (the caller builds the reply's @mentions prefix,
//! reply_metadata.h; reply.auto_populate_reply_metadata is validated and, as X's document
//! says, dropped: the prefix is always made). Never throws.
Result<Post> ParsePostBody(std::string_view body, int64_t max_chars, std::vector<Id>* exclude_reply_user_ids = nullptr);

}  // namespace sluice
