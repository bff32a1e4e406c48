// The record of a response (api/delivery.h): it names the account that authorised the request
// through a user access token (record version 3), and only for a request with an app.
#include "api/delivery.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(DeliveryRecord, NamesTheAuthorizingAccountOfAUserToken) {
  Config config;
  ApiRequest req;
  req.request_id = "r1";
  App app;
  app.id = 7;
  app.project_id = 8;
  ApiResponse response = ApiResponse::Json(200, R"({"data":{"liked":true}})");
  response.delivered_posts = {1000};
  response.delivered_users = {42};

  LedgerRecord user = DeliveryRecord(config, 5, req, "POST /2/users/:id/likes", &app, response, 42);
  EXPECT_EQ(user.authorizing_user_id, 42);
  EXPECT_EQ(RecordVersion(user), kLedgerRecordVersionAuthorized);
  EXPECT_EQ(user.post_ids, (std::vector<Id>{1000}));
  EXPECT_EQ(user.user_ids, (std::vector<Id>{42}));

  LedgerRecord app_token = DeliveryRecord(config, 5, req, "POST /2/users/:id/likes", &app, response);
  EXPECT_EQ(app_token.authorizing_user_id, 0);
  EXPECT_EQ(RecordVersion(app_token), kLedgerRecordVersion);

  // Without an app (a refusal counted per second) there is no account to name.
  ApiResponse refused = ApiResponse::Json(401, "{}");
  EXPECT_EQ(DeliveryRecord(config, 5, req, "POST /2/users/:id/likes", nullptr, refused, 42).authorizing_user_id, 0);
}

}  // namespace
}  // namespace sluice
