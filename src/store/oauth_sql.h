#pragma once
//! The SQL both stores run for OAuth 2.0 grants, codes and tokens (store.h; tables: SQLite
//! migration 13, PostgreSQL migration 4), and the readers of its rows. Hashes are bound as
//! blobs (bytea) and never read back: a lookup returns the hash it was given. `R` is the
//! backend's row, as in rows.h.

#include <string>
#include <string_view>

#include "store/rows.h"
#include "store/store.h"

namespace sluice::oauth_sql {

//! Over oauth_grants aliased g: what ReadGrant reads (6 columns).
inline constexpr std::string_view kGrantColumns = "g.id, g.app_id, g.user_id, g.scopes, g.created_at, g.revoked_at";
//! Over oauth_codes aliased c (5 columns).
inline constexpr std::string_view kCodeColumns = "c.redirect_uri, c.pkce_method, c.code_challenge, c.expires_at, c.spent_at";
//! Over oauth_tokens aliased t (6 columns).
inline constexpr std::string_view kTokenColumns = "t.kind, t.scopes, t.created_at, t.expires_at, t.spent_at, t.revoked_at";
//! Over apps aliased a: rows::kAppColumns (7 columns), read by rows::ReadApp.
inline constexpr std::string_view kAppColumnsOfA = "a.id, a.project_id, a.name, a.plan, a.uses, a.user_id, a.created_at";

inline const std::string kInsertCode =
    "INSERT INTO oauth_codes (hash, grant_id, redirect_uri, pkce_method, code_challenge, expires_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";
inline const std::string kFindCode = "SELECT " + std::string(kGrantColumns) + ", " + std::string(kCodeColumns) +
                                     " FROM oauth_codes c JOIN oauth_grants g ON g.id = c.grant_id WHERE c.hash = ?";
// The single use: of two transactions spending one code, the second changes no row (SQLite's
// writers are serialised; PostgreSQL's second UPDATE waits for the first and re-checks).
inline const std::string kSpendCode = "UPDATE oauth_codes SET spent_at = ? WHERE hash = ? AND spent_at IS NULL";
inline const std::string kInsertToken =
    "INSERT INTO oauth_tokens (hash, kind, grant_id, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)";
inline const std::string kFindToken = "SELECT " + std::string(kGrantColumns) + ", " + std::string(kTokenColumns) +
                                      " FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id WHERE t.hash = ?";
inline const std::string kSpendRefreshToken =
    "UPDATE oauth_tokens SET spent_at = ? WHERE hash = ? AND kind = 'refresh' AND spent_at IS NULL AND revoked_at IS NULL"
    " AND grant_id IN (SELECT id FROM oauth_grants WHERE revoked_at IS NULL)";
inline const std::string kFindAccessToken =
    "SELECT " + std::string(kAppColumnsOfA) + ", " + std::string(kGrantColumns) + ", " + std::string(kTokenColumns) +
    " FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN apps a ON a.id = g.app_id"
    " WHERE t.hash = ? AND t.kind = 'access' AND t.expires_at > ? AND t.revoked_at IS NULL AND g.revoked_at IS NULL"
    " AND a.revoked_at IS NULL";
inline const std::string kRevokeAccessToken =
    "UPDATE oauth_tokens SET revoked_at = ? WHERE hash = ? AND kind = 'access' AND revoked_at IS NULL";
inline const std::string kRevokeGrant = "UPDATE oauth_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
inline const std::string kRevokeGrantsOfUser =
    "UPDATE oauth_grants SET revoked_at = ? WHERE user_id = ? AND app_id = ? AND revoked_at IS NULL";
inline const std::string kGrantsOfUser =
    "SELECT " + std::string(kAppColumnsOfA) + ", " + std::string(kGrantColumns) +
    ", p.name,"
    " (SELECT max(expires_at) FROM oauth_codes WHERE grant_id = g.id AND spent_at IS NULL),"
    " (SELECT max(expires_at) FROM oauth_tokens WHERE grant_id = g.id AND spent_at IS NULL AND revoked_at IS NULL)"
    " FROM oauth_grants g JOIN apps a ON a.id = g.app_id JOIN projects p ON p.id = a.project_id"
    " WHERE g.user_id = ? AND g.revoked_at IS NULL AND a.revoked_at IS NULL ORDER BY g.id";

inline std::string_view KindName(OAuthToken::Kind kind) { return kind == OAuthToken::Kind::kAccess ? "access" : "refresh"; }

//! `r`'s columns from `first` on, as columns 0, 1, ... (to read a row's later part).
template <class R>
struct Shifted {
  const R& r;
  int first;
  int64_t Int(int c) const { return r.Int(first + c); }
  std::string_view Text(int c) const { return r.Text(first + c); }
  bool IsNull(int c) const { return r.IsNull(first + c); }
  std::optional<int64_t> OptInt(int c) const { return r.OptInt(first + c); }
};
template <class R>
Shifted<R> From(const R& r, int first) {
  return {r, first};
}

template <class R>
OAuthGrant ReadGrant(const R& r) {
  return {r.Int(0), r.Int(1), r.Int(2), uint32_t(r.Int(3)), r.Int(4), r.OptInt(5)};
}
template <class R>
OAuthCode ReadCode(const R& r, std::string_view hash, Id grant_id) {
  return {std::string(hash), grant_id, std::string(r.Text(0)), std::string(r.Text(1)), std::string(r.Text(2)),
          r.Int(3), r.OptInt(4)};
}
template <class R>
OAuthToken ReadToken(const R& r, std::string_view hash, Id grant_id) {
  return {std::string(hash),
          r.Text(0) == "access" ? OAuthToken::Kind::kAccess : OAuthToken::Kind::kRefresh,
          grant_id,
          uint32_t(r.Int(1)),
          r.Int(2),
          r.Int(3),
          r.OptInt(4),
          r.OptInt(5)};
}

//! A row of kGrantsOfUser.
template <class R>
UserGrant ReadUserGrant(const R& r) {
  UserGrant g{ReadGrant(From(r, 7)), rows::ReadApp(r), std::string(r.Text(13)), 0};
  g.usable_until = std::max(r.OptInt(14).value_or(0), r.OptInt(15).value_or(0));
  return g;
}

}  // namespace sluice::oauth_sql
