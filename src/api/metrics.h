#pragma once
//! Metrics: every outcome of the request path counted, served as Prometheus text at
//! /metrics. Thread-safe and lock-free: a count is one relaxed atomic increment in a fixed
//! table (by RouteId and status, by Refusal), no key built per request.

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/refusal.h"
#include "core/routes.h"

namespace sluice {

class Ledger;

class Metrics {
 public:
  //! What became of a connection, at the acceptor or when it ended early.
  enum class Connection { kAccepted, kOverCap, kAcceptFailed, kTimedOut, kCount };
  //! Why a stream (api/stream_sink.h) ended: the client closed it; the server ended it (End);
  //! its reader fell past server.stream_buffer_bytes (X's SlowReader); its reader took no byte
  //! for server.send_timeout_ms; the server drained.
  enum class StreamEnd { kClientClosed, kEnded, kSlowReader, kSendTimeout, kDraining, kCount };
  //! "client_closed", "ended", "slow_reader", "send_timeout", "draining": the metric's label and
  //! the access log's stream_end.
  static std::string_view StreamEndName(StreamEnd why);
  //! One response: its route (nullopt: none matched, "unmatched") and status (100..599;
  //! others are counted as 599).
  void CountRequest(std::optional<RouteId> route, int status);
  //! One refusal by a stage, by its reason.
  void CountRefusal(Refusal reason) { Add(refused_[size_t(reason)]); }
  //! One request every stage before the response admitted.
  void CountAdmitted() { Add(admitted_); }
  //! One post the delivery stages admitted onto an open stream (not a request: the stream's
  //! own request was counted once, when it opened).
  void CountStreamedPost() { Add(streamed_posts_); }
  //! One GET /2/tweets/:id answered from a worker's LookupCache (hit) or rendered (miss).
  void CountLookupCache(bool hit) { Add(hit ? lookup_hits_ : lookup_misses_); }
  //! kAccepted, kOverCap (closed at once: server.max_connections), kAcceptFailed (accept
  //! returned an error: out of descriptors...), kTimedOut (a header, body or response past its
  //! deadline, or a kept-alive connection past idle_timeout_ms).
  void CountConnection(Connection c) { Add(connections_[size_t(c)]); }
  //! A stream's connection opened (its head is being sent) / closed, and why it ended.
  void StreamOpened() { streams_open_.fetch_add(1, std::memory_order_relaxed); }
  void StreamClosed(StreamEnd why) {
    streams_open_.fetch_sub(1, std::memory_order_relaxed);
    Add(stream_ends_[size_t(why)]);
  }
  //! Requests a stage holds waiting (Verdict::Wait), now; and the most there ever were at once.
  void WaitBegan();
  void WaitEnded() { waiting_.fetch_sub(1, std::memory_order_relaxed); }

  //! Prometheus text exposition; `ledger` (may be null) adds the ledger's lag.
  std::string Render(const Ledger* ledger) const;

 private:
  using Counter = std::atomic<uint64_t>;
  static void Add(Counter& c) { c.fetch_add(1, std::memory_order_relaxed); }
  static constexpr int kMinStatus = 100, kStatuses = 500;  // 100..599

  std::array<std::array<Counter, kStatuses>, kRouteCount + 1> requests_{};  // [kRouteCount]: unmatched
  std::array<Counter, size_t(Refusal::kCount)> refused_{};
  Counter admitted_{0};
  Counter streamed_posts_{0};
  Counter lookup_hits_{0}, lookup_misses_{0};
  std::array<Counter, size_t(Connection::kCount)> connections_{};
  std::atomic<int64_t> waiting_{0}, waiting_max_{0};
  std::atomic<int64_t> streams_open_{0};
  std::array<Counter, size_t(StreamEnd::kCount)> stream_ends_{};
};

}  // namespace sluice
