#include "api/authenticate.h"

#include "access/revocations.h"
#include "access/tokens.h"

namespace sluice {

Result<std::optional<App>> AuthenticateCached(const Services& services, WorkerState& worker, TimeMs now,
                                              std::string_view authorization) {
  auto token = ParseBearer(authorization);
  if (!token) return std::optional<App>();
  // Read before the store is: an entry read after a revocation's bump is read from the store
  // after its commit too; one read before is dropped by the next request.
  if (services.revocations) {
    uint64_t generation = services.revocations->Load();
    if (generation != worker.app_cache_generation) {
      worker.app_cache.clear();
      worker.app_cache_generation = generation;
    }
  }
  // Keyed by the hash, as the store is: the cache never holds a token.
  std::string hash = HashToken(*token);
  auto it = worker.app_cache.find(hash);
  if (it != worker.app_cache.end() && now - it->second.loaded_at < WorkerState::kAppCacheMs && now >= it->second.loaded_at)
    return std::optional<App>(it->second.app);
  auto app = worker.store.FindAppByTokenHash(hash);
  if (!app.ok()) return app.status();
  if (!app->has_value()) {
    if (it != worker.app_cache.end()) worker.app_cache.erase(it);  // revoked since it was cached
    return std::optional<App>();
  }
  if (it == worker.app_cache.end()) {
    // Bounded: past the limit start over (the live set is re-read within a second anyway).
    if (worker.app_cache.size() >= WorkerState::kAppCacheSize) worker.app_cache.clear();
    it = worker.app_cache.emplace(std::move(hash), WorkerState::CachedApp{}).first;
  }
  it->second.loaded_at = now;
  it->second.app = **app;
  return std::move(*app);
}

Verdict AuthenticateStage::Run(Exchange& ex) {
  auto app = AuthenticateCached(ex.services, ex.worker, ex.now, ex.request.authorization);
  if (!app.ok()) {
    ex.Fail(app.status());
    return Verdict::Answer();
  }
  if (!app->has_value()) return ex.Refuse(Refusal::kToken, Unauthorized());
  ex.app = std::move(**app);
  return Verdict::Continue();
}

}  // namespace sluice
