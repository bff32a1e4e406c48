// Integration: data X answers that Sluice used to get wrong or leave out (issue 12, item 6):
// a timeline of an unknown user is X's not-found error, a user named twice in a lookup comes
// back once, and a protected account's posts are refused to app-only tokens.
#include <gtest/gtest.h>

#include <fstream>

#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

class MissingDataTest : public ::testing::Test {
 protected:
  // alice (100) wrote 1000 and bob (200) mentions her in 1001; carol (300) is protected and
  // mentions her in 1002; dave (400) never posted.
  static void SetUpTestSuite() {
    server_ = new SluiceServer();
    std::ostringstream out;
    out << R"({"id":"100","username":"alice","name":"Alice"})" << "\n";
    out << R"({"id":"200","username":"bob","name":"Bob"})" << "\n";
    out << R"({"id":"1000","text":"alice says hi","author_id":"100","created_at":"2021-11-15T19:08:05.069Z"})" << "\n";
    out << R"({"id":"1001","text":"hi @alice","author_id":"200","created_at":"2021-11-15T19:09:05.069Z"})" << "\n";
    out << R"({"id":"300","username":"carol","name":"Carol","protected":true})" << "\n";
    out << R"({"id":"400","username":"dave","name":"Dave"})" << "\n";
    out << R"({"id":"1002","text":"psst @alice","author_id":"300","created_at":"2021-11-15T19:10:05.069Z"})" << "\n";
    out << R"({"id":"500","username":"eve","name":"Eve","url":"https://eve.example.com",)"
        << R"("description":"Reporter at @lemonde, #climat: lemonde.fr/climat $TSLA"})" << "\n";
    ASSERT_TRUE(server_->Import(out.str()));
    token_ = server_->CreateApp("reader", "enterprise");
    server_->Start();
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

  static SluiceServer* server_;
  static std::string token_;
};

SluiceServer* MissingDataTest::server_ = nullptr;
std::string MissingDataTest::token_;

// X answers a timeline of an unknown user as it answers GET /2/users/:id: a 200 whose only
// member is errors[], one resource-not-found entry for the path's `id`.
TEST_F(MissingDataTest, UnknownUserTimelinesAreNotFound) {
  for (std::string path : {"/2/users/999/tweets", "/2/users/999/mentions"}) {
    auto j = Get(path + "?max_results=5");
    EXPECT_FALSE(j.contains("data")) << path;
    EXPECT_FALSE(j.contains("meta")) << path;
    ASSERT_TRUE(j.contains("errors")) << path;
    const auto& e = j.at("errors").at(0);
    EXPECT_EQ(Str(e, "title"), "Not Found Error");
    EXPECT_EQ(Str(e, "type"), "https://api.x.com/2/problems/resource-not-found");
    EXPECT_EQ(Str(e, "resource_type"), "user");
    EXPECT_EQ(Str(e, "parameter"), "id");
    EXPECT_EQ(Str(e, "value"), "999");
    EXPECT_EQ(Str(e, "detail"), "Could not find user with id: [999].");
  }
}

TEST_F(MissingDataTest, KnownUserTimelinesStillServe) {
  EXPECT_EQ(Str(Get("/2/users/100/tweets").at("data").at(0), "id"), "1000");
  EXPECT_EQ(Str(Get("/2/users/100/mentions").at("data").at(0), "id"), "1001");
  // A known user with nothing to show is an empty page, not an error.
  auto empty = Get("/2/users/200/mentions");
  EXPECT_FALSE(empty.contains("errors"));
  EXPECT_EQ(empty.at("meta").at("result_count").as_int64(), 0);
}

// X answers each user once however often (and in whichever case) a lookup names it.
TEST_F(MissingDataTest, UserNamedTwiceComesBackOnce) {
  auto by_name = Get("/2/users/by?usernames=alice,ALICE,bob,alice");
  ASSERT_EQ(by_name.at("data").as_array().size(), 2u) << by_name;
  EXPECT_EQ(Str(by_name.at("data").at(0), "id"), "100");
  EXPECT_EQ(Str(by_name.at("data").at(1), "id"), "200");
  auto missing = Get("/2/users/by?usernames=nobody,NoBody");
  EXPECT_EQ(missing.at("errors").as_array().size(), 1u) << missing;
  auto by_id = Get("/2/users?ids=100,200,100");
  ASSERT_EQ(by_id.at("data").as_array().size(), 2u) << by_id;
  EXPECT_EQ(Str(by_id.at("data").at(0), "id"), "100");
  EXPECT_EQ(Str(by_id.at("data").at(1), "id"), "200");
}

// Every Sluice token is app-only; X shows a protected account's posts to its followers alone,
// so its timeline and its posts are X's authorization error, and lists leave its posts out.
TEST_F(MissingDataTest, ProtectedAccountsPostsAreRefused) {
  auto timeline = Get("/2/users/300/tweets");
  EXPECT_FALSE(timeline.contains("data")) << timeline;
  ASSERT_TRUE(timeline.contains("errors")) << timeline;
  const auto& e = timeline.at("errors").at(0);
  EXPECT_EQ(Str(e, "title"), "Authorization Error");
  EXPECT_EQ(Str(e, "type"), "https://api.x.com/2/problems/not-authorized-for-resource");
  EXPECT_EQ(Str(e, "resource_type"), "user");
  EXPECT_EQ(Str(e, "value"), "300");
  EXPECT_EQ(Str(e, "detail"), "Sorry, you are not authorized to see the user with id: [300].");

  auto single = Get("/2/tweets/1002");
  EXPECT_FALSE(single.contains("data")) << single;
  ASSERT_TRUE(single.contains("errors")) << single;
  EXPECT_EQ(Str(single.at("errors").at(0), "title"), "Authorization Error");
  EXPECT_EQ(Str(single.at("errors").at(0), "resource_type"), "tweet");
  EXPECT_EQ(Str(single.at("errors").at(0), "detail"), "Sorry, you are not authorized to see the Tweet with id: [1002].");

  auto many = Get("/2/tweets?ids=1000,1002");
  ASSERT_EQ(many.at("data").as_array().size(), 1u) << many;
  EXPECT_EQ(Str(many.at("data").at(0), "id"), "1000");
  EXPECT_EQ(Str(many.at("errors").at(0), "parameter"), "ids");
  EXPECT_EQ(Str(many.at("errors").at(0), "detail"), "Sorry, you are not authorized to see the Tweet with ids: [1002].");

  auto mentions = Get("/2/users/100/mentions");
  ASSERT_EQ(mentions.at("data").as_array().size(), 1u) << mentions;
  EXPECT_EQ(Str(mentions.at("data").at(0), "id"), "1001");
  EXPECT_EQ(Str(mentions.at("meta"), "newest_id"), "1001");

  // The account itself is public on X: looked up, it says it is protected.
  auto carol = Get("/2/users/300?user.fields=protected");
  EXPECT_TRUE(carol.at("data").at("protected").as_bool());
}

// X sends media_count among a user's public metrics (Sluice has no media: 0), the user's
// newest post as most_recent_tweet_id (none when the user never posted), and always a
// profile_image_url (X's default image for an account without its own).
TEST_F(MissingDataTest, UserMediaCountMostRecentPostAndProfileImage) {
  const std::string fields = "?user.fields=public_metrics,most_recent_tweet_id,profile_image_url";
  auto alice = Get("/2/users/100" + fields);
  EXPECT_EQ(alice.at("data").at("public_metrics").at("media_count").as_int64(), 0) << alice;
  EXPECT_EQ(Str(alice.at("data"), "most_recent_tweet_id"), "1000");
  EXPECT_EQ(Str(alice.at("data"), "most_recent_post_id"), "1000");  // the OpenAPI document's name
  EXPECT_EQ(Str(alice.at("data"), "profile_image_url"),
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png");
  auto dave = Get("/2/users/by/username/dave" + fields);
  EXPECT_FALSE(dave.at("data").as_object().contains("most_recent_tweet_id")) << dave;
  EXPECT_TRUE(dave.at("data").as_object().contains("profile_image_url")) << dave;
  // In includes too: the author of 1001 is bob, whose newest post it is.
  auto post = Get("/2/tweets/1001?expansions=author_id&user.fields=most_recent_tweet_id");
  EXPECT_EQ(Str(post.at("includes").at("users").at(0), "most_recent_tweet_id"), "1001") << post;
  // Not asked for, not sent.
  auto plain = Get("/2/users/100");
  EXPECT_FALSE(plain.at("data").as_object().contains("most_recent_tweet_id"));
  EXPECT_FALSE(plain.at("data").as_object().contains("profile_image_url"));
}

// X's profile entities: the url field's link and what the description holds; none, no member.
TEST_F(MissingDataTest, UserEntities) {
  auto eve = Get("/2/users/500?user.fields=entities,description,url");
  const auto& e = eve.at("data").at("entities");
  const auto& url = e.at("url").at("urls").at(0);
  EXPECT_EQ(Str(url, "expanded_url"), "https://eve.example.com") << eve;
  EXPECT_EQ(url.at("start").as_int64(), 0);
  EXPECT_EQ(url.at("end").as_int64(), 23);
  const auto& d = e.at("description");
  EXPECT_EQ(Str(d.at("mentions").at(0), "username"), "lemonde") << eve;
  EXPECT_FALSE(d.at("mentions").at(0).as_object().contains("id"));
  EXPECT_EQ(Str(d.at("hashtags").at(0), "tag"), "climat");
  EXPECT_EQ(Str(d.at("cashtags").at(0), "tag"), "TSLA");
  EXPECT_EQ(Str(d.at("urls").at(0), "expanded_url"), "https://lemonde.fr/climat");
  auto dave = Get("/2/users/by/username/dave?user.fields=entities");
  EXPECT_FALSE(dave.at("data").as_object().contains("entities")) << dave;
  auto plain = Get("/2/users/500");
  EXPECT_FALSE(plain.at("data").as_object().contains("entities"));
}

}  // namespace
}  // namespace sluice::testing
