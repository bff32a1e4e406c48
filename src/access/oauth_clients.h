#pragma once
//! Apps as OAuth 2.0 clients (issue 15), as on X: every app has a client id and a confidential
//! client secret (shown once, stored only as its SHA-256, as bearer tokens are: tokens.h), and
//! a list of registered redirect URIs. This unit makes ids and secrets, validates redirect URIs
//! and checks the client credentials a token endpoint receives (RFC 6749 2.3.1).

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace sluice {

//! Limits on an app's redirect URIs (X allows 10 callback URLs per app).
inline constexpr size_t kMaxRedirectUriLength = 1024;
inline constexpr size_t kMaxRedirectUrisPerApp = 10;

//! `n` random base64url characters (6 bits each, from OpenSSL's RAND_bytes).
std::string RandomBase64Url(size_t n);

//! A new client id: 34 base64url characters (204 random bits), the length and alphabet of X's
//! client ids (e.g. "M1M5R3BMVy13QmpScXkzTUt2OlE6MTpjaQ").
std::string GenerateClientId();
//! A new client secret: 50 base64url characters (300 random bits), the length of X's.
std::string GenerateClientSecret();

//! Ok if `uri` may be registered as a redirect URI; else a CommandError naming the rule it
//! breaks: at most kMaxRedirectUriLength characters; no spaces or control characters; an
//! absolute http:// or https:// URI (scheme in lower case) with a host; https unless the host
//! is a loopback one (127.0.0.1, [::1], localhost: RFC 8252 7.3); no user information; a port,
//! when given, of digits only (1 to 65535); no fragment (RFC 6749 3.1.2).
Status ValidateRedirectUri(std::string_view uri);

struct ClientCredentials {
  std::string client_id;
  std::string client_secret;
};

//! The client id and secret of an `Authorization: Basic ...` header value (scheme case-
//! insensitive), as RFC 6749 2.3.1 says: base64 of id ":" secret, each form-urlencoded first
//! (so "+" is a space and %XX a byte). nullopt when the header is not Basic, the base64 or the
//! percent-encoding is malformed, there is no ':', or the id is empty. Never throws.
std::optional<ClientCredentials> ParseBasicClientCredentials(std::string_view authorization);

//! True if SHA-256(`secret`) equals `stored_hash`, compared in constant time (so a caller
//! learns nothing from the time it takes); false for an empty `stored_hash` (no secret set).
bool ClientSecretMatches(std::string_view secret, std::string_view stored_hash);

}  // namespace sluice
