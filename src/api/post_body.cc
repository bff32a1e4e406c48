#include "api/post_body.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/params.h"
#include "core/text.h"
#include "core/weighted_length.h"

namespace sluice {

namespace {

namespace json = boost::json;

constexpr std::string_view kSupported =
    "text, reply, quote_tweet_id, reply_settings, poll, made_with_ai, paid_partnership, nullcast, share_with_followers, "
    "for_super_followers_only, media, geo";

Status TypeError(std::string_view name, std::string_view what) {
  return InvalidRequest(std::string(name), "", "`" + std::string(name) + "` must be " + std::string(what));
}

Result<Id> IdField(const json::value& v, std::string_view name) {
  if (!v.is_string()) return TypeError(name, "a string of digits");
  return ParseIdValue(name, std::string_view(v.as_string()));
}

Result<bool> BoolField(const json::value& v, std::string_view name) {
  if (!v.is_bool()) return TypeError(name, "true or false");
  return v.as_bool();
}

// An array of id strings (`min`..`max` of them; max 0: any number).
Result<std::vector<Id>> IdArray(const json::value& v, std::string_view name, size_t min, size_t max) {
  const auto* arr = v.if_array();
  if (!arr) return TypeError(name, "an array of strings of digits");
  if (arr->size() < min || (max && arr->size() > max))
    return InvalidRequest(std::string(name), std::to_string(arr->size()),
                          "`" + std::string(name) + "` must have " + std::to_string(min) + " to " + std::to_string(max) +
                              " items; it has " + std::to_string(arr->size()));
  std::vector<Id> ids;
  for (const auto& item : *arr) {
    auto id = IdField(item, name);
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  return ids;
}

Result<ReplySettings> ReplySettingsField(const json::value& v, std::string_view name) {
  if (!v.is_string()) return TypeError(name, "a string");
  std::string_view s = v.as_string();
  auto r = ParseReplySettings(s);
  // "everyone" is what a post without the member gets; X's enum for a new post leaves it out.
  if (!r || *r == ReplySettings::kEveryone)
    return InvalidRequest(std::string(name), std::string(s),
                          "`" + std::string(name) + "` value [" + std::string(s) +
                              "] is not one of [following,mentionedUsers,subscribers,verified]");
  return *r;
}

Status UnknownMember(std::string_view object, std::string_view key, std::string_view allowed) {
  std::string name = std::string(object) + "." + std::string(key);
  return InvalidRequest(name, "", "`" + name + "` is not a member of `" + std::string(object) + "` (allowed: " +
                                      std::string(allowed) + ")");
}

Status ParseReply(const json::value& v, Post& post, std::vector<Id>* exclude) {
  const auto* obj = v.if_object();
  if (!obj) return TypeError("reply", "an object");
  if (!obj->contains("in_reply_to_tweet_id"))
    return InvalidRequest("reply.in_reply_to_tweet_id", "", "`reply.in_reply_to_tweet_id` is required");
  for (const auto& [key, value] : *obj) {
    if (key == "in_reply_to_tweet_id") {
      auto parent = IdField(value, "reply.in_reply_to_tweet_id");
      if (!parent.ok()) return parent.status();
      post.referenced.push_back({ReferenceType::kRepliedTo, *parent});
    } else if (key == "exclude_reply_user_ids") {
      auto ids = IdArray(value, "reply.exclude_reply_user_ids", 0, 0);
      if (!ids.ok()) return ids.status();
      if (exclude) *exclude = std::move(*ids);
    } else if (key == "auto_populate_reply_metadata") {
      if (auto b = BoolField(value, "reply.auto_populate_reply_metadata"); !b.ok()) return b.status();
    } else {
      return UnknownMember("reply", key, "in_reply_to_tweet_id, exclude_reply_user_ids, auto_populate_reply_metadata");
    }
  }
  return Status::Ok();
}

Status ParsePoll(const json::value& v, Post& post) {
  const auto* obj = v.if_object();
  if (!obj) return TypeError("poll", "an object");
  Poll poll;
  bool has_options = false, has_duration = false;
  for (const auto& [key, value] : *obj) {
    if (key == "options") {
      const auto* arr = value.if_array();
      if (!arr) return TypeError("poll.options", "an array of strings");
      if (arr->size() < kPollMinOptions || arr->size() > kPollMaxOptions)
        return InvalidRequest("poll.options", std::to_string(arr->size()),
                              "`poll.options` must have 2 to 4 options; it has " + std::to_string(arr->size()));
      for (const auto& item : *arr) {
        if (!item.is_string()) return TypeError("poll.options", "an array of strings");
        std::string_view raw = item.as_string();
        if (!IsValidUtf8(raw)) return InvalidRequest("poll.options", "", "`poll.options` are not valid UTF-8");
        std::string label = NormalizeNfc(raw);
        int64_t chars = CountCodePoints(label);
        if (chars < 1 || chars > kPollOptionMaxChars)
          return InvalidRequest("poll.options", label,
                                "Each of `poll.options` must be 1 to 25 characters long; [" + label + "] is " +
                                    std::to_string(chars));
        poll.options.push_back(std::move(label));
      }
      poll.votes.assign(poll.options.size(), 0);
      has_options = true;
    } else if (key == "duration_minutes") {
      if (!value.is_int64() && !value.is_uint64()) return TypeError("poll.duration_minutes", "an integer");
      // A uint64 past INT64_MAX is out of range either way.
      int64_t minutes = value.is_int64() ? value.as_int64() : INT64_MAX;
      if (minutes < kPollMinMinutes || minutes > kPollMaxMinutes)
        return InvalidRequest("poll.duration_minutes", json::serialize(value),
                              "`poll.duration_minutes` must be 5 to 10080 (7 days); it is " + json::serialize(value));
      poll.duration_minutes = int32_t(minutes);
      has_duration = true;
    } else if (key == "reply_settings") {
      // X's document: accepted, then dropped (the post's own reply_settings decides).
      if (auto r = ReplySettingsField(value, "poll.reply_settings"); !r.ok()) return r.status();
    } else {
      return UnknownMember("poll", key, "options, duration_minutes, reply_settings");
    }
  }
  if (!has_options) return InvalidRequest("poll.options", "", "`poll.options` is required");
  if (!has_duration) return InvalidRequest("poll.duration_minutes", "", "`poll.duration_minutes` is required");
  post.poll = std::move(poll);
  return Status::Ok();
}

// Sluice has no media upload: every media id is unknown, refused as X refuses one.
Status ParseMedia(const json::value& v) {
  const auto* obj = v.if_object();
  if (!obj) return TypeError("media", "an object");
  const auto* ids = obj->if_contains("media_ids");
  if (!ids) return InvalidRequest("media.media_ids", "", "`media.media_ids` is required");
  auto parsed = IdArray(*ids, "media.media_ids", 1, 4);
  if (!parsed.ok()) return parsed.status();
  return InvalidRequest("media.media_ids", std::to_string(parsed->front()), "Your media IDs are invalid.");
}

// Sluice holds no places: every place id is unknown.
Status ParseGeo(const json::value& v) {
  const auto* obj = v.if_object();
  if (!obj) return TypeError("geo", "an object");
  const auto* place = obj->if_contains("place_id");
  if (!place) return InvalidRequest("geo.place_id", "", "`geo.place_id` is required");
  if (!place->is_string()) return TypeError("geo.place_id", "a string");
  return InvalidRequest("geo.place_id", std::string(place->as_string()), "Your place ID is invalid.");
}

}  // namespace

Result<Post> ParsePostBody(std::string_view body, int64_t max_chars, std::vector<Id>* exclude_reply_user_ids) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object())
    return InvalidRequest("body", "", "The request body must be a JSON object (" + (ec ? ec.message() : "got another JSON value") + ")");
  Post post;
  bool has_text = false;
  for (const auto& [key, value] : doc.as_object()) {
    Status s;
    if (key == "text") {
      if (!value.is_string()) return TypeError("text", "a string");
      post.text = value.as_string();
      has_text = true;
    } else if (key == "reply") {
      s = ParseReply(value, post, exclude_reply_user_ids);
    } else if (key == "quote_tweet_id") {
      auto quoted = IdField(value, "quote_tweet_id");
      if (!quoted.ok()) return quoted.status();
      post.referenced.push_back({ReferenceType::kQuoted, *quoted});
    } else if (key == "reply_settings") {
      auto r = ReplySettingsField(value, "reply_settings");
      if (!r.ok()) return r.status();
      post.reply_settings = *r;
    } else if (key == "poll") {
      s = ParsePoll(value, post);
    } else if (key == "made_with_ai" || key == "paid_partnership" || key == "nullcast" ||
               key == "share_with_followers" || key == "for_super_followers_only") {
      auto b = BoolField(value, key);
      if (!b.ok()) return b.status();
      if (key == "made_with_ai") post.made_with_ai = *b;
      else if (key == "paid_partnership") post.paid_partnership = *b;
      else if (key == "nullcast") post.nullcast = *b;
      // share_with_followers: without Super Follows or communities every post is already
      // shared with all followers; true and false are both what Sluice does.
      else if (key == "for_super_followers_only" && *b)
        return Forbidden("You are not permitted to create an exclusive Tweet: this server has no Super Follows.");
    } else if (key == "media") {
      s = ParseMedia(value);
    } else if (key == "geo") {
      s = ParseGeo(value);
    } else {
      return InvalidRequest(std::string(key), "", "`" + std::string(key) + "` is not supported by this server (supported: " +
                                                      std::string(kSupported) + ")");
    }
    if (!s.ok()) return s;
  }
  if (!has_text || post.text.empty()) return InvalidRequest("text", "", "`text` is required and can not be empty");
  if (!IsValidUtf8(post.text)) return InvalidRequest("text", "", "`text` is not valid UTF-8");
  if (post.poll && post.Reference(ReferenceType::kQuoted))
    return InvalidRequest("poll", "", "`poll` and `quote_tweet_id` are mutually exclusive");
  // Stored and counted in NFC, as X does: "e" + U+0301 is one character.
  post.text = NormalizeNfc(post.text);
  int64_t length = WeightedLength(post.text);
  if (length > max_chars)
    return InvalidRequest("text", "", "`text` is " + std::to_string(length) + " characters long; the limit is " +
                                          std::to_string(max_chars));
  return post;
}

}  // namespace sluice
