// Integration: an expansion alone brings the field that links data to includes, on every
// endpoint that renders posts or users (X's expansions page: `expansions=author_id` puts
// `author_id` in each post even when tweet.fields does not ask for it).
#include <gtest/gtest.h>

#include <fstream>

#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

class ExpansionsTest : public ::testing::Test {
 protected:
  // alice (100) pins 1001, her reply to bob's (200) post 1000; the app then quotes 1000
  // mentioning bob, so search (last 7 days) finds one post.
  static void SetUpTestSuite() {
    server_ = new SluiceServer();
    std::ostringstream out;
    out << R"({"id":"100","username":"alice","name":"Alice","pinned_tweet_id":"1001"})" << "\n";
    out << R"({"id":"200","username":"bob","name":"Bob"})" << "\n";
    out << R"({"id":"1000","text":"bob says hi","author_id":"200","created_at":"2021-11-15T19:08:05.069Z"})" << "\n";
    out << R"({"id":"1001","text":"@bob indeed","author_id":"100","created_at":"2021-11-15T19:09:05.069Z",)"
           R"("in_reply_to_user_id":"200","referenced_tweets":[{"type":"replied_to","id":"1000"}]})" << "\n";
    ASSERT_TRUE(server_->Import(out.str()));
    token_ = server_->CreateApp("reader", "enterprise");
    server_->Start();
    auto created = server_->Request("POST", "/2/tweets", token_, R"({"text":"hello @bob see this","quote_tweet_id":"1000"})");
    ASSERT_EQ(created.status, 201) << created.body;
    quote_ = Str(created.Json().at("data"), "id");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static boost::json::object Get(const std::string& target) {
    auto r = server_->Get(target, token_);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.Json().as_object();
  }
  static bool Has(const boost::json::value& v, std::string_view key) { return v.as_object().contains(key); }

  static SluiceServer* server_;
  static std::string token_;
  static std::string quote_;
};

SluiceServer* ExpansionsTest::server_ = nullptr;
std::string ExpansionsTest::token_;
std::string ExpansionsTest::quote_;

TEST_F(ExpansionsTest, NoExpansionNoLinkingField) {
  auto j = Get("/2/tweets/1001");
  EXPECT_FALSE(Has(j.at("data"), "author_id"));
  EXPECT_FALSE(Has(j.at("data"), "referenced_tweets"));
}

TEST_F(ExpansionsTest, SingleLookupAuthorId) {
  auto j = Get("/2/tweets/1001?expansions=author_id");
  EXPECT_EQ(Str(j.at("data"), "author_id"), "100");
  EXPECT_EQ(Str(j.at("includes").at("users").at(0), "id"), "100");
}

TEST_F(ExpansionsTest, MultiLookupInReplyToUserId) {
  auto j = Get("/2/tweets?ids=1001,1000&expansions=in_reply_to_user_id");
  EXPECT_EQ(Str(j.at("data").at(0), "in_reply_to_user_id"), "200");
  EXPECT_FALSE(Has(j.at("data").at(1), "in_reply_to_user_id"));  // not a reply
  EXPECT_EQ(Str(j.at("includes").at("users").at(0), "id"), "200");
}

TEST_F(ExpansionsTest, ReferencedTweetsAndTheirAuthors) {
  auto j = Get("/2/tweets/1001?expansions=referenced_tweets.id");
  EXPECT_EQ(Str(j.at("data").at("referenced_tweets").at(0), "id"), "1000");
  EXPECT_EQ(Str(j.at("includes").at("tweets").at(0), "id"), "1000");

  auto authors = Get("/2/tweets?ids=1001&expansions=referenced_tweets.id,referenced_tweets.id.author_id");
  EXPECT_EQ(Str(authors.at("data").at(0).at("referenced_tweets").at(0), "id"), "1000");
  EXPECT_FALSE(Has(authors.at("data").at(0), "author_id"));  // author_id was not expanded
  EXPECT_EQ(Str(authors.at("includes").at("tweets").at(0), "author_id"), "200");
  EXPECT_EQ(Str(authors.at("includes").at("users").at(0), "id"), "200");
}

TEST_F(ExpansionsTest, MentionsUsernameBringsEntities) {
  auto j = Get("/2/tweets/1001?expansions=entities.mentions.username");
  EXPECT_EQ(Str(j.at("data").at("entities").at("mentions").at(0), "username"), "bob");
  EXPECT_EQ(Str(j.at("includes").at("users").at(0), "id"), "200");
}

TEST_F(ExpansionsTest, SearchTimelineMentionsAndQuotePosts) {
  auto search = Get("/2/tweets/search/recent?query=hello&expansions=author_id,referenced_tweets.id");
  ASSERT_EQ(search.at("data").as_array().size(), 1u);
  EXPECT_EQ(Str(search.at("data").at(0), "id"), quote_);
  EXPECT_TRUE(Has(search.at("data").at(0), "author_id"));
  EXPECT_EQ(Str(search.at("data").at(0).at("referenced_tweets").at(0), "type"), "quoted");

  auto timeline = Get("/2/users/100/tweets?expansions=author_id");
  for (const auto& p : timeline.at("data").as_array()) EXPECT_EQ(Str(p, "author_id"), "100");

  auto mentions = Get("/2/users/200/mentions?expansions=entities.mentions.username");
  ASSERT_FALSE(mentions.at("data").as_array().empty());
  for (const auto& p : mentions.at("data").as_array())
    EXPECT_EQ(Str(p.at("entities").at("mentions").at(0), "username"), "bob");

  auto quotes = Get("/2/tweets/1000/quote_tweets?expansions=referenced_tweets.id.author_id");
  EXPECT_EQ(Str(quotes.at("data").at(0), "id"), quote_);
  EXPECT_EQ(Str(quotes.at("data").at(0).at("referenced_tweets").at(0), "id"), "1000");
  EXPECT_EQ(Str(quotes.at("includes").at("users").at(0), "id"), "200");
}

TEST_F(ExpansionsTest, UsersPinnedTweetId) {
  for (std::string target : {"/2/users/100", "/2/users/by/username/alice"}) {
    auto j = Get(target + "?expansions=pinned_tweet_id");
    EXPECT_EQ(Str(j.at("data"), "pinned_tweet_id"), "1001") << target;
    EXPECT_EQ(Str(j.at("includes").at("tweets").at(0), "id"), "1001") << target;
  }
  auto list = Get("/2/users?ids=100,200&expansions=pinned_tweet_id");
  EXPECT_EQ(Str(list.at("data").at(0), "pinned_tweet_id"), "1001");
  EXPECT_FALSE(Has(list.at("data").at(1), "pinned_tweet_id"));  // bob pins nothing
  auto by = Get("/2/users/by?usernames=alice&expansions=pinned_tweet_id");
  EXPECT_EQ(Str(by.at("data").at(0), "pinned_tweet_id"), "1001");
}

}  // namespace
}  // namespace sluice::testing
