#pragma once
//! Domain types shared by every subsystem. Plain values, no behaviour; ids are snowflakes,
//! times are milliseconds since the Unix epoch (UTC).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

using Id = int64_t;
using TimeMs = int64_t;

enum class VerifiedType { kNone, kBlue, kBusiness, kGovernment };
std::string_view VerifiedTypeName(VerifiedType t);
std::optional<VerifiedType> ParseVerifiedType(std::string_view s);

struct UserMetrics {
  int64_t followers_count = 0;
  int64_t following_count = 0;
  int64_t tweet_count = 0;
  int64_t listed_count = 0;
  int64_t like_count = 0;
};

struct User {
  Id id = 0;
  std::string username;
  std::string name;
  std::string description;
  std::string location;
  std::string url;
  TimeMs created_at = 0;
  VerifiedType verified_type = VerifiedType::kNone;
  bool is_protected = false;
  std::vector<std::string> labels;  // e.g. state-affiliated-media, government-funded
  UserMetrics metrics;
  std::optional<Id> pinned_tweet_id;
  bool synthetic = false;  // a trap record's author: never a real person, never looked up
  // States an operator sets (Store::ApplyComplianceEvent; issue 16).
  std::optional<TimeMs> suspended_at;    // suspended since
  std::optional<TimeMs> deactivated_at;  // deleted (deactivated) since
  std::vector<std::string> withheld_in_countries;
  Id geo_scrubbed_up_to = 0;             // scrub_geo: the geo of its posts up to this id is gone
  // Not stored: the API fills it when user.fields asks for most_recent_tweet_id.
  std::optional<Id> most_recent_tweet_id;
};

//! An entity span in a post's text. start/end count Unicode code points, end exclusive,
//! as X counts them.
struct Span {
  int32_t start = 0;
  int32_t end = 0;
};
struct HashtagEntity { Span span; std::string tag; };      // tag without '#'
struct CashtagEntity { Span span; std::string tag; };      // tag without '$'
struct MentionEntity { Span span; std::string username; std::optional<Id> id; };
struct UrlEntity {
  Span span;
  std::string url;           // as written in the text
  std::string expanded_url;  // with scheme
  std::string display_url;   // without scheme, as X shows it
};
struct Entities {
  std::vector<HashtagEntity> hashtags;
  std::vector<CashtagEntity> cashtags;
  std::vector<MentionEntity> mentions;
  std::vector<UrlEntity> urls;
  bool empty() const { return hashtags.empty() && cashtags.empty() && mentions.empty() && urls.empty(); }
};

struct PostMetrics {
  int64_t retweet_count = 0;
  int64_t reply_count = 0;
  int64_t like_count = 0;
  int64_t quote_count = 0;
  int64_t bookmark_count = 0;
  int64_t impression_count = 0;
};

enum class ReferenceType { kRepliedTo, kQuoted, kRetweeted };
std::string_view ReferenceTypeName(ReferenceType t);

struct ReferencedPost {
  ReferenceType type;
  Id id;
};

// ---- create-post options (POST /2/tweets body; issue 12, item 5) ----

//! Who may reply to a post: X's `reply_settings` values ("everyone" when the body sets none).
enum class ReplySettings { kEveryone, kFollowing, kMentionedUsers, kSubscribers, kVerified };
std::string_view ReplySettingsName(ReplySettings r);
//! X's names ("following", "mentionedUsers", ...); nullopt for any other (case-sensitive, as X).
std::optional<ReplySettings> ParseReplySettings(std::string_view s);

//! A poll attached to a post. Options are in position order (position = index + 1).
struct Poll {
  Id id = 0;
  std::vector<std::string> options;  // 2-4 labels, 1-25 characters each
  std::vector<int64_t> votes;        // one per option (0 for a new poll)
  int32_t duration_minutes = 0;      // 5-10080
  TimeMs end_datetime = 0;           // the post's created_at + duration
};

struct Post {
  Id id = 0;
  Id author_id = 0;
  std::string text;
  TimeMs created_at = 0;
  std::string lang;  // BCP 47 tag as X gives it ("en", "fr"), or "und"
  Id conversation_id = 0;
  std::optional<Id> in_reply_to_user_id;
  std::vector<ReferencedPost> referenced;
  Entities entities;
  PostMetrics metrics;
  std::vector<Id> edit_history;  // oldest first; {id} for a post never edited
  // A long post (over 280 weighted characters, core/long_post.h): its whole text and that
  // text's entities, `text` and `entities` then holding X's cut of it. Empty otherwise.
  std::string note_text;
  Entities note_entities;
  std::string source;            // the app that wrote it, if written through the API
  std::optional<TimeMs> deleted_at;
  std::vector<std::string> withheld_in_countries;  // set by an operator (Store::ApplyComplianceEvent)
  // Create-post options (issue 12, item 5).
  ReplySettings reply_settings = ReplySettings::kEveryone;
  bool made_with_ai = false;      // stored; X's post object has no field for it
  bool paid_partnership = false;
  bool nullcast = false;          // promoted-only: public, but not in the author's timeline
  //! The attached poll. On write (a new post) the whole poll; on read (Store::GetPosts and the
  //! lists) only its id: the rest is read by Store::GetPolls when asked for.
  std::optional<Poll> poll;

  //! An earlier version of an edited post: served when asked for by id, never listed.
  bool IsEarlierVersion() const { return !edit_history.empty() && edit_history.back() != id; }

  std::optional<Id> Reference(ReferenceType t) const {
    for (const auto& r : referenced)
      if (r.type == t) return r.id;
    return std::nullopt;
  }
};

//! An API client. Its bearer token is stored only as a SHA-256 hash.
struct App {
  Id id = 0;
  Id project_id = 0;
  std::string name;
  std::string plan;
  std::vector<std::string> uses;
  Id user_id = 0;  // the account the app posts as
  TimeMs created_at = 0;
};

}  // namespace sluice
