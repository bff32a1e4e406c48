#pragma once
//! The bodies of X's OAuth 2.0 token and revocation endpoints (POST /2/oauth2/token,
//! POST /2/oauth2/revoke; issue 15): RFC 6749 5.1's token response and 5.2's error response,
//! never cached (Cache-Control: no-store, Pragma: no-cache, as 5.1 requires). These are not
//! X's problem shape: X answers its OAuth endpoints with RFC 6749's {"error", "error_description"}.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "access/oauth_tokens.h"
#include "api/context.h"

namespace sluice {

//! Each error code maps to its HTTP status: 400, except invalid_client: 401 with
//! WWW-Authenticate when the client sent HTTP Basic credentials (5.2 says so), else 400.
std::string_view OAuthErrorName(OAuthErrorCode code);

//! {"error": NAME, "error_description": DESCRIPTION}. `basic_auth_used`: the request carried
//! `Authorization: Basic ...` (an invalid_client then answers 401 with a Basic challenge).
ApiResponse OAuthError(OAuthErrorCode code, std::string_view description, bool basic_auth_used = false);

//! {"token_type": "bearer", "expires_in", "access_token", "scope"[, "refresh_token"]}, 200.
ApiResponse TokenResponse(const IssuedTokens& tokens);

}  // namespace sluice
