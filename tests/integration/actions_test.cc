// Integration: the actions on behalf of an account (issue 15) over HTTP, with an app token
// acting as the app's own account: likes, reposts, follows and hidden replies change the
// public metrics and the read endpoints that show them, answer as X's document says, refuse
// another account's id (403), unknown posts and users (404) and bad bodies (400) leaving
// nothing behind, and are recorded in the ledger.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// bob (200) posted 1000 and replied to it (1001); carol (300) exists to be followed; dora (400)
// is protected and posted 1100.
std::string Data() {
  std::ostringstream out;
  out << R"({"id":"200","username":"bob","name":"Bob"})" << "\n";
  out << R"({"id":"300","username":"carol","name":"Carol","public_metrics":{"followers_count":5,"following_count":0,"tweet_count":0,"listed_count":0,"like_count":0}})" << "\n";
  out << R"({"id":"1000","text":"bob says hi","author_id":"200","created_at":"2021-11-15T19:08:05.069Z","public_metrics":{"retweet_count":2,"reply_count":1,"like_count":7,"quote_count":0}})" << "\n";
  out << R"({"id":"400","username":"dora","name":"Dora","protected":true})" << "\n";
  out << R"({"id":"1100","text":"dora's own","author_id":"400","created_at":"2021-11-15T19:08:05.069Z"})" << "\n";
  out << R"({"id":"1001","text":"@bob and more","author_id":"200","conversation_id":"1000","in_reply_to_user_id":"200","created_at":"2021-11-15T19:09:05.069Z","referenced_tweets":[{"type":"replied_to","id":"1000"}]})" << "\n";
  return out.str();
}

std::vector<std::string> Ids(const json::object& page) {
  std::vector<std::string> out;
  if (page.contains("data"))
    for (const auto& item : page.at("data").as_array()) out.push_back(Str(item, "id"));
  return out;
}

class ActionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SluiceServer();
    ASSERT_TRUE(server_->Import(Data()));
    token_ = server_->CreateApp("actor", "enterprise");
    server_->Start();
    // The app's own account: the author of a post it writes.
    auto r = server_->Request("POST", "/2/tweets", token_, R"({"text":"the app's own post"})");
    ASSERT_EQ(r.status, 201) << r.body;
    own_post_ = Str(r.Json().at("data"), "id");
    auto got = Get("/2/tweets/" + own_post_ + "?tweet.fields=author_id");
    me_ = Str(got.at("data"), "author_id");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static json::object Get(const std::string& target) {
    auto r = server_->Get(target, token_);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 ? r.Json().as_object() : json::object();
  }
  static HttpResponse Send(const std::string& method, const std::string& target, const std::string& body = "") {
    return server_->Request(method, target, token_, body);
  }
  static json::object Ok(const std::string& method, const std::string& target, const std::string& body = "") {
    auto r = Send(method, target, body);
    EXPECT_EQ(r.status, 200) << method << " " << target << " " << body << ": " << r.body;
    return r.status == 200 ? r.Json().as_object() : json::object();
  }
  static int64_t PostMetric(const std::string& id, const char* name) {
    auto j = Get("/2/tweets/" + id + "?tweet.fields=public_metrics");
    return j.at("data").at("public_metrics").at(name).as_int64();
  }
  static int64_t UserMetric(const std::string& id, const char* name) {
    auto j = Get("/2/users/" + id + "?user.fields=public_metrics");
    return j.at("data").at("public_metrics").at(name).as_int64();
  }
  // The first errors[] parameter of a 400, or the problem's type for any other refusal.
  static std::string Refused(int status, const std::string& method, const std::string& target, const std::string& body = "") {
    auto r = Send(method, target, body);
    EXPECT_EQ(r.status, status) << method << " " << target << " " << body << ": " << r.body;
    auto j = r.Json().as_object();
    if (!j.contains("errors")) return Str(j, "type");
    return std::string(j.at("errors").at(0).at("parameters").as_object().begin()->key());
  }
  // The ledger's records (as `sluice ledger export` prints them) of `endpoint`.
  static std::vector<json::object> Records(const std::string& endpoint) {
    // The server is writing: export may meet a frame being appended (it says the ledger is
    // damaged at its end) and is run again.
    CommandResult r;
    for (int i = 0; i < 50; ++i) {
      r = RunSluice({"ledger", "export", "--data", server_->data_dir(), "--app", "0"});
      if (r.exit_code == 0 || r.err.find("runs past the end of the segment") == std::string::npos) break;
    }
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<json::object> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      auto rec = json::parse(line).as_object();
      if (Str(rec, "endpoint") == endpoint) out.push_back(rec);
    }
    return out;
  }

  static SluiceServer* server_;
  static std::string token_, me_, own_post_;
};
SluiceServer* ActionsTest::server_ = nullptr;
std::string ActionsTest::token_, ActionsTest::me_, ActionsTest::own_post_;

TEST_F(ActionsTest, ALikeCountsOnceShowsInTheListsAndAnUnlikeTakesItBack) {
  const int64_t likes = PostMetric("1000", "like_count");
  auto liked = Ok("POST", "/2/users/" + me_ + "/likes", R"({"tweet_id":"1000"})");
  EXPECT_EQ(json::serialize(liked), R"({"data":{"liked":true}})");
  EXPECT_EQ(PostMetric("1000", "like_count"), likes + 1);
  EXPECT_EQ(Ids(Get("/2/tweets/1000/liking_users")), (std::vector<std::string>{me_}));
  EXPECT_EQ(Ids(Get("/2/users/" + me_ + "/liked_tweets")), (std::vector<std::string>{"1000"}));
  EXPECT_EQ(UserMetric(me_, "like_count"), 1);
  // Liking again is no error and no second like.
  EXPECT_EQ(json::serialize(Ok("POST", "/2/users/" + me_ + "/likes", R"({"tweet_id":"1000"})")), R"({"data":{"liked":true}})");
  EXPECT_EQ(PostMetric("1000", "like_count"), likes + 1);

  EXPECT_EQ(json::serialize(Ok("DELETE", "/2/users/" + me_ + "/likes/1000")), R"({"data":{"liked":false}})");
  EXPECT_EQ(PostMetric("1000", "like_count"), likes);
  EXPECT_TRUE(Ids(Get("/2/tweets/1000/liking_users")).empty());
  EXPECT_TRUE(Ids(Get("/2/users/" + me_ + "/liked_tweets")).empty());
  // Unliking what is not liked succeeds with no action, as on X.
  EXPECT_EQ(json::serialize(Ok("DELETE", "/2/users/" + me_ + "/likes/1000")), R"({"data":{"liked":false}})");
  EXPECT_EQ(PostMetric("1000", "like_count"), likes);

  // Each is recorded: the post and the account acting, no authorising user for an app token.
  auto records = Records("POST /2/users/:id/likes");
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[0].at("post_ids"), (json::array{"1000"}));
  EXPECT_EQ(records[0].at("user_ids"), (json::array{json::string(me_)}));
  EXPECT_FALSE(records[0].contains("authorizing_user_id"));
  EXPECT_EQ(Records("DELETE /2/users/:id/likes/:tweet_id").size(), 2u);
}

TEST_F(ActionsTest, ARepostIsAPostThatCountsAndAnUnrepostDeletesIt) {
  const int64_t reposts = PostMetric("1000", "retweet_count");
  auto r = Ok("POST", "/2/users/" + me_ + "/retweets", R"({"tweet_id":"1000"})");
  ASSERT_TRUE(r.contains("data"));
  EXPECT_TRUE(r.at("data").at("retweeted").as_bool());
  const std::string repost = Str(r.at("data"), "rest_id");
  EXPECT_EQ(PostMetric("1000", "retweet_count"), reposts + 1);
  EXPECT_EQ(Ids(Get("/2/tweets/1000/retweeted_by")), (std::vector<std::string>{me_}));
  EXPECT_EQ(Ids(Get("/2/tweets/1000/retweets")), (std::vector<std::string>{repost}));
  auto post = Get("/2/tweets/" + repost + "?tweet.fields=referenced_tweets,author_id");
  EXPECT_EQ(Str(post.at("data"), "text"), "RT @bob: bob says hi");
  EXPECT_EQ(Str(post.at("data"), "author_id"), me_);
  EXPECT_EQ(post.at("data").at("referenced_tweets"), (json::array{json::object{{"type", "retweeted"}, {"id", "1000"}}}));
  // In the account's timeline, as any repost (and out of it with exclude=retweets).
  auto timeline = Ids(Get("/2/users/" + me_ + "/tweets"));
  EXPECT_NE(std::find(timeline.begin(), timeline.end(), repost), timeline.end());
  timeline = Ids(Get("/2/users/" + me_ + "/tweets?exclude=retweets"));
  EXPECT_EQ(std::find(timeline.begin(), timeline.end(), repost), timeline.end());
  // Reposting again changes nothing and names the same repost.
  auto again = Ok("POST", "/2/users/" + me_ + "/retweets", R"({"tweet_id":"1000"})");
  EXPECT_EQ(Str(again.at("data"), "rest_id"), repost);
  EXPECT_EQ(PostMetric("1000", "retweet_count"), reposts + 1);

  EXPECT_EQ(json::serialize(Ok("DELETE", "/2/users/" + me_ + "/retweets/1000")), R"({"data":{"retweeted":false}})");
  EXPECT_EQ(PostMetric("1000", "retweet_count"), reposts);
  EXPECT_TRUE(Ids(Get("/2/tweets/1000/retweeted_by")).empty());
  EXPECT_TRUE(Ids(Get("/2/tweets/1000/retweets")).empty());
  timeline = Ids(Get("/2/users/" + me_ + "/tweets"));
  EXPECT_EQ(std::find(timeline.begin(), timeline.end(), repost), timeline.end());
  EXPECT_EQ(json::serialize(Ok("DELETE", "/2/users/" + me_ + "/retweets/1000")), R"({"data":{"retweeted":false}})");
  auto created = Records("POST /2/users/:id/retweets");
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].at("post_ids"), (json::array{json::string(repost)}));
  EXPECT_EQ(Records("DELETE /2/users/:id/retweets/:source_tweet_id").size(), 1u);  // the second undid nothing
}

TEST_F(ActionsTest, AFollowMovesBothCountsAndBothLists) {
  const int64_t followers = UserMetric("300", "followers_count");
  auto r = Ok("POST", "/2/users/" + me_ + "/following", R"({"target_user_id":"300"})");
  EXPECT_EQ(json::serialize(r), R"({"data":{"following":true,"pending_follow":false}})");
  EXPECT_EQ(UserMetric("300", "followers_count"), followers + 1);
  EXPECT_EQ(UserMetric(me_, "following_count"), 1);
  EXPECT_EQ(Ids(Get("/2/users/300/followers")), (std::vector<std::string>{me_}));
  EXPECT_EQ(Ids(Get("/2/users/" + me_ + "/following")), (std::vector<std::string>{"300"}));
  Ok("POST", "/2/users/" + me_ + "/following", R"({"target_user_id":"300"})");
  EXPECT_EQ(UserMetric("300", "followers_count"), followers + 1);

  EXPECT_EQ(json::serialize(Ok("DELETE", "/2/users/" + me_ + "/following/300")), R"({"data":{"following":false}})");
  EXPECT_EQ(UserMetric("300", "followers_count"), followers);
  EXPECT_EQ(UserMetric(me_, "following_count"), 0);
  EXPECT_TRUE(Ids(Get("/2/users/300/followers")).empty());
  auto records = Records("POST /2/users/:id/following");
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0].at("user_ids"), (json::array{json::string(me_), "300"}));
}

TEST_F(ActionsTest, OnlyTheConversationsAuthorHidesAReply) {
  auto reply = Send("POST", "/2/tweets", R"({"text":"a reply to myself","reply":{"in_reply_to_tweet_id":")" + own_post_ + R"("}})");
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string id = Str(reply.Json().at("data"), "id");
  EXPECT_EQ(json::serialize(Ok("PUT", "/2/tweets/" + id + "/hidden", R"({"hidden":true})")), R"({"data":{"hidden":true}})");
  // A hidden reply is still served (X keeps it reachable).
  Get("/2/tweets/" + id);
  EXPECT_EQ(json::serialize(Ok("PUT", "/2/tweets/" + id + "/hidden", R"({"hidden":false})")), R"({"data":{"hidden":false}})");
  EXPECT_EQ(Records("PUT /2/tweets/:tweet_id/hidden").size(), 2u);
  // bob's conversation, and a post that is no reply: 403; an unknown post: 404.
  EXPECT_EQ(Refused(403, "PUT", "/2/tweets/1001/hidden", R"({"hidden":true})"), "https://api.x.com/2/problems/not-authorized-for-resource");
  EXPECT_EQ(Refused(403, "PUT", "/2/tweets/" + own_post_ + "/hidden", R"({"hidden":true})"),
            "https://api.x.com/2/problems/not-authorized-for-resource");
  EXPECT_EQ(Refused(404, "PUT", "/2/tweets/999999/hidden", R"({"hidden":true})"), "https://api.x.com/2/problems/resource-not-found");
  EXPECT_EQ(Refused(400, "PUT", "/2/tweets/" + id + "/hidden", R"({"hidden":"yes"})"), "hidden");
}

// Refused requests leave nothing behind: no count moves, no record, no list changes.
TEST_F(ActionsTest, RefusalsLeaveNothing) {
  const int64_t likes = PostMetric("1000", "like_count");
  auto successes = [] {
    size_t n = 0;
    for (const auto& rec : Records("POST /2/users/:id/likes")) n += rec.at("status").as_int64() == 200;
    return n;
  };
  const size_t recorded = successes();
  const std::string forbidden = "https://api.x.com/2/problems/not-authorized-for-resource";
  // Another account's id: 403 on every route.
  EXPECT_EQ(Refused(403, "POST", "/2/users/200/likes", R"({"tweet_id":"1000"})"), forbidden);
  EXPECT_EQ(Refused(403, "DELETE", "/2/users/200/likes/1000"), forbidden);
  EXPECT_EQ(Refused(403, "POST", "/2/users/200/retweets", R"({"tweet_id":"1000"})"), forbidden);
  EXPECT_EQ(Refused(403, "DELETE", "/2/users/200/retweets/1000"), forbidden);
  EXPECT_EQ(Refused(403, "POST", "/2/users/200/following", R"({"target_user_id":"300"})"), forbidden);
  EXPECT_EQ(Refused(403, "DELETE", "/2/users/200/following/300"), forbidden);
  // Unknown posts and users: 404.
  const std::string missing = "https://api.x.com/2/problems/resource-not-found";
  EXPECT_EQ(Refused(404, "POST", "/2/users/" + me_ + "/likes", R"({"tweet_id":"999999"})"), missing);
  EXPECT_EQ(Refused(404, "POST", "/2/users/" + me_ + "/retweets", R"({"tweet_id":"999999"})"), missing);
  EXPECT_EQ(Refused(404, "POST", "/2/users/" + me_ + "/following", R"({"target_user_id":"999999"})"), missing);
  // Bad bodies and ids: 400 naming the parameter; not JSON: 415.
  EXPECT_EQ(Refused(400, "POST", "/2/users/" + me_ + "/likes", R"({"tweet_id":1000})"), "tweet_id");
  EXPECT_EQ(Refused(400, "POST", "/2/users/" + me_ + "/likes", R"({})"), "tweet_id");
  EXPECT_EQ(Refused(400, "POST", "/2/users/" + me_ + "/likes", R"({"tweet_id":"1000","x":1})"), "x");
  EXPECT_EQ(Refused(400, "POST", "/2/users/" + me_ + "/likes", "not json"), "body");
  EXPECT_EQ(Refused(400, "POST", "/2/users/" + me_ + "/retweets", R"({"tweet_id":"abc"})"), "tweet_id");
  EXPECT_EQ(Refused(403, "POST", "/2/users/" + me_ + "/retweets", R"({"tweet_id":"1100"})"), forbidden);  // protected
  EXPECT_EQ(Refused(403, "POST", "/2/users/" + me_ + "/likes", R"({"tweet_id":"1100"})"), forbidden);     // not a follower
  EXPECT_EQ(Refused(400, "POST", "/2/users/" + me_ + "/following", R"({"target_user_id":")" + me_ + R"("})"), "target_user_id");
  EXPECT_EQ(Refused(400, "DELETE", "/2/users/" + me_ + "/likes/abc"), "tweet_id");
  EXPECT_EQ(Refused(400, "DELETE", "/2/users/abc/following/300"), "source_user_id");
  EXPECT_EQ(Refused(400, "POST", "/2/users/" + me_ + "/likes?x=1", R"({"tweet_id":"1000"})"), "query");
  auto r = server_->Request("POST", "/2/users/" + me_ + "/likes", token_, R"({"tweet_id":"1000"})", "text/plain");
  EXPECT_EQ(r.status, 415) << r.body;

  EXPECT_EQ(PostMetric("1000", "like_count"), likes);
  EXPECT_TRUE(Ids(Get("/2/tweets/1000/liking_users")).empty());
  // The rate limit counts them as it counts any request the handler answered (docs/limits.md:
  // served, as on X): two unlikes around two refused ones are three requests apart.
  auto first = Send("DELETE", "/2/users/" + me_ + "/likes/1000");
  EXPECT_EQ(Refused(403, "DELETE", "/2/users/200/likes/1000"), forbidden);
  EXPECT_EQ(Refused(400, "DELETE", "/2/users/" + me_ + "/likes/x"), "tweet_id");
  auto second = Send("DELETE", "/2/users/" + me_ + "/likes/1000");
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(std::stoll(first.headers["x-rate-limit-remaining"]) - 3, std::stoll(second.headers["x-rate-limit-remaining"]));
  // No like recorded (a 403 is recorded too, as a refusal that delivers nothing).
  EXPECT_EQ(successes(), recorded);
  for (const auto& rec : Records("POST /2/users/:id/likes"))
    if (rec.at("status").as_int64() != 200) EXPECT_TRUE(rec.at("post_ids").as_array().empty());
}

}  // namespace
}  // namespace sluice::testing
