// Integration: X's current parameter names (its OpenAPI document, v2.167, and the official SDK:
// `post.fields`, `referenced_posts`, `pinned_post_id`, ...) are accepted on every endpoint
// Sluice serves, and select the same data as the old names.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

class NamesTest : public ::testing::Test {
 protected:
  // alice (100) pins 1001, her reply to bob's (200) post 1000.
  static void SetUpTestSuite() {
    server_ = new SluiceServer();
    std::ostringstream out;
    out << R"({"id":"100","username":"alice","name":"Alice","pinned_tweet_id":"1001"})" << "\n";
    out << R"({"id":"200","username":"bob","name":"Bob"})" << "\n";
    out << R"({"id":"1000","text":"bob says hi","author_id":"200","created_at":"2021-11-15T19:08:05.069Z","lang":"en"})" << "\n";
    out << R"({"id":"1001","text":"@bob indeed","author_id":"100","created_at":"2021-11-15T19:09:05.069Z",)"
           R"("in_reply_to_user_id":"200","referenced_tweets":[{"type":"replied_to","id":"1000"}]})" << "\n";
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
    return r.status == 200 ? r.Json().as_object() : boost::json::object();
  }

  static SluiceServer* server_;
  static std::string token_;
};

SluiceServer* NamesTest::server_ = nullptr;
std::string NamesTest::token_;

TEST_F(NamesTest, PostFieldsOnLookupAndUnionWithTweetFields) {
  auto j = Get("/2/tweets/1000?post.fields=created_at");
  EXPECT_EQ(Str(j.at("data"), "created_at"), "2021-11-15T19:08:05.069Z");
  auto both = Get("/2/tweets?ids=1000&tweet.fields=created_at&post.fields=lang");
  EXPECT_EQ(Str(both.at("data").at(0), "created_at"), "2021-11-15T19:08:05.069Z");
  EXPECT_EQ(Str(both.at("data").at(0), "lang"), "en");
}

TEST_F(NamesTest, CurrentExpansionNames) {
  auto j = Get("/2/tweets/1001?expansions=referenced_posts");
  EXPECT_EQ(Str(j.at("data").at("referenced_tweets").at(0), "id"), "1000");
  EXPECT_EQ(Str(j.at("includes").at("tweets").at(0), "id"), "1000");
  auto u = Get("/2/users/100?expansions=pinned_post_id&post.fields=created_at");
  EXPECT_EQ(Str(u.at("data"), "pinned_tweet_id"), "1001");
  EXPECT_EQ(Str(u.at("includes").at("tweets").at(0), "created_at"), "2021-11-15T19:09:05.069Z");
}

TEST_F(NamesTest, CountsTakeTokensAndUsageTakesEveryField) {
  Get("/2/tweets/counts/recent?query=bob&next_token=7140a&pagination_token=7140a");
  auto usage = Get("/2/usage/tweets?usage.fields=cap_reset_day,project_cap,project_id,project_usage");
  EXPECT_TRUE(usage.at("data").as_object().contains("project_cap"));
}

// Each (endpoint, list parameter) of X's document with all its enum values at once, each
// single-valued one value by value (tests/api/data/x_openapi_enums.txt, made by
// scripts/x_openapi_enums.py): never a 400.
TEST_F(NamesTest, EveryEnumValueOfXsDocumentIsAccepted) {
  std::ifstream in(SLUICE_TEST_DATA "/x_openapi_enums.txt");
  ASSERT_TRUE(in);
  std::map<std::pair<std::string, std::string>, std::string> lists;
  std::vector<std::pair<std::string, std::string>> singles;  // (path, "name=value")
  std::vector<std::pair<std::string, std::string>> names;    // (path, name) without an enum
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string path, name, kind, value;
    words >> path >> name >> kind >> value;
    if (value.empty()) {
      names.emplace_back(path, name);
      continue;
    }
    if (kind == "one") {
      singles.emplace_back(path, name + "=" + value);
      continue;
    }
    auto& list = lists[{path, name}];
    list += (list.empty() ? "" : ",") + value;
  }
  const std::map<std::string, std::string> targets = {
      {"/2/tweets/{id}", "/2/tweets/1000?"}, {"/2/tweets", "/2/tweets?ids=1000&"},
      {"/2/tweets/search/recent", "/2/tweets/search/recent?query=bob&"},
      {"/2/tweets/counts/recent", "/2/tweets/counts/recent?query=bob&"},
      {"/2/tweets/{id}/quote_tweets", "/2/tweets/1000/quote_tweets?"}, {"/2/users/{id}", "/2/users/100?"},
      {"/2/users", "/2/users?ids=100&"}, {"/2/users/by/username/{username}", "/2/users/by/username/alice?"},
      {"/2/users/by", "/2/users/by?usernames=alice&"}, {"/2/users/{id}/tweets", "/2/users/100/tweets?"},
      {"/2/users/{id}/mentions", "/2/users/200/mentions?"}, {"/2/usage/tweets", "/2/usage/tweets?"},
      // The social graph.
      {"/2/tweets/{id}/retweeted_by", "/2/tweets/1000/retweeted_by?"},
      {"/2/tweets/{id}/retweets", "/2/tweets/1000/retweets?"},
      {"/2/tweets/{id}/liking_users", "/2/tweets/1000/liking_users?"},
      {"/2/users/{id}/liked_tweets", "/2/users/100/liked_tweets?"},
      {"/2/users/{id}/followers", "/2/users/100/followers?"},
      {"/2/users/{id}/following", "/2/users/100/following?"},
  };
  ASSERT_GE(lists.size(), 50u);
  for (const auto& [key, values] : lists) {
    const auto& [path, name] = key;
    ASSERT_TRUE(targets.contains(path)) << path;
    auto r = server_->Get(targets.at(path) + name + "=" + values, token_);
    EXPECT_EQ(r.status, 200) << path << " " << name << "=" << values << ": " << r.body;
  }
  ASSERT_GE(singles.size(), 5u);
  for (const auto& [path, param] : singles) {
    auto r = server_->Get(targets.at(path) + param, token_);
    EXPECT_EQ(r.status, 200) << path << " " << param << ": " << r.body;
  }
  // The other parameter names are known (a value may still be refused: "x" is no id).
  ASSERT_GE(names.size(), 20u);
  for (const auto& [path, name] : names) {
    auto r = server_->Get(targets.at(path) + name + "=x", token_);
    EXPECT_EQ(r.body.find("The query parameter [" + name + "] is not one of"), std::string::npos) << path << " " << r.body;
  }
}

}  // namespace
}  // namespace sluice::testing
