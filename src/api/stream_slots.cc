#include "api/stream_slots.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/stream_hub.h"

namespace sluice {

Result<std::unique_ptr<StreamSlots>> StreamSlots::Start(std::unique_ptr<Store> store, const Clock& clock,
                                                        Options options) {
  // A previous run of this node holds no stream now: its slots are freed before any is taken.
  const std::string previous = std::to_string(options.node_id) + ":";
  if (Status s = store->ReleaseStreamSlots({}, previous); !s.ok()) return s;
  return std::unique_ptr<StreamSlots>(new StreamSlots(std::move(store), clock, options));
}

StreamSlots::StreamSlots(std::unique_ptr<Store> store, const Clock& clock, Options options)
    : store_(std::move(store)),
      clock_(clock),
      options_(options),
      prefix_(std::to_string(options.node_id) + ":" + std::to_string(clock.NowMs()) + ":") {
  thread_ = std::thread([this] { Run(); });
}

StreamSlots::~StreamSlots() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Result<std::string> StreamSlots::Take(Store& store, Id app, StreamFeed feed, int max) {
  std::string holder;
  {
    std::lock_guard lock(mu_);
    holder = prefix_ + std::to_string(next_++);
    // Held (renewed) from before the insert: a renewal that runs first finds no row, harmlessly.
    held_.insert(holder);
  }
  const TimeMs now = clock_.NowMs();
  auto taken = store.TakeStreamSlot(app, int(feed), holder, max, now, now + options_.lease_ms);
  if (!taken.ok() || !*taken) {
    std::lock_guard lock(mu_);
    held_.erase(holder);
    if (!taken.ok()) return taken.status();
    return std::string();
  }
  return holder;
}

void StreamSlots::Release(std::string holder) {
  {
    std::lock_guard lock(mu_);
    if (!held_.erase(holder)) return;
    to_free_.push_back(std::move(holder));
  }
  wake_.notify_all();
}

size_t StreamSlots::held() const {
  std::lock_guard lock(mu_);
  return held_.size();
}

void StreamSlots::Run() {
  const auto renew_every = std::chrono::milliseconds(std::max<TimeMs>(options_.lease_ms / 3, 1));
  auto next_renewal = std::chrono::steady_clock::now() + renew_every;
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait_until(lock, next_renewal, [&] { return stop_ || !to_free_.empty(); });
    std::vector<std::string> free = std::move(to_free_);
    to_free_.clear();
    const bool stopping = stop_;
    if (stopping)
      for (const std::string& h : held_) free.push_back(h);
    std::vector<std::string> renew;
    const bool renewing = !stopping && std::chrono::steady_clock::now() >= next_renewal;
    if (renewing) renew.assign(held_.begin(), held_.end());
    lock.unlock();
    if (!free.empty())
      if (Status s = store_->ReleaseStreamSlots(free); !s.ok())
        spdlog::warn("stream slots: {} not freed (they lapse): {}", free.size(), s.message());
    if (renewing) {
      // A renewal that fails is tried again at the next; the lease is three renewals long.
      if (Status s = store_->RenewStreamSlots(renew, clock_.NowMs() + options_.lease_ms); !s.ok())
        spdlog::warn("stream slots: {} not renewed: {}", renew.size(), s.message());
      next_renewal = std::chrono::steady_clock::now() + renew_every;
    }
    if (stopping) return;
    lock.lock();
  }
}

}  // namespace sluice
