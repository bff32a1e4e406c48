#pragma once
//! The authenticate stage, with a per-worker cache: the app (or the user access token) a bearer
//! token names, looked up in the store once and then reused for kAppCacheMs. A store lookup per
//! request cost about 8% of the CPU of GET /2/tweets/:id under load (docs/benchmarks.md, "HTTP,
//! against nginx").
//!
//! Then the kind of token is checked against the route, as X does (docs/oauth.md, "Scopes"):
//!   - a user access token (OAuth 2.0 user context) needs every scope X requires on the route
//!     (UserTokenScopes; else X's 403 "Forbidden"), and is refused where X takes app tokens only
//!     (usage, full-archive search and counts: 403 Unsupported Authentication);
//!   - an app bearer token is refused on X's write endpoints (403 Unsupported Authentication)
//!     unless oauth.app_tokens_write, and on GET /2/users/me (it names no account). The few
//!     reads X serves in user context only (users/search, liking_users, liked_tweets) Sluice
//!     serves to app tokens too (docs/api.md).

#include <optional>
#include <string_view>

#include "api/exchange.h"

namespace sluice {

//! What a bearer token authenticates: an app, and for a user access token the account it acts
//! for with its scopes.
struct Authenticated {
  App app;
  std::optional<UserAccess> user;
};

//! How long a worker reuses a user access token it read from the store (an app's: kAppCacheMs).
//! Half a second, so that a revocation made on another node (an account's on its page, a
//! client's, a replay's), whose revocation generation this node does not see, holds here within
//! a second of it (docs/oauth.md, "several nodes").
inline constexpr TimeMs kUserTokenCacheMs = 500;

//! The live app or user access token `authorization` names ("Bearer TOKEN"); nullopt when the
//! header is missing, malformed, or names nothing live at `now` (a user access token past its
//! expiry included); an error only when the store failed. A hit is served from the worker's
//! app_cache (no lock). With services.revocations, a token revoked or rotated by a call that
//! returned before this one began is refused (the cache is emptied when the generation moved);
//! without, at most kAppCacheMs later (kUserTokenCacheMs for a user access token). Unknown tokens are never cached.
Result<std::optional<Authenticated>> AuthenticateCached(const Services& services, WorkerState& worker, TimeMs now,
                                                        std::string_view authorization);

//! Ok when a token of this kind (user access with `user`'s scopes, else an app's) may call
//! `route`: the rules above. `app_tokens_write` is oauth.app_tokens_write.
Status CheckTokenKind(RouteId route, const std::optional<UserAccess>& user, bool app_tokens_write);

//! Sets Exchange::app (and Exchange::user), or refuses with 401 (Refusal::kToken) or 403
//! (Refusal::kScope).
class AuthenticateStage final : public Stage {
 public:
  std::string_view name() const override { return "authenticate"; }
  Verdict Run(Exchange& ex) override;
};

}  // namespace sluice
