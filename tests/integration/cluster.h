#pragma once
// The several-nodes fixture of the integration tests: kNodes `sluice serve` processes, each
// with its own data directory, ledger and --node-id, on one PostgreSQL database (a new one per
// test) and one Redis (tests/support). Node 0's directory is seeded; apps made with
// CreateApp on node 0 are in the shared store, so every node knows them.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "harness.h"
#include "support/postgres_server.h"
#include "support/redis_server.h"

namespace sluice::testing {

constexpr int kNodes = 3;

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start());
    auto url = test::SharedPostgres::NewDatabase();
    ASSERT_TRUE(url.ok()) << url.status().message();
    url_ = *url;
    for (int i = 0; i < kNodes; ++i) nodes_.push_back(std::make_unique<SluiceServer>(url_, i == 0 ? 30 : 0, i == 0 ? 300 : 0));
    basic_ = nodes_[0]->CreateApp("basic app", "basic");
    pro_ = nodes_[0]->CreateApp("pro app", "pro");
  }
  void TearDown() override { nodes_.clear(); }

  // Every node on the shared store and Redis; a generous Redis timeout: these tests are about
  // exactness, and a slow moment of the loaded test machine must not turn a decision into a 503.
  void StartAll() {
    for (int i = 0; i < kNodes; ++i) StartNode(i);
  }
  void StartNode(int i, const std::string& more_config = "") {
    const std::string config = nodes_[size_t(i)]->data_dir() + "/node.toml";
    std::ofstream(config) << "[limits]\ntimeout_ms = 2000\n" << more_config;
    nodes_[size_t(i)]->Start({"--limits", redis_.url(), "--node-id", std::to_string(i + 1), "--config", config});
  }
  SluiceServer& node(size_t i) { return *nodes_[i % kNodes]; }

  RedisServer redis_;
  std::string url_;
  std::vector<std::unique_ptr<SluiceServer>> nodes_;
  std::string basic_, pro_;
};

}  // namespace sluice::testing
