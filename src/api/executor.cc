#include "api/executor.h"

namespace sluice {

void QueueExecutor::Post(std::function<void()> fn) {
  // Notified under the lock: the owner may run `fn` and destroy this executor as soon as it
  // sees it, and must not do so while this thread still signals the condition variable.
  std::lock_guard lock(mu_);
  ready_.push_back(std::move(fn));
  cv_.notify_one();
}

void QueueExecutor::PostAfter(TimeMs delay_ms, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  timers_.emplace(std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms), std::move(fn));
}

size_t QueueExecutor::pending() const {
  std::lock_guard lock(mu_);
  return ready_.size() + timers_.size();
}

bool QueueExecutor::RunUntil(const std::function<bool()>& done, std::chrono::milliseconds give_up) {
  const auto deadline = std::chrono::steady_clock::now() + give_up;
  while (!done()) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      while (true) {
        auto now = std::chrono::steady_clock::now();
        if (!timers_.empty() && timers_.begin()->first <= now) {
          ready_.push_back(std::move(timers_.begin()->second));
          timers_.erase(timers_.begin());
        }
        if (!ready_.empty()) break;
        if (now >= deadline) return false;
        // Nothing to run: a timer will be due, or another thread (the ledger's) will post.
        auto until = timers_.empty() ? deadline : std::min(deadline, timers_.begin()->first);
        cv_.wait_until(lock, until);
      }
      fn = std::move(ready_.front());
      ready_.pop_front();
    }
    fn();
  }
  return true;
}

}  // namespace sluice
