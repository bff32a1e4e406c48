#pragma once
//! ComplianceFeed: hands the compliance events an operator notes (Store::ApplyComplianceEvent,
//! `sluice users suspend`, ...) to the stream hub, from any process or node on the same store:
//! it polls the store's outbox every kPollMs on a thread and store connection of its own, in
//! seq order, each event once. It starts at the outbox's end: events noted before the server
//! started are not sent (as deletions before it started are not). A failed read is logged and
//! tried again at the next poll from the same seq: nothing is skipped.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "api/stream_hub.h"
#include "store/store.h"

namespace sluice {

class ComplianceFeed {
 public:
  static constexpr int kPollMs = 250;
  static constexpr int kBatch = 1000;  // events read per query

  //! Reads the outbox's end from `store`, then polls on a thread of its own (the thread owns
  //! `store`). `hub` outlives the feed.
  static Result<std::unique_ptr<ComplianceFeed>> Start(std::unique_ptr<Store> store, StreamHub& hub);
  ~ComplianceFeed();
  ComplianceFeed(const ComplianceFeed&) = delete;
  ComplianceFeed& operator=(const ComplianceFeed&) = delete;

 private:
  ComplianceFeed(std::unique_ptr<Store> store, StreamHub& hub, int64_t seq)
      : store_(std::move(store)), hub_(hub), seq_(seq) {}
  //! Hands every event after seq_ to the hub; the thread's alone.
  Status Poll();
  void Run();

  std::unique_ptr<Store> store_;
  StreamHub& hub_;
  int64_t seq_;  // the last event handed on
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace sluice
