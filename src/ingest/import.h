#pragma once
//! Import of posts and users saved by an X API v2 client, one JSON object per line (JSONL),
//! into a WriteBatch for Store::Apply.

#include <istream>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace sluice {

//! Reads `in` line by line. Each non-blank line is one JSON object: a post (has "text" and "id"), a user
//! (has "username"), a like or a follow (an entry of X's account archive with its owner named:
//! {"like": {"user_id": A, "tweetId": P}}, {"following": {"user_id": A, "accountId": B}} for A follows B,
//! {"follower": {"user_id": A, "accountId": B}} for B follows A), or an X response envelope {"data": obj|[objs], "includes": {"users": [...], "tweets": [...]}}.
//! Post fields read: id, text, author_id, created_at, lang, conversation_id, in_reply_to_user_id,
//! referenced_tweets[{type,id}], public_metrics, edit_history_tweet_ids (or edit_history_post_ids), note_tweet (or
//! note_post) {text}; entities are recomputed from text with ExtractEntities (mention ids resolved later by the store).
//! A long post: with note_tweet, `text` (X's cut) and note_tweet.text are kept as given; a `text` over 280 weighted
//! characters without it is cut as X cuts (MakeLongPost). An earlier version of an edited post is a post whose
//! edit_history_tweet_ids ends with another id (X's expansions=edit_history_tweet_ids puts them in includes.tweets);
//! the list must hold the post's own id. User fields: id, username, name, description, location, url, created_at,
//! verified_type (or verified:true -> blue), protected, public_metrics, labels (Sluice extension, array of strings).
//! Missing created_at: derived from the snowflake id (SnowflakeTime). Missing conversation_id: own id (or parent's if known).
//! On the first bad line: a CommandError "FILE:LINE: <why>" (bad JSON, missing id/text, id not a 1-19 digit string, bad time, text not valid UTF-8, username invalid) and nothing is returned.
//!
//! Details of the contract:
//! - An envelope is an object with any of "data", "includes", "meta", "errors"; one without
//!   "data" (an empty search page) adds nothing. Other kinds of includes (media...) are ignored.
//! - A post also needs author_id (a post without an author cannot be served). Every id is a
//!   decimal string of 1-19 digits, within int64 and not 0.
//! - The same id twice as a primary object (a bare line or an envelope's "data") is an error
//!   naming both lines. Objects under "includes" are reference copies: ignored when the id is
//!   already known, replaced by a later primary object with the same id. Two users with the
//!   same username (case-insensitive) and different ids are an error.
//! - Strings must be valid UTF-8 (JSON escapes included); a leading UTF-8 byte-order mark and
//!   CR line endings are accepted. Users come out in file order, then posts in file order,
//!   follows and likes in file order (the same edge twice is stored once; an edge may name
//!   users or posts that are not in the file: the store lists only those it holds).
//! Never throws.
Result<WriteBatch> ImportJsonl(std::istream& in, const std::string& file_name);

}  // namespace sluice
