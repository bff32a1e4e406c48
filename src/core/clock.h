#pragma once
//! Clock: where every stage reads the time, so tests can move it by hand.

#include <atomic>

#include "core/types.h"

namespace sluice {

class Clock {
 public:
  virtual ~Clock() = default;
  //! Milliseconds since the Unix epoch, UTC. Thread-safe.
  virtual TimeMs NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs NowMs() const override;
  static const SystemClock& Instance();
};

//! A clock that moves only when told; thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : now_(start) {}
  TimeMs NowMs() const override { return now_.load(std::memory_order_relaxed); }
  void Set(TimeMs t) { now_.store(t, std::memory_order_relaxed); }
  void Advance(TimeMs d) { now_.fetch_add(d, std::memory_order_relaxed); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace sluice
