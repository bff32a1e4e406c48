#include "api/lookup_cache.h"

namespace sluice {

std::string LookupCache::Key(std::string_view id_text, std::string_view query) {
  std::string key;
  key.reserve(id_text.size() + 1 + query.size());
  key.append(id_text);
  key.push_back('?');  // never in a path segment as received (it starts the query)
  key.append(query);
  return key;
}

const ApiResponse* LookupCache::Find(std::string_view key, Store& store, TimeMs now,
                                     std::chrono::steady_clock::time_point received) {
  const bool due = !polled_ || now - last_poll_ >= poll_ms_ || now < last_poll_;
  if (due && !(polled_ && received <= last_poll_began_)) {
    // Another process's write: this worker starts over (every worker polls for itself). The
    // response being rendered reads after this poll, so it may be kept.
    last_poll_began_ = std::chrono::steady_clock::now();
    if (store.PollOtherWriters()) entries_.clear();
    polled_ = true;
    last_poll_ = now;
  }
  uint64_t generation = StoreWriteGeneration();
  if (generation != generation_) {
    entries_.clear();
    generation_ = generation;
  }
  auto it = entries_.find(std::string(key));
  return it == entries_.end() ? nullptr : &it->second;
}

void LookupCache::Insert(std::string key, uint64_t generation, const ApiResponse& response) {
  // Rendered from reads that began at `generation`; the entries are at generation_, which
  // Find set to the generation current then. Anything else: a write came in between.
  if (generation != generation_ || StoreWriteGeneration() != generation_) return;
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.insert_or_assign(std::move(key), response);
}

}  // namespace sluice
