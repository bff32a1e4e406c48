#pragma once
//! RedisClient: Lua scripts run on a Redis server, without blocking the caller. Commands go
//! to a small pool of connections, each owned by its own I/O thread that sends everything
//! queued as one pipeline and reads the replies in order; a reply is handed to the caller's
//! callback on that thread (the request path posts it back to its worker).
//!
//! Why dedicated threads rather than hiredis's async API on the workers' event loops: the
//! workers' loops are Asio's, which only src/http may include, and Debian's hiredis 0.14 has
//! no adapter for them; a thread per connection with a pipelined loop (polling its socket) is the
//! simplest correct shape (no shared event loop, no adapter, each context used by one
//! thread), and a worker never waits on Redis: it suspends the request and serves others.
//!
//! Failure and time: every command is answered within `timeout_ms` of Eval (queue time
//! included): by Redis, or by an Unavailable error. A connection refused or reset, or three
//! batches in a row that time out (one slow moment is not an outage), open the breaker: Eval then fails at once, on the caller's thread, without
//! touching the network, while one I/O thread probes Redis (connect + PING) every
//! `probe_interval_ms` (on its own connection while that is open); a probe that succeeds
//! closes the breaker and every other connection reconnects. Scripts are loaded (SCRIPT LOAD) on each connect and run with EVALSHA; a
//! NOSCRIPT reply (a flushed cache) is retried once with EVAL.
//!
//! Late replies: a command whose reply does not come within its timeout may still run on
//! Redis. Its caller gets Unavailable at the timeout as before, but the connection is kept:
//! its thread goes on reading the abandoned commands' replies (Redis answers in order on one
//! connection) for up to `late_reply_patience_ms`, and hands each to the command's `late`
//! callback, so the caller can undo what the command did. Only then does the connection serve
//! its queue again; a command queued meanwhile still fails at its own deadline. A connection
//! lost, or the patience out, before the reply: the outcome is unknown (counted in
//! unknown_outcomes(), logged) and what the command counted stays (conservative: a count too
//! many, never one too few).
//! Thread-safe; the destructor fails what is still queued and joins the threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace sluice {

//! One Redis reply, as plain values.
struct RedisReply {
  enum class Type : uint8_t { kNil, kInteger, kString, kStatus, kError, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;  // kString, kStatus, kError
  std::vector<RedisReply> elements;
};

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int connections = 2;             // I/O threads, one connection each
  TimeMs timeout_ms = 50;          // the most any command waits, queue included
  TimeMs probe_interval_ms = 250;  // while the breaker is open
  // How long a connection waits for the replies of commands that timed out (their `late`
  // callbacks) before it gives up on them and reconnects. Long enough for the stalls that
  // end by themselves (a fork for a snapshot, a slow script, a short CLIENT PAUSE); short
  // enough that a connection is not tied up for long by replies nobody waits for (a Redis
  // stalled longer has opened the breaker by then, three timeouts in a row).
  TimeMs late_reply_patience_ms = 5000;
};

//! Reads "redis://HOST:PORT" (PORT defaults to 6379) into host and port. Errors are
//! CommandErrors naming the URL.
Status ParseRedisUrl(std::string_view url, RedisOptions& options);

class RedisClient {
 public:
  using Done = std::function<void(Result<RedisReply>)>;
  //! The reply of a command whose `done` was already called with Unavailable (it timed out).
  using Late = std::function<void(RedisReply)>;

  //! Starts the I/O threads; connects lazily (a Redis down at start only opens the breaker).
  //! `scripts` are the Lua sources Eval refers to by index.
  RedisClient(RedisOptions options, std::vector<std::string> scripts);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  //! Runs scripts[script] with KEYS = keys and ARGV = args. `done` is called exactly once:
  //! with the reply (a script error is a kError reply), or with Unavailable (Redis down or
  //! slow, breaker open: then at once, on this thread). Calls with the same `shard` go through
  //! one connection, in the order they were made (a release is never overtaken by the next
  //! decision on its key).
  //! `late` (optional) is called, on the connection's thread and after `done`, with the reply
  //! of a command that was sent but timed out, if it comes within late_reply_patience_ms (a
  //! NOSCRIPT reply too: the script did not run). It is not called for a command that never
  //! left the queue (it did not run) nor when the reply never comes (unknown_outcomes()).
  //! A call made from a `late` callback on the connection that runs it (an undo: same shard)
  //! goes ahead of what queued during the stall and is sent even while the breaker is open;
  //! its `done` gets its reply even if that comes after the timeout.
  void Eval(int script, uint64_t shard, std::vector<std::string> keys, std::vector<std::string> args, Done done,
            Late late = nullptr);

  //! A command no caller waits on (a release, a refund): as Eval, but it does not fail at
  //! timeout_ms: it waits out the late replies of its connection, and `done` gets its reply
  //! whenever it comes (within late_reply_patience_ms), or Unavailable (no connection, reply
  //! never came). It is tried even while the breaker is open (on a connection that may still
  //! work: a stall opens the breaker too).
  void Send(int script, uint64_t shard, std::vector<std::string> keys, std::vector<std::string> args, Done done);

  //! False while the breaker is open.
  bool healthy() const;
  //! Seconds a client should wait before retrying while Redis is down (Retry-After).
  int retry_after_seconds() const;
  //! Replies that came after their command timed out (handed to `late`), since the start.
  uint64_t late_replies() const;
  //! Commands sent whose reply never came (connection lost, or patience out): they may or
  //! may not have run.
  uint64_t unknown_outcomes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice
