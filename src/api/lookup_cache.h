#pragma once
//! LookupCache: one worker's rendered GET /2/tweets/:id responses (the body and the post and
//! user ids it delivers), so that a repeated lookup costs no store read and no rendering. Only
//! the handler's work is saved: authentication, admission (plan, licence, rate limit), the cap
//! and credit stage (which counts the delivered post ids), the licence headers and the ledger
//! record run for a hit exactly as for a miss, on the copy the cache returns.
//!
//! Correctness rests on the store's write generation (store.h): an entry is kept only if no
//! write was committed between the start of the reads it was rendered from and its insertion,
//! and every entry is dropped as soon as the generation moves. A write made through any worker
//! of this process moves it before the write is acknowledged, so no worker serves a deleted
//! post after its DELETE's response, nor an old version of anything written. A write made by
//! another process on the same store (`sluice import`, `seed`) is noticed by asking the store
//! at most every `poll_ms` (kPollMs): such writes show within that long. On a store other nodes
//! serve from (Store::SharedByNodes), `poll_ms` is 0: every lookup received after the worker's
//! last poll began asks (Find), so a write another node acknowledged is never answered from
//! the cache after its response.
//!
//! Not thread-safe: one per worker. Only responses that do not depend on the app are kept
//! (the handler decides: not trap records, not partial errors).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/context.h"

namespace sluice {

class LookupCache {
 public:
  static constexpr TimeMs kPollMs = 100;

  //! `capacity`: entries kept (> 0); past it the cache starts over. `poll_ms`: how often Find
  //! asks the store about other writers (0: every time).
  explicit LookupCache(size_t capacity, TimeMs poll_ms = kPollMs) : capacity_(capacity), poll_ms_(poll_ms) {}

  //! The key of a lookup: the id and the query string exactly as received (the response is a
  //! function of these and the store).
  static std::string Key(std::string_view id_text, std::string_view query);

  //! The response cached under `key`, or null. First, at most every poll_ms (by `now`), asks
  //! `store` whether another process wrote (Store::PollOtherWriters), and drops every entry
  //! if so; then drops every entry if the write generation moved since they were rendered.
  //! Call before the request's first store read, so that what it renders after a poll that
  //! found a write includes that write.
  //! `received`: when the request had arrived whole (its header read). A write acknowledged
  //! before the client sent the request was committed before then, so a poll issued at or
  //! after `received` has seen it: a request received before this worker's last poll began
  //! needs no poll of its own. Under load most requests wait behind others and share one
  //! poll; alone, each polls.
  const ApiResponse* Find(std::string_view key, Store& store, TimeMs now,
                          std::chrono::steady_clock::time_point received = std::chrono::steady_clock::time_point::max());

  //! Keeps `response` under `key`. `generation` is StoreWriteGeneration() as read before the
  //! first store read the response comes from (ApiContext::write_generation); when a write
  //! was committed since, the response may already be stale and is not kept. Call after a
  //! Find for the same request.
  void Insert(std::string key, uint64_t generation, const ApiResponse& response);

  size_t size() const { return entries_.size(); }

 private:
  size_t capacity_;
  TimeMs poll_ms_;
  bool polled_ = false;
  TimeMs last_poll_ = 0;
  std::chrono::steady_clock::time_point last_poll_began_{};
  uint64_t generation_ = 0;  // the write generation every entry was rendered at
  std::unordered_map<std::string, ApiResponse> entries_;
};

}  // namespace sluice
