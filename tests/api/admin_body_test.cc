// The admin API's JSON bodies (api/admin_body.h): what each takes, and the 400 naming what is wrong.
#include "api/admin_body.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

std::string Parameter(const Status& s) { return s.parameter_errors().empty() ? "" : s.parameter_errors()[0].parameter; }

TEST(AdminBody, SessionTakesExactlyOneSecret) {
  auto admin = ParseSessionBody(R"({"admin_token":"sluice_admin_x"})");
  ASSERT_TRUE(admin.ok());
  EXPECT_TRUE(admin->admin);
  EXPECT_EQ(admin->secret, "sluice_admin_x");
  auto console = ParseSessionBody(R"({"console_key":"k"})");
  ASSERT_TRUE(console.ok());
  EXPECT_FALSE(console->admin);
  for (const char* bad : {"{}", R"({"admin_token":"a","console_key":"b"})", R"({"admin_token":1})",
                          R"({"admin_token":""})", R"({"password":"x"})", "[]", "", "{"}) {
    auto r = ParseSessionBody(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidRequest) << bad;
  }
  EXPECT_EQ(Parameter(ParseSessionBody(R"({"password":"x"})").status()), "password");
  EXPECT_FALSE(ParseSessionBody("{\"admin_token\":\"" + std::string(257, 'a') + "\"}").ok());
}

TEST(AdminBody, ProjectAndApp) {
  auto p = ParseProjectBody(R"({"name":"acme"})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->plan, "basic");
  EXPECT_EQ(ParseProjectBody(R"({"name":"acme","plan":"pro"})")->plan, "pro");
  EXPECT_EQ(Parameter(ParseProjectBody(R"({"plan":"pro"})").status()), "name");
  EXPECT_EQ(Parameter(ParseProjectBody(R"({"name":"a","plan":5})").status()), "plan");
  auto a = ParseAppBody(R"({"name":"r","uses":["search","display"]})");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->uses, (std::vector<std::string>{"search", "display"}));
  EXPECT_TRUE(ParseAppBody(R"({"name":"r"})")->uses.empty());
  EXPECT_EQ(Parameter(ParseAppBody(R"({"name":"r","uses":[]})").status()), "uses");
  EXPECT_EQ(Parameter(ParseAppBody(R"({"name":"r","uses":"search"})").status()), "uses");
  EXPECT_EQ(Parameter(ParseAppBody(R"({"name":"r","uses":[1]})").status()), "uses");
  EXPECT_EQ(Parameter(ParseAppBody(R"({"name":"r","plan":"pro"})").status()), "plan");
}

TEST(AdminBody, CreditsArePositiveWholeMicroDollars) {
  EXPECT_EQ(*ParseCreditsBody(R"({"micro_usd":1})"), 1);
  EXPECT_EQ(*ParseCreditsBody(R"({"micro_usd":1000000000000000})"), kMaxCreditMicroUsd);
  for (const char* bad : {R"({"micro_usd":0})", R"({"micro_usd":-1})", R"({"micro_usd":1.5})", R"({"micro_usd":"1"})",
                          R"({"micro_usd":1000000000000001})", R"({"micro_usd":18446744073709551615})", "{}",
                          R"({"micro_usd":1,"usd":"1"})"}) {
    auto r = ParseCreditsBody(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidRequest) << bad;
  }
}

}  // namespace
}  // namespace sluice
