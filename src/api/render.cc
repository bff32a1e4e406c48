#include "api/render.h"

#include <boost/json/parse.hpp>
#include <unordered_set>

#include "core/long_post.h"
#include "core/text.h"
#include "core/time_format.h"

namespace sluice {

namespace {

void Time(JsonWriter& w, std::string_view key, TimeMs t) {
  std::string s;
  AppendTime(s, t);
  w.Member(key, s);
}

// Mentioned usernames from a stored entities object (only for the mentions expansion).
std::vector<std::string> MentionedUsernames(const std::string& entities_json) {
  std::vector<std::string> out;
  if (entities_json.empty()) return out;
  boost::system::error_code ec;
  auto v = boost::json::parse(entities_json, ec);
  if (ec || !v.is_object()) return out;
  const auto* mentions = v.as_object().if_contains("mentions");
  if (!mentions || !mentions->is_array()) return out;
  for (const auto& m : mentions->as_array())
    if (const auto* name = m.is_object() ? m.as_object().if_contains("username") : nullptr; name && name->is_string())
      out.emplace_back(name->as_string());
  return out;
}

// A long post's whole text and its entities (X's note_tweet object).
void RenderNote(JsonWriter& w, std::string_view name, const StoredPost& sp) {
  w.Key(name);
  w.BeginObject();
  w.Member("text", sp.post.note_text);
  if (!sp.note_entities_json.empty()) {
    w.Key("entities");
    w.Raw(sp.note_entities_json);
  }
  w.EndObject();
}

void RenderErrors(JsonWriter& w, const std::vector<ResourceError>& errors) {
  if (errors.empty()) return;
  w.Key("errors");
  w.BeginArray();
  for (const auto& e : errors) {
    w.BeginObject();
    w.Member("value", e.value);
    w.Member("detail", ResourceErrorDetail(e));
    w.Member("title", e.title);
    w.Member("resource_type", e.resource_type);
    w.Member("parameter", e.parameter);
    w.Member("resource_id", e.value);
    w.Member("type", e.type);
    w.EndObject();
  }
  w.EndArray();
}

// Collects ids in first-seen order without duplicates.
struct IdList {
  std::vector<Id> ids;
  std::unordered_set<Id> seen;
  void Add(Id id) {
    if (seen.insert(id).second) ids.push_back(id);
  }
};

// Sets most_recent_tweet_id on each user when `f` asks for it: the user's newest post the
// store lists (live, and not a protected account's); a trap's author's newest trap.
Status FillMostRecentPosts(Store& store, std::vector<User>& users, const FieldSelection& f) {
  if (!f.Has(UserField::kMostRecentTweetId)) return Status::Ok();
  PageRequest newest;
  newest.limit = 1;
  for (auto& u : users) {
    if (u.synthetic) {
      // A trap's author posted its traps alone; whoever sees the author was delivered them.
      auto traps = store.FindTraps(0, TrapFilter{nullptr, u.id}, newest);
      if (!traps.ok()) return traps.status();
      if (!traps->empty()) u.most_recent_tweet_id = traps->front().id;
      continue;
    }
    auto rows = store.UserPosts(u.id, newest);
    if (!rows.ok()) return rows.status();
    if (!rows->empty()) u.most_recent_tweet_id = rows->front().post.id;
  }
  return Status::Ok();
}

Result<std::vector<User>> FetchUsers(Store& store, const std::vector<Id>& ids) {
  if (ids.empty()) return std::vector<User>();
  auto found = store.GetUsers(ids);
  if (!found.ok()) return found.status();
  std::vector<User> out;
  for (Id id : ids)
    for (auto& u : *found)
      if (u.id == id) out.push_back(std::move(u));
  return out;
}

// X's poll object: id and options always, the rest as poll.fields asks. voting_status is
// "open" until end_datetime, then "closed".
void RenderPoll(JsonWriter& w, const Poll& poll, const FieldSelection& f, TimeMs now) {
  w.BeginObject();
  w.MemberId("id", poll.id);
  w.Key("options");
  w.BeginArray();
  for (size_t i = 0; i < poll.options.size(); ++i) {
    w.BeginObject();
    w.MemberInt("position", int64_t(i + 1));
    w.Member("label", poll.options[i]);
    w.MemberInt("votes", i < poll.votes.size() ? poll.votes[i] : 0);
    w.EndObject();
  }
  w.EndArray();
  if (f.Has(PollField::kDurationMinutes)) w.MemberInt("duration_minutes", poll.duration_minutes);
  if (f.Has(PollField::kEndDatetime)) Time(w, "end_datetime", poll.end_datetime);
  if (f.Has(PollField::kVotingStatus)) w.Member("voting_status", now < poll.end_datetime ? "open" : "closed");
  w.EndObject();
}

struct PollIncludes {
  std::vector<Poll> polls;
  TimeMs now = 0;
};

void RenderIncludes(JsonWriter& w, const std::vector<User>& users, const std::vector<StoredPost>& posts,
                    const FieldSelection& f, const PollIncludes& polls = {}) {
  if (users.empty() && posts.empty() && polls.polls.empty()) return;
  w.Key("includes");
  w.BeginObject();
  if (!users.empty()) {
    w.Key("users");
    w.BeginArray();
    for (const auto& u : users) RenderUser(w, u, f);
    w.EndArray();
  }
  if (!posts.empty()) {
    w.Key("tweets");
    w.BeginArray();
    for (const auto& p : posts) RenderPost(w, p, IncludedPostFields(f));
    w.EndArray();
  }
  if (!polls.polls.empty()) {
    w.Key("polls");
    w.BeginArray();
    for (const auto& poll : polls.polls) RenderPoll(w, poll, f, polls.now);
    w.EndArray();
  }
  w.EndObject();
}

// Everything after `data`: includes, errors, meta; then closes the envelope.
void FinishEnvelope(JsonWriter& w, const std::vector<User>& users, const std::vector<StoredPost>& posts,
                    const FieldSelection& f, const std::vector<ResourceError>& errors, const MetaWriter& meta,
                    const PollIncludes& polls = {}) {
  RenderIncludes(w, users, posts, f, polls);
  RenderErrors(w, errors);
  if (meta) {
    w.Key("meta");
    meta(w);
  }
  w.EndObject();
}

}  // namespace

Result<std::vector<StoredPost>> FetchLivePosts(Store& store, const std::vector<Id>& ids, std::string_view parameter,
                                               std::vector<ResourceError>& errors) {
  std::vector<StoredPost> out;
  if (ids.empty()) return out;
  auto found = store.GetPosts(ids);
  if (!found.ok()) return found.status();
  IdList author_ids;
  for (const auto& p : *found) author_ids.Add(p.post.author_id);
  auto authors = store.GetUsers(author_ids.ids);
  if (!authors.ok()) return authors.status();
  std::unordered_set<Id> protected_authors;
  for (const auto& u : *authors)
    if (u.is_protected) protected_authors.insert(u.id);
  for (Id id : ids) {
    auto it = std::find_if(found->begin(), found->end(), [id](const StoredPost& p) { return p.post.id == id; });
    if (it == found->end() || it->post.deleted_at)
      errors.push_back({"tweet", std::string(parameter), std::to_string(id)});
    else if (protected_authors.count(it->post.author_id))
      errors.push_back(NotAuthorizedError("tweet", std::string(parameter), std::to_string(id)));
    else
      out.push_back(std::move(*it));
  }
  return out;
}

ResourceError NotAuthorizedError(std::string resource_type, std::string parameter, std::string value) {
  return {std::move(resource_type), std::move(parameter), std::move(value), "Authorization Error",
          "https://api.x.com/2/problems/not-authorized-for-resource"};
}

ResourceError SuspendedUserError(std::string parameter, std::string value) {
  return {"user", std::move(parameter), std::move(value), "Forbidden"};
}

std::string ResourceErrorDetail(const ResourceError& e) {
  if (e.title == "Forbidden" && e.resource_type == "user") return "User has been suspended: [" + e.value + "].";
  std::string with = " with " + e.parameter + ": [" + e.value + "].";
  if (e.title == "Authorization Error")
    return "Sorry, you are not authorized to see the " + (e.resource_type == "tweet" ? std::string("Tweet") : e.resource_type) + with;
  return "Could not find " + e.resource_type + with;
}

void RenderPost(JsonWriter& w, const StoredPost& sp, const FieldSelection& f) {
  const Post& p = sp.post;
  w.BeginObject();
  w.MemberId("id", p.id);
  w.Member("text", p.text);
  w.MemberIdArray("edit_history_tweet_ids", p.edit_history);
  if (f.Has(PostField::kAuthorId)) w.MemberId("author_id", p.author_id);
  if (f.Has(PostField::kCreatedAt)) Time(w, "created_at", p.created_at);
  if (f.Has(PostField::kConversationId)) w.MemberId("conversation_id", p.conversation_id);
  if (f.Has(PostField::kInReplyToUserId) && p.in_reply_to_user_id) w.MemberId("in_reply_to_user_id", *p.in_reply_to_user_id);
  if (f.Has(PostField::kLang)) w.Member("lang", p.lang);
  if (f.Has(PostField::kReferencedTweets) && !p.referenced.empty()) {
    w.Key("referenced_tweets");
    w.BeginArray();
    for (const auto& r : p.referenced) {
      w.BeginObject();
      w.Member("type", ReferenceTypeName(r.type));
      w.MemberId("id", r.id);
      w.EndObject();
    }
    w.EndArray();
  }
  if (f.Has(PostField::kEntities) && !sp.entities_json.empty()) {
    w.Key("entities");
    w.Raw(sp.entities_json);
  }
  if (f.Has(PostField::kPublicMetrics)) {
    w.Key("public_metrics");
    w.BeginObject();
    // Both names, same value: X's pages and clients read retweet_count, its OpenAPI document
    // (and the official SDK's types) require repost_count.
    w.MemberInt("retweet_count", p.metrics.retweet_count);
    w.MemberInt("repost_count", p.metrics.retweet_count);
    w.MemberInt("reply_count", p.metrics.reply_count);
    w.MemberInt("like_count", p.metrics.like_count);
    w.MemberInt("quote_count", p.metrics.quote_count);
    w.MemberInt("bookmark_count", p.metrics.bookmark_count);
    w.MemberInt("impression_count", p.metrics.impression_count);
    w.EndObject();
  }
  if (f.Has(PostField::kDisplayTextRange)) {
    // What a client shows: a reply's text after its leading @usernames (X's reply metadata).
    const size_t hidden = p.Reference(ReferenceType::kRepliedTo) ? ReplyMentionsBytes(p.text) : 0;
    w.Key("display_text_range");
    w.BeginArray();
    w.Int(CountCodePoints(std::string_view(p.text).substr(0, hidden)));
    w.Int(CountCodePoints(p.text));
    w.EndArray();
  }
  if (f.Has(PostField::kPossiblySensitive)) w.MemberBool("possibly_sensitive", false);
  if (f.Has(PostField::kReplySettings)) w.Member("reply_settings", ReplySettingsName(p.reply_settings));
  if (f.Has(PostField::kAttachments) && p.poll) {
    w.Key("attachments");
    w.BeginObject();
    w.MemberIdArray("poll_ids", std::vector<Id>{p.poll->id});
    w.EndObject();
  }
  if (f.Has(PostField::kPaidPartnership)) w.MemberBool("paid_partnership", p.paid_partnership);
  if (f.Has(PostField::kEditControls)) {
    w.Key("edit_controls");
    w.BeginObject();
    w.MemberInt("edits_remaining", 5 - int64_t(p.edit_history.size()) + 1);
    w.MemberBool("is_edit_eligible", false);
    Time(w, "editable_until", p.created_at + 3600 * 1000);
    w.EndObject();
  }
  if (f.Has(PostField::kSource) && !p.source.empty()) w.Member("source", p.source);
  if (!p.note_text.empty()) {
    // X's pages name it note_tweet, its OpenAPI document note_post: each under the name asked.
    if (f.Has(PostField::kNoteTweet)) RenderNote(w, "note_tweet", sp);
    if (f.Has(PostField::kNotePost)) RenderNote(w, "note_post", sp);
  }
  w.EndObject();
}

void RenderUser(JsonWriter& w, const User& u, const FieldSelection& f) {
  w.BeginObject();
  w.MemberId("id", u.id);
  w.Member("name", u.name);
  w.Member("username", u.username);
  if (f.Has(UserField::kCreatedAt)) Time(w, "created_at", u.created_at);
  if (f.Has(UserField::kDescription)) w.Member("description", u.description);
  if (f.Has(UserField::kLocation) && !u.location.empty()) w.Member("location", u.location);
  if (f.Has(UserField::kUrl)) w.Member("url", u.url);
  if (f.Has(UserField::kVerified)) w.MemberBool("verified", u.verified_type != VerifiedType::kNone);
  if (f.Has(UserField::kVerifiedType)) w.Member("verified_type", VerifiedTypeName(u.verified_type));
  if (f.Has(UserField::kProtected)) w.MemberBool("protected", u.is_protected);
  if (f.Has(UserField::kPinnedTweetId) && u.pinned_tweet_id) w.MemberId("pinned_tweet_id", *u.pinned_tweet_id);
  if (f.Has(UserField::kMostRecentTweetId) && u.most_recent_tweet_id) {
    // X's docs name it most_recent_tweet_id, its OpenAPI document most_recent_post_id: both.
    w.MemberId("most_recent_tweet_id", *u.most_recent_tweet_id);
    w.MemberId("most_recent_post_id", *u.most_recent_tweet_id);
  }
  // Sluice stores no pictures; X sends its default image for an account without its own.
  if (f.Has(UserField::kProfileImageUrl))
    w.Member("profile_image_url", "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png");
  if (f.Has(UserField::kPublicMetrics)) {
    w.Key("public_metrics");
    w.BeginObject();
    w.MemberInt("followers_count", u.metrics.followers_count);
    w.MemberInt("following_count", u.metrics.following_count);
    w.MemberInt("tweet_count", u.metrics.tweet_count);
    w.MemberInt("post_count", u.metrics.tweet_count);  // X's document's name; see repost_count
    w.MemberInt("listed_count", u.metrics.listed_count);
    w.MemberInt("like_count", u.metrics.like_count);
    w.MemberInt("media_count", 0);  // Sluice has no media
    w.EndObject();
  }
  if (f.Has(UserField::kEntities)) {
    // X's profile entities: the url field's link, and what the description holds (found the
    // way a post's are; a mention carries no user id, as in X's description entities).
    Entities description = ExtractEntities(u.description);
    for (auto& m : description.mentions) m.id.reset();
    Entities url;
    if (!u.url.empty()) url.urls = ExtractEntities(u.url).urls;
    if (!description.empty() || !url.empty()) {
      w.Key("entities");
      w.BeginObject();
      if (!url.empty()) {
        w.Key("url");
        w.Raw(EntitiesJson(url));
      }
      if (!description.empty()) {
        w.Key("description");
        w.Raw(EntitiesJson(description));
      }
      w.EndObject();
    }
  }
  if (f.Has(UserField::kLabels)) {
    w.Key("labels");
    w.BeginArray();
    for (const auto& l : u.labels) w.String(l);
    w.EndArray();
  }
  w.EndObject();
}

Result<ApiResponse> RenderPostsEnvelope(Store& store, TimeMs now, const std::vector<StoredPost>& posts, bool single,
                                        const FieldSelection& f, std::vector<ResourceError> errors,
                                        const MetaWriter& meta) {
  // Referenced posts first: their authors may be wanted too.
  std::vector<StoredPost> ref_posts, version_posts;
  bool want_refs = f.Has(Expansion::kReferencedTweetsId) || f.Has(Expansion::kReferencedTweetsIdAuthorId);
  if (want_refs) {
    IdList refs;
    for (const auto& p : posts)
      for (const auto& r : p.post.referenced) refs.Add(r.id);
    auto fetched = FetchLivePosts(store, refs.ids, "referenced_tweets.id", errors);
    if (!fetched.ok()) return fetched.status();
    ref_posts = std::move(*fetched);
  }
  if (f.Has(Expansion::kEditHistoryTweetIds)) {
    // The other versions of each edited post (X: expansions=edit_history_tweet_ids).
    IdList versions;
    for (const auto& p : posts) versions.seen.insert(p.post.id);
    if (f.Has(Expansion::kReferencedTweetsId))
      for (const auto& p : ref_posts) versions.seen.insert(p.post.id);
    for (const auto& p : posts)
      for (Id id : p.post.edit_history) versions.Add(id);
    auto fetched = FetchLivePosts(store, versions.ids, "edit_history_tweet_ids", errors);
    if (!fetched.ok()) return fetched.status();
    for (auto& p : *fetched) version_posts.push_back(std::move(p));
  }
  IdList user_ids;
  std::vector<std::string> usernames;
  for (const auto& p : posts) {
    if (f.Has(Expansion::kAuthorId)) user_ids.Add(p.post.author_id);
    if (f.Has(Expansion::kInReplyToUserId) && p.post.in_reply_to_user_id) user_ids.Add(*p.post.in_reply_to_user_id);
    if (f.Has(Expansion::kMentionsUsername))
      for (auto& name : MentionedUsernames(p.entities_json)) usernames.push_back(std::move(name));
  }
  if (f.Has(Expansion::kReferencedTweetsIdAuthorId))
    for (const auto& p : ref_posts) user_ids.Add(p.post.author_id);
  auto users = FetchUsers(store, user_ids.ids);
  if (!users.ok()) return users.status();
  if (!usernames.empty()) {
    auto mentioned = store.GetUsersByUsername(usernames);
    if (!mentioned.ok()) return mentioned.status();
    for (auto& u : *mentioned)
      if (user_ids.seen.insert(u.id).second) users->push_back(std::move(u));
  }
  if (Status s = FillMostRecentPosts(store, *users, f); !s.ok()) return s;
  if (!f.Has(Expansion::kReferencedTweetsId)) ref_posts.clear();
  PollIncludes polls{{}, now};
  if (f.Has(Expansion::kPollIds)) {
    IdList poll_ids;
    for (const auto& p : posts)
      if (p.post.poll) poll_ids.Add(p.post.poll->id);
    if (!poll_ids.ids.empty()) {
      auto found = store.GetPolls(poll_ids.ids);
      if (!found.ok()) return found.status();
      polls.polls = std::move(*found);
    }
  }
  for (auto& p : version_posts) ref_posts.push_back(std::move(p));

  const FieldSelection data_f = DataFields(f);
  JsonWriter w;
  w.BeginObject();
  if (single) {
    if (!posts.empty()) {
      w.Key("data");
      RenderPost(w, posts.front(), data_f);
    }
  } else if (!posts.empty() || meta) {
    // X omits `data` when a list is empty.
    if (!posts.empty()) {
      w.Key("data");
      w.BeginArray();
      for (const auto& p : posts) RenderPost(w, p, data_f);
      w.EndArray();
    }
  }
  FinishEnvelope(w, *users, ref_posts, f, errors, meta, polls);
  ApiResponse r = ApiResponse::Json(200, w.Take());
  r.delivered_posts.reserve(posts.size() + ref_posts.size());
  for (const auto& p : posts) r.delivered_posts.push_back(p.post.id);
  for (const auto& p : ref_posts) r.delivered_posts.push_back(p.post.id);
  for (const auto& u : *users) r.delivered_users.push_back(u.id);
  return r;
}

Result<ApiResponse> RenderUsersEnvelope(Store& store, const std::vector<User>& users, bool single,
                                        const FieldSelection& f, std::vector<ResourceError> errors,
                                        const MetaWriter& meta) {
  std::vector<User> filled;
  if (f.Has(UserField::kMostRecentTweetId)) {
    filled = users;
    if (Status s = FillMostRecentPosts(store, filled, f); !s.ok()) return s;
  }
  const std::vector<User>& shown = f.Has(UserField::kMostRecentTweetId) ? filled : users;
  std::vector<StoredPost> pinned;
  if (f.Has(Expansion::kPinnedTweetId)) {
    IdList ids;
    for (const auto& u : users)
      if (u.pinned_tweet_id) ids.Add(*u.pinned_tweet_id);
    auto fetched = FetchLivePosts(store, ids.ids, "pinned_tweet_id", errors);
    if (!fetched.ok()) return fetched.status();
    pinned = std::move(*fetched);
  }
  JsonWriter w;
  w.BeginObject();
  const FieldSelection data_f = DataFields(f);
  if (!users.empty()) {
    w.Key("data");
    if (single) {
      RenderUser(w, shown.front(), data_f);
    } else {
      w.BeginArray();
      for (const auto& u : shown) RenderUser(w, u, data_f);
      w.EndArray();
    }
  }
  FinishEnvelope(w, {}, pinned, f, errors, meta);
  ApiResponse r = ApiResponse::Json(200, w.Take());
  for (const auto& u : users) r.delivered_users.push_back(u.id);
  for (const auto& p : pinned) r.delivered_posts.push_back(p.post.id);
  return r;
}

}  // namespace sluice
