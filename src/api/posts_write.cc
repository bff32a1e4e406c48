// POST /2/tweets and DELETE /2/tweets/:id. Both only note their write (a pending post, a
// deletion to come): the router applies it once the write's ledger record is durable
// (write_intents.h, docs/ledger.md "Writes and crashes").
#include "api/action_body.h"
#include "api/exchange.h"
#include "api/handlers.h"
#include "api/params.h"
#include "api/post_body.h"
#include "api/reply_metadata.h"
#include "core/language.h"
#include "core/json_writer.h"
#include "core/text.h"
#include "ledger/ledger.h"

namespace sluice {

Result<ApiResponse> CreatePost(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  if (!req.query.empty()) return InvalidRequest("query", std::string(req.query), "POST /2/tweets takes no query parameters");
  if (Status s = RequireJsonContentType(req.content_type); !s.ok())
    return UnsupportedMediaType("POST /2/tweets takes Content-Type: application/json");
  std::vector<Id> exclude_reply_user_ids;
  auto post = ParsePostBody(req.body, ctx.config.posts.max_chars, &exclude_reply_user_ids);
  // The only 403 of the body (for_super_followers_only): the resource refused is the posting
  // account, which X's not-authorized-for-resource problem names.
  if (!post.ok() && post.status().code() == StatusCode::kForbidden)
    return Forbidden("user", "for_super_followers_only", std::to_string(ctx.acting_user_id), post.status().message());
  if (!post.ok()) return post.status();
  if (auto quoted = post->Reference(ReferenceType::kQuoted)) {
    auto found = ctx.store.GetPosts(std::span<const Id>(&*quoted, 1));
    if (!found.ok()) return found.status();
    if (found->empty() || found->front().post.deleted_at)
      return InvalidRequest("quote_tweet_id", std::to_string(*quoted), "The post you are quoting does not exist or was deleted.");
  }
  if (auto parent_id = post->Reference(ReferenceType::kRepliedTo)) {
    // X's reply metadata, outside the length just checked. A parent that is missing or
    // deleted gets no prefix: NotePendingPost refuses the reply.
    auto parent = ctx.store.GetPosts(std::span<const Id>(&*parent_id, 1));
    if (!parent.ok()) return parent.status();
    if (!parent->empty() && !parent->front().post.deleted_at) {
      auto prefix = ReplyMentionsPrefix(ctx.store, parent->front().post, ctx.acting_user_id, post->text, exclude_reply_user_ids);
      if (!prefix.ok()) return prefix.status();
      post->text = *prefix + post->text;
    }
  }
  post->id = ctx.ids.Next();
  post->author_id = ctx.acting_user_id;
  post->created_at = SnowflakeTime(post->id);
  post->edit_history = {post->id};
  post->entities = ExtractEntities(post->text);
  post->lang = std::string(DetectLanguage(post->text, post->entities));
  post->source = app.name;
  if (post->poll) {
    // X's poll ids are snowflakes like its posts'; the poll ends `duration` after the post.
    post->poll->id = ctx.ids.Next();
    post->poll->end_datetime = post->created_at + TimeMs(post->poll->duration_minutes) * 60 * 1000;
  }
  if (Status s = ctx.store.NotePendingPost(*post, ctx.services.ledger ? ctx.services.ledger->AppendedSize() : 0); !s.ok()) return s;

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
  r.write_intent = post->id;
  return r;
}

Result<ApiResponse> DeletePost(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view id_text) {
  auto id = ParseIdValue("id", id_text);
  if (!id.ok()) return id.status();
  auto found = ctx.store.GetPosts(std::span<const Id>(&*id, 1));
  if (!found.ok()) return found.status();
  if (found->empty() || found->front().post.deleted_at)
    return NotFound("tweet", "id", std::to_string(*id), "Could not find tweet with id: [" + std::to_string(*id) + "].");
  if (found->front().post.author_id != ctx.acting_user_id)
    return Forbidden("tweet", "id", std::to_string(*id), "You are not allowed to delete this Tweet: only the app of its author may delete it.");
  if (Status s = ctx.store.NoteDeletion(*id, ctx.now, ctx.services.ledger ? ctx.services.ledger->AppendedSize() : 0); !s.ok()) return s;
  ApiResponse r = ApiResponse::Json(200, R"({"data":{"deleted":true}})");
  r.delivered_posts = {*id};
  r.write_intent = *id;
  return r;
}

}  // namespace sluice
