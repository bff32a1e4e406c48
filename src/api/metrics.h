#pragma once
//! Metrics: every outcome of the request path counted, served as Prometheus text at
//! /metrics. Thread-safe; a count is one short critical section.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace sluice {

class Ledger;

class Metrics {
 public:
  //! What became of a connection, at the acceptor or when it ended early.
  enum class Connection { kAccepted, kOverCap, kAcceptFailed, kTimedOut, kCount };
  //! One response: its route pattern ("GET /2/tweets/:id", or "unmatched") and status.
  void CountRequest(std::string_view route, int status);
  //! One refusal by the metering stages: reason is rate, cap, credits, licence or plan.
  void CountRefusal(std::string_view reason);
  //! One admission by the metering stages.
  void CountAdmitted();
  //! One GET /2/tweets/:id answered from a worker's LookupCache (hit) or rendered (miss).
  void CountLookupCache(bool hit) { (hit ? lookup_hits_ : lookup_misses_).fetch_add(1, std::memory_order_relaxed); }
  //! kAccepted, kOverCap (closed at once: server.max_connections), kAcceptFailed (accept
  //! returned an error: out of descriptors...), kTimedOut (a header, body or response past its
  //! deadline, or a kept-alive connection past idle_timeout_ms).
  void CountConnection(Connection c) { connections_[size_t(c)].fetch_add(1, std::memory_order_relaxed); }

  //! Prometheus text exposition; `ledger` (may be null) adds the ledger's lag.
  std::string Render(const Ledger* ledger) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // guarded by mu_
  std::map<std::string, uint64_t> refused_;                   // guarded by mu_
  uint64_t admitted_ = 0;                                     // guarded by mu_
  std::atomic<uint64_t> lookup_hits_{0}, lookup_misses_{0};
  std::atomic<uint64_t> connections_[size_t(Connection::kCount)] = {};
};

}  // namespace sluice
