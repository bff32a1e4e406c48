// GET /2/users/:id/tweets, GET /2/users/:id/mentions, GET /2/tweets/:id/quote_tweets
#include "api/handlers.h"
#include "api/paging.h"
#include "api/render.h"
#include "api/trap_injector.h"

#include <algorithm>
#include <cctype>

namespace sluice {

namespace {

const std::initializer_list<std::string_view> kTimelineParams = {
    "max_results", "pagination_token", "since_id", "until_id", "start_time", "end_time", "exclude",
    "tweet.fields", "post.fields", "user.fields", "expansions", "media.fields", "place.fields", "poll.fields"};

// Why the timeline of user `id` is not served, as X's partial error for the path's `param`:
// a user nobody may look up (unknown, or a trap record's synthetic author, except to the app
// its traps were delivered to) is not found; a protected one is X's authorization error
// (every Sluice token is app-only). `user` is set to the user when it is served.
Result<std::optional<ResourceError>> UserTimelineRefusal(Store& store, const App& app, Id id, std::string_view param,
                                                         User& user) {
  const Id ids[] = {id};
  auto found = store.GetUsers(ids);
  if (!found.ok()) return found.status();
  auto it = std::find_if(found->begin(), found->end(), [id](const User& u) { return u.id == id; });
  if (it != found->end() && it->synthetic) {
    auto newest = TrapInjector::NewestTrapBy(store, app.id, id);
    if (!newest.ok()) return newest.status();
    if (!*newest) it = found->end();
  }
  if (it == found->end()) return std::optional<ResourceError>(ResourceError{"user", std::string(param), std::to_string(id)});
  if (it->is_protected) return std::optional<ResourceError>(NotAuthorizedError("user", std::string(param), std::to_string(id)));
  user = std::move(*it);
  return std::optional<ResourceError>();
}

// `of_user`: the path id is a user's; when it is refused the answer is a 200 with errors[]
// only (as for GET /2/users/:id), not an empty page.
template <typename Fetch, typename TrapsOf>
Result<ApiResponse> Timeline(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view id_param, std::string_view id_text,
                             const PageSpec& spec, std::initializer_list<std::string_view> allowed, bool of_user, Fetch&& fetch,
                             TrapsOf&& traps_of) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed(allowed); !s.ok()) return s;
  auto id = ParseIdValue(id_param, id_text);
  if (!id.ok()) return id.status();
  auto fields = ParseFieldSelection(*params, PrimaryResource::kPosts);
  if (!fields.ok()) return fields.status();
  auto page = ParsePage(*params, spec, ctx.now);
  if (!page.ok()) return page.status();
  User user;
  if (of_user) {
    auto refusal = UserTimelineRefusal(ctx.store, app, *id, id_param, user);
    if (!refusal.ok()) return refusal.status();
    if (*refusal) return RenderPostsEnvelope(ctx.store, ctx.now, {}, false, *fields, {std::move(**refusal)}, nullptr);
  }
  auto rows = fetch(*id, *page);
  if (!rows.ok()) return rows.status();
  // Which of the app's delivered traps this list holds (null: none).
  SearchQuery traps_query;
  TrapFilter traps;
  const TrapFilter* list_traps = traps_of(user, traps, traps_query);
  return RenderPage(ctx, app, std::move(*rows), *page, spec, *fields, list_traps);
}

}  // namespace

Result<ApiResponse> GetUserPosts(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view user_id) {
  PageSpec spec{5, 100, 10, /*allow_exclude=*/true};
  return Timeline(ctx, app, req, "id", user_id, spec, kTimelineParams, /*of_user=*/true,
                  [&](Id id, const PageRequest& page) { return ctx.store.UserPosts(id, page); },
                  // A trap's author posted the traps its app was delivered, and nothing else.
                  [](const User& user, TrapFilter& f, SearchQuery&) -> const TrapFilter* {
                    if (!user.synthetic) return nullptr;
                    f.author = user.id;
                    return &f;
                  });
}

Result<ApiResponse> GetUserMentions(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view user_id) {
  PageSpec spec{5, 100, 10, /*allow_exclude=*/true};
  return Timeline(ctx, app, req, "id", user_id, spec, kTimelineParams, /*of_user=*/true,
                  [&](Id id, const PageRequest& page) { return ctx.store.Mentions(id, page); },
                  // The app's traps that mention the user, as its search for @username finds them.
                  [](const User& user, TrapFilter& f, SearchQuery& q) -> const TrapFilter* {
                    q.root.kind = SearchNode::Kind::kMention;
                    q.root.value = user.username;
                    std::transform(q.root.value.begin(), q.root.value.end(), q.root.value.begin(),
                                   [](unsigned char c) { return char(std::tolower(c)); });
                    f.query = &q;
                    return &f;
                  });
}

Result<ApiResponse> GetQuotePosts(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view post_id) {
  PageSpec spec{10, 100, 10, /*allow_exclude=*/true};
  return Timeline(ctx, app, req, "id", post_id, spec, kTimelineParams, /*of_user=*/false,
                  [&](Id id, const PageRequest& page) { return ctx.store.QuotePosts(id, page); },
                  // A trap quotes no post.
                  [](const User&, TrapFilter&, SearchQuery&) -> const TrapFilter* { return nullptr; });
}

}  // namespace sluice
