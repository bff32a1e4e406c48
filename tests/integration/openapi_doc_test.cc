// Integration: GET /2/openapi.json (Sluice's own OpenAPI document, no token) and the 404 of
// an unknown route or plan, which carries the resource_type X's document requires.
#include <gtest/gtest.h>

#include "harness.h"

namespace sluice::testing {
namespace {

TEST(OpenApiDoc, ServedWithoutATokenAsTheOpenApiMediaType) {
  SluiceServer server;
  server.Start();
  auto r = server.Get("/2/openapi.json", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/vnd.oai.openapi+json;version=3.0");
  auto doc = r.Json().as_object();
  EXPECT_EQ(doc.at("openapi").as_string().subview().substr(0, 2), "3.");
  const auto& paths = doc.at("paths").as_object();
  for (const char* path : {"/2/tweets/search/all", "/2/tweets/counts/all", "/2/users/search", "/2/tweets/{id}",
                           "/2/license/{plan}", "/2/openapi.json"})
    EXPECT_TRUE(paths.contains(path)) << path;
  EXPECT_FALSE(paths.contains("/metrics")) << "operational routes are the server's, not the API's";
  // A token is not needed, and one that is unknown does not turn it into a 401.
  EXPECT_EQ(server.Get("/2/openapi.json", "made-up").status, 200);
  // The licence terms, the other public JSON route, for the node check against the document.
  EXPECT_EQ(server.Get("/2/license/pro", "").status, 200);
  EXPECT_EQ(server.Get("/2/license/payg", "").status, 200);
}

TEST(OpenApiDoc, UnknownRoutesAndPlansAre404sWithXsResourceType) {
  SluiceServer server;
  server.Start();
  auto r = server.Get("/2/tweets/search/everything?query=a", "");
  ASSERT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  auto j = r.Json();
  EXPECT_EQ(Str(j, "type"), "https://api.x.com/2/problems/resource-not-found");
  EXPECT_EQ(Str(j, "title"), "Not Found Error");
  EXPECT_EQ(Str(j, "resource_type"), "endpoint");
  EXPECT_EQ(Str(j, "parameter"), "path");
  EXPECT_EQ(Str(j, "value"), "/2/tweets/search/everything");
  EXPECT_EQ(Str(j, "resource_id"), "/2/tweets/search/everything");

  auto plan = server.Get("/2/license/platinum", "");
  ASSERT_EQ(plan.status, 404) << plan.body;
  auto pj = plan.Json();
  EXPECT_EQ(Str(pj, "resource_type"), "plan");
  EXPECT_EQ(Str(pj, "value"), "platinum");
  EXPECT_EQ(Str(pj, "detail"), "No plan named 'platinum'.");
}

}  // namespace
}  // namespace sluice::testing
