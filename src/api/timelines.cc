// GET /2/users/:id/tweets, GET /2/users/:id/mentions, GET /2/tweets/:id/quote_tweets
#include "api/handlers.h"
#include "api/paging.h"
#include "api/render.h"

namespace sluice {

namespace {

const std::initializer_list<std::string_view> kTimelineParams = {
    "max_results", "pagination_token", "since_id", "until_id", "start_time", "end_time", "exclude",
    "tweet.fields", "post.fields", "user.fields", "expansions", "media.fields", "place.fields", "poll.fields"};

// Why the timeline of user `id` is not served, as X's partial error for the path's `param`:
// a user nobody may look up (unknown, or a trap record's synthetic author) is not found; a
// protected one is X's authorization error (every Sluice token is app-only).
Result<std::optional<ResourceError>> UserTimelineRefusal(Store& store, Id id, std::string_view param) {
  const Id ids[] = {id};
  auto found = store.GetUsers(ids);
  if (!found.ok()) return found.status();
  auto it = std::find_if(found->begin(), found->end(), [id](const User& u) { return u.id == id && !u.synthetic; });
  if (it == found->end()) return std::optional<ResourceError>(ResourceError{"user", std::string(param), std::to_string(id)});
  if (it->is_protected) return std::optional<ResourceError>(NotAuthorizedError("user", std::string(param), std::to_string(id)));
  return std::optional<ResourceError>();
}

// `of_user`: the path id is a user's; when it is refused the answer is a 200 with errors[]
// only (as for GET /2/users/:id), not an empty page.
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
    auto refusal = UserTimelineRefusal(ctx.store, *id, id_param);
    if (!refusal.ok()) return refusal.status();
    if (*refusal) return RenderPostsEnvelope(ctx.store, ctx.now, {}, false, *fields, {std::move(**refusal)}, nullptr);
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
