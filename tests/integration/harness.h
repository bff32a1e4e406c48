#pragma once
// Test harness: runs the real `sluice` binary (path from SLUICE_BINARY) in a fresh data dir
// on a loopback port chosen by the kernel, and speaks HTTP to it.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::testing {

//! The string member `key` of a JSON object.
inline std::string Str(const boost::json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

//! Runs `sluice args...` to completion.
CommandResult RunSluice(const std::vector<std::string>& args);
//! The same with `input` as its standard input (nullopt: the test's own).
CommandResult RunSluice(const std::vector<std::string>& args, const std::optional<std::string>& input);

//! psql on the PostgreSQL database `url`: one statement's single value, or "" when it failed.
std::string Psql(const std::string& url, const std::string& sql);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names; a header sent twice: its values, one per line
  std::string body;
  boost::json::value Json() const;
};

//! A raw TCP connection to the server, for requests sent in pieces.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  void Send(const std::string& bytes);
  //! Reads until the peer closes or `timeout_ms` passes.
  std::string ReadAll(int timeout_ms);

 private:
  int fd_ = -1;
};

//! One HTTP/1.1 keep-alive connection: all its requests are served by the worker that
//! accepted it (the server hands connections to its workers in turn).
class KeepAliveClient {
 public:
  explicit KeepAliveClient(int port);
  ~KeepAliveClient();
  HttpResponse Request(const std::string& method, const std::string& target, const std::string& token,
                       const std::string& body = "");
  //! The same with a content type and headers of its own (a form, a cookie, HTTP Basic).
  HttpResponse Request(const std::string& method, const std::string& target, const std::string& token,
                       const std::string& body, const std::string& content_type,
                       const std::map<std::string, std::string>& extra_headers);
  HttpResponse Get(const std::string& target, const std::string& token) { return Request("GET", target, token); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class SluiceServer {
 public:
  //! A fresh data dir; `seed_users`/`seed_posts` > 0 seeds it.
  explicit SluiceServer(int seed_users = 0, int seed_posts = 0);
  //! The same on the store at `store_url` (--store, given to every command this runs).
  SluiceServer(const std::string& store_url, int seed_users, int seed_posts);
  ~SluiceServer();

  const std::string& data_dir() const { return data_dir_; }
  //! Imports `jsonl` (posts and users in X API v2 JSON, one per line) with `sluice import`;
  //! true when it succeeded (its stderr is added to the failure otherwise).
  ::testing::AssertionResult Import(const std::string& jsonl);
  //! Creates an app; returns its bearer token.
  std::string CreateApp(const std::string& name, const std::string& plan = "pro");
  //! Starts `sluice serve` with extra args and waits for its "listening" line.
  void Start(const std::vector<std::string>& extra = {});
  //! Start passes --app-tokens-write (app bearer tokens write as the app's account, the
  //! behaviour most tests of writes rely on) unless this is set false before it.
  bool app_tokens_write = true;
  //! Starts `sluice demo` on this data dir; returns what it printed up to "Ctrl-C".
  std::vector<std::string> StartDemo();
  //! SIGTERM and wait; returns the exit code.
  int Stop();
  //! SIGTERM, then SIGTERM again every `every_us` until the process exits (a supervisor that
  //! repeats itself); returns the exit code.
  int StopRepeatedly(int every_us);
  //! SIGTERM without waiting.
  void Terminate();
  //! SIGKILL (kill -9) and reap: a crash at an arbitrary moment.
  void Kill();
  int port() const { return port_; }
  //! The admin listener's port (serve --admin-listen); 0 when there is none.
  int admin_port() const { return admin_port_; }
  pid_t pid() const { return pid_; }

  HttpResponse Get(const std::string& target, const std::string& token) const;
  HttpResponse Request(const std::string& method, const std::string& target, const std::string& token,
                       const std::string& body = "", const std::string& content_type = "application/json",
                       const std::map<std::string, std::string>& extra_headers = {}) const;
  //! Sends raw bytes on a new connection and returns everything read until close or timeout.
  std::string Raw(const std::string& bytes, int timeout_ms = 3000) const;
  //! What the server wrote on stderr (its log and access log) so far; the first 16 MB.
  std::string Log() const;

 private:
  void Launch(const std::vector<std::string>& args);
  std::string ReadLine(std::chrono::steady_clock::time_point deadline);

  //! `args` with the store's --store, when one was given.
  std::vector<std::string> WithStore(std::vector<std::string> args) const;

  std::string data_dir_;
  std::string store_url_;
  pid_t pid_ = -1;
  int port_ = 0;
  int admin_port_ = 0;
  int stdout_fd_ = -1;
  std::shared_ptr<struct ServerLog> log_;
};

}  // namespace sluice::testing
