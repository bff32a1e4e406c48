// Several nodes in fast mode (`[limits] mode = "fast"`, docs/limits.md "Several nodes"): the
// three nodes of the cluster fixture lease rate-limit admissions from Redis in batches. A
// concurrent burst spread over them is admitted within [N - nodes * K, N] (never over the
// limit), with far fewer Redis script calls than admissions.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "cluster.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

constexpr int64_t kLimit = 3000;
constexpr int64_t kLease = kLimit * 1 / 100 / kNodes;  // K at the default lease_percent = 1: 10
constexpr const char* kCounts = "/2/tweets/counts/recent?query=the";

class FastLimitsTest : public ClusterTest {
 protected:
  // An app on a plan of its own (kLimit counts per 15 minutes), and every node in fast mode.
  std::string StartFast() {
    const std::string plans = nodes_[0]->data_dir() + "/plans.toml";
    std::ofstream(plans) << "[plans.burst]\ntitle = \"Burst\"\nmonthly_price_usd = \"1.00\"\nread_cap = 1000000\nmax_apps = 1\n"
                            "[plans.burst.limits]\n\"GET /2/tweets/counts/recent\" = \"" << kLimit << "/15m\"\n";
    const std::string config = nodes_[0]->data_dir() + "/plans-only.toml";
    std::ofstream(config) << "[plans]\nfile = \"" << plans << "\"\n";
    auto created = RunSluice({"apps", "create", "--store", url_, "--data", nodes_[0]->data_dir(), "--config", config,
                              "--name", "bursty", "--plan", "burst"});
    EXPECT_EQ(created.exit_code, 0) << created.err;
    if (created.exit_code != 0) return "";
    for (int i = 0; i < kNodes; ++i)
      StartNode(i, "mode = \"fast\"\nnodes = " + std::to_string(kNodes) + "\n[plans]\nfile = \"" + plans + "\"\n");
    return Str(json::parse(created.out), "bearer_token");
  }

  // EVALSHA commands the shared Redis ran so far (INFO commandstats): every script call.
  int64_t ScriptCalls() {
    const std::string info = redis_.Command("INFO commandstats");
    const std::string tag = "cmdstat_evalsha:calls=";
    const auto at = info.find(tag);
    return at == std::string::npos ? 0 : std::stoll(info.substr(at + tag.size()));
  }
};

TEST_F(FastLimitsTest, ABurstOverThreeNodesAdmitsWithinOnePercentBelowTheLimitAndNeverAbove) {
  const std::string token = StartFast();
  ASSERT_FALSE(token.empty());
  constexpr int kThreads = 12, kEach = 270;  // 3240 requests: 240 past the limit
  const int64_t calls_before = ScriptCalls();
  std::atomic<int64_t> ok{0}, refused{0};
  std::mutex mu;
  std::vector<std::string> other;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = node(size_t(t + i)).Get(kCounts, token);
        if (r.status == 200) {
          ok.fetch_add(1);
        } else if (r.status == 429) {
          refused.fetch_add(1);
        } else {
          std::lock_guard lock(mu);
          other.push_back(std::to_string(r.status) + " " + r.body);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const int64_t calls = ScriptCalls() - calls_before;
  std::printf("fast mode, 3 nodes, limit %lld, K %lld, %d requests: %lld admitted, %lld refused, %lld Redis script calls\n",
              (long long)kLimit, (long long)kLease, kThreads * kEach, (long long)ok.load(), (long long)refused.load(),
              (long long)calls);
  EXPECT_TRUE(other.empty()) << other.front();
  EXPECT_GE(ok.load(), kLimit - kNodes * kLease);
  EXPECT_LE(ok.load(), kLimit);  // the issue allows up to 1 % over; the leases never go over at all
  EXPECT_EQ(ok.load() + refused.load(), kThreads * kEach);
  // One lease call per K admissions, one call per refusal (fewer when refusals wait together),
  // and the give-backs: far below one call per admission.
  EXPECT_LE(calls, ok.load() / kLease + refused.load() + 4 * kNodes) << calls;
  EXPECT_LT(calls * 4, ok.load()) << calls;
}

}  // namespace
}  // namespace sluice::testing
