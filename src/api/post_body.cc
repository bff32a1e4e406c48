#include "api/post_body.h"

#include <boost/json/parse.hpp>

#include "api/params.h"
#include "core/text.h"
#include "core/weighted_length.h"

namespace sluice {

namespace {

Result<Id> IdField(const boost::json::value& v, std::string_view name) {
  if (!v.is_string()) return InvalidRequest(std::string(name), "", "`" + std::string(name) + "` must be a string of digits");
  return ParseIdValue(name, std::string_view(v.as_string()));
}

}  // namespace

Result<Post> ParsePostBody(std::string_view body, int64_t max_chars) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(body, ec);
  if (ec || !doc.is_object())
    return InvalidRequest("body", "", "The request body must be a JSON object (" + (ec ? ec.message() : "got another JSON value") + ")");
  Post post;
  bool has_text = false;
  for (const auto& [key, value] : doc.as_object()) {
    if (key == "text") {
      if (!value.is_string()) return InvalidRequest("text", "", "`text` must be a string");
      post.text = value.as_string();
      has_text = true;
    } else if (key == "reply") {
      const auto* obj = value.if_object();
      const auto* id = obj ? obj->if_contains("in_reply_to_tweet_id") : nullptr;
      if (!id || obj->size() != 1)
        return InvalidRequest("reply", "", "`reply` must be an object with only `in_reply_to_tweet_id`");
      auto parent = IdField(*id, "reply.in_reply_to_tweet_id");
      if (!parent.ok()) return parent.status();
      post.referenced.push_back({ReferenceType::kRepliedTo, *parent});
    } else if (key == "quote_tweet_id") {
      auto quoted = IdField(value, "quote_tweet_id");
      if (!quoted.ok()) return quoted.status();
      post.referenced.push_back({ReferenceType::kQuoted, *quoted});
    } else {
      return InvalidRequest(std::string(key), "", "`" + std::string(key) + "` is not supported by this server (supported: text, reply, quote_tweet_id)");
    }
  }
  if (!has_text || post.text.empty()) return InvalidRequest("text", "", "`text` is required and can not be empty");
  if (!IsValidUtf8(post.text)) return InvalidRequest("text", "", "`text` is not valid UTF-8");
  // Stored and counted in NFC, as X does: "e" + U+0301 is one character.
  post.text = NormalizeNfc(post.text);
  int64_t length = WeightedLength(post.text);
  if (length > max_chars)
    return InvalidRequest("text", "", "`text` is " + std::to_string(length) + " characters long; the limit is " +
                                          std::to_string(max_chars));
  return post;
}

}  // namespace sluice
