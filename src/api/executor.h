#pragma once
//! QueueExecutor: an Executor whose work runs when its owner calls Run, on the owner's
//! thread. For code that runs the request path outside the server (tests, the fuzz target,
//! benchmarks); the server's workers use their event loop's.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>

#include "api/exchange.h"

namespace sluice {

class QueueExecutor final : public Executor {
 public:
  void Post(std::function<void()> fn) override;
  //! Timers are real (steady-clock) time.
  void PostAfter(TimeMs delay_ms, std::function<void()> fn) override;

  //! Runs posted work and due timers until `done()` is true; waits for a timer or another
  //! thread's Post (the ledger's) when there is nothing to run. False when `give_up` passed
  //! first.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds give_up = std::chrono::seconds(60));
  //! Work posted or timed, not yet run.
  size_t pending() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> ready_;                                       // guarded by mu_
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> timers_;  // guarded by mu_
};

}  // namespace sluice
