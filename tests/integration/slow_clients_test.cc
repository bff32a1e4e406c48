// Slow and greedy clients against the real server: header and body deadlines, the connection
// cap, and accept errors that back off instead of flooding the log.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "harness.h"

namespace sluice::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A plain client socket that notices when the server closes it.
class Socket {
 public:
  explicit Socket(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect failed");
  }
  ~Socket() { close(fd_); }
  Socket(const Socket&) = delete;
  void Send(std::string_view bytes) { (void)send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  //! Reads what arrives within `wait`; false once the server has closed the connection.
  bool Poll(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, int(wait.count())) <= 0) return true;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    received_.append(buf, size_t(n));
    return true;
  }
  //! Sends `bytes` one at a time, `every` apart, until they are all sent or the server closes;
  //! returns how long the connection lasted from `start` (or nullopt if it outlived the bytes).
  std::optional<Clock::duration> Trickle(std::string_view bytes, std::chrono::milliseconds every, Clock::time_point start) {
    for (char c : bytes) {
      Send(std::string_view(&c, 1));
      if (!Poll(every)) return Clock::now() - start;
    }
    return std::nullopt;
  }
  //! Waits up to `limit` for the server to close; how long it took, or nullopt.
  std::optional<Clock::duration> WaitClosed(std::chrono::milliseconds limit, Clock::time_point start) {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline)
      if (!Poll(50ms)) return Clock::now() - start;
    return std::nullopt;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

std::string Config(const SluiceServer& s, const std::string& body) {
  std::string path = s.data_dir() + "/slow.toml";
  std::ofstream(path) << "[server]\n" << body;
  return path;
}

// A sluice_connections_total counter from /metrics.
int64_t Connections(const std::string& body, std::string_view outcome) {
  std::string key = "sluice_connections_total{outcome=\"" + std::string(outcome) + "\"} ";
  size_t at = body.find(key);
  return at == std::string::npos ? -1 : std::atoll(body.c_str() + at + key.size());
}
int64_t Connections(const SluiceServer& s, std::string_view outcome) { return Connections(s.Get("/metrics", "").body, outcome); }
// The counter once it reaches `at_least`, or its value after 5 s: the client sees the close
// (Beast closes the socket when the deadline passes) before the session's handler counts it.
int64_t ConnectionsReaching(const SluiceServer& s, std::string_view outcome, int64_t at_least) {
  int64_t n = Connections(s, outcome);
  for (auto deadline = Clock::now() + 5s; n < at_least && Clock::now() < deadline; n = Connections(s, outcome))
    std::this_thread::sleep_for(20ms);
  return n;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int Lines(const std::string& log, std::string_view needle) {
  int n = 0;
  for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
  return n;
}

constexpr std::string_view kSlowHeader =
    "GET /2/tweets/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";

// Before: a header trickled a byte at a time was held for the 60 s idle timeout.
TEST(SlowClients, AHeaderTrickledSlowlyIsClosedAtTheHeaderTimeout) {
  SluiceServer s;
  s.Start({"--config", Config(s, "header_timeout_ms = 1000\nbody_timeout_ms = 60000\n")});
  Socket c(s.port());
  auto start = Clock::now();
  auto lasted = c.Trickle(kSlowHeader, 100ms, start);  // 180 bytes: 18 s if never cut
  ASSERT_TRUE(lasted.has_value()) << "the server waited for the whole trickled header";
  EXPECT_GE(Seconds(*lasted), 0.9);
  EXPECT_LE(Seconds(*lasted), 5.0);  // 5x the timeout
  EXPECT_EQ(ConnectionsReaching(s, "timed_out", 1), 1);
}

// A client that connects and sends nothing holds its connection no longer than a slow one.
TEST(SlowClients, AConnectionThatSendsNothingIsClosedAtTheHeaderTimeout) {
  SluiceServer s;
  s.Start({"--config", Config(s, "header_timeout_ms = 1000\n")});
  Socket c(s.port());
  auto lasted = c.WaitClosed(10s, Clock::now());
  ASSERT_TRUE(lasted.has_value());
  EXPECT_LE(Seconds(*lasted), 5.0);
}

TEST(SlowClients, ABodyTrickledSlowlyIsClosedAtTheBodyTimeout) {
  SluiceServer s;
  s.Start({"--config", Config(s, "header_timeout_ms = 60000\nbody_timeout_ms = 1000\n")});
  Socket c(s.port());
  c.Send("POST /2/tweets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n");
  auto start = Clock::now();
  auto lasted = c.Trickle(std::string(200, ' '), 100ms, start);  // 20 s if never cut
  ASSERT_TRUE(lasted.has_value()) << "the server waited for the whole trickled body";
  EXPECT_GE(Seconds(*lasted), 0.9);
  EXPECT_LE(Seconds(*lasted), 5.0);
  EXPECT_EQ(ConnectionsReaching(s, "timed_out", 1), 1);
}

// A connection with no request begun is idle: draining closes it at once rather than waiting
// for its header deadline (here longer than the drain timeout).
TEST(SlowClients, DrainingClosesAConnectionThatSentNothingAtOnce) {
  SluiceServer s;
  s.Start({"--config", Config(s, "header_timeout_ms = 60000\ndrain_timeout_ms = 30000\n")});
  Socket c(s.port());
  EXPECT_EQ(s.Get("/healthz", "").status, 200);  // the silent connection was accepted before this one
  auto start = Clock::now();
  EXPECT_EQ(s.Stop(), 0);
  EXPECT_LE(Seconds(Clock::now() - start), 5.0);
  EXPECT_FALSE(c.WaitClosed(1000ms, start) == std::nullopt);
}

// Between requests a kept-alive connection waits idle_timeout_ms, not the header timeout.
TEST(SlowClients, AKeptAliveConnectionWaitsTheIdleTimeoutBetweenRequests) {
  SluiceServer s;
  s.Start({"--config", Config(s, "header_timeout_ms = 500\nidle_timeout_ms = 60000\n")});
  KeepAliveClient c(s.port());
  EXPECT_EQ(c.Get("/healthz", "").status, 200);
  std::this_thread::sleep_for(1500ms);  // three header timeouts
  EXPECT_EQ(c.Get("/healthz", "").status, 200);
}

TEST(SlowClients, PastTheCapANewConnectionIsClosedAtOnceAndTheOpenOnesServed) {
  SluiceServer s;
  s.Start({"--config", Config(s, "workers = 2\nmax_connections = 8\nheader_timeout_ms = 60000\n")});
  std::vector<std::unique_ptr<KeepAliveClient>> open;
  for (int i = 0; i < 8; ++i) {
    open.push_back(std::make_unique<KeepAliveClient>(s.port()));
    ASSERT_EQ(open.back()->Get("/healthz", "").status, 200);  // accepted and served: now idle
  }
  for (int round = 0; round < 3; ++round) {
    Socket extra(s.port());  // the kernel completes the handshake; the server closes it
    extra.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    auto closed = extra.WaitClosed(10s, Clock::now());
    ASSERT_TRUE(closed.has_value()) << "the ninth connection was left hanging";
    EXPECT_LE(Seconds(*closed), 2.0);
    EXPECT_EQ(extra.received(), "");
    for (auto& c : open) EXPECT_EQ(c->Get("/healthz", "").status, 200);
  }
  // One closed frees its slot: a new connection is served again.
  open.pop_back();
  bool served = false;
  for (auto deadline = Clock::now() + 10s; !served && Clock::now() < deadline;) {
    std::string reply = s.Raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 2000);
    served = reply.rfind("HTTP/1.1 200", 0) == 0;
    if (!served) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(served);
  // The ninth of each round, and tries of the last loop made before the server saw the close.
  EXPECT_GE(Connections(open.front()->Get("/metrics", "").body, "over_cap"), 3);
  EXPECT_LE(Lines(s.Log(), "server.max_connections = 8 reached"), 2) << s.Log();  // at most one a second
}

int OpenFiles(pid_t pid) {
  int n = 0;
  DIR* d = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (!d) return -1;
  while (readdir(d)) ++n;
  closedir(d);
  return n - 2;  // . and ..
}

// Out of descriptors (the cap set above what the file limit allows): accept fails, backs off,
// logs at most once a second, and accepts again once descriptors are free.
TEST(SlowClients, AcceptErrorsBackOffWithoutFloodingTheLog) {
  SluiceServer s;
  s.Start({"--config", Config(s, "workers = 2\nmax_connections = 100000\n")});
  int in_use = OpenFiles(s.pid());
  ASSERT_GT(in_use, 0);
  rlimit limit{};
  ASSERT_EQ(prlimit(s.pid(), RLIMIT_NOFILE, nullptr, &limit), 0);
  rlimit lowered = limit;
  lowered.rlim_cur = rlim_t(in_use + 10);  // room for about ten connections
  ASSERT_EQ(prlimit(s.pid(), RLIMIT_NOFILE, &lowered, nullptr), 0);

  std::vector<std::unique_ptr<Socket>> held;
  for (int i = 0; i < 40; ++i) held.push_back(std::make_unique<Socket>(s.port()));
  std::this_thread::sleep_for(3s);
  std::string log = s.Log();
  int failures = Lines(log, "accept failed");
  EXPECT_GE(failures, 1) << "the file limit was never reached";
  EXPECT_LE(failures, 6) << log;  // 3 s: the first at once, then one a second
  // Each a JSON log line like the others (the access log's pattern once leaked into them).
  for (size_t at = log.find("accept failed"); at != std::string::npos; at = log.find("accept failed", at + 1)) {
    size_t begin = log.rfind('\n', at), end = log.find('\n', at);
    std::string line = log.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin == std::string::npos ? 0 : begin + 1));
    boost::system::error_code ec;
    auto json = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    EXPECT_EQ(Str(json, "level"), "warning") << line;
  }
  // The first connections were accepted and are served.
  held.front()->Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  for (auto deadline = Clock::now() + 5s; held.front()->received().empty() && Clock::now() < deadline;)
    held.front()->Poll(50ms);
  EXPECT_EQ(held.front()->received().rfind("HTTP/1.1 200", 0), 0u) << held.front()->received();

  held.clear();  // descriptors free again: accepting resumes within the backoff (at most 1 s)
  bool served = false;
  for (auto deadline = Clock::now() + 10s; !served && Clock::now() < deadline;) {
    std::string reply = s.Raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 2000);
    served = reply.rfind("HTTP/1.1 200", 0) == 0;
  }
  EXPECT_TRUE(served);
  EXPECT_GE(Connections(s, "accept_failed"), failures);  // every failure counted, not every one logged
  ASSERT_EQ(prlimit(s.pid(), RLIMIT_NOFILE, &limit, nullptr), 0);
}

}  // namespace
}  // namespace sluice::testing
