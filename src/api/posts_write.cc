// POST /2/tweets and DELETE /2/tweets/:id
#include <boost/json/parse.hpp>

#include "api/handlers.h"
#include "api/params.h"
#include "core/json_writer.h"
#include "core/text.h"

namespace sluice {

namespace {

Result<Id> IdField(const boost::json::value& v, std::string_view name) {
  if (!v.is_string()) return InvalidRequest(std::string(name), "", "`" + std::string(name) + "` must be a string of digits");
  return ParseIdValue(name, std::string_view(v.as_string()));
}

Result<Post> ParseCreateBody(std::string_view body, int64_t max_chars) {
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
      if (!parent.ok()) return parent.problem();
      post.referenced.push_back({ReferenceType::kRepliedTo, *parent});
    } else if (key == "quote_tweet_id") {
      auto quoted = IdField(value, "quote_tweet_id");
      if (!quoted.ok()) return quoted.problem();
      post.referenced.push_back({ReferenceType::kQuoted, *quoted});
    } else {
      return InvalidRequest(std::string(key), "", "`" + std::string(key) + "` is not supported by this server (supported: text, reply, quote_tweet_id)");
    }
  }
  if (!has_text || post.text.empty()) return InvalidRequest("text", "", "`text` is required and can not be empty");
  if (!IsValidUtf8(post.text)) return InvalidRequest("text", "", "`text` is not valid UTF-8");
  int64_t length = CountCodePoints(post.text);
  if (length > max_chars)
    return InvalidRequest("text", "", "`text` is " + std::to_string(length) + " characters long; the limit is " +
                                          std::to_string(max_chars));
  return post;
}

std::string_view MediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string_view t = content_type.substr(0, semi);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}

}  // namespace

Result<ApiResponse> CreatePost(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  if (!req.query.empty()) return InvalidRequest("query", std::string(req.query), "POST /2/tweets takes no query parameters");
  std::string_view type = MediaType(req.content_type);
  if (type.size() != 16 || !std::equal(type.begin(), type.end(), "application/json", [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      }))
    return UnsupportedMediaType("POST /2/tweets takes Content-Type: application/json");
  auto post = ParseCreateBody(req.body, ctx.config.posts.max_chars);
  if (!post.ok()) return post.problem();
  if (auto quoted = post->Reference(ReferenceType::kQuoted)) {
    auto found = ctx.store.GetPosts(std::span<const Id>(&*quoted, 1));
    if (!found.ok()) return found.problem();
    if (found->empty() || found->front().post.deleted_at)
      return InvalidRequest("quote_tweet_id", std::to_string(*quoted), "The post you are quoting does not exist or was deleted.");
  }
  post->id = ctx.ids.Next();
  post->author_id = app.user_id;
  post->created_at = SnowflakeTime(post->id);
  post->lang = "und";
  post->edit_history = {post->id};
  post->entities = ExtractEntities(post->text);
  post->source = app.name;
  if (Status s = ctx.store.InsertPost(*post); !s.ok()) return s;

  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginObject();
  w.MemberId("id", post->id);
  w.Member("text", post->text);
  w.Key("edit_history_tweet_ids");
  w.BeginArray();
  w.IdString(post->id);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  ApiResponse r = ApiResponse::Json(201, w.Take());
  r.delivered_posts = {post->id};
  return r;
}

Result<ApiResponse> DeletePost(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view id_text) {
  auto id = ParseIdValue("id", id_text);
  if (!id.ok()) return id.problem();
  auto found = ctx.store.GetPosts(std::span<const Id>(&*id, 1));
  if (!found.ok()) return found.problem();
  if (found->empty() || found->front().post.deleted_at)
    return NotFound("Could not find tweet with id: [" + std::to_string(*id) + "].");
  if (found->front().post.author_id != app.user_id)
    return Forbidden("You are not allowed to delete this Tweet: only the app of its author may delete it.");
  if (Status s = ctx.store.DeletePost(*id, ctx.now); !s.ok()) return s;
  ApiResponse r = ApiResponse::Json(200, R"({"data":{"deleted":true}})");
  r.delivered_posts = {*id};
  return r;
}

}  // namespace sluice
