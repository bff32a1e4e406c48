// Integration: a GET /2/tweets/:id answered from a worker's cache of rendered lookups is
// metered exactly as a rendered one: the rate limit counts it, the cap counts the posts it
// delivers (and refuses it whole past the cap, even when another app's request put it in the
// cache), it carries the plan's licence headers, and the ledger records it.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// "tight": 4 lookups per 15 minutes, 2 posts read per month. "finder": finds post ids and
// reads one, in another project.
constexpr const char* kPlans = R"(
[plans.tight]
title = "Tight"
monthly_price_usd = "1.00"
read_cap = 2
write_cap = 1
max_apps = 1
uses = ["search", "display", "analytics"]
[plans.tight.limits]
"GET /2/tweets/:id" = "4/15m"

[plans.finder]
title = "Finder"
monthly_price_usd = "0"
read_cap = 1000
max_apps = 1
uses = ["search", "display", "analytics"]
[plans.finder.limits]
"GET /2/tweets/search/recent" = "1000/15m"
"GET /2/tweets/:id" = "1000/15m"
)";

int64_t Metric(const std::string& metrics, const std::string& key) {
  size_t at = metrics.find(key + " ");
  return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + key.size() + 1));
}

TEST(LookupCacheMetering, AHitIsLimitedCappedLicensedAndLedgeredAsAMiss) {
  SluiceServer server(20, 200);
  std::string plans = server.data_dir() + "/plans.toml";
  std::ofstream(plans) << kPlans;
  std::string config = server.data_dir() + "/sluice.toml";
  std::ofstream(config) << "[plans]\nfile = \"" << plans << "\"\n[server]\nlookup_cache_entries = 1000\n";
  auto create = [&](const std::string& name, const std::string& plan) {
    auto r = RunSluice({"apps", "create", "--data", server.data_dir(), "--config", config, "--name", name, "--plan", plan});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out).as_object();
  };
  auto tight = create("tight", "tight");
  auto finder_app = create("finder", "finder");
  std::string token = Str(tight, "bearer_token"), finder = Str(finder_app, "bearer_token");
  server.Start({"--config", config});

  auto found = server.Get("/2/tweets/search/recent?query=the%20OR%20le&max_results=10", finder);
  ASSERT_EQ(found.status, 200) << found.body;
  std::vector<std::string> ids;
  auto page = found.Json();
  for (const auto& p : page.at("data").as_array()) ids.push_back(Str(p, "id"));
  ASSERT_GE(ids.size(), 3u);
  const std::string a = "/2/tweets/" + ids[0], b = "/2/tweets/" + ids[1], c = "/2/tweets/" + ids[2];

  // One connection: one worker, one cache.
  KeepAliveClient conn(server.port());
  auto c_by_finder = conn.Get(c, finder);  // another project's request puts C in the cache
  ASSERT_EQ(c_by_finder.status, 200) << c_by_finder.body;

  auto miss = conn.Get(a, token);
  ASSERT_EQ(miss.status, 200) << miss.body;
  EXPECT_EQ(miss.headers["x-rate-limit-remaining"], "3");
  auto hit = conn.Get(a, token);
  ASSERT_EQ(hit.status, 200) << hit.body;
  EXPECT_EQ(hit.body, miss.body);
  EXPECT_EQ(hit.headers["x-rate-limit-limit"], "4");
  EXPECT_EQ(hit.headers["x-rate-limit-remaining"], "2");  // the hit counted
  EXPECT_EQ(hit.headers["content-usage"], miss.headers["content-usage"]);
  EXPECT_EQ(hit.headers["link"], "</2/license/tight>; rel=\"license\"");
  EXPECT_NE(hit.headers["x-request-id"], miss.headers["x-request-id"]);

  ASSERT_EQ(conn.Get(b, token).status, 200);  // the second post: the read cap (2) is reached
  auto capped = conn.Get(c, token);           // C is cached (finder's), but would be a third post
  EXPECT_EQ(capped.status, 429) << capped.body;
  EXPECT_EQ(Str(capped.Json(), "title"), "UsageCapExceeded");
  EXPECT_EQ(capped.headers["x-rate-limit-remaining"], "1");  // a refusal costs no rate limit
  ASSERT_EQ(conn.Get(a, token).status, 200);  // the fourth counted lookup (A, read today: free)
  auto limited = conn.Get(a, token);          // the fifth: past the rate limit
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Str(limited.Json(), "title"), "Too Many Requests");

  std::string metrics = server.Get("/metrics", "").body;
  // Hits: A again, C for tight, A once more. Misses: C for finder, A, B. The last was refused before.
  EXPECT_EQ(Metric(metrics, "sluice_lookup_cache_total{result=\"hit\"}"), 3) << metrics;
  EXPECT_EQ(Metric(metrics, "sluice_lookup_cache_total{result=\"miss\"}"), 3) << metrics;
  EXPECT_EQ(Metric(metrics, "sluice_refused_total{reason=\"cap\"}"), 1) << metrics;
  // Recorded: the search, C by finder, A, A, B, the cap refusal, A, the rate-limit refusal.
  EXPECT_EQ(Metric(metrics, "sluice_ledger_records{state=\"appended\"}"), 8) << metrics;
  ASSERT_EQ(server.Stop(), 0);

  // The ledger counted the hit's delivery like the miss's: two distinct posts for tight.
  auto usage = [&](const json::object& app) {
    auto r = RunSluice({"usage", "--data", server.data_dir(), "--config", config, "--project", Str(app, "project_id")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  };
  EXPECT_EQ(usage(tight).at("posts_read").as_int64(), 2);
  EXPECT_EQ(usage(finder_app).at("posts_read").as_int64(), 10);  // the search's 10, C among them
}

}  // namespace
}  // namespace sluice::testing
