// Synthetic follows: each user follows a few accounts, mostly popular ones.
#include <algorithm>

#include "ingest/seed_internal.h"

namespace sluice::seed_internal {

std::vector<Follow> GenerateFollows(uint64_t seed, const SeedUsers& users) {
  // Its own stream: adding follows reshuffles neither the users nor the posts.
  Rng rng(seed ^ 0x9E3779B97F4A7C15ULL);
  const size_t n = users.users.size();
  std::vector<int64_t> followers_held(n, 0);
  std::vector<Follow> out;
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
      out.push_back({u.id, users.users[size_t(v)].id});
    }
  }
  return out;
}

}  // namespace sluice::seed_internal
