#include "core/snowflake.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace sluice {
namespace {

TEST(Snowflake, LayoutMatchesX) {
  // (id >> 22) + epoch: 1460323737035677698 is 2021-11-15T19:08:05.069Z.
  Id id = 1460323737035677698;
  EXPECT_EQ(SnowflakeTime(id), 1637003285069);
  EXPECT_EQ(MakeSnowflake(SnowflakeTime(id), SnowflakeNode(id), SnowflakeSequence(id)), id);
}

TEST(Snowflake, TimeBoundIsIdBound) {
  TimeMs t = 1700000000123;
  EXPECT_LE(IdLowerBoundForTime(t), MakeSnowflake(t, 0, 0));
  EXPECT_GT(IdLowerBoundForTime(t), MakeSnowflake(t - 1, kMaxNodeId, 4095));
  EXPECT_EQ(IdLowerBoundForTime(0), 0);
}

TEST(Snowflake, IncreasingWhenClockStandsStillOrStepsBack) {
  ManualClock clock(1700000000000);
  SnowflakeGenerator gen(clock, 7);
  Id prev = gen.Next();
  for (int i = 0; i < 10000; ++i) {
    if (i == 5000) clock.Advance(-3000);
    Id id = gen.Next();
    ASSERT_GT(id, prev);
    EXPECT_EQ(SnowflakeNode(id), 7);
    prev = id;
  }
}

TEST(Snowflake, UniqueAcrossThreads) {
  ManualClock clock(1700000000000);
  SnowflakeGenerator gen(clock, 1);
  std::vector<std::vector<Id>> out(4);
  std::vector<std::thread> threads;
  for (auto& v : out)
    threads.emplace_back([&gen, &v] {
      for (int i = 0; i < 5000; ++i) v.push_back(gen.Next());
    });
  for (auto& t : threads) t.join();
  std::set<Id> all;
  for (auto& v : out) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), 20000u);
}

}  // namespace
}  // namespace sluice
