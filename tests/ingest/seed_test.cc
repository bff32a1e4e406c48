#include "ingest/seed.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/snowflake.h"
#include "core/text.h"
#include "core/weighted_length.h"

namespace sluice {
namespace {

constexpr TimeMs kNow = 1700000000000;  // 2023-11-14T22:13:20Z
constexpr TimeMs kDay = 86'400'000;

struct Generated {
  std::vector<User> users;
  std::vector<Post> posts;
  std::vector<Follow> follows;
  std::vector<Like> likes;
  std::vector<std::pair<size_t, size_t>> batches;  // (users, posts) per batch
  std::string kinds;                               // per batch: 'u' users, 'f' follows, 'p' posts
  size_t largest_follow_batch = 0;
  std::vector<std::pair<int64_t, int64_t>> progress;
  Status status;
};

Generated Generate(const SeedOptions& o) {
  Generated g;
  g.status = GenerateSeed(
      o,
      [&g](WriteBatch&& b) {
        g.batches.emplace_back(b.users.size(), b.posts.size());
        g.kinds += !b.users.empty() ? 'u' : !b.posts.empty() ? 'p' : 'f';
        g.largest_follow_batch = std::max(g.largest_follow_batch, b.follows.size());
        for (auto& u : b.users) g.users.push_back(std::move(u));
        for (auto& p : b.posts) g.posts.push_back(std::move(p));
        g.follows.insert(g.follows.end(), b.follows.begin(), b.follows.end());
        g.likes.insert(g.likes.end(), b.likes.begin(), b.likes.end());
        return Status::Ok();
      },
      [&g](int64_t done, int64_t total) { g.progress.emplace_back(done, total); });
  return g;
}

SeedOptions Options(int64_t users, int64_t posts, uint64_t seed = 1) {
  SeedOptions o;
  o.users = users;
  o.posts = posts;
  o.seed = seed;
  o.now = kNow;
  o.batch_size = 1000;
  return o;
}

// Every field, so "identical" means byte-identical.
std::string Dump(const User& u) {
  std::string s = std::to_string(u.id) + "|" + u.username + "|" + u.name + "|" + u.description + "|" + u.location +
                  "|" + u.url + "|" + std::to_string(u.created_at) + "|" +
                  std::string(VerifiedTypeName(u.verified_type)) + "|" + std::to_string(u.is_protected) + "|";
  for (const auto& l : u.labels) s += l + ",";
  const auto& m = u.metrics;
  for (int64_t v : {m.followers_count, m.following_count, m.tweet_count, m.listed_count, m.like_count})
    s += std::to_string(v) + ",";
  return s;
}

std::string Dump(const Post& p) {
  std::string s = std::to_string(p.id) + "|" + std::to_string(p.author_id) + "|" + p.text + "|" +
                  std::to_string(p.created_at) + "|" + p.lang + "|" + std::to_string(p.conversation_id) + "|" +
                  std::to_string(p.in_reply_to_user_id.value_or(-1)) + "|";
  for (const auto& r : p.referenced) s += std::string(ReferenceTypeName(r.type)) + ":" + std::to_string(r.id) + ",";
  for (const auto& h : p.entities.hashtags) s += "#" + h.tag + std::to_string(h.span.start);
  for (const auto& m : p.entities.mentions) s += "@" + m.username + std::to_string(m.id.value_or(-1));
  for (const auto& c : p.entities.cashtags) s += "$" + c.tag;
  for (const auto& u : p.entities.urls) s += u.url + " " + u.expanded_url + " " + u.display_url;
  const auto& m = p.metrics;
  for (int64_t v : {m.retweet_count, m.reply_count, m.like_count, m.quote_count, m.bookmark_count, m.impression_count})
    s += std::to_string(v) + ",";
  for (Id id : p.edit_history) s += std::to_string(id) + ",";
  return s;
}

// `graph`: the follows and likes too (their number depends on the seed).
std::vector<std::string> DumpAll(const Generated& g, bool graph = true) {
  std::vector<std::string> out;
  for (const auto& u : g.users) out.push_back(Dump(u));
  for (const auto& p : g.posts) out.push_back(Dump(p));
  if (!graph) return out;
  for (const auto& f : g.follows) out.push_back(std::to_string(f.follower_id) + ">" + std::to_string(f.followee_id));
  for (const auto& l : g.likes) out.push_back(std::to_string(l.user_id) + "<3" + std::to_string(l.post_id));
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One realistic data set shared by the property tests.
class SeedData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { data_ = new Generated(Generate(Options(5000, 30000))); }
  static void TearDownTestSuite() { delete data_; }
  static const Generated& data() { return *data_; }
  static Generated* data_;
};
Generated* SeedData::data_ = nullptr;

TEST(Seed, SameOptionsGiveIdenticalOutput) {
  Generated a = Generate(Options(400, 4000, 7));
  Generated b = Generate(Options(400, 4000, 7));
  ASSERT_TRUE(a.status.ok());
  EXPECT_EQ(a.batches, b.batches);
  EXPECT_EQ(DumpAll(a), DumpAll(b));
}

TEST(Seed, DifferentSeedDiffers) {
  Generated a = Generate(Options(400, 4000, 7));
  Generated b = Generate(Options(400, 4000, 8));
  std::vector<std::string> da = DumpAll(a, false), db = DumpAll(b, false);
  ASSERT_EQ(da.size(), db.size());
  size_t same = 0;
  for (size_t i = 0; i < da.size(); ++i) same += da[i] == db[i];
  EXPECT_LT(same, da.size() / 100);
}

TEST(Seed, ExactCountsBatchesAndProgress) {
  SeedOptions o = Options(2500, 7001);
  Generated g = Generate(o);
  ASSERT_TRUE(g.status.ok());
  EXPECT_EQ(g.users.size(), 2500u);
  EXPECT_EQ(g.posts.size(), 7001u);
  bool seen_posts = false;
  for (auto [users, posts] : g.batches) {
    EXPECT_TRUE(users == 0 || posts == 0);
    EXPECT_LE(users + posts, size_t(o.batch_size));
    EXPECT_FALSE(seen_posts && users > 0) << "users after posts";
    seen_posts |= posts > 0;
  }
  // Follows come in batches of their own, between the users and the posts.
  const size_t f = g.kinds.find('f');
  ASSERT_NE(f, std::string::npos);
  EXPECT_EQ(g.kinds.find_first_not_of('f', f), g.kinds.find('p')) << g.kinds;
  EXPECT_EQ(g.kinds.find_last_of('u'), f - 1) << g.kinds;
  EXPECT_LE(g.largest_follow_batch, size_t(o.batch_size));
  // Batches of follows alone report no progress.
  ASSERT_EQ(g.progress.size(), size_t(std::count_if(g.batches.begin(), g.batches.end(),
                                                    [](auto b) { return b.first + b.second > 0; })));
  EXPECT_EQ(g.progress.back(), std::make_pair(int64_t(9501), int64_t(9501)));
  for (size_t i = 1; i < g.progress.size(); ++i) EXPECT_LT(g.progress[i - 1].first, g.progress[i].first);
}

TEST_F(SeedData, IdsStrictlyIncreasingAndMatchTimes) {
  for (size_t i = 1; i < data().users.size(); ++i) ASSERT_LT(data().users[i - 1].id, data().users[i].id);
  for (size_t i = 1; i < data().posts.size(); ++i) ASSERT_LT(data().posts[i - 1].id, data().posts[i].id);
  for (const auto& u : data().users) EXPECT_EQ(SnowflakeTime(u.id), u.created_at);
  for (const auto& p : data().posts) EXPECT_EQ(SnowflakeTime(p.id), p.created_at);
}

// About 1 post in 100 is edited once: its earlier version comes right before its
// latest, same author, both with the chain [earlier, latest], edited within X's 30 minutes.
TEST_F(SeedData, SomePostsAreEditedOnce) {
  const auto& posts = data().posts;
  int edited = 0;
  for (size_t i = 0; i < posts.size(); ++i) {
    const Post& p = posts[i];
    if (p.edit_history == std::vector<Id>{p.id}) continue;
    ASSERT_EQ(p.edit_history.size(), 2u);
    if (!p.IsEarlierVersion()) continue;  // checked with its earlier version
    ++edited;
    ASSERT_LT(i + 1, posts.size());
    const Post& latest = posts[i + 1];
    EXPECT_EQ(p.edit_history, (std::vector<Id>{p.id, latest.id}));
    EXPECT_EQ(latest.edit_history, p.edit_history);
    EXPECT_FALSE(latest.IsEarlierVersion());
    EXPECT_EQ(latest.author_id, p.author_id);
    EXPECT_LE(latest.created_at - p.created_at, 30 * 60'000);
    EXPECT_TRUE(latest.referenced.empty());
    EXPECT_EQ(latest.text.rfind(p.text, 0), 0u) << "the edit adds to the text: " << p.text << " -> " << latest.text;
  }
  EXPECT_GT(edited, 150);  // of 30,000
  EXPECT_LT(edited, 450);
}

TEST_F(SeedData, UsernamesValidAndUniqueIgnoringCase) {
  std::set<std::string> seen;
  for (const auto& u : data().users) {
    ASSERT_FALSE(u.username.empty());
    ASSERT_LE(u.username.size(), 15u) << u.username;
    for (char c : u.username) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '_') << u.username;
    EXPECT_TRUE(seen.insert(Lower(u.username)).second) << u.username;
    EXPECT_FALSE(u.name.empty());
    EXPECT_TRUE(IsValidUtf8(u.name) && IsValidUtf8(u.description) && IsValidUtf8(u.location));
  }
}

TEST_F(SeedData, ReferencesPointToEarlierPosts) {
  struct Info {
    Id author;
    Id conversation;
  };
  std::unordered_map<Id, Info> earlier;
  std::unordered_map<Id, std::string> username_of;
  for (const auto& u : data().users) username_of[u.id] = u.username;
  int replies = 0, quotes = 0, retweets = 0, reply_to_reply = 0;
  for (const auto& p : data().posts) {
    ASSERT_LE(p.referenced.size(), 1u);
    ASSERT_TRUE(username_of.count(p.author_id));
    if (p.referenced.empty()) {
      EXPECT_EQ(p.conversation_id, p.id);
      EXPECT_FALSE(p.in_reply_to_user_id.has_value());
    } else {
      const ReferencedPost& r = p.referenced[0];
      auto parent = earlier.find(r.id);
      ASSERT_NE(parent, earlier.end()) << "post " << p.id << " points at a later or unknown post";
      switch (r.type) {
        case ReferenceType::kRepliedTo:
          ++replies;
          EXPECT_EQ(p.in_reply_to_user_id, parent->second.author);
          EXPECT_EQ(p.conversation_id, parent->second.conversation);
          reply_to_reply += parent->second.conversation != r.id;
          break;
        case ReferenceType::kQuoted:
          ++quotes;
          EXPECT_EQ(p.conversation_id, p.id);
          break;
        case ReferenceType::kRetweeted:
          ++retweets;
          EXPECT_EQ(p.conversation_id, p.id);
          EXPECT_EQ(p.text.rfind("RT @" + username_of[parent->second.author] + ": ", 0), 0u) << p.text;
          break;
      }
    }
    earlier[p.id] = {p.author_id, p.conversation_id};
  }
  double n = double(data().posts.size());
  EXPECT_NEAR(replies / n, 0.25, 0.04);
  EXPECT_NEAR(quotes / n, 0.08, 0.02);
  EXPECT_NEAR(retweets / n, 0.05, 0.02);
  EXPECT_GT(reply_to_reply, replies / 10) << "replies should form chains";
}

TEST_F(SeedData, TextsFitAndEntitiesMatchText) {
  std::unordered_map<std::string, Id> id_of;
  for (const auto& u : data().users) id_of[Lower(u.username)] = u.id;
  int with_hashtag = 0, with_mention = 0, with_cashtag = 0, with_url = 0;
  for (const auto& p : data().posts) {
    ASSERT_TRUE(IsValidUtf8(p.text)) << p.text;
    ASSERT_FALSE(p.text.empty());
    ASSERT_LE(WeightedLength(NormalizeNfc(p.text)), 280) << p.text;  // never a long post
    ASSERT_TRUE(p.note_text.empty());
    Entities e = ExtractEntities(p.text);
    ASSERT_EQ(e.hashtags.size(), p.entities.hashtags.size());
    ASSERT_EQ(e.urls.size(), p.entities.urls.size());
    ASSERT_EQ(e.mentions.size(), p.entities.mentions.size());
    for (const auto& m : p.entities.mentions) {
      auto it = id_of.find(Lower(m.username));
      if (it != id_of.end()) EXPECT_EQ(m.id, it->second);
      else EXPECT_FALSE(m.id.has_value());
    }
    with_hashtag += !p.entities.hashtags.empty();
    with_mention += !p.entities.mentions.empty();
    with_cashtag += !p.entities.cashtags.empty();
    with_url += !p.entities.urls.empty();
  }
  EXPECT_GT(with_hashtag, 1000);
  EXPECT_GT(with_mention, 1000);
  EXPECT_GT(with_cashtag, 100);
  EXPECT_GT(with_url, 1000);
}

TEST_F(SeedData, FrenchAndEnglishPosts) {
  std::map<std::string, int> langs;
  for (const auto& p : data().posts) ++langs[p.lang];
  EXPECT_EQ(langs.size(), 2u);
  EXPECT_GT(langs["fr"], 5000);
  EXPECT_GT(langs["en"], 5000);
}

TEST_F(SeedData, UserMixHasEveryVerifiedTypeAndLabel) {
  std::map<VerifiedType, int> verified;
  std::map<std::string, int> labels;
  int protected_users = 0;
  for (const auto& u : data().users) {
    ++verified[u.verified_type];
    for (const auto& l : u.labels) ++labels[l];
    protected_users += u.is_protected;
  }
  EXPECT_GT(verified[VerifiedType::kNone], 3500);
  EXPECT_GT(verified[VerifiedType::kBlue], 100);
  EXPECT_GT(verified[VerifiedType::kBusiness], 10);
  EXPECT_GT(verified[VerifiedType::kGovernment], 5);
  EXPECT_GT(labels["state-affiliated-media"], 0);
  EXPECT_GT(labels["government-funded"], 0);
  EXPECT_EQ(labels.size(), 2u);
  EXPECT_GT(protected_users, 50);
}

TEST_F(SeedData, TimesWithinTheLast30Days) {
  for (const auto& p : data().posts) {
    ASSERT_GE(p.created_at, kNow - 30 * kDay);
    ASSERT_LE(p.created_at, kNow);
  }
  EXPECT_LT(data().posts.front().created_at, kNow - 29 * kDay);
  EXPECT_GT(data().posts.back().created_at, kNow - kDay);
  for (const auto& u : data().users) {
    ASSERT_LT(u.created_at, kNow - 30 * kDay);
    ASSERT_GE(u.created_at, kSnowflakeEpochMs);
  }
}

TEST_F(SeedData, PopularityIsHeavyTailed) {
  std::unordered_map<Id, int> posts_by;
  for (const auto& p : data().posts) ++posts_by[p.author_id];
  std::vector<int> counts;
  for (auto [id, n] : posts_by) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  EXPECT_GT(counts[0], 1000);                // the top account writes a few percent of everything
  EXPECT_LT(counts[counts.size() / 2], 10);  // the median one a handful
  int64_t max_followers = 0;
  for (const auto& u : data().users) max_followers = std::max(max_followers, u.metrics.followers_count);
  EXPECT_GT(max_followers, 1'000'000);
}

// The social graph is plausible (everyone follows someone, popular accounts gather the
// followers, posts have likers) and never exceeds the public metrics it stands for.
TEST_F(SeedData, FollowsLikesAndRepostsStayWithinThePublicMetrics) {
  const Generated& g = data();
  std::unordered_map<Id, const User*> users;
  for (const auto& u : g.users) users[u.id] = &u;
  std::unordered_map<Id, const Post*> posts;
  for (const auto& p : g.posts) posts[p.id] = &p;

  std::set<std::pair<Id, Id>> follows;
  std::unordered_map<Id, int64_t> followers, following;
  for (const auto& f : g.follows) {
    ASSERT_TRUE(users.count(f.follower_id) && users.count(f.followee_id));
    EXPECT_NE(f.follower_id, f.followee_id);
    EXPECT_TRUE(follows.insert({f.follower_id, f.followee_id}).second) << "a follow twice";
    ++following[f.follower_id];
    ++followers[f.followee_id];
  }
  EXPECT_EQ(following.size(), g.users.size()) << "every user follows someone";
  for (const auto& [id, n] : followers) EXPECT_LE(n, users[id]->metrics.followers_count);
  for (const auto& [id, n] : following) EXPECT_LE(n, users[id]->metrics.following_count);
  int64_t most = 0;
  for (const auto& [id, n] : followers) most = std::max(most, n);
  EXPECT_GT(most, int64_t(g.users.size()) / 10) << "popular accounts gather followers";

  std::set<std::pair<Id, Id>> likes;
  std::unordered_map<Id, int64_t> likes_of_post, likes_by_user;
  for (const auto& l : g.likes) {
    ASSERT_TRUE(users.count(l.user_id) && posts.count(l.post_id));
    EXPECT_NE(posts[l.post_id]->author_id, l.user_id);
    EXPECT_TRUE(likes.insert({l.user_id, l.post_id}).second) << "a like twice";
    ++likes_of_post[l.post_id];
    ++likes_by_user[l.user_id];
  }
  EXPECT_GT(g.likes.size(), g.posts.size());
  for (const auto& [id, n] : likes_of_post) EXPECT_LE(n, posts[id]->metrics.like_count);
  for (const auto& [id, n] : likes_by_user) EXPECT_LE(n, users[id]->metrics.like_count);

  std::unordered_map<Id, int64_t> reposts;
  for (const auto& p : g.posts)
    if (auto of = p.Reference(ReferenceType::kRetweeted)) ++reposts[*of];
  for (const auto& [id, n] : reposts) EXPECT_LE(n, posts[id]->metrics.retweet_count);
}

TEST(Seed, StopsAtFirstSinkError) {
  int calls = 0;
  Status s = GenerateSeed(
      Options(3000, 5000),
      [&calls](WriteBatch&&) { return ++calls == 2 ? Status(InternalError("disk full")) : Status::Ok(); }, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "disk full");
  EXPECT_EQ(calls, 2);
}

TEST(Seed, RejectsUnusableOptions) {
  auto sink = [](WriteBatch&&) { return Status::Ok(); };
  SeedOptions o = Options(10, 10);
  o.now = 0;
  EXPECT_FALSE(GenerateSeed(o, sink, nullptr).ok());
  o = Options(0, 10);
  EXPECT_FALSE(GenerateSeed(o, sink, nullptr).ok());
  o = Options(10, 10);
  o.batch_size = 0;
  EXPECT_FALSE(GenerateSeed(o, sink, nullptr).ok());
  o = Options(10, 10);
  o.node_id = 1024;
  EXPECT_FALSE(GenerateSeed(o, sink, nullptr).ok());
  o = Options(-1, 10);
  EXPECT_FALSE(GenerateSeed(o, sink, nullptr).ok());
  EXPECT_TRUE(GenerateSeed(Options(0, 0), sink, nullptr).ok());
  EXPECT_TRUE(GenerateSeed(Options(1, 50), sink, nullptr).ok());
}

}  // namespace
}  // namespace sluice
