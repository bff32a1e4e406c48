// GET /2/tweets/:id and GET /2/tweets?ids=
#include "api/handlers.h"
#include "api/exchange.h"
#include "api/lookup_cache.h"
#include "api/metrics.h"
#include "api/render.h"
#include "api/trap_injector.h"

#include <algorithm>

namespace sluice {

namespace {

const std::initializer_list<std::string_view> kLookupParams = {"tweet.fields", "post.fields", "user.fields", "expansions",
                                                                   "media.fields", "place.fields", "poll.fields"};

// `cacheable`, when given, is set to whether the response depends on nothing but the ids, the
// parameters and the store: no trap record (those are the requesting app's alone), no
// partial error, and no poll in includes (its voting_status changes with time).
Result<ApiResponse> Lookup(ApiContext& ctx, const App& app, const std::vector<Id>& ids, bool single,
                           std::string_view parameter, const Params& params, bool* cacheable = nullptr) {
  auto fields = ParseFieldSelection(params, PrimaryResource::kPosts);
  if (!fields.ok()) return fields.status();
  std::vector<ResourceError> errors;
  auto posts = FetchLivePosts(ctx.store, ids, parameter, errors);
  if (!posts.ok()) return posts.status();
  // A trap record is found only by the app it was delivered to; to anyone else it is a 404.
  std::vector<Id> traps;
  for (auto e = errors.begin(); e != errors.end();) {
    auto trap = ctx.store.GetTrap(std::stoll(e->value));
    if (!trap.ok()) return trap.status();
    if (!trap->has_value() || (*trap)->app_id != app.id) {
      ++e;
      continue;
    }
    posts->push_back(TrapInjector::AsPost(**trap));
    traps.push_back((*trap)->id);
    e = errors.erase(e);
  }
  if (!traps.empty())
    std::sort(posts->begin(), posts->end(), [&](const StoredPost& a, const StoredPost& b) {
      return std::find(ids.begin(), ids.end(), a.post.id) < std::find(ids.begin(), ids.end(), b.post.id);
    });
  const bool polls = fields->Has(Expansion::kPollIds) &&
                     std::any_of(posts->begin(), posts->end(), [](const StoredPost& p) { return p.post.poll.has_value(); });
  if (cacheable) *cacheable = traps.empty() && errors.empty() && !posts->empty() && !polls;
  auto response = RenderPostsEnvelope(ctx.store, ctx.now, *posts, single, *fields, std::move(errors), nullptr);
  if (response.ok())
    for (Id trap : traps) TrapInjector::MarkTrapDelivered(*response, trap);
  return response;
}

}  // namespace

Result<ApiResponse> GetPostById(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view id_text) {
  // A hit is exactly what this handler would render now (lookup_cache.h); the stages around
  // the handler (admission, cap, licence headers, ledger) run on it as on any response.
  std::string key;
  std::optional<LookupCache>& cache = ctx.worker.lookup_cache;
  if (cache) {
    key = LookupCache::Key(id_text, req.query);
    if (const ApiResponse* hit = cache->Find(key, ctx.store, ctx.now, req.received)) {
      ctx.services.metrics.CountLookupCache(true);
      return *hit;
    }
    ctx.services.metrics.CountLookupCache(false);
  }
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  if (Status s = params->CheckAllowed(kLookupParams); !s.ok()) return s;
  auto id = ParseIdValue("id", id_text);
  if (!id.ok()) return id.status();
  bool cacheable = false;
  auto response = Lookup(ctx, app, {*id}, true, "id", *params, cache ? &cacheable : nullptr);
  if (cacheable && response.ok() && response->status == 200)
    cache->Insert(std::move(key), ctx.write_generation, *response);
  return response;
}

Result<ApiResponse> GetPostsByIds(ApiContext& ctx, const App& app, const ApiRequest& req, std::string_view) {
  auto params = Params::Parse(req.query);
  if (!params.ok()) return params.status();
  std::initializer_list<std::string_view> allowed = {"ids", "tweet.fields", "post.fields", "user.fields", "expansions",
                                                     "media.fields", "place.fields", "poll.fields"};
  if (Status s = params->CheckAllowed(allowed); !s.ok()) return s;
  auto ids = ParseIdList(*params, "ids", 100);
  if (!ids.ok()) return ids.status();
  return Lookup(ctx, app, *ids, false, "ids", *params);
}

}  // namespace sluice
