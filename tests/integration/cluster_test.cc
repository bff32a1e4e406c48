// Several nodes, as docs/operations.md deploys them: three `sluice serve` processes (each its
// own port, data directory and ledger, and --node-id) on one PostgreSQL and one Redis, with
// HAProxy in front (docs/haproxy.cfg). Exact limits and credits across the nodes, a write
// served by every node at once, and a node killed with -9 under load.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "cluster.h"
#include "harness.h"
#include "support/postgres_server.h"
#include "support/redis_server.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCounts = "/2/tweets/counts/recent?query=the";  // basic: 5 per 15 minutes

// A free loopback port now (the kernel's choice, released): for HAProxy's frontend, which
// cannot be told to pick one itself. Start retries with another if it was taken meanwhile.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

// One request on a new connection to `port`; what came back, or "" when nothing listens there
// (HAProxy still starting).
std::string Fetch(int port, const std::string& request) {
  try {
    RawConnection c(port);
    c.Send(request);
    return c.ReadAll(5000);
  } catch (const std::exception&) {
    return "";
  }
}


// HAProxy running docs/haproxy.cfg with the test's ports: the file as operators get it, with
// its listen address and server lines pointed at this test's nodes.
class Haproxy {
 public:
  ~Haproxy() { Stop(); }
  bool Start(const std::string& dir, const std::vector<int>& node_ports) {
    const std::string shipped = std::string(SLUICE_SOURCE_DIR) + "/docs/haproxy.cfg";
    std::ifstream in(shipped);
    std::stringstream doc;
    doc << in.rdbuf();
    if (doc.str().find("bind 127.0.0.1:") == std::string::npos) {
      ADD_FAILURE() << shipped << ": unreadable, or no `bind 127.0.0.1:PORT` line to point at the test's port";
      return false;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = FreePort();
      std::string cfg = std::regex_replace(doc.str(), std::regex("bind 127\\.0\\.0\\.1:[0-9]+"),
                                           "bind 127.0.0.1:" + std::to_string(port_));
      std::string servers;
      for (size_t i = 0; i < node_ports.size(); ++i)
        servers += "    server node" + std::to_string(i + 1) + " 127.0.0.1:" + std::to_string(node_ports[i]) + " check\n";
      cfg = std::regex_replace(cfg, std::regex("(    server node[0-9]+ [^\n]*\n)+"), servers);
      const std::string path = dir + "/haproxy.cfg";
      std::ofstream(path) << cfg;
      pid_ = fork();
      if (pid_ == 0) {
        execlp("haproxy", "haproxy", "-db", "-f", path.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      // Up when a request through it reaches a node (the health checks take a moment).
      for (int i = 0; i < 100; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          break;  // exited: the port was taken, or haproxy is missing (127)
        }
        if (Fetch(port_, "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").rfind("HTTP/1.1 200", 0) == 0)
          return true;
      }
      Stop();
    }
    ADD_FAILURE() << "haproxy did not start (scripts/install-deps installs Debian's haproxy package)";
    return false;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST_F(ClusterTest, ABurstSpreadOverThreeNodesAdmitsExactlyTheLimit) {
  StartAll();
  std::atomic<int> ok{0}, refused{0};
  std::mutex mu;
  std::vector<std::string> other;
  std::vector<std::thread> threads;
  for (int t = 0; t < 9; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) {
        auto r = node(size_t(t + i)).Get(kCounts, basic_);
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
  EXPECT_EQ(ok.load(), 5);
  EXPECT_EQ(refused.load(), 22);
  EXPECT_TRUE(other.empty()) << other.front();
  // Every node now refuses that app, and serves another.
  for (size_t i = 0; i < kNodes; ++i) {
    EXPECT_EQ(node(i).Get(kCounts, basic_).status, 429);
    EXPECT_EQ(node(i).Get(kCounts, pro_).status, 200);
  }
}

TEST_F(ClusterTest, CreditsSpentOnThreeNodesNeverGoNegative) {
  auto created = RunSluice({"apps", "create", "--store", url_, "--data", nodes_[0]->data_dir(), "--name", "metered",
                            "--plan", "payg"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto app = json::parse(created.out);
  const std::string token = Str(app, "bearer_token");
  // $0.02: four posts at $0.005.
  ASSERT_EQ(RunSluice({"credits", "add", "--store", url_, "--data", nodes_[0]->data_dir(), "--project",
                       Str(app, "project_id"), "--usd", "0.02"})
                .exit_code,
            0);
  StartAll();
  auto page = node(0).Get("/2/tweets/search/recent?query=the%20OR%20le&max_results=20", pro_).Json();
  std::vector<std::string> ids;
  for (const auto& p : page.at("data").as_array()) ids.push_back(Str(p, "id"));
  ASSERT_GE(ids.size(), 12u);
  std::atomic<int> ok{0}, payment{0};
  std::mutex mu;
  std::vector<std::string> other;
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      auto r = node(size_t(t)).Get("/2/tweets/" + ids[size_t(t)], token);
      if (r.status == 200) {
        ok.fetch_add(1);
      } else if (r.status == 402) {
        payment.fetch_add(1);
      } else {
        std::lock_guard lock(mu);
        other.push_back(std::to_string(r.status) + " " + r.body);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(payment.load(), 8);
  EXPECT_TRUE(other.empty()) << other.front();
  // What the nodes' ledgers hold, taken together, is what was paid for: four posts.
  for (auto& n : nodes_) ASSERT_EQ(n->Stop(), 0);
  std::vector<std::string> usage = {"usage", "--store", url_, "--project", Str(app, "project_id")};
  for (auto& n : nodes_) {
    usage.push_back("--ledger");
    usage.push_back(n->data_dir());
  }
  auto used = RunSluice(usage);
  ASSERT_EQ(used.exit_code, 0) << used.err;
  EXPECT_NE(used.out.find("\"posts_read\":4"), std::string::npos) << used.out;
}

TEST_F(ClusterTest, AMonthlyCapReachedOnThreeNodesIsNeverPassed) {
  // A plan of its own: 10 posts a month, lookups not rate-limited to speak of.
  const std::string plans = nodes_[0]->data_dir() + "/plans.toml";
  std::ofstream(plans) << "[plans.tiny]\ntitle = \"Tiny\"\nmonthly_price_usd = \"1.00\"\nread_cap = 10\nmax_apps = 1\n"
                          "[plans.tiny.limits]\n\"GET /2/tweets/:id\" = \"1000/15m\"\n"
                          "\"GET /2/tweets/search/recent\" = \"1000/15m\"\n";
  for (auto& n : nodes_) std::ofstream(n->data_dir() + "/node.toml") << "[plans]\nfile = \"" << plans << "\"\n";
  auto created = RunSluice({"apps", "create", "--store", url_, "--data", nodes_[0]->data_dir(), "--config",
                            nodes_[0]->data_dir() + "/node.toml", "--name", "capped", "--plan", "tiny"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string token = Str(json::parse(created.out), "bearer_token");
  // Posts to look up, found by another app before the nodes take the plans file (which holds
  // no other plan).
  StartNode(0);
  auto page = node(0).Get("/2/tweets/search/recent?query=the%20OR%20le&max_results=20", pro_).Json();
  std::vector<std::string> ids;
  for (const auto& p : page.at("data").as_array()) ids.push_back(Str(p, "id"));
  ASSERT_GE(ids.size(), 16u);
  ASSERT_EQ(nodes_[0]->Stop(), 0);
  for (int i = 0; i < kNodes; ++i) StartNode(i, "[plans]\nfile = \"" + plans + "\"\n");
  std::atomic<int> ok{0}, capped{0};
  std::mutex mu;
  std::vector<std::string> other;
  std::vector<size_t> served;  // the threads whose post was delivered
  std::vector<std::thread> threads;
  for (int t = 0; t < 15; ++t) {
    threads.emplace_back([&, t] {
      auto r = node(size_t(t)).Get("/2/tweets/" + ids[size_t(t)], token);
      if (r.status == 200) {
        ok.fetch_add(1);
        std::lock_guard lock(mu);
        served.push_back(size_t(t));
      } else if (r.status == 429 && r.body.find("UsageCapExceeded") != std::string::npos) {
        capped.fetch_add(1);
      } else {
        std::lock_guard lock(mu);
        other.push_back(std::to_string(r.status) + " " + r.body);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(capped.load(), 5);
  EXPECT_TRUE(other.empty()) << other.front();
  // A post delivered today costs nothing again, on any node (the day's set is in Redis): each
  // delivered post asked of the next node is still served, past the cap; a new one is not.
  for (size_t t : served) {
    auto again = node(t + 1).Get("/2/tweets/" + ids[t], token);
    EXPECT_EQ(again.status, 200) << again.body;
  }
  EXPECT_EQ(node(0).Get("/2/tweets/" + ids[15], token).status, 429);
}

TEST_F(ClusterTest, AWriteAcknowledgedByOneNodeIsServedByEveryNodeAtOnce) {
  StartAll();
  auto created = node(0).Request("POST", "/2/tweets", pro_, R"({"text":"written on node one"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Str(created.Json().at("data"), "id");
  for (size_t i = 1; i < kNodes; ++i) {
    // Asked twice: the second answer comes from the node's lookup cache.
    for (int k = 0; k < 2; ++k) {
      auto r = node(i).Get("/2/tweets/" + id, pro_);
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(Str(r.Json().at("data"), "text"), "written on node one");
    }
  }
  auto deleted = node(0).Request("DELETE", "/2/tweets/" + id, pro_);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  // Right after the acknowledgement, no node answers from what it cached.
  for (size_t i = 1; i < kNodes; ++i) {
    auto r = node(i).Get("/2/tweets/" + id, pro_);
    EXPECT_FALSE(r.Json().as_object().contains("data")) << "node " << i + 1 << ": " << r.body;
  }
}

TEST_F(ClusterTest, ANodeKilledUnderLoadLeavesTheOthersServingAndRecovers) {
  const std::string reader = nodes_[0]->CreateApp("enterprise app", "enterprise");  // no 429 under the load
  StartAll();
  std::vector<int> ports;
  for (auto& n : nodes_) ports.push_back(n->port());
  Haproxy lb;
  ASSERT_TRUE(lb.Start(nodes_[0]->data_dir(), ports));
  auto page = node(0).Get("/2/tweets/search/recent?query=the%20OR%20le&max_results=20", pro_).Json();
  std::vector<std::string> ids;
  for (const auto& p : page.at("data").as_array()) ids.push_back(Str(p, "id"));
  ASSERT_FALSE(ids.empty());
  std::atomic<bool> stop{false}, killed{false};
  std::atomic<int> before{0}, failed_before{0}, after{0}, failed_after{0};
  std::mutex mu;
  std::vector<std::string> failures;  // the first few answers that were not a 200
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (size_t i = size_t(t); !stop.load(); ++i) {
        const std::string response =
            Fetch(lb.port(), "GET /2/tweets/" + ids[i % ids.size()] + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                 reader + "\r\nConnection: close\r\n\r\n");
        const bool ok = response.rfind("HTTP/1.1 200", 0) == 0;
        if (!killed.load()) {
          (ok ? before : failed_before).fetch_add(1);
        } else {
          (ok ? after : failed_after).fetch_add(1);
        }
        if (!ok) {
          std::lock_guard lock(mu);
          if (failures.size() < 3) failures.push_back(response.substr(0, 300));
        }
      }
    });
  }
  while (before.load() < 40) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  killed = true;
  nodes_[1]->Kill();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  for (auto& c : clients) c.join();
  // The others kept serving: requests in flight on the killed node when it died may fail (HAProxy
  // resends only what never reached a node); every later one is served.
  std::printf("through HAProxy: %d served before the kill; after it %d served, %d not\n", before.load(), after.load(),
              failed_after.load());
  EXPECT_EQ(failed_before.load(), 0);
  EXPECT_GE(after.load(), 40);
  EXPECT_LE(failed_after.load(), 4) << after.load() << " served after the kill; first failures:\n"
                                     << (failures.empty() ? "" : failures[0]) << "\n"
                                     << (failures.size() > 1 ? failures[1] : "");
  // The killed node restarts on its data directory, its ledger recovered and whole.
  StartNode(1);
  EXPECT_EQ(nodes_[1]->Get("/readyz", "").status, 200);
  EXPECT_EQ(nodes_[1]->Get(kCounts, pro_).status, 200);
  ASSERT_EQ(nodes_[1]->Stop(), 0);
  auto verify = RunSluice({"ledger", "verify", "--data", nodes_[1]->data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace sluice::testing
