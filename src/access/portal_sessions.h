#pragma once
//! The admin API's credentials (docs/admin-api.md): the operator's admin token, each
//! project's console key, and the portal's session cookie with its CSRF token.
//!
//! A portal session is the cookie value "SUBJECT.EXPIRES_MS.NONCE.MAC", SUBJECT being "admin" or
//! "pID-TAG" (a project, TAG the first 16 hex digits of the SHA-256 of the console key it
//! signed in with), NONCE 22 random base64url characters (two sign-ins never share a cookie or a
//! CSRF token), MAC the session key's MAC (purpose "portal-session"). Nothing is stored:
//! the admin API re-reads the project's console key hash on every request, so a rotated key
//! ends the sessions made with the old one. The CSRF token is the MAC (purpose "portal-csrf")
//! of the whole cookie value: a page on another site can neither read the cookie nor make it.

#include <optional>
#include <string>
#include <string_view>

#include "access/account_sessions.h"
#include "core/result.h"
#include "core/types.h"

namespace sluice {

inline constexpr std::string_view kAdminTokenPrefix = "sluice_admin_";
inline constexpr std::string_view kConsoleKeyPrefix = "sluice_console_";
inline constexpr std::string_view kPortalCookie = "sluice_portal";
inline constexpr TimeMs kPortalSessionLifetimeMs = 8 * 3600'000;  // sign in again after 8 hours

//! A new admin token: kAdminTokenPrefix and 43 base64url characters (32 random bytes).
std::string NewAdminToken();
//! A new console key: kConsoleKeyPrefix and 43 base64url characters (32 random bytes).
std::string NewConsoleKey();

//! The admin token in `path` (its one line); when the file is missing it is made (mode 0600)
//! with a new token. Errors: CommandError naming the file (unreadable, not an admin token).
Result<std::string> LoadOrCreateAdminToken(const std::string& path);

//! Whether `presented` equals `secret`: their SHA-256s compared in constant time (the time
//! says nothing of how much of a guess was right).
bool SecretMatches(std::string_view secret, std::string_view presented);

//! The first 16 hex digits of a console key's stored hash (32 raw bytes, HashToken).
std::string ConsoleKeyTag(std::string_view key_hash);

struct PortalSession {
  std::optional<Id> project_id;  // nullopt: the operator
  std::string key_tag;           // a project's: ConsoleKeyTag of the key it signed in with
  TimeMs expires_at = 0;
  std::string nonce;             // EncodePortalSession makes one when empty
  friend bool operator==(const PortalSession&, const PortalSession&) = default;
};

//! The cookie value of `session`.
std::string EncodePortalSession(const SessionKey& key, const PortalSession& session);
//! The session a cookie value names, when its MAC is right, it is well formed and `now` is
//! before its expiry; nullopt for anything else (never throws, any input).
std::optional<PortalSession> DecodePortalSession(const SessionKey& key, std::string_view value, TimeMs now);

//! The CSRF token of the session whose cookie value is `cookie_value`.
std::string PortalCsrfToken(const SessionKey& key, std::string_view cookie_value);
//! Whether `token` is the CSRF token of `cookie_value` (constant time); false when either is empty.
bool PortalCsrfMatches(const SessionKey& key, std::string_view cookie_value, std::string_view token);

//! The Set-Cookie value that sets the session (HttpOnly, SameSite=Strict, Path=/, Max-Age of
//! what is left of its lifetime, Secure when `secure`), or clears it when `value` is empty.
std::string PortalCookieHeader(std::string_view value, TimeMs max_age_ms, bool secure);

}  // namespace sluice
