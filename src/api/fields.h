#pragma once
//! Field and expansion selection (`tweet.fields`, `user.fields`, `expansions`): X's full
//! vocabularies are accepted; values Sluice has no data for are accepted and render nothing
//! (docs/api.md lists them). Unknown values are a 400 in X's wording.

#include <cstdint>
#include <string_view>

#include "api/params.h"

namespace sluice {

enum class PostField : uint32_t {
  kAuthorId, kCreatedAt, kConversationId, kInReplyToUserId, kLang, kPublicMetrics, kReferencedTweets, kEntities,
  kPossiblySensitive, kReplySettings, kEditControls, kSource,
  kAttachments, kPaidPartnership,  // create-post options (issue 12, item 5)
  kNoteTweet, kNotePost,  // one long-post field under X's two names: each renders under its own
  kDisplayTextRange,
};
enum class UserField : uint32_t {
  kCreatedAt, kDescription, kLocation, kUrl, kVerified, kVerifiedType, kProtected, kPublicMetrics, kPinnedTweetId,
  kLabels, kMostRecentTweetId, kProfileImageUrl, kEntities,
};
enum class Expansion : uint32_t {
  kAuthorId, kReferencedTweetsId, kReferencedTweetsIdAuthorId, kInReplyToUserId, kMentionsUsername, kPinnedTweetId,
  kPollIds,  // attachments.poll_ids
  kEditHistoryTweetIds,
};
//! poll.fields beyond the defaults (id and options, always sent, as X does).
enum class PollField : uint32_t { kDurationMinutes, kEndDatetime, kVotingStatus };

struct FieldSelection {
  uint32_t post = 0;
  uint32_t user = 0;
  uint32_t expansions = 0;
  uint32_t poll = 0;

  bool Has(PostField f) const { return post & (1u << uint32_t(f)); }
  bool Has(PollField f) const { return poll & (1u << uint32_t(f)); }
  bool Has(UserField f) const { return user & (1u << uint32_t(f)); }
  bool Has(Expansion e) const { return expansions & (1u << uint32_t(e)); }
};

enum class PrimaryResource { kPosts, kUsers };

//! Reads tweet.fields (or post.fields, X's current name; both given: their union), user.fields,
//! poll.fields and expansions; the expansion vocabulary depends on whether the endpoint returns posts or
//! users. The current names select the same data as the old ones and it renders under the
//! names X's responses use (docs/api.md).
Result<FieldSelection> ParseFieldSelection(const Params& params, PrimaryResource primary);

//! The selection for the primary objects (`data`): the asked-for fields plus the field each
//! expansion links by, as X sends it even when tweet.fields/user.fields omit it (X's
//! expansions page): author_id, referenced_tweets (both referenced_tweets.id expansions),
//! in_reply_to_user_id, entities (entities.mentions.username), pinned_tweet_id, attachments
//! (attachments.poll_ids).
FieldSelection DataFields(const FieldSelection& f);
//! The selection for posts in `includes.tweets`: referenced_tweets.id.author_id links them
//! to their authors in includes.users, so they carry author_id.
FieldSelection IncludedPostFields(const FieldSelection& f);

}  // namespace sluice
