// The bodies of the actions on behalf of an account, as X's document has them: one member,
// additionalProperties false; every wrong body a 400 naming what is wrong.
#include "api/action_body.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::string Parameter(const Status& s) {
  return s.parameter_errors().empty() ? "" : s.parameter_errors().front().parameter;
}

TEST(ActionBody, TakesTheOneIdMember) {
  auto id = ParseIdBody(R"({"tweet_id":"1346889436626259968"})", "tweet_id");
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, 1346889436626259968);
  EXPECT_EQ(*ParseIdBody(R"( {"target_user_id" : "7"} )", "target_user_id"), 7);
}

TEST(ActionBody, RefusesEveryOtherBodyNamingWhatIsWrong) {
  struct Case {
    const char* body;
    const char* parameter;
  } cases[] = {
      {"", "body"},
      {"not json", "body"},
      {"[]", "body"},
      {R"("1")", "body"},
      {"{}", "tweet_id"},
      {R"({"tweet_id":1})", "tweet_id"},
      {R"({"tweet_id":"abc"})", "tweet_id"},
      {R"({"tweet_id":"-1"})", "tweet_id"},
      {R"({"tweet_id":"12345678901234567890"})", "tweet_id"},
      {R"({"tweet_id":"1","extra":true})", "extra"},
      {R"({"target_user_id":"1"})", "target_user_id"},
  };
  for (const auto& c : cases) {
    auto id = ParseIdBody(c.body, "tweet_id");
    ASSERT_FALSE(id.ok()) << c.body;
    EXPECT_EQ(id.status().code(), StatusCode::kInvalidRequest) << c.body;
    EXPECT_EQ(Parameter(id.status()), c.parameter) << c.body << ": " << id.status().message();
  }
}

TEST(ActionBody, HiddenIsTrueOrFalse) {
  EXPECT_TRUE(*ParseHiddenBody(R"({"hidden":true})"));
  EXPECT_FALSE(*ParseHiddenBody(R"({"hidden":false})"));
  for (const char* body : {R"({"hidden":"true"})", R"({"hidden":1})", R"({})", R"({"hidden":true,"x":1})", "[true]"}) {
    auto h = ParseHiddenBody(body);
    ASSERT_FALSE(h.ok()) << body;
    EXPECT_EQ(h.status().code(), StatusCode::kInvalidRequest) << body;
  }
}

TEST(ActionBody, JsonContentTypeOnly) {
  EXPECT_TRUE(RequireJsonContentType("application/json").ok());
  EXPECT_TRUE(RequireJsonContentType("Application/JSON; charset=utf-8").ok());
  EXPECT_EQ(RequireJsonContentType("text/plain").code(), StatusCode::kUnsupportedMediaType);
  EXPECT_EQ(RequireJsonContentType("").code(), StatusCode::kUnsupportedMediaType);
}

}  // namespace
}  // namespace sluice
