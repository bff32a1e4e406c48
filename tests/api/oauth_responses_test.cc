// The OAuth 2.0 endpoints' bodies (RFC 6749 5.1 and 5.2): the error names, the statuses
// (invalid_client with HTTP Basic: 401 and a Basic challenge), never cached, and the token
// response with a refresh token only when one was issued.
#include "api/oauth_responses.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice {
namespace {

namespace json = boost::json;

std::string Header(const ApiResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(OAuthResponses, ErrorsAsRfc6749Names) {
  auto r = OAuthError(OAuthErrorCode::kInvalidGrant, "Value passed for the authorization code was invalid.");
  EXPECT_EQ(r.status, 400);
  auto body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("error").as_string(), "invalid_grant");
  EXPECT_EQ(body.at("error_description").as_string(), "Value passed for the authorization code was invalid.");
  EXPECT_EQ(body.size(), 2u);
  EXPECT_EQ(Header(r, "cache-control"), "no-store");
  EXPECT_EQ(Header(r, "pragma"), "no-cache");
  EXPECT_EQ(Header(r, "www-authenticate"), "");
  const std::pair<OAuthErrorCode, std::string_view> names[] = {
      {OAuthErrorCode::kInvalidRequest, "invalid_request"},
      {OAuthErrorCode::kInvalidClient, "invalid_client"},
      {OAuthErrorCode::kInvalidGrant, "invalid_grant"},
      {OAuthErrorCode::kUnauthorizedClient, "unauthorized_client"},
      {OAuthErrorCode::kUnsupportedGrantType, "unsupported_grant_type"},
      {OAuthErrorCode::kInvalidScope, "invalid_scope"},
      {OAuthErrorCode::kUnsupportedTokenType, "unsupported_token_type"},
  };
  for (const auto& [code, name] : names) EXPECT_EQ(OAuthErrorName(code), name);
}

TEST(OAuthResponses, InvalidClientChallengesOnlyABasicClient) {
  auto basic = OAuthError(OAuthErrorCode::kInvalidClient, "Client authentication failed.", /*basic_auth_used=*/true);
  EXPECT_EQ(basic.status, 401);
  EXPECT_EQ(Header(basic, "www-authenticate"), "Basic realm=\"sluice\"");
  auto in_body = OAuthError(OAuthErrorCode::kInvalidClient, "Client authentication failed.");
  EXPECT_EQ(in_body.status, 400);
  EXPECT_EQ(Header(in_body, "www-authenticate"), "");
}

TEST(OAuthResponses, TokensWithARefreshTokenOnlyWhenIssued) {
  IssuedTokens t{.access_token = "at", .scope = "tweet.read users.read"};
  auto r = TokenResponse(t);
  EXPECT_EQ(r.status, 200);
  auto body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("token_type").as_string(), "bearer");
  EXPECT_EQ(body.at("expires_in").as_int64(), 7200);
  EXPECT_EQ(body.at("access_token").as_string(), "at");
  EXPECT_EQ(body.at("scope").as_string(), "tweet.read users.read");
  EXPECT_FALSE(body.contains("refresh_token"));
  EXPECT_EQ(Header(r, "cache-control"), "no-store");
  t.refresh_token = "rt";
  t.scope = "offline.access tweet.read users.read";
  EXPECT_EQ(json::parse(TokenResponse(t).body).at("refresh_token").as_string(), "rt");
}

}  // namespace
}  // namespace sluice
