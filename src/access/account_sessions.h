#pragma once
//! What the sign-in, consent and account pages (api/oauth_server.h) trust: sessions and CSRF
//! tokens signed with the server's key (HMAC-SHA-256, libsodium), and sign-in assertions signed
//! by the operator's own identity system (Ed25519). docs/oauth.md, "Signing in".
//!
//! A session is the cookie value "USER_ID.EXPIRES_MS.MAC": nothing is stored, so every node
//! that shares the key accepts it, and it ends at its expiry (or when the key changes). A CSRF
//! token is the MAC of a random nonce kept in its own cookie (double submit, signed): a page on
//! another site can neither read the nonce nor make a token for one it sets.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/types.h"

namespace sluice {

inline constexpr TimeMs kSessionLifetimeMs = 3600'000;  // an hour: sign in again after
//! The longest an assertion may be valid for from `now`: a copied assertion is of use for this
//! long at most.
inline constexpr TimeMs kMaxAssertionLifetimeMs = 600'000;

class SessionKey {
 public:
  //! The 32-byte key in `path` (raw bytes); when the file is missing it is made (mode 0600) with
  //! fresh random bytes. Errors: CommandError naming the file (unreadable, or not 32 bytes).
  static Result<SessionKey> LoadOrCreate(const std::string& path);
  explicit SessionKey(const std::array<uint8_t, 32>& key) : key_(key) {}

  //! A session cookie value for `user_id`, valid until `expires_at`.
  std::string Session(Id user_id, TimeMs expires_at) const;
  //! The account a session cookie value names, when its MAC is right and `now` < its expiry.
  std::optional<Id> SessionUser(std::string_view value, TimeMs now) const;
  //! The CSRF token for `nonce` (the CSRF cookie's value); CsrfMatches compares in constant time.
  std::string CsrfToken(std::string_view nonce) const;
  bool CsrfMatches(std::string_view nonce, std::string_view token) const;

  //! HMAC-SHA-256 of `message` under a MAC purpose ("portal-session", ...), base64url: other
  //! signed things (access/portal_sessions.h) use the same key with a purpose of their own,
  //! so a value signed for one purpose is never accepted for another.
  std::string Mac(std::string_view purpose, std::string_view message) const;
  //! Whether `mac` is Mac(purpose, message), compared in constant time.
  bool MacMatches(std::string_view purpose, std::string_view message, std::string_view mac) const;

 private:
  std::array<uint8_t, 32> key_;
};

//! A fresh nonce for the CSRF cookie: 22 base64url characters (128 random bits).
std::string NewCsrfNonce();

//! The value of the cookie `name` in a Cookie header ("a=1; b=2"); nullopt when absent.
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name);

//! The operator's identity system's Ed25519 public key (oauth.assertion_key_file: 64 hex digits).
class AssertionKey {
 public:
  //! Errors: CommandError naming the file.
  static Result<AssertionKey> Load(const std::string& path);
  explicit AssertionKey(const std::array<uint8_t, 32>& public_key) : public_key_(public_key) {}

  //! The username a sign-in assertion names, when its signature verifies and it is valid at
  //! `now`. An assertion is BASE64URL(PAYLOAD) "." BASE64URL(SIGNATURE), unpadded, where
  //! PAYLOAD is "USERNAME:EXPIRES" (EXPIRES in seconds since the epoch, at most
  //! kMaxAssertionLifetimeMs after `now`) and SIGNATURE the Ed25519 signature of
  //! "sluice-sign-in-v1:" PAYLOAD. Errors: Unauthorized with the reason (malformed, bad
  //! signature, expired, too long-lived).
  Result<std::string> Verify(std::string_view assertion, TimeMs now) const;

 private:
  std::array<uint8_t, 32> public_key_;
};

//! BASE64URL, unpadded (RFC 4648 5), as sessions and assertions use it.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace sluice
