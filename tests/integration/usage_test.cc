// Integration: post caps, pay-per-use credits, the usage endpoint, usage and invoices
// rebuilt from the ledger, across kill -9.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// Small caps so a test can reach them; every route the test calls is allowed.
constexpr const char* kPlans = R"(
[plans.tiny]
title = "Tiny"
monthly_price_usd = "10.00"
read_cap = 30
write_cap = 2
max_apps = 2
uses = ["search", "display", "analytics"]
[plans.tiny.limits]
"GET /2/tweets/search/recent" = "1000/15m"
"POST /2/tweets" = "1000/24h"
"GET /2/usage/tweets" = "1000/15m"

[plans.meter]
title = "Metered"
monthly_price_usd = "0"
pay_per_use = true
post_read_usd = "0.005"
user_read_usd = "0.010"
post_create_usd = "0.015"
max_apps = 1
uses = ["search", "display", "analytics"]
[plans.meter.limits]
"GET /2/tweets/search/recent" = "1000/15m"
"GET /2/usage/tweets" = "1000/15m"

[plans.look]
title = "Look"
monthly_price_usd = "0"
read_cap = 100000
write_cap = 0
max_apps = 1
uses = ["search", "display", "analytics"]
[plans.look.limits]
"GET /2/tweets" = "1000/15m"
)";

class UsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<SluiceServer>(40, 800);
    config_ = server_->data_dir() + "/sluice.toml";
    std::ofstream(server_->data_dir() + "/plans.toml") << kPlans;
    std::ofstream(config_) << "[plans]\nfile = \"" << server_->data_dir() << "/plans.toml\"\n";
  }
  json::object CreateApp(const std::string& name, const std::string& plan) {
    auto r = RunSluice({"apps", "create", "--data", server_->data_dir(), "--config", config_, "--name", name, "--plan", plan});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out).as_object();
  }
  std::unique_ptr<SluiceServer> server_;
  std::string config_;
};

TEST_F(UsageTest, ReadCapCountsDistinctPostsPerDayAndSurvivesKillNine) {
  auto app = CreateApp("capped", "tiny");
  std::string token = Str(app, "bearer_token"), project = Str(app, "project_id");
  server_->Start({"--config", config_});
  std::string base = "/2/tweets/search/recent?query=the%20OR%20le&max_results=10";
  auto first = server_->Get(base, token);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(server_->Get(base, token).status, 200);  // the same 10 posts again: counted once today
  std::string next = Str(first.Json().at("meta"), "next_token");
  auto second = server_->Get(base + "&next_token=" + next, token);
  ASSERT_EQ(second.status, 200);
  auto usage = server_->Get("/2/usage/tweets?usage.fields=daily_project_usage,daily_client_app_usage", token).Json().at("data");
  EXPECT_EQ(Str(usage, "project_usage"), "20");
  EXPECT_EQ(Str(usage, "project_cap"), "30");
  EXPECT_EQ(Str(usage, "project_id"), project);
  EXPECT_EQ(Str(usage.at("daily_project_usage").at("usage").at(0), "usage"), "20");
  EXPECT_EQ(Str(usage.at("daily_client_app_usage").at(0), "client_app_id"), Str(app, "app_id"));

  // The third page reaches the cap exactly; the fourth would cross it: refused whole, X's body.
  auto third = server_->Get(base + "&next_token=" + Str(second.Json().at("meta"), "next_token"), token);
  ASSERT_EQ(third.status, 200);
  std::string fourth_target = base + "&next_token=" + Str(third.Json().at("meta"), "next_token");
  auto fourth = server_->Get(fourth_target, token);
  ASSERT_EQ(fourth.status, 429);
  auto body = fourth.Json();
  EXPECT_EQ(Str(body, "title"), "UsageCapExceeded");
  EXPECT_EQ(Str(body, "period"), "Monthly");
  EXPECT_EQ(Str(body, "scope"), "Product");
  EXPECT_EQ(Str(body, "type"), "https://api.x.com/2/problems/usage-capped");
  EXPECT_EQ(Str(server_->Get("/2/usage/tweets", token).Json().at("data"), "project_usage"), "30");
  EXPECT_EQ(server_->Get(base, token).status, 200);  // posts already delivered today cost nothing

  // Writes: the cap of 2 holds, and a refused write writes nothing.
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token, R"({"text":"one"})").status, 201);
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token, R"({"text":"two"})").status, 201);
  auto refused = server_->Request("POST", "/2/tweets", token, R"({"text":"three"})");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(server_->Get("/2/tweets/search/recent?query=three", token).Json().at("meta").at("result_count").as_int64(), 0);

  // kill -9: the counts come back from the ledger.
  server_->Kill();
  server_->Start({"--config", config_});
  EXPECT_EQ(Str(server_->Get("/2/usage/tweets", token).Json().at("data"), "project_usage"), "30");
  EXPECT_EQ(server_->Get(fourth_target, token).status, 429);
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token, R"({"text":"after"})").status, 429);
  ASSERT_EQ(server_->Stop(), 0);

  auto report = RunSluice({"usage", "--data", server_->data_dir(), "--config", config_, "--project", project});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  auto u = json::parse(report.out);
  EXPECT_EQ(u.at("posts_read").as_int64(), 30);
  EXPECT_EQ(u.at("posts_written").as_int64(), 2);
}

TEST_F(UsageTest, PayPerUseDebitsCreditsAndRefusesWhatTheyCannotCover) {
  auto app = CreateApp("metered", "meter");
  std::string token = Str(app, "bearer_token"), project = Str(app, "project_id");
  // $0.08: 10 posts ($0.05) and 3 authors ($0.03) fit once.
  auto added = RunSluice({"credits", "add", "--data", server_->data_dir(), "--project", project, "--usd", "0.08"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(RunSluice({"credits", "add", "--data", server_->data_dir(), "--project", project, "--usd", "-1"}).exit_code, 0);
  server_->Start({"--config", config_});
  std::string base = "/2/tweets/search/recent?query=the%20OR%20le&max_results=10";
  auto first = server_->Get(base, token);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(server_->Get(base, token).status, 200);  // already paid for today
  auto second = server_->Get(base + "&next_token=" + Str(first.Json().at("meta"), "next_token"), token);
  ASSERT_EQ(second.status, 402) << second.body;
  auto body = second.Json();
  EXPECT_EQ(Str(body, "title"), "Payment Required");
  EXPECT_EQ(Str(body, "balance_usd"), "0.030000");
  EXPECT_EQ(Str(body, "price_usd"), "0.050000");
  ASSERT_EQ(server_->Stop(), 0);

  auto month = RunSluice({"usage", "--data", server_->data_dir(), "--config", config_, "--project", project});
  std::string m = Str(json::parse(month.out), "month");
  auto invoice = RunSluice({"invoice", "--data", server_->data_dir(), "--config", config_, "--project", project,
                            "--month", m});
  ASSERT_EQ(invoice.exit_code, 0) << invoice.err;
  auto inv = json::parse(invoice.out);
  EXPECT_EQ(Str(inv.at("lines").at(0), "item"), "posts-read");
  EXPECT_EQ(inv.at("lines").at(0).at("quantity").as_int64(), 10);
  EXPECT_EQ(Str(inv.at("lines").at(3), "item"), "credits");
  EXPECT_EQ(inv.at("total_cents").as_int64(), 0);  // all paid by the credits
  auto csv = RunSluice({"invoice", "--data", server_->data_dir(), "--config", config_, "--project", project,
                        "--month", m, "--format", "csv"});
  EXPECT_EQ(csv.out.rfind("project_id,month,plan,item,description,quantity,unit_price_usd,amount_usd\n", 0), 0u) << csv.out;
  // The same numbers after a restart (nothing is kept but the ledger).
  server_->Start({"--config", config_});
  ASSERT_EQ(server_->Stop(), 0);
  auto again = RunSluice({"invoice", "--data", server_->data_dir(), "--config", config_, "--project", project,
                          "--month", m});
  EXPECT_EQ(again.out, invoice.out);
}

// Trap records are ledgered with the page's posts but never counted or billed: not live, not
// when the meter is rebuilt from the ledger at start, not by `sluice usage` or `sluice invoice`.
TEST_F(UsageTest, TrapsAreNeverCountedOrBilledLiveOrFromTheLedger) {
  std::ofstream(config_, std::ios::app) << "[traps]\nevery_posts = 10\n";
  auto app = CreateApp("metered", "meter");
  std::string token = Str(app, "bearer_token"), project = Str(app, "project_id");
  // Another project's app, to tell the traps (Not Found to it) from the real posts.
  std::string observer = Str(CreateApp("observer", "look"), "bearer_token");
  ASSERT_EQ(RunSluice({"credits", "add", "--data", server_->data_dir(), "--project", project, "--usd", "10"}).exit_code, 0);
  server_->Start({"--config", config_});
  std::string base = "/2/tweets/search/recent?query=the%20OR%20le&max_results=10";
  std::string target = base;
  int delivered = 0, traps = 0;
  for (int n = 0; n < 10; ++n) {
    auto r = server_->Get(target, token);
    ASSERT_EQ(r.status, 200) << r.body;
    std::string ids;
    const json::value page = r.Json();
    for (const auto& p : page.at("data").as_array()) {
      ids += (ids.empty() ? "" : ",") + Str(p, "id");
      ++delivered;
    }
    auto seen = server_->Get("/2/tweets?ids=" + ids, observer).Json().as_object();
    if (seen.contains("errors")) traps += int(seen.at("errors").as_array().size());
    target = base + "&next_token=" + Str(page.at("meta"), "next_token");
  }
  EXPECT_EQ(delivered, 100);  // a page holds max_results posts, traps included
  EXPECT_GE(traps, 5);        // the pages did carry traps
  const std::string real = std::to_string(delivered - traps);
  EXPECT_EQ(Str(server_->Get("/2/usage/tweets", token).Json().at("data"), "project_usage"), real);
  ASSERT_EQ(server_->Stop(), 0);
  server_->Start({"--config", config_});
  EXPECT_EQ(Str(server_->Get("/2/usage/tweets", token).Json().at("data"), "project_usage"), real);
  ASSERT_EQ(server_->Stop(), 0);

  auto usage = RunSluice({"usage", "--data", server_->data_dir(), "--config", config_, "--project", project});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  auto u = json::parse(usage.out);
  EXPECT_EQ(u.at("posts_read").as_int64(), delivered - traps);
  auto invoice = RunSluice({"invoice", "--data", server_->data_dir(), "--config", config_, "--project", project,
                            "--month", Str(u, "month")});
  ASSERT_EQ(invoice.exit_code, 0) << invoice.err;
  auto line = json::parse(invoice.out).at("lines").at(0);
  EXPECT_EQ(Str(line, "item"), "posts-read");
  EXPECT_EQ(line.at("quantity").as_int64(), delivered - traps);
  // The meter plan's $0.005 a post.
  char amount[16];
  std::snprintf(amount, sizeof amount, "%.2f", 0.005 * (delivered - traps));
  EXPECT_EQ(Str(line, "amount_usd"), amount);
}

// An app keeps the uses it declared; if the operator's terms later stop licensing one of them,
// its requests are refused (403) until it is re-created under terms that do.
TEST_F(UsageTest, UseNoLongerLicensedIsRefused) {
  std::string lab = R"(
[plans.lab]
title = "Lab"
monthly_price_usd = "1.00"
read_cap = 1000
max_apps = 1
uses = ["search", "ai-train"]
[plans.lab.limits]
"GET /2/tweets/search/recent" = "1000/15m"
)";
  std::ofstream(server_->data_dir() + "/plans.toml") << lab;
  auto app = CreateApp("trainer", "lab");
  std::string token = Str(app, "bearer_token");
  EXPECT_EQ(app.at("uses").as_array().size(), 1u);  // the default leaves AI uses out: declare them
  auto declared = RunSluice({"apps", "create", "--data", server_->data_dir(), "--config", config_, "--name", "trainer2",
                             "--plan", "lab", "--use", "search,ai-train"});
  ASSERT_EQ(declared.exit_code, 0) << declared.err;
  std::string trainer = Str(json::parse(declared.out), "bearer_token");
  auto refused_use = RunSluice({"apps", "create", "--data", server_->data_dir(), "--config", config_, "--name", "x",
                                "--plan", "lab", "--use", "display"});
  EXPECT_NE(refused_use.exit_code, 0);
  EXPECT_NE(refused_use.err.find("does not permit use 'display'"), std::string::npos) << refused_use.err;

  std::ofstream(server_->data_dir() + "/plans.toml") << std::string(lab).replace(lab.find("\"search\", \"ai-train\""), 20, "\"search\"");
  server_->Start({"--config", config_});
  EXPECT_EQ(server_->Get("/2/tweets/search/recent?query=the", token).status, 200);
  auto r = server_->Get("/2/tweets/search/recent?query=the", trainer);
  ASSERT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Str(r.Json(), "reason"), "use-not-licensed");
  EXPECT_EQ(r.headers["content-usage"], "train-ai=n, search=y");
}

// `days` is a decimal integer 1..90 as ParseInt reads it: strtol also took " 5" and "+5".
TEST_F(UsageTest, DaysIsAnIntegerFromOneToNinety) {
  auto app = CreateApp("counter", "tiny");
  std::string token = Str(app, "bearer_token");
  server_->Start({"--config", config_});
  for (std::string days : {"%205", "%2B5", "0", "91", "abc", "", "99999999999999999999"}) {
    auto r = server_->Get("/2/usage/tweets?days=" + days, token);
    EXPECT_EQ(r.status, 400) << days;
    EXPECT_NE(r.body.find("is not between 1 and 90"), std::string::npos) << days << r.body;
  }
  EXPECT_EQ(server_->Get("/2/usage/tweets?days=90", token).status, 200);
  auto daily = server_->Get("/2/usage/tweets?days=3&usage.fields=daily_project_usage", token);
  ASSERT_EQ(daily.status, 200) << daily.body;
  auto bad = server_->Get("/2/usage/tweets?usage.fields=daily_project_usage,", token);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("The `usage.fields` query parameter value [] is not one of"), std::string::npos) << bad.body;
}

}  // namespace
}  // namespace sluice::testing
