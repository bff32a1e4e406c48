#include "access/id_set.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_set>

namespace sluice {
namespace {

// Suite named Usage* so `ctest -R Usage` runs it with the meter's tests.
TEST(UsageIdSet, MatchesAReferenceSet) {
  IdSet set;
  std::unordered_set<uint64_t> reference;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200'000; ++i) {
    uint64_t id = rng() % 50'000;  // many repeats, and id 0 now and then
    EXPECT_EQ(set.Insert(id), reference.insert(id).second);
  }
  EXPECT_EQ(set.size(), reference.size());
  for (uint64_t id = 0; id < 60'000; ++id) ASSERT_EQ(set.Contains(id), reference.count(id) == 1) << id;
}

TEST(UsageIdSet, IdZeroAndTheHighestIdAreIds) {
  IdSet set;
  EXPECT_FALSE(set.Contains(0));
  EXPECT_TRUE(set.Insert(0));
  EXPECT_FALSE(set.Insert(0));
  EXPECT_TRUE(set.Contains(0));
  EXPECT_TRUE(set.Insert(~uint64_t{0}));
  EXPECT_TRUE(set.Contains(~uint64_t{0}));
  EXPECT_EQ(set.size(), 2u);
}

TEST(UsageIdSet, HoldsAtMostFifteenBytesPerIdAfterEveryInsert) {
  IdSet set;
  uint64_t id = 1'790'000'000'000'000'000;  // snowflake-like: consecutive low bits
  double worst = 0;
  double best = 1e9;
  for (size_t n = 1; n <= 300'000; ++n) {
    set.Insert(id);
    id += 4096 + n % 7;
    if (n < IdSet::kMinCapacity) continue;
    double per_id = double(set.Bytes()) / double(n);
    worst = std::max(worst, per_id);
    best = std::min(best, per_id);
  }
  EXPECT_LE(worst, 15.1);  // 8 / (0.8 / 1.5), plus rounding of the capacity
  EXPECT_GE(best, 10.0);   // the load never passes 0.8
}

TEST(UsageIdSet, ClearFreesTheArray) {
  IdSet set;
  for (uint64_t id = 1; id <= 1000; ++id) set.Insert(id);
  EXPECT_GT(set.Bytes(), 8000u);
  set.Clear();
  EXPECT_EQ(set.Bytes(), 0u);
  EXPECT_EQ(set.size(), 0u);
  EXPECT_FALSE(set.Contains(5));
  EXPECT_TRUE(set.Insert(5));
}

}  // namespace
}  // namespace sluice
