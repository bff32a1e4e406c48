// Integration: the social graph over HTTP (issue 12, item 7): who reposted and liked a post,
// its reposts, what a user liked, its followers and whom it follows; each paged with X's
// tokens, with fields and expansions, refused as X refuses it (unknown, protected, a plan
// without the endpoint), and metered and recorded as the other reads.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// alice (100) posted 1000; bob (200) and dave (400) reposted it (2001, 2002), and so did
// carol (300), who is protected (2003); carol also posted 1100. Twelve users f1..f12
// (601..612) follow alice, in that order; alice follows bob; bob follows carol. bob, dave and
// f1..f5 like 1000; bob likes 1100 too. bob pinned his post 1200.
std::string GraphData() {
  std::ostringstream out;
  out << R"({"id":"100","username":"alice","name":"Alice","public_metrics":{"followers_count":40,"following_count":3,"tweet_count":1,"listed_count":0,"like_count":0}})" << "\n";
  out << R"({"id":"200","username":"bob","name":"Bob","pinned_tweet_id":"1200"})" << "\n";
  out << R"({"id":"300","username":"carol","name":"Carol","protected":true})" << "\n";
  out << R"({"id":"400","username":"dave","name":"Dave"})" << "\n";
  for (int i = 1; i <= 12; ++i)
    out << R"({"id":")" << 600 + i << R"(","username":"f)" << i << R"(","name":"F"})" << "\n";
  out << R"({"id":"1000","text":"alice says hi","author_id":"100","created_at":"2021-11-15T19:08:05.069Z","public_metrics":{"retweet_count":3,"reply_count":0,"like_count":7,"quote_count":0}})" << "\n";
  out << R"({"id":"1100","text":"carol only","author_id":"300","created_at":"2021-11-15T19:09:05.069Z"})" << "\n";
  out << R"({"id":"1200","text":"bob's pinned post","author_id":"200","created_at":"2021-11-15T19:09:30.000Z"})" << "\n";
  int n = 1;
  for (const char* by : {"200", "400", "300"})
    out << R"({"id":"200)" << n++ << R"(","text":"RT @alice: alice says hi","author_id":")" << by
        << R"(","created_at":"2021-11-15T19:1)" << n << R"(:00.000Z","referenced_tweets":[{"type":"retweeted","id":"1000"}]})" << "\n";
  for (int i = 1; i <= 12; ++i)
    out << R"({"follower":{"user_id":"100","accountId":")" << 600 + i << R"("}})" << "\n";
  out << R"({"following":{"user_id":"100","accountId":"200"}})" << "\n";
  out << R"({"following":{"user_id":"200","accountId":"300"}})" << "\n";
  for (const char* who : {"200", "400", "601", "602", "603", "604", "605"})
    out << R"({"like":{"user_id":")" << who << R"(","tweetId":"1000"}})" << "\n";
  out << R"({"like":{"user_id":"200","tweetId":"1100"}})" << "\n";
  return out.str();
}

std::vector<std::string> Ids(const json::object& page) {
  std::vector<std::string> out;
  if (page.contains("data"))
    for (const auto& item : page.at("data").as_array()) out.push_back(Str(item, "id"));
  return out;
}

class GraphTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SluiceServer();
    ASSERT_TRUE(server_->Import(GraphData()));
    enterprise_ = server_->CreateApp("graph-enterprise", "enterprise");
    pro_ = server_->CreateApp("graph-pro", "pro");
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static json::object Get(const std::string& target, const std::string& token = enterprise_) {
    auto r = server_->Get(target, token);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.Json().as_object();
  }
  // The page's errors[] holds exactly one entry, for the path's id, with this title.
  static void ExpectRefused(const std::string& target, const std::string& resource, const std::string& title) {
    auto j = Get(target);
    EXPECT_FALSE(j.contains("data")) << target;
    EXPECT_FALSE(j.contains("meta")) << target;
    ASSERT_TRUE(j.contains("errors")) << target << ": " << j;
    ASSERT_EQ(j.at("errors").as_array().size(), 1u) << target;
    const auto& e = j.at("errors").at(0);
    EXPECT_EQ(Str(e, "title"), title) << target;
    EXPECT_EQ(Str(e, "resource_type"), resource) << target;
    EXPECT_EQ(Str(e, "parameter"), "id") << target;
  }

  static SluiceServer* server_;
  static std::string enterprise_;
  static std::string pro_;
};

SluiceServer* GraphTest::server_ = nullptr;
std::string GraphTest::enterprise_;
std::string GraphTest::pro_;

// Walking next_token visits every follower once, the newest follow first; previous_token
// walks back; X's follows tokens are at least 16 characters long.
TEST_F(GraphTest, FollowersPageAcrossPagesBothWays) {
  std::vector<std::string> all;
  std::vector<std::string> tokens;
  std::string target = "/2/users/100/followers?max_results=5";
  for (int pages = 0; pages < 10; ++pages) {
    auto page = Get(target);
    auto ids = Ids(page);
    EXPECT_EQ(page.at("meta").at("result_count").as_int64(), int64_t(ids.size()));
    EXPECT_FALSE(page.at("meta").as_object().contains("newest_id"));  // X's user lists have none
    all.insert(all.end(), ids.begin(), ids.end());
    if (!page.at("meta").as_object().contains("next_token")) break;
    std::string next = Str(page.at("meta"), "next_token");
    EXPECT_GE(next.size(), 16u);
    tokens.push_back(next);
    target = "/2/users/100/followers?max_results=5&pagination_token=" + next;
  }
  std::vector<std::string> want;
  for (int i = 12; i >= 1; --i) want.push_back(std::to_string(600 + i));
  EXPECT_EQ(all, want);
  ASSERT_EQ(tokens.size(), 2u);  // 5 + 5 + 2
  auto second = Get("/2/users/100/followers?max_results=5&pagination_token=" + tokens[0]);
  ASSERT_TRUE(second.at("meta").as_object().contains("previous_token"));
  auto back = Get("/2/users/100/followers?max_results=5&pagination_token=" + Str(second.at("meta"), "previous_token"));
  EXPECT_EQ(Ids(back), std::vector<std::string>(want.begin(), want.begin() + 5));
}

TEST_F(GraphTest, FollowingWithFieldsAndThePinnedPostExpansion) {
  auto j = Get("/2/users/100/following?user.fields=public_metrics,created_at&expansions=pinned_tweet_id");
  ASSERT_EQ(Ids(j), std::vector<std::string>{"200"});
  const auto& bob = j.at("data").at(0);
  EXPECT_EQ(Str(bob, "pinned_tweet_id"), "1200");  // the expansion's link, as X sends it
  EXPECT_TRUE(bob.as_object().contains("public_metrics"));
  EXPECT_TRUE(bob.as_object().contains("created_at"));
  EXPECT_EQ(Str(j.at("includes").at("tweets").at(0), "id"), "1200");
  EXPECT_EQ(j.at("meta").at("result_count").as_int64(), 1);
  EXPECT_FALSE(j.at("meta").as_object().contains("next_token"));
  // A protected account's user object is public: bob's following lists carol.
  EXPECT_EQ(Ids(Get("/2/users/200/following")), std::vector<std::string>{"300"});
  // Nobody follows dave: an empty page, not an error.
  auto empty = Get("/2/users/400/followers");
  EXPECT_FALSE(empty.contains("data"));
  EXPECT_FALSE(empty.contains("errors"));
  EXPECT_EQ(empty.at("meta").at("result_count").as_int64(), 0);
}

TEST_F(GraphTest, LikingUsersAndLikedPosts) {
  auto likers = Get("/2/tweets/1000/liking_users?user.fields=username");
  EXPECT_EQ(Ids(likers), (std::vector<std::string>{"605", "604", "603", "602", "601", "400", "200"}));
  auto first = Get("/2/tweets/1000/liking_users?max_results=3");
  EXPECT_EQ(Ids(first), (std::vector<std::string>{"605", "604", "603"}));
  auto rest = Get("/2/tweets/1000/liking_users?max_results=100&pagination_token=" + Str(first.at("meta"), "next_token"));
  EXPECT_EQ(Ids(rest), (std::vector<std::string>{"602", "601", "400", "200"}));

  // bob's likes: 1100 is a protected account's post, left out as from every list.
  auto liked = Get("/2/users/200/liked_tweets?tweet.fields=created_at,public_metrics&expansions=author_id");
  ASSERT_EQ(Ids(liked), std::vector<std::string>{"1000"});
  EXPECT_EQ(Str(liked.at("data").at(0), "author_id"), "100");
  EXPECT_EQ(liked.at("data").at(0).at("public_metrics").at("like_count").as_int64(), 7);
  EXPECT_EQ(Str(liked.at("includes").at("users").at(0), "username"), "alice");
  EXPECT_EQ(liked.at("meta").at("result_count").as_int64(), 1);
}

TEST_F(GraphTest, RepostsAndRepostedBy) {
  // carol's repost is a protected account's: left out of both.
  auto by = Get("/2/tweets/1000/retweeted_by?user.fields=protected");
  EXPECT_EQ(Ids(by), (std::vector<std::string>{"400", "200"}));
  auto reposts = Get("/2/tweets/1000/retweets?tweet.fields=author_id&expansions=referenced_tweets.id");
  EXPECT_EQ(Ids(reposts), (std::vector<std::string>{"2002", "2001"}));
  const auto& rt = reposts.at("data").at(0);
  EXPECT_EQ(Str(rt.at("referenced_tweets").at(0), "type"), "retweeted");
  EXPECT_EQ(Str(reposts.at("includes").at("tweets").at(0), "id"), "1000");
  auto page = Get("/2/tweets/1000/retweets?max_results=1");
  EXPECT_EQ(Ids(page), std::vector<std::string>{"2002"});
  EXPECT_EQ(Ids(Get("/2/tweets/1000/retweets?pagination_token=" + Str(page.at("meta"), "next_token"))),
            std::vector<std::string>{"2001"});
}

// As for the timelines: an unknown subject is X's not-found entry in errors[], a protected
// one (or its post) X's authorization error; every Sluice token is app-only.
TEST_F(GraphTest, UnknownAndProtectedSubjectsAreRefusedAsXDoes) {
  for (std::string path : {"followers", "following", "liked_tweets"}) {
    ExpectRefused("/2/users/999/" + path, "user", "Not Found Error");
    ExpectRefused("/2/users/300/" + path, "user", "Authorization Error");
  }
  for (std::string path : {"liking_users", "retweeted_by", "retweets"}) {
    ExpectRefused("/2/tweets/999/" + path, "tweet", "Not Found Error");
    ExpectRefused("/2/tweets/1100/" + path, "tweet", "Authorization Error");
  }
  auto j = Get("/2/users/999/followers");
  EXPECT_EQ(Str(j.at("errors").at(0), "detail"), "Could not find user with id: [999].");
}

TEST_F(GraphTest, BadParametersAreXsInvalidRequest) {
  for (std::string target : {"/2/users/100/followers?max_results=1001", "/2/users/200/liked_tweets?max_results=4",
                             "/2/tweets/1000/liking_users?max_results=101", "/2/tweets/1000/retweets?max_results=0",
                             "/2/users/100/followers?pagination_token=nope", "/2/users/100/following?since_id=5",
                             "/2/tweets/1000/retweeted_by?tweet.fields=bogus", "/2/users/abc/followers"}) {
    auto r = server_->Get(target, enterprise_);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    EXPECT_EQ(Str(r.Json(), "title"), "Invalid Request") << target;
  }
}

// X grants follows lookup to Enterprise alone: a Pro app is refused with X's 403.
TEST_F(GraphTest, APlanWithoutTheEndpointIsForbidden) {
  for (std::string target : {"/2/users/100/followers", "/2/users/100/following"}) {
    auto r = server_->Get(target, pro_);
    EXPECT_EQ(r.status, 403) << target << ": " << r.body;
    EXPECT_EQ(Str(r.Json(), "type"), "https://api.x.com/2/problems/client-forbidden") << r.body;
    EXPECT_EQ(Str(r.Json(), "reason"), "client-not-enrolled") << r.body;
  }
  EXPECT_EQ(server_->Get("/2/tweets/1000/liking_users", pro_).status, 200);
}

// The graph reads are metered and recorded as the other reads: posts delivered count
// against the project's cap, users are recorded too, and each response is one record.
TEST(GraphMetering, ReadsAreRecordedAndPostsCountAgainstTheCap) {
  SluiceServer s;
  ASSERT_TRUE(s.Import(GraphData()));
  auto created = RunSluice({"apps", "create", "--data", s.data_dir(), "--name", "meter", "--plan", "enterprise"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto app = json::parse(created.out);
  const std::string token = Str(app, "bearer_token"), app_id = Str(app, "app_id");
  s.Start();
  ASSERT_EQ(s.Get("/2/users/200/liked_tweets", token).status, 200);
  ASSERT_EQ(s.Get("/2/users/100/followers?max_results=2", token).status, 200);
  auto usage = s.Get("/2/usage/tweets", token).Json().at("data");
  EXPECT_EQ(Str(usage, "project_usage"), "1");  // post 1000; followers are users
  ASSERT_EQ(s.Stop(), 0);

  auto exported = RunSluice({"ledger", "export", "--data", s.data_dir(), "--app", app_id});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::vector<json::object> records;
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);) records.push_back(json::parse(line).as_object());
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(Str(records[0], "endpoint"), "GET /2/users/:id/liked_tweets");
  EXPECT_EQ(records[0].at("post_ids"), (json::array{"1000"}));
  EXPECT_EQ(Str(records[1], "endpoint"), "GET /2/users/:id/followers");
  EXPECT_EQ(records[1].at("user_ids"), (json::array{"612", "611"}));
}

}  // namespace
}  // namespace sluice::testing
