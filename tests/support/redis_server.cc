#include "support/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

// A port the kernel calls free now (bound to port 0, then closed). Another process could take
// it before redis-server binds; Start then fails loudly rather than talking to a stranger.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

std::string FindRedisServer() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
    fs::path p = fs::path(dir) / "redis-server";
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

std::string ReplyText(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_INTEGER: return std::to_string(r->integer);
    case REDIS_REPLY_NIL: return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string out;
      for (size_t i = 0; i < r->elements; ++i) out += (i ? " " : "") + ReplyText(r->element[i]);
      return out;
    }
    default: return std::string(r->str, r->len);
  }
}

}  // namespace

RedisServer::RedisServer() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/sluice-redis-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) != nullptr) dir_ = buf.data();
}

RedisServer::~RedisServer() {
  if (pid_ > 0) Kill();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

bool RedisServer::Start() {
  if (pid_ > 0) return true;
  const std::string binary = FindRedisServer();
  if (binary.empty()) {
    ADD_FAILURE() << "redis-server is not installed: run scripts/install-deps (apt-get install redis-server)";
    return false;
  }
  if (dir_.empty()) {
    ADD_FAILURE() << "cannot create a directory for redis-server under $TMPDIR or /tmp";
    return false;
  }
  if (port_ == 0) port_ = FreePort();
  // No persistence, no protected mode (loopback only anyway), its log in its own directory.
  std::vector<std::string> args = {binary,       "--port",         std::to_string(port_), "--bind",     "127.0.0.1",
                                    "--save",     "",               "--appendonly",        "no",         "--dir",
                                    dir_,         "--logfile",      dir_ + "/redis.log",  "--daemonize", "no",
                                    "--protected-mode", "no"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Its standard streams on /dev/null (it logs to its file): a test process that dies without
  // stopping it (a sanitizer's halt) must not leave it holding the test's output pipe open,
  // or ctest waits for that pipe until its timeout.
  posix_spawn_file_actions_t streams;
  ::posix_spawn_file_actions_init(&streams);
  for (int fd : {0, 1, 2}) ::posix_spawn_file_actions_addopen(&streams, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, binary.c_str(), &streams, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&streams);
  if (spawned != 0) {
    ADD_FAILURE() << "cannot start " << binary;
    return false;
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Command("PING") == "PONG") return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "redis-server exited at start on port " << port_ << " (see " << dir_ << "/redis.log)";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "redis-server did not answer PING on port " << port_ << " within 10 s";
  Kill();
  return false;
}

void RedisServer::Wait(int sig) {
  if (pid_ <= 0) return;
  if (sig == SIGTERM || sig == SIGKILL) ::kill(pid_, SIGCONT);  // a paused server cannot act on SIGTERM
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::Stop() { Wait(SIGTERM); }
void RedisServer::Kill() { Wait(SIGKILL); }

bool RedisServer::Restart() {
  Kill();
  return Start();
}

void RedisServer::Pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::Resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::string RedisServer::Command(const std::string& words) const {
  timeval tv{1, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (c == nullptr || c->err) {
    if (c) redisFree(c);
    return "";
  }
  redisSetTimeout(c, tv);
  std::vector<std::string> parts;
  std::istringstream in(words);
  for (std::string w; in >> w;) parts.push_back(w);
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (auto& p : parts) {
    argv.push_back(p.c_str());
    lens.push_back(p.size());
  }
  auto* reply = static_cast<redisReply*>(redisCommandArgv(c, int(argv.size()), argv.data(), lens.data()));
  std::string out = reply ? ReplyText(reply) : "";
  if (reply) freeReplyObject(reply);
  redisFree(c);
  return out;
}

}  // namespace sluice::testing
