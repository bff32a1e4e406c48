// GET /2/tweets/:id and GET /2/tweets?ids=
#include "api/handlers.h"
#include "api/render.h"

namespace sluice {

namespace {

const std::initializer_list<std::string_view> kLookupParams = {"tweet.fields", "user.fields", "expansions",
                                                                   "media.fields", "place.fields", "poll.fields"};

Result<ApiResponse> Lookup(ApiContext& ctx, const std::vector<Id>& ids, bool single, std::string_view parameter,
                           const Params& params) {
  auto fields = ParseFieldSelection(params, PrimaryResource::kPosts);
  if (!fields.ok()) return fields.problem();
  std::vector<ResourceError> errors;
  auto posts = FetchLivePosts(ctx.store, ids, parameter, errors);
  if (!posts.ok()) return posts.problem();
  return RenderPostsEnvelope(ctx.store, *posts, single, *fields, std::move(errors), nullptr);
}

}  // namespace

Result<ApiResponse> GetPostById(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view id_text) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.problem();
  if (Status s = params->CheckAllowed(kLookupParams); !s.ok()) return s;
  auto id = ParseIdValue("id", id_text);
  if (!id.ok()) return id.problem();
  return Lookup(ctx, {*id}, true, "id", *params);
}

Result<ApiResponse> GetPostsByIds(ApiContext& ctx, const App&, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.problem();
  std::initializer_list<std::string_view> allowed = {"ids", "tweet.fields", "user.fields", "expansions",
                                                     "media.fields", "place.fields", "poll.fields"};
  if (Status s = params->CheckAllowed(allowed); !s.ok()) return s;
  auto ids = ParseIdList(*params, "ids", 100);
  if (!ids.ok()) return ids.problem();
  return Lookup(ctx, *ids, false, "ids", *params);
}

}  // namespace sluice
