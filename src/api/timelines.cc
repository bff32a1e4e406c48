// GET /2/users/:id/tweets, GET /2/users/:id/mentions, GET /2/tweets/:id/quote_tweets
#include "api/handlers.h"
#include "api/paging.h"
#include "api/render.h"

namespace sluice {

namespace {

const std::initializer_list<std::string_view> kTimelineParams = {
    "max_results", "pagination_token", "since_id", "until_id", "start_time", "end_time", "exclude",
    "tweet.fields", "post.fields", "user.fields", "expansions", "media.fields", "place.fields", "poll.fields"};

// Whether `id` names a user anyone may look up (a trap record's synthetic author does not).
Result<bool> UserExists(Store& store, Id id) {
  const Id ids[] = {id};
  auto found = store.GetUsers(ids);
  if (!found.ok()) return found.status();
  return std::any_of(found->begin(), found->end(), [id](const User& u) { return u.id == id && !u.synthetic; });
}

// `of_user`: the path id is a user's, and an unknown user is X's not-found error (a 200 with
// errors[] only, as for GET /2/users/:id), not an empty page.
template <typename Fetch>
Result<ApiResponse> Timeline(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view id_param, std::string_view id_text,
                             const PageSpec& spec, std::initializer_list<std::string_view> allowed, bool of_user, Fetch&& fetch) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed(allowed); !s.ok()) return s;
  auto id = ParseIdValue(id_param, id_text);
  if (!id.ok()) return id.status();
  auto fields = ParseFieldSelection(*params, PrimaryResource::kPosts);
  if (!fields.ok()) return fields.status();
  auto page = ParsePage(*params, spec, ctx.now);
  if (!page.ok()) return page.status();
  if (of_user) {
    auto exists = UserExists(ctx.store, *id);
    if (!exists.ok()) return exists.status();
    if (!*exists)
      return RenderPostsEnvelope(ctx.store, {}, false, *fields, {{"user", std::string(id_param), std::to_string(*id)}}, nullptr);
  }
  auto rows = fetch(*id, *page);
  if (!rows.ok()) return rows.status();
  return RenderPage(ctx, app, std::move(*rows), *page, spec, *fields);
}

}  // namespace

Result<ApiResponse> GetUserPosts(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view user_id) {
  PageSpec spec{5, 100, 10, /*allow_exclude=*/true};
  return Timeline(ctx, app, req, "id", user_id, spec, kTimelineParams, /*of_user=*/true,
                  [&](Id id, const PageRequest& page) { return ctx.store.UserPosts(id, page); });
}

Result<ApiResponse> GetUserMentions(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view user_id) {
  PageSpec spec{5, 100, 10, /*allow_exclude=*/true};
  return Timeline(ctx, app, req, "id", user_id, spec, kTimelineParams, /*of_user=*/true,
                  [&](Id id, const PageRequest& page) { return ctx.store.Mentions(id, page); });
}

Result<ApiResponse> GetQuotePosts(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view post_id) {
  PageSpec spec{10, 100, 10, /*allow_exclude=*/true};
  return Timeline(ctx, app, req, "id", post_id, spec, kTimelineParams, /*of_user=*/false,
                  [&](Id id, const PageRequest& page) { return ctx.store.QuotePosts(id, page); });
}

}  // namespace sluice
