#pragma once
//! RedisServer: a real redis-server (Debian's redis-server package, Redis 7) for tests, on a
//! free loopback port, in a throwaway directory, with no persistence (no RDB, no AOF): a
//! restart starts empty, as a crashed cache node would. Stop, Kill and Restart keep the same
//! port, so an outage test can take Redis away and bring it back under a running server.
//! Not thread-safe: one test thread drives it. The destructor stops the server and removes
//! the directory.
//!
//! Start fails the test (gtest ADD_FAILURE with what to install) when redis-server is not
//! installed: a test that needs Redis never skips (CI installs it with scripts/install-deps).

#include <sys/types.h>

#include <string>

namespace sluice::testing {

class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  //! Starts redis-server on a free port (the first call picks it; later calls reuse it) and
  //! waits until it answers PING (up to 10 s). False, with a gtest failure saying why, when it
  //! cannot start.
  bool Start();
  //! SIGTERM, and waits for it to exit.
  void Stop();
  //! SIGKILL, and waits: the outage an operator does not plan.
  void Kill();
  //! Kill (if running), then Start on the same port: an empty Redis.
  bool Restart();
  //! SIGSTOP / SIGCONT: a Redis that accepts connections but never answers (a hung host).
  void Pause();
  void Resume();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  //! "redis://127.0.0.1:PORT", as `--limits` takes it.
  std::string url() const;
  const std::string& dir() const { return dir_; }

  //! Runs one command (words, no quoting) with a fresh connection and returns the reply as
  //! text (an integer in decimal, an array's elements joined by spaces, an error as
  //! "ERR ..."), or "" when Redis cannot be reached. For tests that look at keys.
  std::string Command(const std::string& words) const;

 private:
  void Wait(int sig);

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace sluice::testing
