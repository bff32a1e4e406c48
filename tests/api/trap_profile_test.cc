// The public face of a trap record: metrics and author profile blended from real ones.
#include <gtest/gtest.h>

#include <set>

#include "api/trap_profile.h"

namespace sluice {
namespace {

constexpr TimeMs kDay = 86'400'000;
constexpr TimeMs kT = 1'700'000'000'000;

TEST(TrapProfile, MetricsLieBetweenTheNeighboursNearTheFirstAndKeepItsTies) {
  PostMetrics a{40, 20, 200, 6, 16, 13'000}, b{10, 4, 100, 2, 8, 9'000};
  std::set<int64_t> impressions;
  for (uint64_t seed = 0; seed < 500; ++seed) {
    PostMetrics m = TrapMetrics(a, b, seed);
    // A tenth of the way towards the second at most (log scale): between the real values.
    EXPECT_LE(m.impression_count, 13'000);
    EXPECT_GE(m.impression_count, 12'530);
    EXPECT_LE(m.like_count, 200);
    EXPECT_GE(m.like_count, 186);
    EXPECT_LE(m.quote_count, m.retweet_count);
    impressions.insert(m.impression_count);
    EXPECT_EQ(m.impression_count, TrapMetrics(a, b, seed).impression_count);  // deterministic
  }
  EXPECT_GT(impressions.size(), 100u);  // spread, and rarely either model's own value
  EXPECT_EQ(TrapMetrics({0, 0, 0, 0, 0, 0}, b, 3).like_count, 0);
  EXPECT_EQ(TrapMetrics({}, {}, 3).impression_count, 0);
}

TEST(TrapProfile, AuthorIsAPersonBlendedFromTwoRealAccounts) {
  User model{.id = 5, .username = "real", .name = "Real Person", .description = "Runner, reader.", .location = "Lyon",
             .created_at = kT - 400 * kDay, .verified_type = VerifiedType::kBlue};
  model.metrics = {1200, 300, 5000, 8, 900};
  User other{.id = 6, .username = "other", .name = "O", .created_at = kT - 100 * kDay};
  other.metrics = {400, 100, 200, 2, 300};
  for (uint64_t seed = 0; seed < 200; ++seed) {
    User u = TrapAuthorProfile(model, other, 99, "jordan42", "Jordan M.", kT, 3, seed);
    EXPECT_EQ(u.id, 99);
    EXPECT_EQ(u.username, "jordan42");
    EXPECT_EQ(u.name, "Jordan M.");
    EXPECT_TRUE(u.synthetic);
    EXPECT_FALSE(u.is_protected);
    EXPECT_FALSE(u.pinned_tweet_id);
    EXPECT_EQ(u.description, "Runner, reader.");
    EXPECT_EQ(u.location, "Lyon");
    EXPECT_EQ(u.verified_type, VerifiedType::kBlue);
    EXPECT_LE(u.created_at, kT - 345 * kDay);  // 400 days towards 100: at most 400 * 4^-0.1
    EXPECT_GE(u.created_at, kT - 400 * kDay);
    EXPECT_LE(u.metrics.followers_count, 1200);
    EXPECT_GE(u.metrics.followers_count, 1075);
    EXPECT_GE(u.metrics.tweet_count, 3);
  }
  // An account with no posts to speak of still counts the traps it authored.
  User quiet = model, quiet2 = other;
  quiet.metrics.tweet_count = quiet2.metrics.tweet_count = 0;
  EXPECT_EQ(TrapAuthorProfile(quiet, quiet2, 99, "a", "A", kT, 2, 1).metrics.tweet_count, 2);
  // An organisation lends its numbers, not its voice or its badge.
  User org = model;
  org.verified_type = VerifiedType::kGovernment;
  org.description = "Official account.";
  User u = TrapAuthorProfile(org, other, 99, "a", "A", kT, 1, 7);
  EXPECT_EQ(u.verified_type, VerifiedType::kNone);
  EXPECT_EQ(u.description, "");
  // Accounts younger than a day (or created after the post) still make an older one.
  User young = model, young2 = other;
  young.created_at = young2.created_at = kT + kDay;
  EXPECT_LE(TrapAuthorProfile(young, young2, 99, "a", "A", kT, 1, 7).created_at, kT - kDay);
}

}  // namespace
}  // namespace sluice
