#pragma once
//! StreamSlots: the plan's stream connections per app, counted across every node of a shared
//! store (issue 16). The hub counts this node's streams; with several nodes each stream also
//! holds a slot in the store (Store::TakeStreamSlot), taken when it opens and freed when it
//! ends, so N nodes allow an app its plan's number, not N times it.
//!
//! A slot is a lease: this node renews its slots every lease/3 on its own thread and store
//! connection; a node that stops without freeing them (kill -9, a lost host) leaves slots that
//! lapse `lease_ms` after their last renewal, and a node that starts again frees its previous
//! run's slots at once (holders begin with "<node_id>:"). Frees go through the same thread, so
//! a worker never waits for one.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace sluice {

enum class StreamFeed : uint8_t;

class StreamSlots {
 public:
  struct Options {
    int node_id = 0;
    TimeMs lease_ms = 30'000;  // server.stream_slot_lease_ms
  };
  //! Frees this node's slots of a previous run, then renews on its own thread with `store`.
  static Result<std::unique_ptr<StreamSlots>> Start(std::unique_ptr<Store> store, const Clock& clock, Options options);
  //! Frees every slot still held, then stops.
  ~StreamSlots();
  StreamSlots(const StreamSlots&) = delete;
  StreamSlots& operator=(const StreamSlots&) = delete;

  //! Takes a slot of `app`'s `feed` through `store` (the caller's: a worker's); its holder, or
  //! "" when `max` are live across the nodes already.
  Result<std::string> Take(Store& store, Id app, StreamFeed feed, int max);
  //! Frees `holder`'s slot soon (on the renewing thread). Any thread; never blocks on the store.
  void Release(std::string holder);

  //! Slots held by this node now (taken, not released).
  size_t held() const;

 private:
  StreamSlots(std::unique_ptr<Store> store, const Clock& clock, Options options);
  void Run();

  std::unique_ptr<Store> store_;  // this thread's
  const Clock& clock_;
  const Options options_;
  const std::string prefix_;  // "<node_id>:<start ms>:"

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::unordered_set<std::string> held_;  // guarded by mu_
  std::vector<std::string> to_free_;      // guarded by mu_
  uint64_t next_ = 1;                     // guarded by mu_
  bool stop_ = false;                     // guarded by mu_
  std::thread thread_;
};

}  // namespace sluice
