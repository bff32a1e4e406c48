#include "provenance/served_index.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "core/snowflake.h"

namespace sluice {
namespace {

// Compares every observable of the index against a std::set per app.
void ExpectSame(const ServedIndex& index, const std::map<Id, std::set<Id>>& truth, std::mt19937_64& rng) {
  for (const auto& [app, ids] : truth) {
    EXPECT_EQ(index.Count(app), ids.size()) << "app " << app;
    std::vector<Id> seen;
    index.ForEach(app, [&](Id id) {
      seen.push_back(id);
      return true;
    });
    EXPECT_EQ(seen, std::vector<Id>(ids.begin(), ids.end())) << "app " << app;
    for (Id id : ids) ASSERT_TRUE(index.Contains(app, id)) << "app " << app << " id " << id;
    // Probes: neighbours of members and random values.
    for (Id id : ids) {
      EXPECT_EQ(index.Contains(app, Id(uint64_t(id) + 1)), ids.count(Id(uint64_t(id) + 1)) > 0);
      EXPECT_EQ(index.Contains(app, Id(uint64_t(id) - 1)), ids.count(Id(uint64_t(id) - 1)) > 0);
    }
    for (int i = 0; i < 1000; ++i) {
      Id probe = Id(rng());
      EXPECT_EQ(index.Contains(app, probe), ids.count(probe) > 0);
    }
  }
}

TEST(ServedIndex, EmptyAndUnknownApps) {
  ServedIndex index;
  index.Seal();
  EXPECT_EQ(index.Count(7), 0u);
  EXPECT_FALSE(index.Contains(7, 1));
  int calls = 0;
  index.ForEach(7, [&](Id) { return ++calls, true; });
  EXPECT_EQ(calls, 0);
}

TEST(ServedIndex, RandomIdsWithDuplicatesMatchStdSet) {
  std::mt19937_64 rng(42);
  ServedIndex index;
  std::map<Id, std::set<Id>> truth;
  // Mixed scales: full 64-bit range (gaps wider than 56 bits), dense runs, clustered values.
  for (Id app = 1; app <= 6; ++app) {
    size_t n = app == 1 ? 1 : app * 700;
    for (size_t i = 0; i < n; ++i) {
      Id id = 0;
      switch (app % 3) {
        case 0: id = Id(rng()); break;                       // any int64, negatives included
        case 1: id = Id(1000 + rng() % 3000); break;         // dense, many duplicates
        case 2: id = Id(1'000'000'000 + rng() % 50'000'000); break;
      }
      index.Add(app, id);
      truth[app].insert(id);
      if (i % 5 == 0) {  // duplicates
        index.Add(app, id);
      }
    }
  }
  index.Seal();
  ExpectSame(index, truth, rng);
}

TEST(ServedIndex, IncrementalSealsAppendAndMerge) {
  std::mt19937_64 rng(7);
  ServedIndex index;
  std::map<Id, std::set<Id>> truth;
  Id next = 5'000'000;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 300; ++i) {
      next += 1 + Id(rng() % 1000);
      index.Add(1, next);  // app 1: only newer ids (appended blocks)
      truth[1].insert(next);
      Id old = Id(rng() % 10'000'000);
      index.Add(2, old);  // app 2: older ids too (re-encoded)
      truth[2].insert(old);
    }
    index.Seal();
    ExpectSame(index, truth, rng);
  }
}

TEST(ServedIndex, ExtremeValues) {
  std::mt19937_64 rng(1);
  ServedIndex index;
  std::map<Id, std::set<Id>> truth;
  for (Id id : {INT64_MIN, INT64_MIN + 1, Id(-1), Id(0), Id(1), INT64_MAX - 1, INT64_MAX}) {
    index.Add(3, id);
    truth[3].insert(id);
  }
  index.Seal();
  ExpectSame(index, truth, rng);
}

TEST(ServedIndex, MemoryPerSnowflakeIdAtMostFourBytes) {
  // 1M time-ordered snowflakes about a millisecond apart (1-3 ms), random node and sequence.
  std::mt19937_64 rng(99);
  ServedIndex index;
  TimeMs t = kSnowflakeEpochMs + 12LL * 365 * 86'400'000;
  const size_t kIds = 1'000'000;
  for (size_t i = 0; i < kIds; ++i) {
    t += 1 + TimeMs(rng() % 3);
    index.Add(1, MakeSnowflake(t, int(rng() % 4), int(rng() % 4096)));
  }
  index.Seal();
  ASSERT_EQ(index.Count(1), kIds);
  double per_id = double(index.MemoryBytes()) / double(kIds);
  std::printf("served index: %.3f bytes per id (1M snowflakes, 1-3 ms apart)\n", per_id);
  RecordProperty("bytes_per_id", std::to_string(per_id));
  EXPECT_LE(per_id, 4.0);
}

}  // namespace
}  // namespace sluice
