// OAuth 2.0 scopes: parsing a `scope` parameter, and the table against X's OpenAPI document
// (the extract in tests/integration/openapi/x-api-v2-responses.json, made by
// scripts/x_openapi_responses.py): every scope with X's words, and for every route X also has
// the scopes X requires of a user access token.
#include "core/scopes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace sluice {
namespace {

namespace json = boost::json;

json::object XDocument() {
  std::ifstream in(SLUICE_SOURCE_DIR "/tests/integration/openapi/x-api-v2-responses.json");
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str()).as_object();
}

// "/2/users/:id" -> "/2/users/{id}"
std::string XTemplate(std::string_view pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != ':') {
      out += pattern[i];
      continue;
    }
    size_t end = pattern.find('/', i);
    if (end == std::string_view::npos) end = pattern.size();
    out += "{" + std::string(pattern.substr(i + 1, end - i - 1)) + "}";
    i = end - 1;
  }
  return out;
}

TEST(Scopes, ParsedAsRfc6749SaysAndPrintedBack) {
  auto s = ParseScopes("tweet.read users.read offline.access");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ScopeString(*s), "offline.access tweet.read users.read");
  auto spaced = ParseScopes("  users.read   tweet.read users.read ");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(ScopeString(*spaced), "tweet.read users.read");
  auto unknown = ParseScopes("tweet.read tweet.delete");
  ASSERT_FALSE(unknown.ok());
  ASSERT_EQ(unknown.status().parameter_errors().size(), 1u);
  EXPECT_EQ(unknown.status().parameter_errors()[0].message, "'tweet.delete' is not a scope");
  EXPECT_FALSE(ParseScopes("").ok());
  EXPECT_FALSE(ParseScopes("   ").ok());
  EXPECT_FALSE(ParseScopes("Tweet.Read").ok());  // names are case-sensitive (RFC 6749 3.3)
  EXPECT_FALSE(ParseScopes("tweet.read,users.read").ok());
}

TEST(Scopes, EveryScopeOfXWithXsWords) {
  auto doc = XDocument();
  const auto& scopes = doc.at("components").at("securitySchemes").at("OAuth2UserToken").at("flows")
                           .at("authorizationCode").at("scopes").as_object();
  EXPECT_EQ(scopes.size(), kScopes.size());
  for (const auto& [name, words] : scopes) {
    auto bit = ScopeBit(name);
    ASSERT_TRUE(bit) << name;
    const ScopeInfo& info = kScopes[size_t(__builtin_ctz(*bit))];
    EXPECT_EQ(info.description, words.as_string()) << name;
  }
}

TEST(Scopes, EachRouteRequiresWhatXRequiresOfAUserToken) {
  auto doc = XDocument();
  const auto& paths = doc.at("paths").as_object();
  int compared = 0;
  for (const Route& route : kRoutes) {
    if (route.kind != RouteKind::kApi) continue;
    const std::string path = XTemplate(route.pattern);
    std::string method(route.method);
    for (auto& c : method) c = char(std::tolower(static_cast<unsigned char>(c)));
    const auto* item = paths.if_contains(path);
    const json::value* op = item ? item->as_object().if_contains(method) : nullptr;
    if (!op) {
      EXPECT_EQ(UserTokenScopes(route.id), std::nullopt) << route.method << " " << route.pattern << ": not X's";
      EXPECT_TRUE(XAcceptsAppToken(route.id)) << route.method << " " << route.pattern;
      continue;
    }
    std::optional<ScopeSet> x;
    bool bearer = false;
    for (const auto& requirement : op->at("security").as_array()) {
      if (requirement.as_object().contains("BearerToken")) bearer = true;
      const auto* oauth2 = requirement.as_object().if_contains("OAuth2UserToken");
      if (!oauth2) continue;
      ScopeSet set = 0;
      for (const auto& name : oauth2->as_array()) {
        auto bit = ScopeBit(name.as_string());
        ASSERT_TRUE(bit) << name;
        set |= *bit;
      }
      x = set;
    }
    EXPECT_EQ(XAcceptsAppToken(route.id), bearer) << route.method << " " << route.pattern;
    EXPECT_EQ(UserTokenScopes(route.id), x) << route.method << " " << route.pattern << ": X requires "
                                            << (x ? ScopeString(*x) : "no user token");
    ++compared;
  }
  EXPECT_GE(compared, 20);
}

}  // namespace
}  // namespace sluice
