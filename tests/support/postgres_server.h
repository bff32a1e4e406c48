#pragma once
//! A real PostgreSQL 15 server for tests: initdb into a throwaway directory, started on a free
//! loopback port (fsync off: its data is thrown away), stopped and removed by the destructor.
//! We run tests as root and initdb refuses root: the server runs as the `postgres` user
//! (runuser), its directory chowned to it. Binaries: $SLUICE_PG_BIN, else
//! /usr/lib/postgresql/15/bin, else PATH. Missing binaries are a failure that says what to
//! install (scripts/install-deps installs postgresql), never a skip.

#include <memory>
#include <string>

#include "core/result.h"

namespace sluice::test {

class PostgresServer {
 public:
  //! initdb in `dir` (created; must not hold a cluster yet) and starts the server. Every
  //! parent of `dir` must let the `postgres` user through (mkdtemp's 0700 does not).
  static Result<std::unique_ptr<PostgresServer>> Start(const std::string& dir);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  //! postgres://postgres@127.0.0.1:PORT/`database`
  std::string Url(const std::string& database) const;
  //! Creates an empty database with a name never used before in this server; returns its URL.
  Result<std::string> CreateDatabase();
  //! Stops the server as a crash would (immediate shutdown), then starts it again on the same
  //! port and data: for tests of reconnection.
  Status Restart();
  //! Stops the server (immediate); Start() it again with StartAgain().
  Status Stop();
  Status StartAgain();
  bool running() const { return running_; }
  //! Leaves the server running when this object goes (a CTest fixture's setup), and
  //! StopAt(dir) stops it and removes `dir` (its cleanup).
  void Detach() { detached_ = true; }
  static Status StopAt(const std::string& dir);

 private:
  PostgresServer(std::string dir, std::string bin, int port) : dir_(std::move(dir)), bin_(std::move(bin)), port_(port) {}
  std::string dir_;
  std::string bin_;
  int port_;
  bool running_ = false;
  bool detached_ = false;
};

//! The test binary's server, started on first use in a directory under /tmp and stopped when
//! the binary exits. When $SLUICE_TEST_POSTGRES_URL names a running server's maintenance
//! database (a CTest fixture started one: tests/support/postgres_fixture.cc), tests use it
//! instead of starting their own.
class SharedPostgres {
 public:
  //! A fresh, empty database's URL; a test fails (with what to install) when no server runs.
  static Result<std::string> NewDatabase();
  //! The server this binary started, or nullptr when it uses the fixture's.
  static PostgresServer* Own();
};

}  // namespace sluice::test
