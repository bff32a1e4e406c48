#include "access/plans.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

constexpr MicroUsd kDollar = 1'000'000;

// A valid plan; error fixtures append to it or replace it.
constexpr std::string_view kMinimal = R"(
[plans.small]
title = "Small"
monthly_price_usd = "9.99"
max_apps = 1
)";

std::string ErrorOf(std::string_view toml) {
  auto p = Plans::Parse(toml, "plans.toml");
  return p.ok() ? std::string("(parsed)") : p.status().message();
}

// The limit on an endpoint named as plans name it ("GET /2/tweets/:id").
const EndpointLimit* LimitOn(const Plan& plan, std::string_view endpoint) {
  auto route = RouteByEndpoint(endpoint);
  EXPECT_TRUE(route.has_value()) << endpoint;
  return route ? plan.LimitFor(*route) : nullptr;
}

int64_t Limit(const Plan& plan, std::string_view endpoint) {
  const EndpointLimit* l = LimitOn(plan, endpoint);
  return l ? l->requests : -1;
}

LimitWindow Window(const Plan& plan, std::string_view endpoint) { return LimitOn(plan, endpoint)->window; }

TEST(Plans, ParsesAPlan) {
  auto p = Plans::Parse(R"(
[plans.small]
title = "Small"
monthly_price_usd = "9.99"
read_cap = 100
max_apps = 2
uses = ["display", "ai-input"]
[plans.small.limits]
"GET /2/tweets/:id" = "7/15m"
"POST /2/tweets" = "3/24h"
)", "plans.toml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  const Plan* small = p->Find("small");
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->title, "Small");
  EXPECT_EQ(small->monthly_price, 9'990'000);
  EXPECT_EQ(small->read_cap, 100);
  EXPECT_EQ(small->write_cap, std::nullopt);
  EXPECT_EQ(small->max_apps, 2);
  EXPECT_EQ(small->uses, (std::vector<std::string>{"display", "ai-input"}));
  EXPECT_EQ(small->DefaultUses(), (std::vector<std::string>{"display"}));
  EXPECT_EQ(Limit(*small, "GET /2/tweets/:id"), 7);
  EXPECT_EQ(Window(*small, "GET /2/tweets/:id"), LimitWindow::k15Minutes);
  EXPECT_EQ(Limit(*small, "POST /2/tweets"), 3);
  EXPECT_EQ(Window(*small, "POST /2/tweets"), LimitWindow::k24Hours);
  EXPECT_EQ(LimitOn(*small, "GET /2/users"), nullptr);
  EXPECT_EQ(p->Find("big"), nullptr);
}

TEST(Plans, ParsesPerUserLimitsNextToThePerAppOnes) {
  auto p = Plans::Parse(std::string(kMinimal) + R"(
[plans.small.limits]
"GET /2/tweets/:id" = "450/15m"
"POST /2/tweets" = "10000/24h"
[plans.small.user_limits]
"GET /2/tweets/:id" = "900/15m"
"POST /2/tweets" = "100/15m"
"DELETE /2/tweets/:id" = "50/15m"
)", "plans.toml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  const Plan& small = *p->Find("small");
  auto user = [&](std::string_view endpoint) { return small.UserLimitFor(*RouteByEndpoint(endpoint)); };
  ASSERT_EQ(small.user_limits.size(), 3u);
  EXPECT_EQ(user("GET /2/tweets/:id")->requests, 900);
  EXPECT_EQ(user("GET /2/tweets/:id")->window, LimitWindow::k15Minutes);
  EXPECT_EQ(user("GET /2/tweets/:id")->endpoint, "GET /2/tweets/:id");
  EXPECT_EQ(Limit(small, "GET /2/tweets/:id"), 450);  // the app's stays its own
  EXPECT_EQ(user("POST /2/tweets")->requests, 100);
  EXPECT_EQ(Window(small, "POST /2/tweets"), LimitWindow::k24Hours);
  // Limited per user only: offered (to user-context requests), with no per-app window.
  EXPECT_EQ(user("DELETE /2/tweets/:id")->requests, 50);
  EXPECT_EQ(LimitOn(small, "DELETE /2/tweets/:id"), nullptr);
  EXPECT_TRUE(small.Offers(RouteId::kDeletePost));
  EXPECT_TRUE(small.Offers(RouteId::kGetPost));
  // In neither list: not offered.
  EXPECT_EQ(user("GET /2/users"), nullptr);
  EXPECT_FALSE(small.Offers(RouteId::kGetUsers));
}

TEST(Plans, NoPerUserLimitsByDefault) {
  auto p = Plans::Parse(std::string(kMinimal) + "[plans.small.limits]\n\"GET /2/tweets\" = \"1/15m\"\n", "plans.toml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->Find("small")->user_limits.empty());
  EXPECT_EQ(p->Find("small")->UserLimitFor(RouteId::kGetPosts), nullptr);
}

TEST(Plans, OmittedUsesAreSearchDisplayAnalytics) {
  auto p = Plans::Parse(kMinimal, "plans.toml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->Find("small")->uses, (std::vector<std::string>{"search", "display", "analytics"}));
  EXPECT_TRUE(p->Find("small")->Permits("search"));
  EXPECT_FALSE(p->Find("small")->Permits("ai-train"));
  EXPECT_EQ(p->Find("small")->read_cap, std::nullopt);  // no reads
}

TEST(Plans, WindowsInMilliseconds) {
  EXPECT_EQ(WindowMs(LimitWindow::k15Minutes), 900'000);
  EXPECT_EQ(WindowMs(LimitWindow::k24Hours), 86'400'000);
}

TEST(Plans, KnownUses) {
  EXPECT_EQ(KnownUses(), (std::vector<std::string>{"search", "display", "analytics", "ai-input", "ai-train"}));
}

// ---- one fixture per kind of error; each message names the file and the key ----

TEST(Plans, RejectsSyntaxErrorWithLine) {
  EXPECT_EQ(ErrorOf("[plans.x]\ntitle = \n").rfind("plans.toml:2: ", 0), 0u);
}

TEST(Plans, SyntaxErrorIsOneLine) {
  EXPECT_EQ(ErrorOf("[plans.x]\nfree = tru\n"), "plans.toml:2: Error while parsing boolean: expected 'true', saw 'tru\\n'");
}

// A quoted key may hold any character: the error quotes it escaped, on one line (config_fuzz).
TEST(Plans, AnEndpointWithALineBreakIsQuotedOnOneLine) {
  EXPECT_EQ(ErrorOf("[plans.x]\nmonthly_price_usd = \"1\"\n[plans.x.limits]\n\"GET /2/users/:id/m\\tions\" = \"1/15m\"\n"),
            "plans.toml: key 'plans.x.limits.\"GET /2/users/:id/m\\tions\"' is not an endpoint Sluice serves (see docs/plans.md)");
}

TEST(Plans, AnUnreadablePathWithALineBreakIsOneLine) {
  auto plans = Plans::Load("/nonexistent/a\nb.toml");  // a path from a config file's string
  ASSERT_FALSE(plans.ok());
  EXPECT_EQ(plans.status().message(), "/nonexistent/a\\nb.toml: cannot read plans file");
}

TEST(Plans, RejectsUnknownKey) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "price = \"1\"\n"), "plans.toml: unknown key 'plans.small.price'");
}

TEST(Plans, RejectsUnknownTopLevelKey) {
  EXPECT_EQ(ErrorOf(std::string("version = 1\n") + std::string(kMinimal)), "plans.toml: unknown key 'version'");
}

TEST(Plans, RejectsUnknownSection) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[tiers.x]\na = 1\n"), "plans.toml: unknown section 'tiers'");
}

TEST(Plans, RejectsUnknownSectionInAPlan) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[plans.small.limitz]\n"), "plans.toml: unknown section 'plans.small.limitz'");
}

TEST(Plans, RejectsWrongType) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "read_cap = \"10000\"\n"),
            "plans.toml: key 'plans.small.read_cap' has the wrong type (string)");
}

TEST(Plans, RejectsMoneyAsANumber) {
  EXPECT_EQ(ErrorOf("[plans.x]\ntitle = \"X\"\nmonthly_price_usd = 100.0\nmax_apps = 1\n"),
            "plans.toml: key 'plans.x.monthly_price_usd' has the wrong type (floating-point)");
}

TEST(Plans, RejectsMoneyNotADecimalString) {
  for (const char* bad : {"1.1234567", "$100", "1,000", ".5", "5.", "-1", "1e3", "", "1234567890123"}) {
    EXPECT_EQ(ErrorOf(std::string("[plans.x]\ntitle = \"X\"\nmonthly_price_usd = \"") + bad + "\"\nmax_apps = 1\n"),
              "plans.toml: key 'plans.x.monthly_price_usd' must be a decimal string of dollars with at most 6 "
              "decimals, like \"100.00\"")
        << bad;
  }
}

TEST(Plans, MoneyIsExactMicroDollars) {
  auto p = Plans::Parse("[plans.x]\ntitle = \"X\"\nmonthly_price_usd = \"0.000001\"\nmax_apps = 1\n"
                        "[plans.enterprise-x]\ntitle = \"E\"\nmonthly_price_usd = \"123456789012.123456\"\nmax_apps = 1\n"
                        "overage_post_read_usd = \"0.00084\"\n",
                        "plans.toml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->Find("x")->monthly_price, 1);
  EXPECT_EQ(p->Find("enterprise-x")->monthly_price, 123'456'789'012'123'456);
  EXPECT_EQ(p->Find("enterprise-x")->overage_post_read_price, 840);
}

TEST(Plans, RejectsBadLimit) {
  for (const char* bad : {"0/15m", "15", "15/1h", "/15m", "-1/15m", "1.5/15m", "15/15m ", "99999999999999999999/15m"}) {
    EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[plans.small.limits]\n\"GET /2/tweets\" = \"" + bad + "\"\n"),
              "plans.toml: key 'plans.small.limits.\"GET /2/tweets\"' must be \"N/15m\" or \"N/24h\" with N >= 1")
        << bad;
  }
}

TEST(Plans, RejectsUnknownEndpoint) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[plans.small.limits]\n\"GET /2/tweets/:id/likes\" = \"1/15m\"\n"),
            "plans.toml: key 'plans.small.limits.\"GET /2/tweets/:id/likes\"' is not an endpoint Sluice serves (see "
            "docs/plans.md)");
}

TEST(Plans, RejectsBadUserLimit) {
  for (const char* bad : {"0/15m", "15", "15/1h", "-1/15m"}) {
    EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[plans.small.user_limits]\n\"GET /2/tweets\" = \"" + bad + "\"\n"),
              "plans.toml: key 'plans.small.user_limits.\"GET /2/tweets\"' must be \"N/15m\" or \"N/24h\" with N >= 1")
        << bad;
  }
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[plans.small.user_limits]\n\"GET /2/tweets\" = 15\n"),
            "plans.toml: key 'plans.small.user_limits.\"GET /2/tweets\"' has the wrong type (integer)");
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "user_limits = 3\n"),
            "plans.toml: key 'plans.small.user_limits' has the wrong type (integer)");
}

TEST(Plans, RejectsUnknownEndpointInUserLimits) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[plans.small.user_limits]\n\"GET /2/tweets/:id/likes\" = \"1/15m\"\n"),
            "plans.toml: key 'plans.small.user_limits.\"GET /2/tweets/:id/likes\"' is not an endpoint Sluice serves (see "
            "docs/plans.md)");
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[plans.small.user_limits]\n\"GET /healthz\" = \"1/15m\"\n"),
            "plans.toml: key 'plans.small.user_limits.\"GET /healthz\"' is not an endpoint Sluice serves (see "
            "docs/plans.md)");
}

TEST(Plans, RejectsUnknownUse) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "uses = [\"search\", \"resell\"]\n"),
            "plans.toml: key 'plans.small.uses' has unknown use 'resell' (known: search, display, analytics, "
            "ai-input, ai-train)");
}

TEST(Plans, RejectsUsesNotStrings) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "uses = [1]\n"), "plans.toml: key 'plans.small.uses' must be an array of strings");
}

TEST(Plans, RejectsMaxAppsBelowOne) {
  EXPECT_EQ(ErrorOf("[plans.x]\ntitle = \"X\"\nmonthly_price_usd = \"0\"\nmax_apps = 0\n"),
            "plans.toml: key 'plans.x.max_apps' must be 1..10000");
}

TEST(Plans, RejectsNegativeCap) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "write_cap = -1\n"), "plans.toml: key 'plans.small.write_cap' must not be negative");
}

TEST(Plans, RejectsMissingKey) {
  EXPECT_EQ(ErrorOf("[plans.x]\ntitle = \"X\"\nmax_apps = 1\n"), "plans.toml: key 'plans.x.monthly_price_usd' is missing");
}

TEST(Plans, RejectsPayPerUseWithoutPrices) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "pay_per_use = true\npost_read_usd = \"0.005\"\n"),
            "plans.toml: key 'plans.small.pay_per_use' needs post_read_usd, user_read_usd and post_create_usd");
}

TEST(Plans, RejectsPricesWithoutPayPerUse) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "user_read_usd = \"0.01\"\n"),
            "plans.toml: key 'plans.small.user_read_usd' needs pay_per_use = true");
}

TEST(Plans, RejectsOverageOutsideEnterprise) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "overage_post_read_usd = \"0.001\"\n"),
            "plans.toml: key 'plans.small.overage_post_read_usd' is allowed on enterprise plans only (names "
            "starting with 'enterprise')");
}

TEST(Plans, RejectsBadPlanName) {
  EXPECT_EQ(ErrorOf("[plans.Pro_Plan]\ntitle = \"X\"\nmonthly_price_usd = \"0\"\nmax_apps = 1\n"),
            "plans.toml: key 'plans.Pro_Plan' is not a plan name (a-z, 0-9 and '-')");
}

TEST(Plans, RejectsPlanThatIsNotATable) {
  EXPECT_EQ(ErrorOf("plans = 3\n"), "plans.toml: key 'plans' has the wrong type (integer)");
  EXPECT_EQ(ErrorOf("[plans]\nx = 3\n"), "plans.toml: key 'plans.x' has the wrong type (integer)");
}

TEST(Plans, ParsesTheFilteredStreamsNumbers) {
  auto plans = Plans::Parse(std::string(kMinimal) +
                                "stream_rules = 5\nstream_rule_length = 64\nstream_connections = 2\n"
                                "[plans.small.limits]\n\"POST /2/tweets/search/stream/rules\" = \"3/15m\"\n",
                            "plans.toml");
  ASSERT_TRUE(plans.ok()) << plans.status().message();
  const Plan& p = *plans->Find("small");
  EXPECT_EQ(p.stream_rules, 5);
  EXPECT_EQ(p.stream_rule_length, 64);
  EXPECT_EQ(p.stream_connections, 2);
  auto none = Plans::Parse(kMinimal, "plans.toml");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->Find("small")->stream_rules, 0);
}

TEST(Plans, RejectsTheFilteredStreamsNumbersApartOrOutOfRange) {
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "stream_rules = 5\n"),
            "plans.toml: key 'plans.small.stream_rules' needs stream_rules, stream_rule_length and stream_connections "
            "together");
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "stream_rules = 5\nstream_rule_length = 5000\nstream_connections = 1\n"),
            "plans.toml: key 'plans.small.stream_rule_length' must be 1..4096");
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[plans.small.limits]\n\"GET /2/tweets/search/stream/rules\" = \"3/15m\"\n"),
            "plans.toml: key 'plans.small.limits' has \"GET /2/tweets/search/stream/rules\": the plan then needs "
            "stream_rules, stream_rule_length and stream_connections");
}

TEST(PlansDefaults, TheFilteredStreamAsXSellsIt) {
  const Plans& plans = Plans::Defaults();
  for (const char* name : {"free", "basic"}) {
    EXPECT_EQ(plans.Find(name)->stream_rules, 0) << name;
    EXPECT_FALSE(plans.Find(name)->Offers(RouteId::kAddOrDeleteStreamRules)) << name;
  }
  for (const char* name : {"pro", "payg"}) {
    const Plan& p = *plans.Find(name);
    EXPECT_EQ(p.stream_rules, 1000) << name;
    EXPECT_EQ(p.stream_rule_length, 1024) << name;
    EXPECT_EQ(p.stream_connections, 1) << name;
    EXPECT_EQ(Limit(p, "POST /2/tweets/search/stream/rules"), 100) << name;
    EXPECT_EQ(Limit(p, "GET /2/tweets/search/stream/rules"), 450) << name;
  }
  for (const char* name : {"enterprise", "enterprise-100m", "enterprise-200m", "enterprise-ai"}) {
    EXPECT_EQ(plans.Find(name)->stream_rules, 25000) << name;
    EXPECT_EQ(plans.Find(name)->stream_rule_length, 2048) << name;
  }
}

TEST(Plans, RejectsNoPlans) { EXPECT_EQ(ErrorOf(""), "plans.toml: no plans (expected [plans.NAME] tables)"); }

TEST(Plans, LoadNamesAMissingFile) {
  auto p = Plans::Load("/nonexistent/plans.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "/nonexistent/plans.toml: cannot read plans file");
}

// ---- the shipped defaults: X's published tiers (docs/plans.md) ----

TEST(PlansDefaults, ShippedFileIsTheCompiledInOne) {
  auto file = Plans::Load(SLUICE_SOURCE_DIR "/config/plans.toml");
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_EQ(file->all().size(), Plans::Defaults().all().size());
  for (const auto& p : file->all()) {
    const Plan* d = Plans::Defaults().Find(p.name);
    ASSERT_NE(d, nullptr) << p.name;
    EXPECT_EQ(d->monthly_price, p.monthly_price) << p.name;
    EXPECT_EQ(d->limits.size(), p.limits.size()) << p.name;
  }
}

TEST(PlansDefaults, NamesPricesCapsAndApps) {
  const Plans& plans = Plans::Defaults();
  std::vector<std::string> names;
  for (const auto& p : plans.all()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"basic", "enterprise", "enterprise-100m", "enterprise-200m", "enterprise-ai",
                                             "free", "payg", "pro"}));
  struct Row {
    const char* name;
    MicroUsd price;
    std::optional<int64_t> read_cap, write_cap;
    int max_apps;
  };
  for (const Row& r : {
           Row{"free", 0, std::nullopt, 1'500, 1},
           Row{"basic", 100 * kDollar, 10'000, 3'000, 2},
           Row{"pro", 5'000 * kDollar, 1'000'000, 300'000, 3},
           Row{"enterprise", 42'000 * kDollar, 50'000'000, std::nullopt, 10},
           Row{"enterprise-100m", 125'000 * kDollar, 100'000'000, std::nullopt, 10},
           Row{"enterprise-200m", 210'000 * kDollar, 200'000'000, std::nullopt, 10},
           Row{"enterprise-ai", 75'000 * kDollar, 50'000'000, std::nullopt, 10},
           Row{"payg", 0, std::nullopt, std::nullopt, 3},
       }) {
    const Plan* p = plans.Find(r.name);
    ASSERT_NE(p, nullptr) << r.name;
    EXPECT_EQ(p->monthly_price, r.price) << r.name;
    EXPECT_EQ(p->read_cap, r.read_cap) << r.name;
    EXPECT_EQ(p->write_cap, r.write_cap) << r.name;
    EXPECT_EQ(p->max_apps, r.max_apps) << r.name;
    EXPECT_EQ(p->pay_per_use, std::string(r.name) == "payg") << r.name;
  }
}

TEST(PlansDefaults, PayPerUsePrices) {
  const Plan* payg = Plans::Defaults().Find("payg");
  EXPECT_TRUE(payg->pay_per_use);
  EXPECT_EQ(payg->post_read_price, 5'000);     // $0.005
  EXPECT_EQ(payg->user_read_price, 10'000);    // $0.010
  EXPECT_EQ(payg->post_create_price, 15'000);  // $0.015
  EXPECT_EQ(payg->overage_post_read_price, std::nullopt);
  EXPECT_EQ(Plans::Defaults().Find("enterprise")->overage_post_read_price, 840);  // 42,000 / 50M
  EXPECT_EQ(Plans::Defaults().Find("pro")->overage_post_read_price, std::nullopt);
}

TEST(PlansDefaults, LimitsAsXPublishesThem) {
  const Plans& plans = Plans::Defaults();
  const Plan& free = *plans.Find("free");
  const Plan& basic = *plans.Find("basic");
  const Plan& pro = *plans.Find("pro");
  // Free is write-only.
  EXPECT_EQ(free.limits.size(), 3u);
  EXPECT_EQ(LimitOn(free, "GET /2/tweets/:id"), nullptr);
  EXPECT_EQ(LimitOn(free, "GET /2/tweets/search/recent"), nullptr);
  EXPECT_EQ(Limit(free, "POST /2/tweets"), 17);
  EXPECT_EQ(Window(free, "POST /2/tweets"), LimitWindow::k24Hours);
  EXPECT_EQ(Limit(free, "DELETE /2/tweets/:id"), 17);
  EXPECT_EQ(Limit(free, "GET /2/usage/tweets"), 1);
  EXPECT_EQ(Window(free, "GET /2/usage/tweets"), LimitWindow::k15Minutes);
  // Basic.
  EXPECT_EQ(Limit(basic, "GET /2/tweets/search/recent"), 60);
  EXPECT_EQ(Window(basic, "GET /2/tweets/search/recent"), LimitWindow::k15Minutes);
  EXPECT_EQ(Limit(basic, "GET /2/tweets/:id"), 15);
  EXPECT_EQ(Limit(basic, "GET /2/tweets/counts/recent"), 5);
  EXPECT_EQ(Limit(basic, "GET /2/users/:id/tweets"), 10);
  EXPECT_EQ(Limit(basic, "GET /2/users/by/username/:username"), 500);
  EXPECT_EQ(Window(basic, "GET /2/users/by/username/:username"), LimitWindow::k24Hours);
  EXPECT_EQ(Limit(basic, "POST /2/tweets"), 1667);
  EXPECT_EQ(Window(basic, "POST /2/tweets"), LimitWindow::k24Hours);
  // Pro.
  EXPECT_EQ(Limit(pro, "GET /2/users/:id/tweets"), 1500);
  EXPECT_EQ(Limit(pro, "GET /2/tweets/:id/quote_tweets"), 75);
  EXPECT_EQ(Limit(pro, "GET /2/users"), 300);
  EXPECT_EQ(Window(pro, "GET /2/users"), LimitWindow::k15Minutes);
  EXPECT_EQ(Limit(pro, "POST /2/tweets"), 10000);
  EXPECT_EQ(Limit(pro, "DELETE /2/tweets/:id"), 10000);
  // The social graph: likes and reposts on Basic and Pro; follows lookup is X's Enterprise-only pair.
  EXPECT_EQ(Limit(basic, "GET /2/tweets/:id/liking_users"), 25);
  EXPECT_EQ(Limit(basic, "GET /2/users/:id/liked_tweets"), 5);
  EXPECT_EQ(Limit(pro, "GET /2/tweets/:id/retweeted_by"), 75);
  EXPECT_EQ(Limit(pro, "GET /2/users/:id/liked_tweets"), 75);
  for (const Plan* p : {&basic, &pro})
    for (const auto& l : p->limits) EXPECT_EQ(l.endpoint.find("/follow"), std::string::npos) << l.endpoint;
  // The full archive and users search: Pro and above (X: "Pro access and higher"), 300 per
  // 15 minutes (X's 1/second and 10,000/24h are not modelled: one window per endpoint).
  for (const char* e : {"GET /2/tweets/search/all", "GET /2/tweets/counts/all", "GET /2/users/search"}) {
    EXPECT_EQ(LimitOn(basic, e), nullptr) << e;
    EXPECT_EQ(LimitOn(free, e), nullptr) << e;
    EXPECT_EQ(Limit(pro, e), 300) << e;
    EXPECT_EQ(Window(pro, e), LimitWindow::k15Minutes) << e;
    for (const char* enterprise : {"enterprise", "enterprise-100m", "enterprise-200m", "enterprise-ai"})
      EXPECT_EQ(Limit(*plans.Find(enterprise), e), 1000000) << enterprise << " " << e;
  }
  // Batch compliance (issue 16): Pro, pay-per-use and Enterprise, 150 per 15 minutes on Pro.
  for (const char* e : {"POST /2/compliance/jobs", "GET /2/compliance/jobs", "GET /2/compliance/jobs/:id"}) {
    EXPECT_EQ(LimitOn(basic, e), nullptr) << e;
    EXPECT_EQ(LimitOn(free, e), nullptr) << e;
    EXPECT_EQ(Limit(pro, e), 150) << e;
    EXPECT_EQ(Window(pro, e), LimitWindow::k15Minutes) << e;
    for (const char* enterprise : {"enterprise", "enterprise-100m", "enterprise-200m", "enterprise-ai"})
      EXPECT_EQ(Limit(*plans.Find(enterprise), e), 1000000) << enterprise << " " << e;
  }
  // Basic has every endpoint but follows lookup, the full archive, users search and batch
  // compliance; Pro and pay-per-use (Pro's limits) every one but follows lookup; payg equals Pro.
  const Plan& payg = *plans.Find("payg");
  EXPECT_EQ(basic.limits.size(), 18u);
  ASSERT_EQ(pro.limits.size(), 28u);
  ASSERT_EQ(payg.limits.size(), 28u);
  // The filtered stream from Pro up (50 connection attempts per 15 minutes, X's figure); the
  // sample stream on Enterprise only.
  EXPECT_EQ(Limit(pro, "GET /2/tweets/search/stream"), 50);
  EXPECT_FALSE(basic.Offers(RouteId::kSearchStream));
  EXPECT_FALSE(pro.Offers(RouteId::kSampleStream));
  for (size_t i = 0; i < pro.limits.size(); ++i) {
    EXPECT_EQ(payg.limits[i].endpoint, pro.limits[i].endpoint);
    EXPECT_EQ(payg.limits[i].requests, pro.limits[i].requests) << pro.limits[i].endpoint;
    EXPECT_EQ(payg.limits[i].window, pro.limits[i].window) << pro.limits[i].endpoint;
  }
  // Enterprise plans: 1,000,000 per 15 minutes on every endpoint.
  for (const char* name : {"enterprise", "enterprise-100m", "enterprise-200m", "enterprise-ai"}) {
    const Plan& e = *plans.Find(name);
    ASSERT_EQ(e.limits.size(), 40u) << name;
    for (const auto& l : e.limits) {
      EXPECT_EQ(l.requests, 1'000'000) << name << " " << l.endpoint;
      EXPECT_EQ(l.window, LimitWindow::k15Minutes) << name << " " << l.endpoint;
    }
  }
}

TEST(PlansDefaults, UserLimitsAsXPublishesThem) {
  const Plans& plans = Plans::Defaults();
  const Plan& free = *plans.Find("free");
  const Plan& basic = *plans.Find("basic");
  const Plan& pro = *plans.Find("pro");
  const Plan& payg = *plans.Find("payg");
  auto user = [](const Plan& p, std::string_view endpoint) -> int64_t {
    const EndpointLimit* l = p.UserLimitFor(*RouteByEndpoint(endpoint));
    return l ? l->requests : -1;
  };
  auto user_window = [](const Plan& p, std::string_view endpoint) {
    return p.UserLimitFor(*RouteByEndpoint(endpoint))->window;
  };
  // X's Pro column: "GET /2/tweets/:id: 900 requests / 15 mins PER USER, 450 ... PER APP".
  EXPECT_EQ(user(pro, "GET /2/tweets/:id"), 900);
  EXPECT_EQ(Limit(pro, "GET /2/tweets/:id"), 450);
  EXPECT_EQ(user(pro, "GET /2/tweets"), 900);
  EXPECT_EQ(user(pro, "GET /2/tweets/search/recent"), 300);
  EXPECT_EQ(user(pro, "POST /2/tweets"), 100);
  EXPECT_EQ(user_window(pro, "POST /2/tweets"), LimitWindow::k15Minutes);
  EXPECT_EQ(Window(pro, "POST /2/tweets"), LimitWindow::k24Hours);
  EXPECT_EQ(user(pro, "DELETE /2/tweets/:id"), 50);
  EXPECT_EQ(user(pro, "GET /2/users/by/username/:username"), 900);
  EXPECT_EQ(user(pro, "GET /2/users/:id/tweets"), 900);
  EXPECT_EQ(user(pro, "GET /2/users/:id/mentions"), 180);
  EXPECT_EQ(user(pro, "GET /2/tweets/:id/liking_users"), 75);
  // No per-user row: the app's window alone.
  for (const char* e : {"GET /2/tweets/counts/recent", "GET /2/tweets/counts/all", "GET /2/tweets/search/all",
                        "GET /2/users/search", "GET /2/usage/tweets"})
    EXPECT_EQ(user(pro, e), -1) << e;
  // Basic: X's Basic column where it is known.
  EXPECT_EQ(user(basic, "GET /2/tweets/:id"), 15);
  EXPECT_EQ(user(basic, "POST /2/tweets"), 100);
  EXPECT_EQ(user_window(basic, "POST /2/tweets"), LimitWindow::k24Hours);
  EXPECT_EQ(user(basic, "DELETE /2/tweets/:id"), 5);
  EXPECT_EQ(user(basic, "GET /2/tweets/:id/liking_users"), 5);
  EXPECT_EQ(Limit(basic, "GET /2/tweets/:id/liking_users"), 25);
  EXPECT_EQ(user(basic, "GET /2/tweets/search/recent"), -1);
  // Free: the writes, 17 per 24 hours per user as per app, and the actions, 1 per 15 minutes
  // per user only (no app window: X publishes none).
  ASSERT_EQ(free.user_limits.size(), 9u);
  EXPECT_EQ(user(free, "POST /2/users/:id/likes"), 1);
  EXPECT_EQ(LimitOn(free, "POST /2/users/:id/likes"), nullptr);
  EXPECT_EQ(user(pro, "DELETE /2/users/:id/likes/:tweet_id"), 50);
  EXPECT_EQ(user(free, "POST /2/tweets"), 17);
  EXPECT_EQ(user(free, "DELETE /2/tweets/:id"), 17);
  EXPECT_EQ(user_window(free, "DELETE /2/tweets/:id"), LimitWindow::k24Hours);
  // Pay-per-use takes Pro's; enterprise plans have none (by contract: the app's window alone).
  ASSERT_EQ(payg.user_limits.size(), pro.user_limits.size());
  for (size_t i = 0; i < pro.user_limits.size(); ++i) {
    EXPECT_EQ(payg.user_limits[i].endpoint, pro.user_limits[i].endpoint);
    EXPECT_EQ(payg.user_limits[i].requests, pro.user_limits[i].requests) << pro.user_limits[i].endpoint;
    EXPECT_EQ(payg.user_limits[i].window, pro.user_limits[i].window) << pro.user_limits[i].endpoint;
  }
  for (const char* name : {"enterprise", "enterprise-100m", "enterprise-200m", "enterprise-ai"})
    EXPECT_TRUE(plans.Find(name)->user_limits.empty()) << name;
  // Limited per user only: users/me (an app token names no account) and the writes on behalf
  // of an account (X publishes no app figure); every other per-user limit has an app one too.
  for (const Plan& p : plans.all())
    for (const EndpointLimit& l : p.user_limits) {
      const bool user_only = l.route == RouteId::kGetMe || RouteOf(l.route).method != "GET";
      if (l.route == RouteId::kCreatePost || l.route == RouteId::kDeletePost) EXPECT_NE(p.LimitFor(l.route), nullptr) << p.name;
      else EXPECT_EQ(p.LimitFor(l.route) == nullptr, user_only) << p.name << " " << l.endpoint;
    }
}

TEST(PlansDefaults, Uses) {
  const std::vector<std::string> standard = {"search", "display", "analytics"};
  for (const char* name : {"free", "basic", "pro", "payg", "enterprise", "enterprise-100m", "enterprise-200m"}) {
    EXPECT_EQ(Plans::Defaults().Find(name)->uses, standard) << name;
    EXPECT_FALSE(Plans::Defaults().Find(name)->Permits("ai-train")) << name;
  }
  const Plan& ai = *Plans::Defaults().Find("enterprise-ai");
  EXPECT_TRUE(ai.Permits("ai-input"));
  EXPECT_TRUE(ai.Permits("ai-train"));
  EXPECT_EQ(ai.DefaultUses(), standard);
}

}  // namespace
}  // namespace sluice
