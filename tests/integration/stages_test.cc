// Stages that wait, end to end: with the fault delay on, requests wait on one worker's timer
// while the same worker answers others.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "harness.h"

namespace sluice::testing {
namespace {

int64_t Gauge(const std::string& metrics, const std::string& name) {
  size_t at = metrics.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + name.size() + 2));
}

TEST(WaitingStages, ManyRequestsWaitOnOneWorkerWhileItServesOthers) {
  SluiceServer server;
  const std::string token = server.CreateApp("patient");
  const std::string config = server.data_dir() + "/delay.toml";
  std::ofstream(config) << "[server]\nworkers = 1\n[fault]\ndelay_ms = 3000\n";
  server.Start({"--config", config});

  constexpr int kRequests = 40;
  std::vector<int> statuses(kRequests, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < kRequests; ++i)
    clients.emplace_back([&, i] { statuses[i] = server.Get("/2/users/by/username/nobody", token).status; });
  // The one worker answers /metrics (no stage waits there) while the others wait.
  int64_t waiting = 0;
  std::string metrics;
  for (int polls = 0; polls < 200 && waiting < kRequests; ++polls) {
    auto m = server.Get("/metrics", "");
    ASSERT_EQ(m.status, 200);
    metrics = m.body;
    waiting = Gauge(metrics, "sluice_requests_waiting");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(waiting, kRequests) << metrics;
  for (auto& c : clients) c.join();
  for (int s : statuses) EXPECT_EQ(s, 200);
  metrics = server.Get("/metrics", "").body;
  EXPECT_EQ(Gauge(metrics, "sluice_requests_waiting"), 0) << metrics;
  EXPECT_EQ(Gauge(metrics, "sluice_requests_waiting_max"), kRequests) << metrics;
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace sluice::testing
