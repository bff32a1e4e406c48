#include "api/oauth_responses.h"

#include "core/json_writer.h"

namespace sluice {
namespace {

void NeverCached(ApiResponse& r) {
  r.headers.emplace_back("cache-control", "no-store");
  r.headers.emplace_back("pragma", "no-cache");
}

}  // namespace

std::string_view OAuthErrorName(OAuthErrorCode code) {
  switch (code) {
    case OAuthErrorCode::kInvalidRequest: return "invalid_request";
    case OAuthErrorCode::kInvalidClient: return "invalid_client";
    case OAuthErrorCode::kInvalidGrant: return "invalid_grant";
    case OAuthErrorCode::kUnauthorizedClient: return "unauthorized_client";
    case OAuthErrorCode::kUnsupportedGrantType: return "unsupported_grant_type";
    case OAuthErrorCode::kInvalidScope: return "invalid_scope";
    case OAuthErrorCode::kUnsupportedTokenType: return "unsupported_token_type";
    case OAuthErrorCode::kAccessDenied: return "access_denied";
    case OAuthErrorCode::kUnsupportedResponseType: return "unsupported_response_type";
  }
  return "invalid_request";
}

ApiResponse OAuthError(OAuthErrorCode code, std::string_view description, bool basic_auth_used) {
  JsonWriter w;
  w.BeginObject();
  w.Member("error", OAuthErrorName(code));
  w.Member("error_description", description);
  w.EndObject();
  const bool challenge = code == OAuthErrorCode::kInvalidClient && basic_auth_used;
  ApiResponse r = ApiResponse::Json(challenge ? 401 : 400, w.str());
  if (challenge) r.headers.emplace_back("www-authenticate", "Basic realm=\"sluice\"");
  NeverCached(r);
  return r;
}

ApiResponse TokenResponse(const IssuedTokens& tokens) {
  JsonWriter w;
  w.BeginObject();
  w.Member("token_type", "bearer");
  w.MemberInt("expires_in", tokens.expires_in);
  w.Member("access_token", tokens.access_token);
  w.Member("scope", tokens.scope);
  if (tokens.refresh_token) w.Member("refresh_token", *tokens.refresh_token);
  w.EndObject();
  ApiResponse r = ApiResponse::Json(200, w.str());
  NeverCached(r);
  return r;
}

}  // namespace sluice
