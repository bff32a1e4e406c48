// Integration: `[metering] enabled = false` (what bench/http_bench.sh compares against) turns
// off the rate-limit, cap and credit stages and nothing else: the plan still gates endpoints,
// the licence headers are still sent, and the ledger still records every delivery, so the
// usage it counted comes back once metering is on again.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// "tight": 2 lookups per 15 minutes, 3 posts read and 1 written per month. "finder" only
// finds post ids for the test, in another project.
constexpr const char* kPlans = R"(
[plans.tight]
title = "Tight"
monthly_price_usd = "1.00"
read_cap = 3
write_cap = 1
max_apps = 1
uses = ["search", "display", "analytics"]
[plans.tight.limits]
"GET /2/tweets/:id" = "2/15m"
"POST /2/tweets" = "1000/24h"

[plans.finder]
title = "Finder"
monthly_price_usd = "0"
read_cap = 1000
max_apps = 1
uses = ["search", "display", "analytics"]
[plans.finder.limits]
"GET /2/tweets/search/recent" = "1000/15m"
)";

class MeteringOffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<SluiceServer>(20, 200);
    std::string plans = server_->data_dir() + "/plans.toml";
    std::ofstream(plans) << kPlans;
    on_ = server_->data_dir() + "/on.toml";
    off_ = server_->data_dir() + "/off.toml";
    std::ofstream(on_) << "[plans]\nfile = \"" << plans << "\"\n";
    std::ofstream(off_) << "[plans]\nfile = \"" << plans << "\"\n[metering]\nenabled = false\n";
  }
  json::object CreateApp(const std::string& name, const std::string& plan) {
    auto r = RunSluice({"apps", "create", "--data", server_->data_dir(), "--config", on_, "--name", name, "--plan", plan});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out).as_object();
  }
  std::unique_ptr<SluiceServer> server_;
  std::string on_, off_;
};

TEST_F(MeteringOffTest, ServesPastLimitsAndCapsButStillRecords) {
  auto tight = CreateApp("tight", "tight");
  std::string token = Str(tight, "bearer_token"), project = Str(tight, "project_id");
  std::string finder = Str(CreateApp("finder", "finder"), "bearer_token");

  server_->Start({"--config", off_});
  auto found = server_->Get("/2/tweets/search/recent?query=the%20OR%20le&max_results=10", finder);
  ASSERT_EQ(found.status, 200) << found.body;
  std::vector<std::string> ids;
  auto page = found.Json();
  for (const auto& p : page.at("data").as_array()) ids.push_back(Str(p, "id"));
  ASSERT_GE(ids.size(), 6u);

  // Five lookups of five posts: past the rate limit (2) and the read cap (3), all served,
  // without rate-limit headers but with the licence terms.
  for (int i = 0; i < 5; ++i) {
    auto r = server_->Get("/2/tweets/" + ids[i], token);
    ASSERT_EQ(r.status, 200) << i << " " << r.body;
    EXPECT_EQ(r.headers.count("x-rate-limit-limit"), 0u);
    EXPECT_EQ(r.headers["content-usage"], "train-ai=n, search=y");
    EXPECT_EQ(r.headers["link"], "</2/license/tight>; rel=\"license\"");
  }
  // Past the write cap (1).
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token, R"({"text":"one"})").status, 201);
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token, R"({"text":"two"})").status, 201);
  // The plan still gates endpoints: "tight" has no search.
  EXPECT_EQ(server_->Get("/2/tweets/search/recent?query=the", token).status, 403);
  auto metrics = server_->Get("/metrics", "").body;
  EXPECT_NE(metrics.find("sluice_refused_total{reason=\"rate\"} 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("sluice_refused_total{reason=\"cap\"} 0"), std::string::npos) << metrics;
  // The search, 5 lookups, 2 writes and the 403.
  EXPECT_NE(metrics.find("sluice_ledger_records{state=\"appended\"} 9"), std::string::npos) << metrics;
  ASSERT_EQ(server_->Stop(), 0);

  // The ledger has the deliveries: usage counts them.
  auto report = RunSluice({"usage", "--data", server_->data_dir(), "--config", on_, "--project", project});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  auto u = json::parse(report.out);
  EXPECT_EQ(u.at("posts_read").as_int64(), 5);
  EXPECT_EQ(u.at("posts_written").as_int64(), 2);

  // Metering on (the default): the same data dir, the caps rebuilt from that ledger.
  server_->Start({"--config", on_});
  auto again = server_->Get("/2/tweets/" + ids[0], token);  // read today already: costs nothing
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.headers["x-rate-limit-limit"], "2");
  EXPECT_EQ(again.headers["x-rate-limit-remaining"], "1");
  auto capped = server_->Get("/2/tweets/" + ids[5], token);  // a sixth post: past the read cap
  EXPECT_EQ(capped.status, 429);
  EXPECT_EQ(Str(capped.Json(), "title"), "UsageCapExceeded");
  EXPECT_EQ(capped.headers["x-rate-limit-remaining"], "1");  // a refusal costs no rate limit
  ASSERT_EQ(server_->Get("/2/tweets/" + ids[0], token).status, 200);  // the second counted lookup
  auto limited = server_->Get("/2/tweets/" + ids[0], token);          // the third: past the rate limit
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Str(limited.Json(), "title"), "Too Many Requests");
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token, R"({"text":"three"})").status, 429);
  ASSERT_EQ(server_->Stop(), 0);
}

TEST(MeteringOffConfig, RejectsAWrongType) {
  SluiceServer server;
  std::string config = server.data_dir() + "/bad.toml";
  std::ofstream(config) << "[metering]\nenabled = \"no\"\n";
  auto r = RunSluice({"serve", "--data", server.data_dir(), "--config", config});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("key 'metering.enabled' has the wrong type (string)"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sluice::testing
