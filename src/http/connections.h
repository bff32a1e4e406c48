#pragma once
//! What the server's acceptor keeps about connections: the count of open ones (for
//! server.max_connections) and warnings that must not flood the log. Beast-free.

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <utility>

namespace sluice {

//! One open connection counted in `open`, from accept to the end of its session (move-only;
//! the last owner gives the count back). Thread-safe: taken on the acceptor's thread, given
//! back on a worker's.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::atomic<int64_t>& open) : open_(&open) { open_->fetch_add(1, std::memory_order_relaxed); }
  ConnectionSlot(ConnectionSlot&& other) noexcept : open_(std::exchange(other.open_, nullptr)) {}
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (open_) open_->fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  std::atomic<int64_t>* open_;
};

//! A warning that may recur thousands of times a second (accept failures, connections over
//! the cap): the first is logged at once, then at most one line a second, each with the count
//! of occurrences since the last line. One thread only.
class ThrottledWarning {
 public:
  template <typename... Args>
  void Note(fmt::format_string<Args...> what, Args&&... args) {
    ++unlogged_;
    auto now = std::chrono::steady_clock::now();
    if (logged_ && now - last_ < std::chrono::seconds(1)) return;
    spdlog::warn("{} ({} since the last report)", fmt::format(what, std::forward<Args>(args)...), unlogged_);
    unlogged_ = 0;
    last_ = now;
    logged_ = true;
  }

 private:
  int64_t unlogged_ = 0;
  bool logged_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace sluice
