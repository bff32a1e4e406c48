#pragma once
//! Bearer tokens: made from 32 random bytes (OpenSSL), shown once, stored only as SHA-256.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/types.h"
#include "store/store.h"

namespace sluice {

//! A new token: 43 base64url characters, prefixed "sl_" so it is recognisable in a leak scan.
std::string GenerateToken();
//! SHA-256 of the token, 32 raw bytes. Thread-safe.
std::string HashToken(std::string_view token);
//! The token from an `Authorization: Bearer <token>` header value; nullopt if malformed.
std::optional<std::string_view> ParseBearer(std::string_view authorization);

//! Finds the app a request's Authorization header belongs to: kUnauthorized if there is no
//! header, it is not a bearer token, or no live app has that token.
Result<App> Authenticate(Store& store, std::string_view authorization);

}  // namespace sluice
