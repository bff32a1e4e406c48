// The actions on behalf of an account (issue 15): likes, reposts, follows and hidden replies.
// Each only notes its change (an ActionIntent, or for a repost a post intent): the apply-write
// stage makes it once the request's ledger record is durable (write_intents.h, docs/ledger.md
// "Writes and crashes"). The account is the one the request acts as (ApiContext::acting_user_id):
// the path's user id must be it, as X requires ("It must match your own user ID or that of an
// authenticating user").
#include "api/action_body.h"
#include "api/exchange.h"
#include "api/handlers.h"
#include "api/params.h"
#include "core/json_writer.h"
#include "ledger/ledger.h"

namespace sluice {

namespace {

uint64_t LedgerSize(const ApiContext& ctx) { return ctx.services.ledger ? ctx.services.ledger->AppendedSize() : 0; }

// The request's shape: no query; a body, when the endpoint takes one, as JSON.
Status CheckRequest(const ApiRequest& req, bool has_body) {
  if (!req.query.empty()) return InvalidRequest("query", std::string(req.query), "This endpoint takes no query parameters");
  if (has_body) return RequireJsonContentType(req.content_type);
  return Status::Ok();
}

// The path's account (`name` = `text`): the one the request acts as, else X's 403.
Result<Id> ActingAccount(const ApiContext& ctx, std::string_view name, std::string_view text) {
  auto id = ParseIdValue(name, text);
  if (!id.ok()) return id.status();
  if (*id != ctx.acting_user_id)
    return Forbidden("user", std::string(name), std::to_string(*id),
                     "You are not permitted to act on behalf of user [" + std::to_string(*id) +
                         "]: `" + std::string(name) + "` must be the authenticated user's id.");
  return *id;
}

// A live post, or X's 404 naming `parameter`.
Result<Post> LivePost(ApiContext& ctx, std::string_view parameter, Id id) {
  auto found = ctx.store.GetPosts(std::span<const Id>(&id, 1));
  if (!found.ok()) return found.status();
  if (found->empty() || found->front().post.deleted_at)
    return NotFound("tweet", std::string(parameter), std::to_string(id),
                    "Could not find tweet with id: [" + std::to_string(id) + "].");
  return std::move(found->front().post);
}

// A protected account's posts are seen by its followers alone: no one else may act on them.
Status SeenBy(ApiContext& ctx, const Post& post, Id user) {
  if (post.author_id == user) return Status::Ok();
  auto authors = ctx.store.GetUsers(std::span<const Id>(&post.author_id, 1));
  if (!authors.ok()) return authors.status();
  if (authors->empty() || !authors->front().is_protected) return Status::Ok();
  auto follows = ctx.store.Related(Store::Relation::kFollows, user, post.author_id);
  if (!follows.ok()) return follows.status();
  if (*follows) return Status::Ok();
  return Forbidden("tweet", "tweet_id", std::to_string(post.id),
                   "Sorry, you are not authorized to see the Tweet with id: [" + std::to_string(post.id) + "].");
}

Status NoteAction(ApiContext& ctx, ApiResponse& r, ActionIntent::Kind kind, Id user, Id target) {
  ActionIntent a{ctx.ids.Next(), kind, user, target, LedgerSize(ctx)};
  if (Status s = ctx.store.NoteAction(a); !s.ok()) return s;
  r.action_intent = a.id;
  return Status::Ok();
}

std::string Data(std::string_view members) { return "{\"data\":{" + std::string(members) + "}}"; }

}  // namespace

Result<ApiResponse> LikePost(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view user_text) {
  if (Status s = CheckRequest(req, true); !s.ok()) return s;
  auto user = ActingAccount(ctx, "id", user_text);
  if (!user.ok()) return user.status();
  auto tweet = ParseIdBody(req.body, "tweet_id");
  if (!tweet.ok()) return tweet.status();
  auto post = LivePost(ctx, "tweet_id", *tweet);
  if (!post.ok()) return post.status();
  if (Status s = SeenBy(ctx, *post, *user); !s.ok()) return s;
  auto liked = ctx.store.Related(Store::Relation::kLikes, *user, *tweet);
  if (!liked.ok()) return liked.status();
  ApiResponse r = ApiResponse::Json(200, Data(R"("liked":true)"));
  // Liking twice is no error on X: the second changes nothing.
  if (!*liked)
    if (Status s = NoteAction(ctx, r, ActionIntent::Kind::kLike, *user, *tweet); !s.ok()) return s;
  r.delivered_posts = {*tweet};
  r.delivered_users = {*user};
  return r;
}

Result<ApiResponse> UnlikePost(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view user_text) {
  if (Status s = CheckRequest(req, false); !s.ok()) return s;
  auto user = ActingAccount(ctx, "id", user_text);
  if (!user.ok()) return user.status();
  auto tweet = ParseIdValue("tweet_id", ctx.capture2);
  if (!tweet.ok()) return tweet.status();
  // X: "The request succeeds with no action when the user ... has already unliked the Tweet."
  auto liked = ctx.store.Related(Store::Relation::kLikes, *user, *tweet);
  if (!liked.ok()) return liked.status();
  ApiResponse r = ApiResponse::Json(200, Data(R"("liked":false)"));
  if (*liked)
    if (Status s = NoteAction(ctx, r, ActionIntent::Kind::kUnlike, *user, *tweet); !s.ok()) return s;
  r.delivered_posts = {*tweet};
  r.delivered_users = {*user};
  return r;
}

Result<ApiResponse> Repost(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view user_text) {
  if (Status s = CheckRequest(req, true); !s.ok()) return s;
  auto user = ActingAccount(ctx, "id", user_text);
  if (!user.ok()) return user.status();
  auto tweet = ParseIdBody(req.body, "tweet_id");
  if (!tweet.ok()) return tweet.status();
  auto source = LivePost(ctx, "tweet_id", *tweet);
  if (!source.ok()) return source.status();
  // A repost of a repost reposts its original, as on X.
  if (auto original = source->Reference(ReferenceType::kRetweeted)) {
    source = LivePost(ctx, "tweet_id", *original);
    if (!source.ok()) return source.status();
  }
  auto existing = ctx.store.RepostsBy(*user, source->id);
  if (!existing.ok()) return existing.status();
  Id repost_id = 0;
  ApiResponse r;
  if (!existing->empty()) {
    repost_id = existing->back();  // reposting twice changes nothing: the repost there is the answer
  } else {
    auto authors = ctx.store.GetUsers(std::span<const Id>(&source->author_id, 1));
    if (!authors.ok()) return authors.status();
    const std::string username = authors->empty() ? std::string() : authors->front().username;
    // A protected account's posts are seen by its followers alone: X lets no one repost them.
    if (!authors->empty() && authors->front().is_protected && source->author_id != *user)
      return Forbidden("tweet", "tweet_id", std::to_string(source->id), "You cannot repost a post of a protected account.");
    // A repost is a post of its own, "RT @author: text" with a retweeted reference (as X's
    // posts and Sluice's seed data have it), published once its record is durable.
    Post post;
    post.id = repost_id = ctx.ids.Next();
    post.author_id = *user;
    post.created_at = SnowflakeTime(post.id);
    post.edit_history = {post.id};
    post.text = "RT @" + username + ": " + source->text;
    post.lang = source->lang;
    post.source = app.name;
    post.referenced.push_back({ReferenceType::kRetweeted, source->id});
    if (Status s = ctx.store.NotePendingPost(post, LedgerSize(ctx)); !s.ok()) return s;
    r.write_intent = post.id;
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("data");
  w.BeginObject();
  w.Key("retweeted");
  w.Bool(true);
  w.MemberId("rest_id", repost_id);
  w.EndObject();
  w.EndObject();
  r.status = 200;
  r.body = w.Take();
  // The record names the repost (the post created), as POST /2/tweets's names its post.
  r.delivered_posts = {repost_id};
  return r;
}

Result<ApiResponse> Unrepost(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view user_text) {
  if (Status s = CheckRequest(req, false); !s.ok()) return s;
  auto user = ActingAccount(ctx, "id", user_text);
  if (!user.ok()) return user.status();
  auto source = ParseIdValue("source_tweet_id", ctx.capture2);
  if (!source.ok()) return source.status();
  auto reposts = ctx.store.RepostsBy(*user, *source);
  if (!reposts.ok()) return reposts.status();
  ApiResponse r = ApiResponse::Json(200, Data(R"("retweeted":false)"));
  if (reposts->empty()) return r;  // nothing to undo: X answers the same, and nothing is recorded
  // The newest repost goes (X has one per account; seeded data may hold more).
  const Id repost = reposts->back();
  if (Status s = ctx.store.NoteDeletion(repost, ctx.now, LedgerSize(ctx)); !s.ok()) return s;
  r.write_intent = repost;
  r.delivered_posts = {repost};
  return r;
}

Result<ApiResponse> HideReply(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view tweet_text) {
  if (Status s = CheckRequest(req, true); !s.ok()) return s;
  auto tweet = ParseIdValue("tweet_id", tweet_text);
  if (!tweet.ok()) return tweet.status();
  auto hidden = ParseHiddenBody(req.body);
  if (!hidden.ok()) return hidden.status();
  auto reply = LivePost(ctx, "tweet_id", *tweet);
  if (!reply.ok()) return reply.status();
  // X: only the author of the conversation's first post may hide a reply in it.
  Id root_author = reply->author_id;
  if (reply->conversation_id != reply->id) {
    auto root = ctx.store.GetPosts(std::span<const Id>(&reply->conversation_id, 1));
    if (!root.ok()) return root.status();
    root_author = root->empty() ? 0 : root->front().post.author_id;
  }
  if (!reply->Reference(ReferenceType::kRepliedTo) || root_author != ctx.acting_user_id)
    return Forbidden("tweet", "tweet_id", std::to_string(*tweet),
                     "You are not permitted to hide this Tweet: only a reply in a conversation the authenticated "
                     "user started can be hidden.");
  auto was = ctx.store.IsHidden(*tweet);
  if (!was.ok()) return was.status();
  ApiResponse r = ApiResponse::Json(200, Data(*hidden ? R"("hidden":true)" : R"("hidden":false)"));
  if (*was != *hidden)
    if (Status s = NoteAction(ctx, r, *hidden ? ActionIntent::Kind::kHide : ActionIntent::Kind::kUnhide,
                              ctx.acting_user_id, *tweet);
        !s.ok())
      return s;
  r.delivered_posts = {*tweet};
  r.delivered_users = {ctx.acting_user_id};
  return r;
}

Result<ApiResponse> FollowUser(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view user_text) {
  if (Status s = CheckRequest(req, true); !s.ok()) return s;
  auto user = ActingAccount(ctx, "id", user_text);
  if (!user.ok()) return user.status();
  auto target = ParseIdBody(req.body, "target_user_id");
  if (!target.ok()) return target.status();
  auto found = ctx.store.GetUsers(std::span<const Id>(&*target, 1));
  if (!found.ok()) return found.status();
  if (found->empty() || found->front().synthetic)
    return NotFound("user", "target_user_id", std::to_string(*target),
                    "Could not find user with id: [" + std::to_string(*target) + "].");
  if (*target == *user)
    return InvalidRequest("target_user_id", std::to_string(*target), "You cannot follow yourself.");
  auto following = ctx.store.Related(Store::Relation::kFollows, *user, *target);
  if (!following.ok()) return following.status();
  ApiResponse r = ApiResponse::Json(200, Data(R"("following":true,"pending_follow":false)"));
  if (!*following)
    if (Status s = NoteAction(ctx, r, ActionIntent::Kind::kFollow, *user, *target); !s.ok()) return s;
  r.delivered_users = {*user, *target};
  return r;
}

Result<ApiResponse> UnfollowUser(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view user_text) {
  if (Status s = CheckRequest(req, false); !s.ok()) return s;
  auto user = ActingAccount(ctx, "source_user_id", user_text);
  if (!user.ok()) return user.status();
  auto target = ParseIdValue("target_user_id", ctx.capture2);
  if (!target.ok()) return target.status();
  auto following = ctx.store.Related(Store::Relation::kFollows, *user, *target);
  if (!following.ok()) return following.status();
  ApiResponse r = ApiResponse::Json(200, Data(R"("following":false)"));
  if (*following)
    if (Status s = NoteAction(ctx, r, ActionIntent::Kind::kUnfollow, *user, *target); !s.ok()) return s;
  r.delivered_users = {*user, *target};
  return r;
}

}  // namespace sluice
