// The PostgreSQL store's search gives the SQLite store's answers: the same posts (and traps)
// written to both, then every query of a list covering the whole query language, and
// thousands of random valid queries, asked of both (Search by recency and by relevancy,
// Count, FindTraps).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/long_post.h"
#include "core/snowflake.h"
#include "core/text.h"
#include "store/search/query.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

constexpr TimeMs kT0 = 1700000000000;

class SearchParityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/sluice-parity-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    for (auto backend : {test::Backend::kSqlite, test::Backend::kPostgres}) {
      auto s = OpenStore(test::NewStoreOptions(backend, *dir_));
      ASSERT_TRUE(s.ok()) << s.status().message();
      Fill(**s);
      (backend == test::Backend::kSqlite ? sqlite_ : postgres_) = s->release();
    }
  }
  static void TearDownTestSuite() {
    delete sqlite_;
    delete postgres_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static Post MakePost(int minute, Id author, std::string text, std::string lang = "en") {
    Post p;
    p.id = MakeSnowflake(kT0 + minute * 60000, 0, 0);
    p.author_id = author;
    p.text = std::move(text);
    p.lang = std::move(lang);
    p.created_at = kT0 + minute * 60000;
    p.conversation_id = p.id;
    p.entities = ExtractEntities(p.text);
    p.edit_history = {p.id};
    return p;
  }
  static Id PostId(int minute) { return MakeSnowflake(kT0 + minute * 60000, 0, 0); }

  // Users and posts of search_sql_test.cc's data and more: accents, other scripts, digits,
  // underscores, a long post, an earlier version, a deleted post, a protected author, nullcast.
  static void Fill(Store& store) {
    WriteBatch b;
    b.users = {User{.id = 1, .username = "alice", .name = "Alice", .description = "Developer advocate, coffee 😀",
                    .verified_type = VerifiedType::kBlue},
               User{.id = 2, .username = "bob", .name = "Bob"},
               User{.id = 3, .username = "Carol_X", .name = "Carol"},
               User{.id = 4, .username = "dave", .name = "Dave", .description = "Data scientist"},
               User{.id = 5, .username = "eve", .name = "Eve", .is_protected = true}};
    b.posts.push_back(MakePost(1, 1, "Hello world #Sluice"));
    b.posts.push_back(MakePost(2, 2, "Café au lait, bonjour le monde", "fr"));
    Post reply = MakePost(3, 2, "@alice hello there");
    reply.referenced = {{ReferenceType::kRepliedTo, PostId(1)}};
    reply.in_reply_to_user_id = 1;
    reply.conversation_id = PostId(1);
    b.posts.push_back(reply);
    Post quote = MakePost(4, 3, "Buying $TSLA see https://example.com/path");
    quote.referenced = {{ReferenceType::kQuoted, PostId(1)}};
    b.posts.push_back(quote);
    Post repost = MakePost(5, 1, "RT @bob: Café au lait", "fr");
    repost.referenced = {{ReferenceType::kRetweeted, PostId(2)}};
    b.posts.push_back(repost);
    b.posts.push_back(MakePost(6, 3, "world hello"));
    b.posts.push_back(MakePost(7, 2, "He said \"quoted\" words #sluice"));
    b.posts.push_back(MakePost(8, 4, "Party time 🎉😀!"));
    b.posts.push_back(MakePost(9, 4, "👍🏽 ok great👍🏽 q🏽z µ"));
    b.posts.push_back(MakePost(10, 4, "Été naïve façade ÀÉÎÕÜ straße Ελληνικά ΣΊΣΥΦΟΣ 日本語 x_y o'clock 3.14 v2 #ÉtéFun", "fr"));
    b.posts.push_back(MakePost(11, 5, "hello from a protected account"));
    Post deleted = MakePost(12, 1, "hello deleted world");
    deleted.deleted_at = kT0;
    b.posts.push_back(deleted);
    Post earlier = MakePost(13, 2, "hello first version");
    earlier.edit_history = {PostId(13), PostId(14)};
    b.posts.push_back(earlier);
    Post latest = MakePost(14, 2, "hello second version https://other.org/a?b=c");
    latest.edit_history = {PostId(13), PostId(14)};
    b.posts.push_back(latest);
    Post nullcast = MakePost(15, 3, "hello promoted @dave $BTC");
    nullcast.nullcast = true;
    b.posts.push_back(nullcast);
    std::string words;
    for (int i = 0; i < 70; ++i) words += "word" + std::to_string(i) + " ";
    Post long_post = MakePost(16, 1, words + "hello tail #longtag");
    ASSERT_TRUE(MakeLongPost(long_post));
    b.posts.push_back(long_post);
    for (int i = 0; i < 30; ++i)
      b.posts.push_back(MakePost(20 + i, 1 + i % 4, (i % 2 ? "hello " : "world ") + std::to_string(i) + (i % 3 ? " #Tag" : " @bob")));
    ASSERT_TRUE(store.Apply(b).ok());
    for (int i = 0; i < 6; ++i) {
      StoredTrap t;
      t.id = MakeSnowflake(kT0 + (60 + i) * 60000, 0, 1);
      t.app_id = 7;
      t.counter = uint64_t(i);
      t.author_id = 100 + i % 2;
      t.text = i % 2 ? "hello trap #Sluice https://example.com/x" : "Café trap @alice";
      t.lang = i % 3 ? "en" : "fr";
      t.created_at = SnowflakeTime(t.id);
      t.marker = "m";
      User u{.id = t.author_id, .username = "synth" + std::to_string(t.author_id), .name = "S"};
      u.synthetic = true;
      ASSERT_TRUE(store.InsertTrap(t, u).ok());
    }
  }

  static std::vector<Id> Ids(const Result<std::vector<StoredPost>>& posts) {
    std::vector<Id> ids;
    if (posts.ok())
      for (const auto& p : *posts) ids.push_back(p.post.id);
    return ids;
  }

  // Both stores' answers to `q` agree; returns how many posts it found.
  static size_t Compare(std::string_view q) {
    auto parsed = ParseSearchQuery(q);
    if (!parsed.ok()) {
      ADD_FAILURE() << q << ": not a valid query";
      return 0;
    }
    PageRequest page{.limit = 100};
    auto a = sqlite_->Search(*parsed, page);
    auto b = postgres_->Search(*parsed, page);
    EXPECT_TRUE(a.ok()) << q << ": " << a.status().message();
    EXPECT_TRUE(b.ok()) << q << ": " << b.status().message();
    EXPECT_EQ(Ids(a), Ids(b)) << q;
    // sort_order=relevancy: the same order and the same scores (FTS5's bm25 on both).
    PageRequest rel{.limit = 100, .relevancy = true};
    auto ra = sqlite_->Search(*parsed, rel);
    auto rb = postgres_->Search(*parsed, rel);
    EXPECT_TRUE(ra.ok() && rb.ok()) << q;
    EXPECT_EQ(Ids(ra), Ids(rb)) << q << " (relevancy)";
    if (ra.ok() && rb.ok() && ra->size() == rb->size())
      for (size_t i = 0; i < ra->size(); ++i) EXPECT_DOUBLE_EQ((*ra)[i].relevance, (*rb)[i].relevance) << q << " #" << i;
    const TimeMs end = kT0 + 100 * 60000;
    auto ca = sqlite_->Count(*parsed, kT0, end, 3600000, std::nullopt, std::nullopt);
    auto cb = postgres_->Count(*parsed, kT0, end, 3600000, std::nullopt, std::nullopt);
    EXPECT_TRUE(ca.ok() && cb.ok()) << q;
    if (ca.ok() && cb.ok()) {
      EXPECT_EQ(ca->size(), cb->size()) << q;
      for (size_t i = 0; i < std::min(ca->size(), cb->size()); ++i) EXPECT_EQ((*ca)[i].count, (*cb)[i].count) << q;
    }
    TrapFilter filter{.query = &*parsed};
    PageRequest all{.limit = 0};
    auto ta = sqlite_->FindTraps(7, filter, all);
    auto tb = postgres_->FindTraps(7, filter, all);
    EXPECT_TRUE(ta.ok() && tb.ok()) << q << ": " << (tb.ok() ? "" : tb.status().message());
    if (ta.ok() && tb.ok()) {
      std::vector<Id> ia, ib;
      for (const auto& t : *ta) ia.push_back(t.id);
      for (const auto& t : *tb) ib.push_back(t.id);
      EXPECT_EQ(ia, ib) << q << " (traps)";
    }
    return a.ok() ? a->size() : 0;
  }

  static std::string* dir_;
  static Store* sqlite_;
  static Store* postgres_;
};

std::string* SearchParityTest::dir_ = nullptr;
Store* SearchParityTest::sqlite_ = nullptr;
Store* SearchParityTest::postgres_ = nullptr;

TEST_F(SearchParityTest, EveryOperatorAnswersAsSqlite) {
  const std::vector<std::string> queries = {
      "hello", "HELLO", "cafe", "Café", "CAFÉ lait", "hell", "sluice", "\"hello world\"", "\"world hello\"",
      "hello world", "\"au lait\"", "\"cafe lait\"", "\"said quoted words\"", "hello !!!", "hello -!!!",
      "\"*\" OR hello", "said\"quoted\"", "NEAR AND NOT", "#sluice", "#SLUICE", "$tsla", "@alice", "@BOB",
      "#nothing", "from:alice", "from:1", "from:Carol_X", "from:nobody", "hello -from:nobody", "to:alice", "to:1",
      "hello -to:alice", "hello -to:1", "great👍🏽", "\"q🏽z\"", "µ OR μ", "url:example.com",
      "url:\"https://example.com/path\"", "url:EXAMPLE.com/path", "url:other.org", "url:\"example.com\" OR hello",
      "see -url:example.com", "cafe lang:fr", "cafe lang:EN", "cafe is:retweet", "cafe -is:retweet",
      "hello is:reply", "hello -is:reply", "$tsla is:quote", "from:carol_x -is:quote", "hello is:verified",
      "hello -is:verified", "hello has:mentions", "hello has:hashtags", "from:carol_x has:links",
      "from:carol_x has:cashtags", "from:carol_x -has:links", "hello is:nullcast", "hello -is:nullcast",
      "retweets_of:bob", "retweets_of:2", "retweets_of:BOB cafe", "retweets_of:alice", "cafe -retweets_of:bob",
      "bio:developer", "bio:\"data scientist\"", "bio:COFFEE hello", "bio:dev", "bio:😀", "hello -bio:developer",
      "😀", "🎉", "party😀", "👍🏽", "😀 OR hello", "from:dave -🎉", "🔥", "ete", "NAIVE", "facade", "aeiou",
      "strasse", "straße", "ελληνικα", "Ελληνικά", "σισυφος", "ΣΊΣΥΦΟΣ", "日本語", "x_y", "x", "y", "clock", "o",
      "\"3 14\"", "14", "v2", "#étéfun", "#etefun", "word5", "tail", "#longtag", "\"word68 word69 hello\"",
      "version", "first", "second", "deleted", "protected", "promoted", "$btc", "@dave", "url:other.org/a",
      "hello -world", "(hello OR world) -#tag", "hello (world OR #tag) -@bob", "-hello world", "-(hello OR world) from:bob",
      "hello OR (world -is:reply)", "(#tag OR @bob) lang:en", "conversation_id:" + std::to_string(PostId(1)),
      "quotes_of_tweet_id:" + std::to_string(PostId(1)), "in_reply_to_tweet_id:" + std::to_string(PostId(1)),
      "place_country:FR", "hello -place_country:FR", "point_radius:[1 2 3km]", "context:1.2", "entity:x", "list:1",
      "has:media hello", "hello -has:media", "has:geo hello", "trap", "trap url:example.com/x", "trap -#sluice"};
  size_t found = 0;
  for (const auto& q : queries) found += Compare(q) > 0;
  EXPECT_GT(found, queries.size() / 2);  // the list is about matches, not only empty answers
}

TEST_F(SearchParityTest, RandomValidQueriesAnswerAsSqlite) {
  const std::vector<std::string> pieces = {
      "hello", "world", "cafe", "é", "!", "*", "NEAR", "^", " ", " ", " OR ", "(", ")", "-", "\"", "\"a b\"",
      "#sluice", "@alice", "$tsla", "from:bob", "from:1", "to:alice", "url:example.com", "lang:fr", "is:reply",
      "is:verified", "has:links", "'", ":", "x", "-has:media", "has:geo", "is:nullcast", "retweets_of:bob",
      "bio:dev", "place_country:FR", "😀", "👍🏽", "#tag", "@bob", "trap", "version", "ete", "\"hello world\"",
      "has:hashtags", "is:retweet", "lang:en", "tail"};
  std::mt19937 rng(11);
  int ran = 0;
  for (int i = 0; i < 20000 && ran < 1500; ++i) {
    std::string query;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < n; ++k) query += pieces[rng() % pieces.size()];
    if (!ParseSearchQuery(query).ok()) continue;
    ++ran;
    Compare(query);
    if (HasFailure()) break;  // the first difference is the one to read
  }
  EXPECT_GT(ran, 500);
}

TEST_F(SearchParityTest, UsersSearchAnswersAsSqlite) {
  for (std::vector<std::string> words : std::vector<std::vector<std::string>>{
           {"alice"}, {"ali"}, {"carol_x"}, {"carol_"}, {"dev"}, {"data", "sci"}, {"coffee"}, {"eve"}, {"synth"},
           {"s"}, {"'"}, {"bob", "alice"}, {"car"}}) {
    auto a = sqlite_->SearchUsers(words, 0, 100, 7);
    auto b = postgres_->SearchUsers(words, 0, 100, 7);
    ASSERT_TRUE(a.ok() && b.ok()) << words[0];
    std::vector<Id> ia, ib;
    for (const auto& u : *a) ia.push_back(u.id);
    for (const auto& u : *b) ib.push_back(u.id);
    std::sort(ia.begin(), ia.end());
    std::sort(ib.begin(), ib.end());
    EXPECT_EQ(ia, ib) << words[0];  // the same users (their order is each backend's score)
  }
}

}  // namespace
}  // namespace sluice
