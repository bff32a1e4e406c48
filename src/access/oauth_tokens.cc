#include "access/oauth_tokens.h"

#include <algorithm>
#include <map>

#include "access/oauth_clients.h"
#include "access/tokens.h"

namespace sluice {

namespace {

// Random parts: 43 base64url characters (258 bits) for tokens, as GenerateToken's; 64 for
// codes (X's are of that order, and a code is shown to the browser's history too).
constexpr size_t kTokenChars = 43;
constexpr size_t kCodeChars = 64;

TokenOutcome Refuse(OAuthErrorCode code, std::string description) {
  return TokenOutcome{std::nullopt, OAuthRefusal{code, std::move(description)}};
}
TokenOutcome InvalidGrant(std::string description) { return Refuse(OAuthErrorCode::kInvalidGrant, std::move(description)); }

std::string_view MethodName(PkceMethod m) { return m == PkceMethod::kS256 ? "S256" : "plain"; }

bool HasOfflineAccess(ScopeSet scopes) { return (scopes & *ScopeBit("offline.access")) != 0; }

// The tokens of one issue for `grant`: an access token with `scopes`, and a refresh token
// (with the grant's scopes) when the grant has offline.access. `rows` gets what the store keeps.
IssuedTokens MakeTokens(const OAuthGrant& grant, ScopeSet scopes, TimeMs now, std::vector<OAuthToken>& rows) {
  IssuedTokens out;
  out.access_token = std::string(kUserAccessTokenPrefix) + RandomBase64Url(kTokenChars);
  out.scope = ScopeString(scopes);
  rows.push_back({HashToken(out.access_token), OAuthToken::Kind::kAccess, grant.id, scopes, now,
                  now + kAccessTokenLifetimeMs, std::nullopt, std::nullopt});
  if (HasOfflineAccess(grant.scopes)) {
    out.refresh_token = std::string(kRefreshTokenPrefix) + RandomBase64Url(kTokenChars);
    rows.push_back({HashToken(*out.refresh_token), OAuthToken::Kind::kRefresh, grant.id, grant.scopes, now,
                    now + kRefreshTokenLifetimeMs, std::nullopt, std::nullopt});
  }
  return out;
}

// A code or refresh token presented again: its grant goes, with every token of it (and every
// worker learns it through the generation).
Result<TokenOutcome> Replayed(Store& store, RevocationGeneration* generation, Id grant_id, TimeMs now,
                              std::string description) {
  auto revoked = store.RevokeGrant(grant_id, now);
  if (!revoked.ok()) return revoked.status();
  if (*revoked && generation) generation->Bump();
  return InvalidGrant(std::move(description));
}

}  // namespace

Result<std::string> IssueCode(Store& store, const CodeGrantRequest& request, TimeMs now) {
  std::string code = RandomBase64Url(kCodeChars);
  OAuthCode row{HashToken(code),   0, request.redirect_uri, std::string(MethodName(request.method)),
                request.code_challenge, now + kCodeLifetimeMs, std::nullopt};
  auto grant = store.InsertGrantWithCode(OAuthGrant{0, request.app_id, request.user_id, request.scopes, now, std::nullopt}, row);
  if (!grant.ok()) return grant.status();
  return code;
}

Result<TokenOutcome> ExchangeCode(Store& store, RevocationGeneration* generation, const App& client,
                                  std::string_view code, std::string_view redirect_uri, std::string_view code_verifier,
                                  TimeMs now) {
  if (code.empty()) return Refuse(OAuthErrorCode::kInvalidRequest, "Missing required parameter [code].");
  if (code_verifier.empty()) return Refuse(OAuthErrorCode::kInvalidRequest, "Missing required parameter [code_verifier].");
  const std::string hash = HashToken(code);
  auto found = store.FindCode(hash);
  if (!found.ok()) return found.status();
  if (!*found) return InvalidGrant("Value passed for the authorization code was invalid.");
  const auto& [stored, grant] = **found;
  // Another app's code is refused without touching it: a client cannot revoke another's grant.
  if (grant.app_id != client.id) return InvalidGrant("Value passed for the authorization code was invalid.");
  if (stored.spent_at)
    return Replayed(store, generation, grant.id, now, "The authorization code was already used; its grant is revoked.");
  if (grant.revoked_at) return InvalidGrant("The authorization was revoked.");
  if (now >= stored.expires_at) return InvalidGrant("The authorization code has expired.");
  if (redirect_uri != stored.redirect_uri)
    return InvalidGrant("Value passed for redirect_uri does not match the one of the authorization request.");
  auto method = ParsePkceMethod(stored.pkce_method);
  if (!method) return InternalError("stored PKCE method '" + stored.pkce_method + "' is unknown");
  // Refusals so far leave the code unspent: a client may retry a typo within the 30 s, and one
  // without the verifier gains nothing by trying.
  if (!IsValidCodeVerifier(code_verifier) || !PkceMatches(*method, stored.code_challenge, code_verifier))
    return InvalidGrant("Value passed for code_verifier does not match the code_challenge.");

  std::vector<OAuthToken> rows;
  IssuedTokens tokens = MakeTokens(grant, grant.scopes, now, rows);
  auto spent = store.SpendCode(hash, now, rows);
  if (!spent.ok()) return spent.status();
  // Spent between our read and now: another exchange of the same code won; this one replays it.
  if (!*spent)
    return Replayed(store, generation, grant.id, now, "The authorization code was already used; its grant is revoked.");
  return TokenOutcome{std::move(tokens), std::nullopt};
}

Result<TokenOutcome> RefreshTokens(Store& store, RevocationGeneration* generation, const App& client,
                                   std::string_view refresh_token, std::optional<ScopeSet> scope, TimeMs now) {
  if (refresh_token.empty()) return Refuse(OAuthErrorCode::kInvalidRequest, "Missing required parameter [refresh_token].");
  const std::string hash = HashToken(refresh_token);
  auto found = store.FindToken(hash);
  if (!found.ok()) return found.status();
  if (!*found || (*found)->item.kind != OAuthToken::Kind::kRefresh) return InvalidGrant("Value passed for the token was invalid.");
  const auto& [stored, grant] = **found;
  if (grant.app_id != client.id) return InvalidGrant("Value passed for the token was invalid.");
  if (stored.spent_at)
    return Replayed(store, generation, grant.id, now, "The refresh token was already used; its grant is revoked.");
  if (grant.revoked_at || stored.revoked_at) return InvalidGrant("The authorization was revoked.");
  if (now >= stored.expires_at) return InvalidGrant("The refresh token has expired.");
  ScopeSet scopes = grant.scopes;
  if (scope) {
    if ((*scope & ~grant.scopes) != 0)
      return Refuse(OAuthErrorCode::kInvalidScope,
                    "The scope asked for exceeds the one granted: " + ScopeString(*scope & ~grant.scopes) + ".");
    scopes = *scope;
  }
  std::vector<OAuthToken> rows;
  IssuedTokens tokens = MakeTokens(grant, scopes, now, rows);
  auto spent = store.SpendRefreshToken(hash, now, rows);
  if (!spent.ok()) return spent.status();
  if (!*spent)  // spent (or its grant revoked) since our read
    return Replayed(store, generation, grant.id, now, "The refresh token was already used; its grant is revoked.");
  return TokenOutcome{std::move(tokens), std::nullopt};
}

Result<std::optional<OAuthRefusal>> RevokeToken(Store& store, RevocationGeneration* generation, const App& client,
                                                std::string_view token, std::string_view hint, TimeMs now) {
  if (!hint.empty() && hint != "access_token" && hint != "refresh_token")
    return std::optional<OAuthRefusal>(
        OAuthRefusal{OAuthErrorCode::kUnsupportedTokenType, "The token_type_hint '" + std::string(hint) + "' is not supported."});
  if (token.empty())
    return std::optional<OAuthRefusal>(OAuthRefusal{OAuthErrorCode::kInvalidRequest, "Missing required parameter [token]."});
  // One lookup by hash finds either kind, so the hint is not needed to find it.
  auto found = store.FindToken(HashToken(token));
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<OAuthRefusal>();  // unknown: nothing to do (RFC 7009 2.2)
  const auto& [stored, grant] = **found;
  if (grant.app_id != client.id)
    return std::optional<OAuthRefusal>(
        OAuthRefusal{OAuthErrorCode::kUnauthorizedClient, "The token was not issued to this client."});
  Result<bool> revoked = stored.kind == OAuthToken::Kind::kRefresh ? store.RevokeGrant(grant.id, now)
                                                                    : store.RevokeAccessToken(stored.hash, now);
  if (!revoked.ok()) return revoked.status();
  if (*revoked && generation) generation->Bump();
  return std::optional<OAuthRefusal>();
}

Result<std::optional<UserAccess>> FindUserAccess(Store& store, std::string_view token_hash, TimeMs now) {
  auto found = store.FindAccessToken(token_hash, now);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<UserAccess>();
  auto& f = **found;
  return std::optional<UserAccess>(UserAccess{std::move(f.app), f.grant.user_id, f.token.scopes, f.grant.id, f.token.expires_at});
}

Result<std::vector<AuthorizedApp>> AuthorizedApps(Store& store, Id user_id, TimeMs now) {
  auto grants = store.GrantsOfUser(user_id);
  if (!grants.ok()) return grants.status();
  std::vector<AuthorizedApp> out;
  std::map<Id, size_t> index;  // app id -> its place in out
  for (const auto& g : *grants) {
    if (g.usable_until <= now) continue;  // wholly expired
    auto [it, added] = index.emplace(g.app.id, out.size());
    if (added) out.push_back({g.app.id, g.app.name, g.project_name, 0, g.grant.created_at, g.grant.created_at});
    AuthorizedApp& a = out[it->second];
    a.scopes |= g.grant.scopes;
    a.first_granted_at = std::min(a.first_granted_at, g.grant.created_at);
    a.last_granted_at = std::max(a.last_granted_at, g.grant.created_at);
  }
  // The most recently authorised first, as the account's page lists them.
  std::stable_sort(out.begin(), out.end(),
                   [](const AuthorizedApp& a, const AuthorizedApp& b) { return a.last_granted_at > b.last_granted_at; });
  return out;
}

Result<bool> RevokeAppForUser(Store& store, RevocationGeneration* generation, Id user_id, Id app_id, TimeMs now) {
  auto n = store.RevokeGrantsOfUser(user_id, app_id, now);
  if (!n.ok()) return n.status();
  if (*n == 0) return false;
  if (generation) generation->Bump();
  return true;
}

}  // namespace sluice
