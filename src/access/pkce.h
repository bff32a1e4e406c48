#pragma once
//! PKCE (RFC 7636), as X's OAuth 2.0 authorization code flow uses it: the client sends a
//! code_challenge (and its method) to /i/oauth2/authorize, then the code_verifier with the
//! code to /2/oauth2/token; the code is exchanged only if the verifier matches the challenge.
//! X accepts the methods "S256" and "plain" (its docs' examples use plain).

#include <optional>
#include <string>
#include <string_view>

namespace sluice {

enum class PkceMethod { kPlain, kS256 };

//! The code_challenge_method parameter: "S256" or "plain" (RFC 7636 4.3), and "s256", which X
//! takes too (twitter-api-v2 sends it); absent (empty) means plain, as RFC 7636 4.3 says.
//! nullopt: any other value ("PLAIN", "sha256", ...).
std::optional<PkceMethod> ParsePkceMethod(std::string_view method);

//! A code_verifier as RFC 7636 4.1 defines it: 43 to 128 characters of [A-Za-z0-9-._~].
bool IsValidCodeVerifier(std::string_view verifier);

//! A code_challenge for `method`: S256, the 43 characters of an unpadded base64url SHA-256;
//! plain, a valid code verifier (the challenge is the verifier itself).
bool IsValidCodeChallenge(PkceMethod method, std::string_view challenge);

//! BASE64URL-ENCODE(SHA256(ASCII(verifier))), unpadded (RFC 7636 4.2).
std::string S256Challenge(std::string_view verifier);

//! Whether `verifier` answers `challenge` made with `method`. The comparison takes the same
//! time wherever the strings differ (the challenge is a secret's image).
bool PkceMatches(PkceMethod method, std::string_view challenge, std::string_view verifier);

}  // namespace sluice
