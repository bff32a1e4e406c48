#include "api/compliance_feed.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace sluice {

Result<std::unique_ptr<ComplianceFeed>> ComplianceFeed::Start(std::unique_ptr<Store> store, StreamHub& hub) {
  auto last = store->LastComplianceEventSeq();
  if (!last.ok()) return last.status();
  std::unique_ptr<ComplianceFeed> feed(new ComplianceFeed(std::move(store), hub, *last));
  feed->thread_ = std::thread([f = feed.get()] { f->Run(); });
  return feed;
}

ComplianceFeed::~ComplianceFeed() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ComplianceFeed::Run() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(kPollMs), [this] { return stop_; })) {
    lock.unlock();
    if (Status s = Poll(); !s.ok()) spdlog::warn("compliance events not read (tried again): {}", s.message());
    lock.lock();
  }
}

Status ComplianceFeed::Poll() {
  for (;;) {
    auto events = store_->ComplianceEventsAfter(seq_, kBatch);
    if (!events.ok()) return events.status();
    for (const StoredComplianceEvent& e : *events) {
      hub_.AnnounceCompliance(e.event);
      seq_ = e.seq;
    }
    if (events->size() < size_t(kBatch)) return Status::Ok();
  }
}

}  // namespace sluice
