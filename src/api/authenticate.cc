#include "api/authenticate.h"

#include "access/revocations.h"
#include "access/tokens.h"

namespace sluice {

Result<App> AuthenticateCached(ApiContext& ctx, std::string_view authorization) {
  auto token = ParseBearer(authorization);
  if (!token) return Unauthorized();
  // Read before the store is: an entry read after a revocation's bump is read from the store
  // after its commit too; one read before is dropped by the next request.
  if (ctx.revocations) {
    uint64_t generation = ctx.revocations->Load();
    if (generation != ctx.app_cache_generation) {
      ctx.app_cache.clear();
      ctx.app_cache_generation = generation;
    }
  }
  // Keyed by the hash, as the store is: the cache never holds a token.
  std::string hash = HashToken(*token);
  const TimeMs now = ctx.now;
  auto it = ctx.app_cache.find(hash);
  if (it != ctx.app_cache.end() && now - it->second.loaded_at < ApiContext::kAppCacheMs && now >= it->second.loaded_at)
    return it->second.app;
  auto app = ctx.store.FindAppByTokenHash(hash);
  if (!app.ok()) return app.status();
  if (!app->has_value()) {
    if (it != ctx.app_cache.end()) ctx.app_cache.erase(it);  // revoked since it was cached
    return Unauthorized();
  }
  if (it == ctx.app_cache.end()) {
    // Bounded: past the limit start over (the live set is re-read within a second anyway).
    if (ctx.app_cache.size() >= ApiContext::kAppCacheSize) ctx.app_cache.clear();
    it = ctx.app_cache.emplace(std::move(hash), ApiContext::CachedApp{}).first;
  }
  it->second.loaded_at = now;
  it->second.app = **app;
  return std::move(**app);
}

}  // namespace sluice
