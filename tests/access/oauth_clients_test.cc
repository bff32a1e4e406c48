#include "access/oauth_clients.h"

#include <gtest/gtest.h>

#include <set>

#include "access/tokens.h"

namespace sluice {
namespace {

bool Base64Url(const std::string& s) {
  return s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}

TEST(OAuthClients, IdsAndSecretsAreRandomBase64UrlOfXsLengths) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = GenerateClientId(), secret = GenerateClientSecret();
    EXPECT_EQ(id.size(), 34u);
    EXPECT_EQ(secret.size(), 50u);
    EXPECT_TRUE(Base64Url(id)) << id;
    EXPECT_TRUE(Base64Url(secret)) << secret;
    EXPECT_TRUE(seen.insert(id).second);
    EXPECT_TRUE(seen.insert(secret).second);
  }
}

TEST(OAuthClients, AcceptsHttpsAndLoopbackHttpRedirectUris) {
  for (const char* uri : {"https://example.com/cb", "https://example.com", "https://example.com:8443/a/b?x=1",
                          "http://127.0.0.1:8080/callback", "http://localhost/cb", "http://LOCALHOST:3000",
                          "http://[::1]:9000/cb", "https://[2001:db8::1]/cb"})
    EXPECT_TRUE(ValidateRedirectUri(uri).ok()) << uri << ": " << ValidateRedirectUri(uri).message();
}

void ExpectRefused(const std::string& uri, const std::string& because) {
  Status s = ValidateRedirectUri(uri);
  ASSERT_FALSE(s.ok()) << uri;
  EXPECT_EQ(s.code(), StatusCode::kUsage);
  EXPECT_NE(s.message().find(because), std::string::npos) << uri << ": " << s.message();
}

TEST(OAuthClients, RefusesRedirectUrisWithPreciseErrors) {
  ExpectRefused("", "must not be empty");
  ExpectRefused("/relative/cb", "not an absolute http:// or https:// URI");
  ExpectRefused("ftp://example.com/cb", "not an absolute http:// or https:// URI");
  ExpectRefused("HTTPS://example.com/cb", "not an absolute http:// or https:// URI");
  ExpectRefused("myapp://cb", "not an absolute http:// or https:// URI");
  ExpectRefused("http://example.com/cb", "only https:// is allowed, except for the loopback hosts");
  ExpectRefused("http://127.0.0.2/cb", "only https:// is allowed");
  ExpectRefused("https://example.com/cb#frag", "has a fragment");
  ExpectRefused("https://example.com/a b", "space or control character");
  ExpectRefused("https:///cb", "has no host");
  ExpectRefused("https://user:pw@example.com/cb", "user information");
  ExpectRefused("https://example.com:/cb", "empty port");
  ExpectRefused("https://example.com:99999/cb", "port '99999'");
  ExpectRefused("https://example.com:8a/cb", "port '8a'");
  ExpectRefused("https://[::1/cb", "unclosed '['");
  ExpectRefused("https://example.com/" + std::string(kMaxRedirectUriLength, 'a'), "at most 1024 are allowed");
  EXPECT_TRUE(ValidateRedirectUri("https://e.co/" + std::string(kMaxRedirectUriLength - 13, 'a')).ok());
}

TEST(OAuthClients, ParsesBasicCredentialsFormDecodedAfterBase64) {
  // base64("my%20id:s%3Acr+t") : the id and secret were form-urlencoded before base64
  auto c = ParseBasicClientCredentials("Basic bXklMjBpZDpzJTNBY3IrdA==");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->client_id, "my id");
  EXPECT_EQ(c->client_secret, "s:cr t");
  auto plain = ParseBasicClientCredentials("basic  YWJjOmRlZg== ");  // "abc:def", scheme case-insensitive
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->client_id, "abc");
  EXPECT_EQ(plain->client_secret, "def");
  auto colon = ParseBasicClientCredentials("Basic YTpiOmM=");  // "a:b:c": the first ':' splits
  ASSERT_TRUE(colon);
  EXPECT_EQ(colon->client_secret, "b:c");
  auto empty_secret = ParseBasicClientCredentials("Basic YWJjOg==");  // "abc:"
  ASSERT_TRUE(empty_secret);
  EXPECT_EQ(empty_secret->client_secret, "");
}

TEST(OAuthClients, RefusesMalformedBasicCredentials) {
  for (const char* h : {"", "Basic", "Basic ", "Bearer YWJjOmRlZg==", "Basic YWJjZGVm",  // "abcdef": no ':'
                        "Basic OmRlZg==",                                                 // ":def": empty id
                        "Basic YWJjOmRlZg",                                               // no padding
                        "Basic YW=jOmRlZg==", "Basic YWJj*mRlZg==", "Basic YWJjOmRlZg===",
                        "Basic JXp6OmE=",  // "%zz:a": a bad percent-escape
                        "Basic YSUyOmI="})  // "a%2:b": a truncated one
    EXPECT_FALSE(ParseBasicClientCredentials(h)) << h;
}

TEST(OAuthClients, ASecretMatchesOnlyItsOwnHash) {
  std::string secret = GenerateClientSecret();
  std::string hash = HashToken(secret);
  EXPECT_TRUE(ClientSecretMatches(secret, hash));
  EXPECT_FALSE(ClientSecretMatches(secret + "x", hash));
  EXPECT_FALSE(ClientSecretMatches("", hash));
  EXPECT_FALSE(ClientSecretMatches(secret, ""));  // no secret set: nothing matches
  EXPECT_FALSE(ClientSecretMatches(secret, hash.substr(1)));
}

}  // namespace
}  // namespace sluice
