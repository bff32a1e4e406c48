#include "api/authenticate.h"

#include "access/revocations.h"
#include "access/tokens.h"

namespace sluice {

Result<std::optional<Authenticated>> AuthenticateCached(const Services& services, WorkerState& worker, TimeMs now,
                                                        std::string_view authorization) {
  auto token = ParseBearer(authorization);
  if (!token) return std::optional<Authenticated>();
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
  if (it != worker.app_cache.end() &&
      now - it->second.loaded_at < (it->second.user ? kUserTokenCacheMs : WorkerState::kAppCacheMs) &&
      now >= it->second.loaded_at &&
      (!it->second.user || now < it->second.user->expires_at))
    return std::optional<Authenticated>(Authenticated{it->second.app, it->second.user});
  std::optional<Authenticated> found;
  if (token->starts_with(kUserAccessTokenPrefix)) {
    auto user = FindUserAccess(worker.store, hash, now);
    if (!user.ok()) return user.status();
    if (user->has_value()) found = Authenticated{(*user)->app, std::move(*user)};
  } else {
    auto app = worker.store.FindAppByTokenHash(hash);
    if (!app.ok()) return app.status();
    if (app->has_value()) found = Authenticated{std::move(**app), std::nullopt};
  }
  if (!found) {
    if (it != worker.app_cache.end()) worker.app_cache.erase(it);  // revoked or expired since it was cached
    return found;
  }
  if (it == worker.app_cache.end()) {
    // Bounded: past the limit start over (the live set is re-read within a second anyway).
    if (worker.app_cache.size() >= WorkerState::kAppCacheSize) worker.app_cache.clear();
    it = worker.app_cache.emplace(std::move(hash), WorkerState::CachedApp{}).first;
  }
  it->second.loaded_at = now;
  it->second.app = found->app;
  it->second.user = found->user;
  return found;
}

Status CheckTokenKind(RouteId route, const std::optional<UserAccess>& user, bool app_tokens_write) {
  if (user) {
    auto required = UserTokenScopes(route);
    if (!required)
      return UnsupportedAuthentication(
          "Authenticating with OAuth 2.0 User Context is forbidden for this endpoint.  Supported authentication types "
          "are [OAuth 2.0 Application-Only].");
    ScopeSet missing = *required & ~user->scopes;
    if (missing)
      return MissingScope("Forbidden: " + std::string(EndpointName(route)) + " requires the scopes " +
                          ScopeString(*required) + "; the token lacks " + ScopeString(missing) + ".");
    return Status::Ok();
  }
  if (XAcceptsAppToken(route)) return Status::Ok();
  const bool write = RouteOf(route).method != "GET";
  if (write && app_tokens_write) return Status::Ok();
  if (!write && route != RouteId::kGetMe) return Status::Ok();  // served to app tokens too (docs/api.md)
  return UnsupportedAuthentication(
      "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication "
      "types are [OAuth 1.0a User Context, OAuth 2.0 User Context].");
}

Verdict AuthenticateStage::Run(Exchange& ex) {
  auto found = AuthenticateCached(ex.services, ex.worker, ex.now, ex.request.authorization);
  if (!found.ok()) {
    ex.Fail(found.status());
    return Verdict::Answer();
  }
  if (!found->has_value()) return ex.Refuse(Refusal::kToken, Unauthorized());
  ex.app = std::move((*found)->app);
  ex.user = std::move((*found)->user);
  if (Status s = CheckTokenKind(ex.route, ex.user, ex.services.config.oauth.app_tokens_write); !s.ok())
    return ex.Refuse(Refusal::kScope, s);
  return Verdict::Continue();
}

}  // namespace sluice
