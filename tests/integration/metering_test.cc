// Integration: plans, rate limits and licence terms through HTTP.
#include <gtest/gtest.h>

#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

class MeteringTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SluiceServer(30, 300);
    free_ = server_->CreateApp("free app", "free");
    basic_ = server_->CreateApp("basic app", "basic");
    pro_ = server_->CreateApp("pro app", "pro");
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static SluiceServer* server_;
  static std::string free_, basic_, pro_;
};

SluiceServer* MeteringTest::server_ = nullptr;
std::string MeteringTest::free_, MeteringTest::basic_, MeteringTest::pro_;

TEST_F(MeteringTest, FreePlanIsWriteOnly) {
  auto read = server_->Get("/2/tweets/search/recent?query=the", free_);
  EXPECT_EQ(read.status, 403);
  auto j = read.Json();
  EXPECT_EQ(Str(j, "title"), "Client Forbidden");
  EXPECT_EQ(Str(j, "type"), "https://api.x.com/2/problems/client-forbidden");
  EXPECT_EQ(Str(j, "reason"), "client-not-enrolled");

  auto write = server_->Request("POST", "/2/tweets", free_, R"({"text":"free tier post"})");
  EXPECT_EQ(write.status, 201) << write.body;
  // A 24-hour endpoint: both header families.
  EXPECT_EQ(write.headers["x-rate-limit-limit"], "17");
  EXPECT_EQ(write.headers["x-rate-limit-remaining"], "16");
  EXPECT_EQ(write.headers["x-app-limit-24hour-limit"], "17");
  EXPECT_EQ(write.headers["x-app-limit-24hour-remaining"], "16");
  EXPECT_FALSE(write.headers["x-rate-limit-reset"].empty());
}

// The shipped Pro plan limits these endpoints per user too (900 reads, 100 posts per 15
// minutes): an app's own bearer token counts in the app's window alone and sees only it.
TEST_F(MeteringTest, AnAppTokenSeesOnlyTheAppsWindowOnEndpointsWithPerUserLimits) {
  auto read = server_->Get("/2/tweets/1", pro_);
  EXPECT_EQ(read.headers["x-rate-limit-limit"], "450") << read.status << read.body;
  EXPECT_EQ(read.headers["x-rate-limit-remaining"], "449");
  auto write = server_->Request("POST", "/2/tweets", pro_, R"({"text":"pro post"})");
  EXPECT_EQ(write.status, 201) << write.body;
  EXPECT_EQ(write.headers["x-rate-limit-limit"], "10000");
  EXPECT_EQ(write.headers["x-rate-limit-remaining"], "9999");
  EXPECT_EQ(write.headers["x-app-limit-24hour-limit"], "10000");
  EXPECT_EQ(write.headers["x-app-limit-24hour-remaining"], "9999");
}

TEST_F(MeteringTest, RateLimitAdmitsExactlyTheLimitThenRefusesWithXsBody) {
  // Basic: GET /2/tweets/counts/recent allows 5 per 15 minutes.
  std::string target = "/2/tweets/counts/recent?query=the";
  for (int i = 0; i < 5; ++i) {
    auto r = server_->Get(target, basic_);
    ASSERT_EQ(r.status, 200) << i << r.body;
    EXPECT_EQ(r.headers["x-rate-limit-limit"], "5");
    EXPECT_EQ(r.headers["x-rate-limit-remaining"], std::to_string(4 - i));
    EXPECT_TRUE(r.headers.find("x-app-limit-24hour-limit") == r.headers.end());
  }
  auto refused = server_->Get(target, basic_);
  ASSERT_EQ(refused.status, 429);
  EXPECT_EQ(refused.body, R"({"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429})");
  EXPECT_EQ(refused.headers["x-rate-limit-remaining"], "0");
  long long reset = std::stoll(refused.headers["x-rate-limit-reset"]);
  EXPECT_GT(reset, time(nullptr));
  EXPECT_LE(reset, time(nullptr) + 16 * 60 + 1);  // the window plus one 1-minute bucket (docs/limits.md)
  // Another app and another endpoint are not affected.
  EXPECT_EQ(server_->Get(target, pro_).status, 200);
  EXPECT_EQ(server_->Get("/2/tweets/search/recent?query=the", basic_).status, 200);

  auto metrics = server_->Get("/metrics", "").body;
  EXPECT_NE(metrics.find("sluice_refused_total{reason=\"rate\"} 1"), std::string::npos) << metrics;
}

TEST_F(MeteringTest, EveryResponseCarriesLicenceTerms) {
  auto pro = server_->Get("/2/tweets/search/recent?query=the", pro_);
  EXPECT_EQ(pro.headers["content-usage"], "train-ai=n, search=y");
  EXPECT_EQ(pro.headers["link"], "</2/license/pro>; rel=\"license\"");
  auto anonymous = server_->Get("/2/nothing", "");
  EXPECT_EQ(anonymous.headers["content-usage"], "train-ai=n, search=y");

  auto terms = server_->Get("/2/license/enterprise-ai", "");
  ASSERT_EQ(terms.status, 200) << terms.body;
  auto j = terms.Json().at("data");
  EXPECT_TRUE(j.at("uses").at("ai-train").as_bool());
  EXPECT_EQ(Str(j, "content_usage"), "train-ai=y, search=y");
  EXPECT_EQ(terms.headers["link"], "</2/license/enterprise-ai>; rel=\"license\"");
  auto basic_terms = server_->Get("/2/license/basic", "").Json().at("data");
  EXPECT_FALSE(basic_terms.at("uses").at("ai-train").as_bool());
  EXPECT_TRUE(basic_terms.at("uses").at("display").as_bool());

  auto rsl = server_->Request("GET", "/2/license/basic", "", "", "", {{"Accept", "application/rsl+xml"}});
  EXPECT_EQ(rsl.headers["content-type"], "application/rsl+xml");
  EXPECT_NE(rsl.body.find("<rsl xmlns=\"https://rslstandard.org/rsl\">"), std::string::npos);
  EXPECT_NE(rsl.body.find("<prohibits type=\"usage\">ai-input ai-train</prohibits>"), std::string::npos) << rsl.body;
  EXPECT_EQ(server_->Get("/2/license/platinum", "").status, 404);

  auto robots = server_->Get("/robots.txt", "");
  EXPECT_EQ(robots.status, 200);
  EXPECT_NE(robots.body.find("Content-Usage: train-ai=n"), std::string::npos);
  EXPECT_NE(robots.body.find("Content-Signal: search=yes, ai-input=no, ai-train=no"), std::string::npos);
}

TEST_F(MeteringTest, RefusalsAreLedgeredWithoutPayload) {
  EXPECT_EQ(server_->Get("/2/tweets/1", free_).status, 403);
  int last = 0;
  for (int i = 0; i < 6; ++i) last = server_->Get("/2/tweets/counts/recent?query=le", basic_).status;
  EXPECT_EQ(last, 429);
  ASSERT_EQ(server_->Stop(), 0);
  auto r = RunSluice({"ledger", "export", "--data", server_->data_dir(), "--app", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int refusals = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    auto rec = json::parse(line);
    int64_t status = rec.at("status").as_int64();
    if (status == 403 || status == 429) {
      ++refusals;
      EXPECT_TRUE(rec.at("post_ids").as_array().empty());
      EXPECT_NE(Str(rec, "app_id"), "0");
    }
  }
  EXPECT_GE(refusals, 2);
  server_->Start();
}

}  // namespace
}  // namespace sluice::testing
