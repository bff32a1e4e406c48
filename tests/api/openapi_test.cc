// Sluice's OpenAPI document (docs/openapi.json, compiled in): it describes exactly the API and
// public routes of the route table, no more and no fewer, each with the right security.
#include "api/openapi.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "core/routes.h"

namespace sluice {
namespace {

// "GET /2/tweets/{id}" for the route "GET /2/tweets/:id".
std::string DocumentName(const Route& r) {
  return std::string(r.method) + " " + std::regex_replace(std::string(r.pattern), std::regex(":(\\w+)"), "{$1}");
}

boost::json::object Document() { return boost::json::parse(OpenApiDocument()).as_object(); }

TEST(OpenApiDocument, DescribesExactlyTheApiAndPublicRoutes) {
  auto doc = Document();
  std::set<std::string> described;
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object()) {
      std::string m(method);
      for (char& c : m) c = char(std::toupper(static_cast<unsigned char>(c)));
      described.insert(m + " " + std::string(path));
    }
  std::set<std::string> served;
  for (const Route& r : kRoutes)
    if (r.kind == RouteKind::kApi || r.kind == RouteKind::kPublic || r.kind == RouteKind::kCapability ||
        r.kind == RouteKind::kAdmin)
      served.insert(DocumentName(r));  // OAuth: docs/oauth.md
  for (const auto& name : served)
    EXPECT_TRUE(described.count(name))
        << name << " is served but not in docs/openapi.json: run python3 scripts/sluice_openapi.py > docs/openapi.json";
  for (const auto& name : described)
    EXPECT_TRUE(served.count(name)) << name << " is in docs/openapi.json but not in the route table";
}

TEST(OpenApiDocument, ApiRoutesNeedABearerTokenAndPublicAndCapabilityOnesNone) {
  auto doc = Document();
  EXPECT_EQ(doc.at("openapi").as_string().subview().substr(0, 2), "3.");
  for (const Route& r : kRoutes) {
    if (r.kind == RouteKind::kOperational) continue;
    std::string name = DocumentName(r);
    std::string path = name.substr(name.find(' ') + 1);
    std::string method(r.method);
    for (char& c : method) c = char(std::tolower(static_cast<unsigned char>(c)));
    const auto* item = doc.at("paths").as_object().if_contains(path);
    if (!item || !item->as_object().contains(method)) continue;  // the test above names it
    const auto& security = item->as_object().at(method).at("security").as_array();
    // A capability route's authority is the token in its path (compliance upload and download);
    // signing in to the admin API needs nothing, its other routes the admin token or a session.
    EXPECT_EQ(security.empty(), r.kind == RouteKind::kPublic || r.kind == RouteKind::kCapability ||
                                    r.id == RouteId::kAdminCreateSession)
        << name;
  }
}

}  // namespace
}  // namespace sluice
