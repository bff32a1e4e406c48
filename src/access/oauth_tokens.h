#pragma once
//! OAuth 2.0 grants and tokens (issue 15), as X issues them: an account signs in and allows an
//! app some scopes (/i/oauth2/authorize); the app gets an authorization code, exchanges it with
//! its PKCE verifier for a user access token (and a refresh token with offline.access) at
//! /2/oauth2/token, refreshes, and revokes at /2/oauth2/revoke.
//!
//! A grant is one account's consent to one app for a set of scopes; every code, access token
//! and refresh token belongs to one grant. The store keeps only SHA-256 hashes of codes and
//! tokens. Codes are single use and live kCodeLifetimeMs; access tokens kAccessTokenLifetimeMs;
//! a refresh token is single use too: refreshing gives a new access and refresh token and
//! spends the old one. A code or refresh token presented a second time revokes its grant
//! (every token of it: RFC 6749 4.1.2 and 10.4, "refresh token rotation" of the OAuth 2.0
//! Security BCP): whoever replays it, the thief or the client, both lose what they hold.
//!
//! Every function is safe to call from several processes at once on one store: the single use
//! of codes and refresh tokens is decided inside one store transaction (exactly one of two
//! concurrent exchanges of a code succeeds).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/pkce.h"
#include "access/revocations.h"
#include "core/result.h"
#include "core/scopes.h"
#include "core/types.h"
#include "store/store.h"

namespace sluice {

inline constexpr TimeMs kCodeLifetimeMs = 30'000;                // X's codes live 30 s
inline constexpr TimeMs kAccessTokenLifetimeMs = 2 * 3600'000;   // X's access tokens live 2 h
//! X documents no lifetime for refresh tokens; one unused for 180 days expires (docs/oauth.md).
inline constexpr TimeMs kRefreshTokenLifetimeMs = 180LL * 24 * 3600'000;

//! User access tokens start with this, so that the authenticate stage knows without a second
//! store lookup whether a bearer token is an app's or a user's.
inline constexpr std::string_view kUserAccessTokenPrefix = "slu_";
inline constexpr std::string_view kRefreshTokenPrefix = "slr_";

//! RFC 6749 5.2 (and RFC 7009 2.2.1's unsupported_token_type); the last two only in the
//! authorization endpoint's redirect (RFC 6749 4.1.2.1).
enum class OAuthErrorCode {
  kInvalidRequest,
  kInvalidClient,
  kInvalidGrant,
  kUnauthorizedClient,
  kUnsupportedGrantType,
  kInvalidScope,
  kUnsupportedTokenType,
  kAccessDenied,
  kUnsupportedResponseType,
};

//! Why the token endpoint refuses: RFC 6749 5.2's error and a description for the client.
struct OAuthRefusal {
  OAuthErrorCode code;
  std::string description;
};

struct IssuedTokens {
  std::string access_token;
  int64_t expires_in = kAccessTokenLifetimeMs / 1000;  // seconds
  std::string scope;                         // the granted scopes, space separated (ScopeString)
  std::optional<std::string> refresh_token;  // with offline.access only, as X
};

//! What the token endpoint answers: tokens, or a refusal. A store failure is the Result's
//! error instead (503: the client may retry; nothing was spent).
struct TokenOutcome {
  std::optional<IssuedTokens> tokens;
  std::optional<OAuthRefusal> refusal;
};

//! What /i/oauth2/authorize carries to the code: who allowed which app what, and the request's
//! redirect_uri and PKCE challenge, which the exchange must match.
struct CodeGrantRequest {
  Id app_id = 0;
  Id user_id = 0;
  ScopeSet scopes = 0;
  std::string redirect_uri;
  PkceMethod method = PkceMethod::kS256;
  std::string code_challenge;
};

//! Records the account's consent (a new grant) and returns a fresh authorization code for it
//! (only its hash is stored), valid kCodeLifetimeMs from `now`. The caller has checked the app
//! (live), its redirect URI (registered) and the challenge (IsValidCodeChallenge).
Result<std::string> IssueCode(Store& store, const CodeGrantRequest& request, TimeMs now);

//! grant_type=authorization_code for the authenticated client `client` (a confidential client
//! after HTTP Basic, or a public client named by its client_id). Refusals (invalid_grant unless
//! said): an unknown, expired or spent code; a code issued to another app; redirect_uri not the
//! one the code was issued with; a code_verifier absent (invalid_request), malformed, or not
//! matching the challenge (these leave the code unspent). An empty code is invalid_request.
//! A spent code presented again (or spent by a concurrent exchange that won) revokes its grant
//! and bumps `generation` (may be null). On success the code is spent and the grant's first
//! tokens are returned.
Result<TokenOutcome> ExchangeCode(Store& store, RevocationGeneration* generation, const App& client,
                                  std::string_view code, std::string_view redirect_uri, std::string_view code_verifier,
                                  TimeMs now);

//! grant_type=refresh_token. `scope`, when given, must be a subset of the grant's scopes
//! (invalid_scope otherwise; RFC 6749 6) and narrows the new tokens (the grant keeps its own:
//! a later refresh may ask again for any of them). Refusals: unknown, expired, revoked or
//! spent token, or one issued to another app (invalid_grant); an empty one (invalid_request).
//! A spent refresh token presented again revokes the grant and bumps `generation` (may be
//! null). On success the old refresh token is spent and a new access token and refresh token
//! returned (the new refresh token has the grant's scopes: a narrowed refresh narrows the
//! access token only).
Result<TokenOutcome> RefreshTokens(Store& store, RevocationGeneration* generation, const App& client,
                                   std::string_view refresh_token, std::optional<ScopeSet> scope, TimeMs now);

//! POST /2/oauth2/revoke (RFC 7009) for `client`: a refresh token revokes its whole grant; an
//! access token itself. An unknown, expired or already revoked token is not an error (RFC 7009
//! 2.2: the client cannot act on it); a token of another app is refused with invalid_client's
//! neighbour unauthorized_client and changes nothing. `hint` ("access_token", "refresh_token"
//! or empty) only speeds the lookup; any other hint is unsupported_token_type; an empty token
//! is invalid_request. Bumps `generation` after a revocation's commit so that every worker
//! stops accepting the token.
Result<std::optional<OAuthRefusal>> RevokeToken(Store& store, RevocationGeneration* generation, const App& client,
                                                std::string_view token, std::string_view hint, TimeMs now);

//! A live user access token as the authenticate stage sees it.
struct UserAccess {
  App app;           // the live app it was issued to
  Id user_id = 0;    // the account it acts for
  ScopeSet scopes = 0;
  Id grant_id = 0;
  TimeMs expires_at = 0;
};

//! The access token whose SHA-256 is `token_hash` (HashToken), when it is live at `now`: not
//! expired, not revoked, its grant not revoked, its app not revoked. nullopt otherwise.
Result<std::optional<UserAccess>> FindUserAccess(Store& store, std::string_view token_hash, TimeMs now);

//! An app an account authorised, for the account's page.
struct AuthorizedApp {
  Id app_id = 0;
  std::string app_name;
  std::string project_name;  // the app's owner, as the consent page names it
  ScopeSet scopes = 0;       // the union of its live grants' scopes
  TimeMs first_granted_at = 0;
  TimeMs last_granted_at = 0;
};

//! The apps holding at least one live grant of `user_id`: not revoked, to a live app, and not
//! wholly expired (an unspent code or an unspent, unrevoked token still live at `now`). The
//! most recently authorised first (ties in the order of their first grant).
Result<std::vector<AuthorizedApp>> AuthorizedApps(Store& store, Id user_id, TimeMs now);

//! Revokes every grant of `user_id` to `app_id` (their codes and tokens with them), then bumps
//! `generation`. False when there was none.
Result<bool> RevokeAppForUser(Store& store, RevocationGeneration* generation, Id user_id, Id app_id, TimeMs now);

}  // namespace sluice
