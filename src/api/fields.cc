#include "api/fields.h"

#include <optional>

#include "core/parse.h"

namespace sluice {

namespace {

// Name -> bit, or nullopt for a value X defines that Sluice accepts without data.
struct Vocabulary {
  std::string_view name;
  std::optional<uint32_t> bit;
};

constexpr std::optional<uint32_t> B(auto e) { return uint32_t(e); }
constexpr std::optional<uint32_t> kNoData = std::nullopt;

constexpr Vocabulary kPostFields[] = {
    {"article", kNoData}, {"article_title", kNoData}, {"attachments", B(PostField::kAttachments)}, {"author_id", B(PostField::kAuthorId)},
    {"card_uri", kNoData}, {"community_id", kNoData}, {"context_annotations", kNoData},
    {"conversation_id", B(PostField::kConversationId)}, {"created_at", B(PostField::kCreatedAt)},
    {"display_text_range", B(PostField::kDisplayTextRange)}, {"edit_controls", B(PostField::kEditControls)},
    {"edit_history_tweet_ids", kNoData},  // always sent
    {"entities", B(PostField::kEntities)}, {"geo", kNoData}, {"id", kNoData},
    {"in_reply_to_user_id", B(PostField::kInReplyToUserId)}, {"lang", B(PostField::kLang)},
    {"matched_media_notes", kNoData}, {"media_metadata", kNoData}, {"non_public_metrics", kNoData},
    {"note_post", B(PostField::kNotePost)}, {"note_request_suggestions", kNoData},
    {"note_tweet", B(PostField::kNoteTweet)},
    {"organic_metrics", kNoData}, {"paid_partnership", B(PostField::kPaidPartnership)},
    {"possibly_sensitive", B(PostField::kPossiblySensitive)},
    {"promoted_metrics", kNoData}, {"public_metrics", B(PostField::kPublicMetrics)},
    {"referenced_tweets", B(PostField::kReferencedTweets)}, {"reply_settings", B(PostField::kReplySettings)},
    {"scopes", kNoData}, {"source", B(PostField::kSource)}, {"suggested_source_links", kNoData},
    {"suggested_source_links_with_counts", kNoData}, {"text", kNoData}, {"withheld", kNoData},
};

constexpr Vocabulary kUserFields[] = {
    {"affiliation", kNoData}, {"confirmed_email", kNoData}, {"connection_status", kNoData},
    {"created_at", B(UserField::kCreatedAt)}, {"description", B(UserField::kDescription)}, {"entities", B(UserField::kEntities)},
    {"id", kNoData}, {"is_identity_verified", kNoData},
    {"labels", B(UserField::kLabels)},  // Sluice extension: state-affiliated-media, government-funded...
    {"location", B(UserField::kLocation)}, {"most_recent_tweet_id", B(UserField::kMostRecentTweetId)}, {"name", kNoData},
    {"parody", kNoData},
    {"pinned_tweet_id", B(UserField::kPinnedTweetId)}, {"profile_banner_url", kNoData},
    {"profile_image_url", B(UserField::kProfileImageUrl)}, {"protected", B(UserField::kProtected)},
    {"public_metrics", B(UserField::kPublicMetrics)}, {"receives_your_dm", kNoData},
    {"subscribes_to_you", kNoData}, {"subscription", kNoData}, {"subscription_type", kNoData},
    {"url", B(UserField::kUrl)}, {"username", kNoData}, {"verified", B(UserField::kVerified)},
    {"verified_followers_count", kNoData}, {"verified_type", B(UserField::kVerifiedType)}, {"withheld", kNoData},
};

// X's documentation pages' names and its OpenAPI document's (v2.167) current ones, which
// select the same data: referenced_posts = referenced_tweets.id, edit_history_post_ids =
// edit_history_tweet_ids, pinned_post_id = pinned_tweet_id. The document's post expansion
// `username` has no description and no data here.
constexpr Vocabulary kPostExpansions[] = {
    {"article.cover_media", kNoData}, {"article.media_entities", kNoData}, {"attachments.media_keys", kNoData},
    {"attachments.media_source_tweet", kNoData}, {"attachments.poll_ids", B(Expansion::kPollIds)},
    {"author_id", B(Expansion::kAuthorId)}, {"edit_history_post_ids", B(Expansion::kEditHistoryTweetIds)},
    {"edit_history_tweet_ids", B(Expansion::kEditHistoryTweetIds)},
    {"entities.mentions.username", B(Expansion::kMentionsUsername)}, {"geo.place_id", kNoData},
    {"in_reply_to_user_id", B(Expansion::kInReplyToUserId)}, {"referenced_posts", B(Expansion::kReferencedTweetsId)},
    {"referenced_tweets.id", B(Expansion::kReferencedTweetsId)},
    {"referenced_tweets.id.author_id", B(Expansion::kReferencedTweetsIdAuthorId)}, {"username", kNoData},
};

constexpr Vocabulary kPollFields[] = {
    {"duration_minutes", B(PollField::kDurationMinutes)}, {"end_datetime", B(PollField::kEndDatetime)},
    {"id", kNoData},       // always sent
    {"options", kNoData},  // always sent
    {"voting_status", B(PollField::kVotingStatus)},
};

constexpr Vocabulary kUserExpansions[] = {
    {"affiliation", kNoData}, {"affiliation.user_id", kNoData}, {"most_recent_post_id", kNoData},
    {"most_recent_tweet_id", kNoData}, {"pinned_post_id", B(Expansion::kPinnedTweetId)},
    {"pinned_tweet_id", B(Expansion::kPinnedTweetId)},
};

template <size_t N>
Result<uint32_t> ParseList(const Params& params, std::string_view name, const Vocabulary (&vocab)[N]) {
  auto value = params.Get(name);
  if (!value) return 0u;
  uint32_t bits = 0;
  for (std::string_view item : SplitCommaList(*value)) {
    const Vocabulary* found = nullptr;
    for (const auto& v : vocab)
      if (v.name == item) found = &v;
    if (!found) {
      std::string list;
      for (const auto& v : vocab) list += (list.empty() ? "" : ",") + std::string(v.name);
      return InvalidRequest(std::string(name), std::string(item),
                            "The `" + std::string(name) + "` query parameter value [" + std::string(item) +
                                "] is not one of [" + list + "]");
    }
    if (found->bit) bits |= 1u << *found->bit;
  }
  return bits;
}

}  // namespace

Result<FieldSelection> ParseFieldSelection(const Params& params, PrimaryResource primary) {
  FieldSelection s;
  auto post = ParseList(params, "tweet.fields", kPostFields);
  if (!post.ok()) return post.status();
  auto post_current = ParseList(params, "post.fields", kPostFields);
  if (!post_current.ok()) return post_current.status();
  auto user = ParseList(params, "user.fields", kUserFields);
  if (!user.ok()) return user.status();
  auto exp = primary == PrimaryResource::kPosts ? ParseList(params, "expansions", kPostExpansions)
                                                : ParseList(params, "expansions", kUserExpansions);
  if (!exp.ok()) return exp.status();
  auto poll = ParseList(params, "poll.fields", kPollFields);
  if (!poll.ok()) return poll.status();
  s.poll = *poll;
  s.post = *post | *post_current;
  s.user = *user;
  s.expansions = *exp;
  return s;
}

namespace {
constexpr uint32_t Bit(auto e) { return 1u << uint32_t(e); }
}  // namespace

FieldSelection DataFields(const FieldSelection& f) {
  FieldSelection out = f;
  if (f.Has(Expansion::kAuthorId)) out.post |= Bit(PostField::kAuthorId);
  if (f.Has(Expansion::kReferencedTweetsId) || f.Has(Expansion::kReferencedTweetsIdAuthorId))
    out.post |= Bit(PostField::kReferencedTweets);
  if (f.Has(Expansion::kInReplyToUserId)) out.post |= Bit(PostField::kInReplyToUserId);
  if (f.Has(Expansion::kMentionsUsername)) out.post |= Bit(PostField::kEntities);
  if (f.Has(Expansion::kPinnedTweetId)) out.user |= Bit(UserField::kPinnedTweetId);
  if (f.Has(Expansion::kPollIds)) out.post |= Bit(PostField::kAttachments);
  return out;
}

FieldSelection IncludedPostFields(const FieldSelection& f) {
  FieldSelection out = f;
  if (f.Has(Expansion::kReferencedTweetsIdAuthorId)) out.post |= Bit(PostField::kAuthorId);
  return out;
}

}  // namespace sluice
