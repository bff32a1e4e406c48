#include "ingest/import.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/snowflake.h"

namespace sluice {
namespace {

Result<WriteBatch> Import(const std::string& text) {
  std::istringstream in(text);
  return ImportJsonl(in, "f.jsonl");
}

std::string Lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

constexpr Id kPostId = 1460323737035677698;  // 2021-11-15T19:08:05.069Z
constexpr Id kUserId = 1460323737035677000;

const std::string kUser =
    R"({"id":"12","username":"marie_d","name":"Marie D.","description":"Journaliste","location":"Lyon",)"
    R"("url":"https://example.fr","created_at":"2020-01-02T03:04:05.000Z","verified_type":"business",)"
    R"("protected":true,"public_metrics":{"followers_count":10,"following_count":2,"tweet_count":3,)"
    R"("listed_count":4,"like_count":5},"labels":["government-funded"],"pinned_tweet_id":"99"})";
const std::string kPost =
    R"({"id":"1460323737035677698","text":"Salut @marie_d #été https://example.com/a.","author_id":"12",)"
    R"("created_at":"2021-11-15T19:08:05.069Z","lang":"fr","public_metrics":{"retweet_count":1,"reply_count":2,)"
    R"("like_count":3,"quote_count":4,"bookmark_count":5,"impression_count":6},)"
    R"("edit_history_tweet_ids":["1460323737035677698"]})";

TEST(Import, ReadsUsersPostsAndEnvelopes) {
  std::string file = Lines({
      kUser,
      R"({"id":"1460323737035677000","username":"Bob","verified":true})",
      "",
      kPost,
      R"({"data":[{"id":"1460323737035677700","text":"@marie_d oui !","author_id":"1460323737035677000",)"
      R"("in_reply_to_user_id":"12","referenced_tweets":[{"type":"replied_to","id":"1460323737035677698"}]}],)"
      R"("includes":{"users":[{"id":"12","username":"marie_d","name":"stale copy"},)"
      R"({"id":"77","username":"carol","name":"Carol"}],)"
      R"("tweets":[{"id":"500","text":"included $AAPL","author_id":"77","created_at":"2021-01-01T00:00:00Z"}]},)"
      R"("meta":{"result_count":1}})",
      R"({"data":{"id":"88","username":"dave_88","name":"Dave"}})",
      R"({"meta":{"result_count":0}})",
  });
  Result<WriteBatch> r = Import(file);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const WriteBatch& b = *r;
  ASSERT_EQ(b.users.size(), 4u);
  ASSERT_EQ(b.posts.size(), 3u);

  const User& marie = b.users[0];
  EXPECT_EQ(marie.id, 12);
  EXPECT_EQ(marie.username, "marie_d");
  EXPECT_EQ(marie.name, "Marie D.");  // the included copy did not replace it
  EXPECT_EQ(marie.description, "Journaliste");
  EXPECT_EQ(marie.location, "Lyon");
  EXPECT_EQ(marie.url, "https://example.fr");
  EXPECT_EQ(marie.created_at, 1577934245000);
  EXPECT_EQ(marie.verified_type, VerifiedType::kBusiness);
  EXPECT_TRUE(marie.is_protected);
  EXPECT_EQ(marie.labels, std::vector<std::string>{"government-funded"});
  EXPECT_EQ(marie.metrics.followers_count, 10);
  EXPECT_EQ(marie.metrics.like_count, 5);
  EXPECT_EQ(marie.pinned_tweet_id, 99);

  const User& bob = b.users[1];
  EXPECT_EQ(bob.verified_type, VerifiedType::kBlue);
  EXPECT_EQ(bob.name, "Bob");
  EXPECT_EQ(bob.created_at, SnowflakeTime(kUserId));
  EXPECT_EQ(b.users[2].username, "carol");
  EXPECT_EQ(b.users[3].username, "dave_88");

  const Post& p = b.posts[0];
  EXPECT_EQ(p.id, kPostId);
  EXPECT_EQ(p.author_id, 12);
  EXPECT_EQ(p.created_at, 1637003285069);
  EXPECT_EQ(p.lang, "fr");
  EXPECT_EQ(p.conversation_id, kPostId);
  EXPECT_EQ(p.metrics.like_count, 3);
  EXPECT_EQ(p.metrics.impression_count, 6);
  EXPECT_EQ(p.edit_history, std::vector<Id>{kPostId});
  ASSERT_EQ(p.entities.mentions.size(), 1u);
  EXPECT_EQ(p.entities.mentions[0].username, "marie_d");
  EXPECT_FALSE(p.entities.mentions[0].id.has_value());
  ASSERT_EQ(p.entities.hashtags.size(), 1u);
  EXPECT_EQ(p.entities.hashtags[0].tag, "été");
  ASSERT_EQ(p.entities.urls.size(), 1u);
  EXPECT_EQ(p.entities.urls[0].url, "https://example.com/a");

  const Post& reply = b.posts[1];
  EXPECT_EQ(reply.created_at, SnowflakeTime(1460323737035677700));
  EXPECT_EQ(reply.lang, "und");
  EXPECT_EQ(reply.conversation_id, kPostId);  // the parent's, found in the file
  EXPECT_EQ(reply.in_reply_to_user_id, 12);
  EXPECT_EQ(reply.Reference(ReferenceType::kRepliedTo), kPostId);
  EXPECT_EQ(reply.edit_history, std::vector<Id>{reply.id});

  EXPECT_EQ(b.posts[2].id, 500);
  ASSERT_EQ(b.posts[2].entities.cashtags.size(), 1u);
  EXPECT_EQ(b.posts[2].conversation_id, 500);
}

TEST(Import, ConversationFollowsReplyChainsInAnyOrder) {
  auto post = [](int id, int parent, const char* conversation = nullptr) {
    std::string s = R"({"id":")" + std::to_string(id) + R"(","text":"t","author_id":"1")";
    if (parent) s += R"(,"referenced_tweets":[{"type":"replied_to","id":")" + std::to_string(parent) + R"("}])";
    if (conversation) s += R"(,"conversation_id":")" + std::string(conversation) + R"(")";
    return s + "}";
  };
  Result<WriteBatch> r = Import(Lines({post(30, 20), post(20, 10), post(10, 0), post(40, 999), post(50, 40),
                                       post(60, 70), post(70, 60), post(80, 20, "5")}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::vector<Id> conversations;
  for (const auto& p : r->posts) conversations.push_back(p.conversation_id);
  // 30 -> 20 -> 10 (root); 40's parent is unknown; 60 <-> 70 is a loop; 80 says its own.
  EXPECT_EQ(conversations, (std::vector<Id>{10, 10, 10, 40, 40, 70, 70, 5}));
}

TEST(Import, PrimaryObjectReplacesIncludedCopy) {
  Result<WriteBatch> r = Import(Lines({
      R"({"data":[],"includes":{"users":[{"id":"5","username":"eve","name":"old"}]}})",
      R"({"id":"5","username":"Eve","name":"new"})",
  }));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->users.size(), 1u);
  EXPECT_EQ(r->users[0].name, "new");
  EXPECT_EQ(r->users[0].username, "Eve");
}

TEST(Import, AcceptsCrlfAndByteOrderMark) {
  Result<WriteBatch> r = Import("\xEF\xBB\xBF" + kUser + "\r\n\r\n" + kPost + "\r\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->users.size(), 1u);
  EXPECT_EQ(r->posts.size(), 1u);
  EXPECT_TRUE(Import("").ok());
  EXPECT_TRUE(Import("\n  \n").ok());
}

struct BadCase {
  std::string line;
  std::string why;  // expected in the message after "f.jsonl:4: "
};

TEST(Import, EveryBadLineKindNamesItsLine) {
  const std::vector<BadCase> cases = {
      {R"({"id":"1","text":)", "bad JSON"},
      {R"([1,2])", "not a JSON object"},
      {R"({"hello":"world"})", "not a post, a user or an X response"},
      {R"({"text":"hi","author_id":"1"})", "missing \"id\""},
      {R"({"id":"5","author_id":"1"})", "missing \"text\""},
      {R"({"id":"12a","text":"x","author_id":"1"})", "\"id\" is not a 1-19 digit string"},
      {R"({"id":12,"text":"x","author_id":"1"})", "\"id\" is not a 1-19 digit string"},
      {R"({"id":"","text":"x","author_id":"1"})", "\"id\" is not a 1-19 digit string"},
      {R"({"id":"12345678901234567890","text":"x","author_id":"1"})", "\"id\" is not a 1-19 digit string"},
      {R"({"id":"9999999999999999999","text":"x","author_id":"1"})", "\"id\" is not a 1-19 digit string"},
      {R"({"id":"0","text":"x","author_id":"1"})", "\"id\" must not be 0"},
      {R"({"id":"7","text":"x"})", "missing \"author_id\""},
      {R"({"id":"7","text":"x","author_id":"1","created_at":"yesterday"})", "\"created_at\" is not a valid time"},
      {"{\"id\":\"7\",\"text\":\"caf\xC3\",\"author_id\":\"1\"}", "\"text\" is not valid UTF-8"},
      {R"({"id":"7","text":5,"author_id":"1"})", "\"text\" is not a string"},
      {R"({"id":"7","text":"x","author_id":"1","referenced_tweets":[{"type":"liked","id":"3"}]})",
       "\"referenced_tweets[0].type\" is not replied_to, quoted or retweeted"},
      {R"({"id":"7","text":"x","author_id":"1","referenced_tweets":[{"type":"quoted"}]})",
       "referenced_tweets[0]: missing \"id\""},
      {R"({"id":"7","text":"x","author_id":"1","public_metrics":{"like_count":-1}})",
       "\"public_metrics.like_count\" is not a non-negative integer"},
      {R"({"id":"7","text":"x","author_id":"1","conversation_id":"x"})", "\"conversation_id\" is not a 1-19 digit"},
      {R"({"id":"7","username":"bad-name"})", "username \"bad-name\" is not 1-15 letters, digits or _"},
      {R"({"id":"7","username":"abcdefghijklmnop"})", "is not 1-15 letters"},
      {R"({"id":"7","username":""})", "is not 1-15 letters"},
      {R"({"id":"7","username":"ok","verified_type":"gold"})", "\"verified_type\" is not none, blue"},
      {R"({"id":"7","username":"ok","protected":"yes"})", "\"protected\" is not true or false"},
      {R"({"id":"7","username":"ok","labels":["a,b"]})", "\"labels[0]\" is empty or holds a ','"},
      {R"({"id":"7","username":"ok","created_at":"2021-02-30T00:00:00Z"})", "\"created_at\" is not a valid time"},
      {R"({"data":[{"id":"7","username":"ok"},{"id":"x","text":"t","author_id":"1"}]})",
       "data[1]: \"id\" is not a 1-19 digit string"},
      {R"({"data":5})", "\"data\" is neither an object nor an array"},
      {R"({"id":"7","text":"x","author_id":"1","note_tweet":"long"})", "\"note_tweet\" is not an object"},
      {R"({"id":"7","text":"x","author_id":"1","note_tweet":{"entities":{}}})", "\"note_tweet\": missing \"text\""},
      {R"({"id":"7","text":"x","author_id":"1","edit_history_tweet_ids":["5","6"]})",
       "\"edit_history_tweet_ids\" does not hold the post's own id 7"},
      {R"({"data":[],"includes":{"tweets":[{"id":"8","text":"t"}]}})", "includes.tweets[0]: missing \"author_id\""},
      // Conflicts with the good lines before it.
      {R"({"id":"1460323737035677698","text":"again","author_id":"12"})",
       "duplicate post id 1460323737035677698 (first on line 3)"},
      {R"({"id":"12","username":"marie_d"})", "duplicate user id 12 (first on line 1)"},
      {R"({"id":"13","username":"MARIE_D"})", "username \"MARIE_D\" is already used by user 12 (line 1)"},
  };
  for (const auto& c : cases) {
    // Lines 1 and 3 are good, line 2 blank: the bad one is line 4.
    Result<WriteBatch> r = Import(Lines({kUser, "", kPost, c.line, kPost}));
    ASSERT_FALSE(r.ok()) << c.line;
    EXPECT_EQ(r.status().code(), StatusCode::kUsage) << c.line;
    const std::string& detail = r.status().message();
    EXPECT_EQ(detail.rfind("f.jsonl:4: ", 0), 0u) << detail;
    EXPECT_NE(detail.find(c.why), std::string::npos) << "got: " << detail << "\nwant: " << c.why;
  }
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// X serves a long post as `text` (its cut) and note_tweet.text (the whole): both are kept.
TEST(Import, KeepsNoteTweet) {
  const std::string whole = Repeat("mot ", 80) + "#fin @marie_d";
  const std::string cut = Repeat("mot ", 69) + "mot";
  for (std::string_view name : {"note_tweet", "note_post"}) {
    auto r = Import(Lines({kUser, R"({"id":"7","author_id":"12","text":")" + cut + R"(",")" + std::string(name) +
                                      R"(":{"text":")" + whole + R"(","entities":{"hashtags":[]}}})"}));
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_EQ(r->posts.size(), 1u);
    const Post& p = r->posts[0];
    EXPECT_EQ(p.text, cut);
    EXPECT_EQ(p.note_text, whole);
    EXPECT_TRUE(p.entities.hashtags.empty());
    ASSERT_EQ(p.note_entities.hashtags.size(), 1u);  // recomputed from the whole text
    EXPECT_EQ(p.note_entities.hashtags[0].tag, "fin");
    ASSERT_EQ(p.note_entities.mentions.size(), 1u);
  }
}

// A whole text over 280 weighted characters, without note_tweet, is cut as X cuts it.
TEST(Import, CutsALongTextAsX) {
  const std::string whole = "#debut " + Repeat("日本 ", 60) + "#fin";
  auto r = Import(Lines({R"({"id":"7","author_id":"12","text":")" + whole + R"("})"}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Post& p = r->posts[0];
  EXPECT_EQ(p.note_text, whole);
  EXPECT_EQ(p.text, "#debut " + Repeat("日本 ", 53) + "日本");  // 6 + 54 x 5 = 276; one word more: 281
  ASSERT_EQ(p.entities.hashtags.size(), 1u);
  EXPECT_EQ(p.note_entities.hashtags.size(), 2u);
}

// X's expansions=edit_history_tweet_ids puts the earlier versions in includes.tweets: they
// are posts of their own, whose chain ends with the latest version.
TEST(Import, KeepsEarlierVersionsOfEditedPosts) {
  auto r = Import(Lines({R"({"data":{"id":"20","author_id":"12","text":"fixed text","edit_history_tweet_ids":["10","20"]},)"
                         R"("includes":{"tweets":[{"id":"10","author_id":"12","text":"fixd text",)"
                         R"("edit_history_post_ids":["10","20"]}]}})"}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->posts.size(), 2u);
  const Post& latest = r->posts[0];
  const Post& earlier = r->posts[1];
  EXPECT_EQ(latest.edit_history, (std::vector<Id>{10, 20}));
  EXPECT_FALSE(latest.IsEarlierVersion());
  EXPECT_EQ(earlier.id, 10);
  EXPECT_EQ(earlier.edit_history, (std::vector<Id>{10, 20}));
  EXPECT_TRUE(earlier.IsEarlierVersion());
}

TEST(Import, StopsAtTheFirstBadLine) {
  std::string file;
  for (int i = 1; i <= 200; ++i)
    file += R"({"id":")" + std::to_string(i) + R"(","text":"post )" + std::to_string(i) + R"(","author_id":"1"})" "\n";
  file += "{oops}\n{also bad}\n";
  Result<WriteBatch> r = Import(file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("f.jsonl:201: bad JSON", 0), 0u) << r.status().message();
}

TEST(Import, SurvivesDeepNestingAndGarbage) {
  std::string deep(100000, '[');
  for (const std::string& line : {deep, std::string("\xFF\xFE\x00garbage", 10), std::string("{\"id\":\"1\"")}) {
    Result<WriteBatch> r = Import(line + "\n");
    EXPECT_FALSE(r.ok());
  }
}

// Likes and follows: entries of X's account archive (like.js, following.js, follower.js)
// with the archive's owner named.
TEST(Import, ReadsLikesAndFollowsInTheShapeOfXsArchive) {
  Result<WriteBatch> r = Import(Lines({
      kUser,
      R"({"like":{"user_id":"12","tweetId":"1460323737035677698","fullText":"Salut","expandedUrl":"https://x.com/i/web/status/1460323737035677698"}})",
      R"({"following":{"user_id":"12","accountId":"13","userLink":"https://twitter.com/intent/user?user_id=13"}})",
      R"({"follower":{"user_id":"12","accountId":"14"}})",
      kPost,
  }));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->users.size(), 1u);
  EXPECT_EQ(r->posts.size(), 1u);
  EXPECT_EQ(r->likes, (std::vector<Like>{{12, kPostId}}));
  EXPECT_EQ(r->follows, (std::vector<Follow>{{12, 13}, {14, 12}}));  // 12 follows 13; 14 follows 12
}

TEST(Import, ABadLikeOrFollowNamesItsLineAndField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"like":{"tweetId":"5"}})", "\"like\": missing \"user_id\""},
      {R"({"like":{"user_id":"5"}})", "\"like\": missing \"tweetId\""},
      {R"({"following":{"user_id":"5","accountId":"x"}})", "\"following\": \"accountId\" is not a 1-19 digit string"},
      {R"({"follower":["5"]})", "\"follower\": not a JSON object"},
  };
  for (const auto& [line, why] : cases) {
    Result<WriteBatch> r = Import(Lines({kUser, line}));
    ASSERT_FALSE(r.ok()) << line;
    const std::string& detail = r.status().message();
    EXPECT_EQ(detail.rfind("f.jsonl:2: ", 0), 0u) << detail;
    EXPECT_NE(detail.find(why), std::string::npos) << "got: " << detail << "\nwant: " << why;
  }
}

}  // namespace
}  // namespace sluice
