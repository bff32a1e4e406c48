// Synthetic follows: each user follows a few accounts, mostly popular ones.
#include <algorithm>

#include "ingest/seed_internal.h"

namespace sluice::seed_internal {

Status GenerateFollows(const SeedOptions& o, const SeedUsers& users, const Emit& emit) {
  // Its own stream: adding follows reshuffles neither the users nor the posts.
  Rng rng(o.seed ^ 0x9E3779B97F4A7C15ULL);
  const size_t n = users.users.size();
  std::vector<int64_t> followers_held(n, 0);
  WriteBatch batch;
  std::vector<int64_t> mine;
  for (size_t i = 0; i < n; ++i) {
    const SeedUser& u = users.users[i];
    // 5-40 per user (fewer than X's median account follows: enough to page through, cheap
    // to seed), never more than its following_count.
    const int64_t want = std::min<int64_t>(u.following, rng.Between(5, 40));
    mine.clear();
    for (int64_t attempt = 0; int64_t(mine.size()) < want && attempt < want * 3; ++attempt) {
      const int64_t v = users.Popular(rng);
      if (size_t(v) == i || std::find(mine.begin(), mine.end(), v) != mine.end()) continue;
      if (followers_held[size_t(v)] >= users.users[size_t(v)].followers) continue;
      ++followers_held[size_t(v)];
      mine.push_back(v);
      batch.follows.push_back({u.id, users.users[size_t(v)].id});
      if (int64_t(batch.follows.size()) == o.batch_size) {
        if (Status s = emit(std::move(batch), 0); !s.ok()) return s;
        batch = WriteBatch();
      }
    }
  }
  if (batch.follows.empty()) return Status::Ok();
  return emit(std::move(batch), 0);
}

}  // namespace sluice::seed_internal
