// Integration: one app acting for 1,000 accounts (issue 15) against the real binary: each
// account authorizes the app (sign-in by an assertion of the operator's identity system, consent,
// code exchange) over keep-alive connections from a few threads; then every account writes and
// likes as itself, and the per-user and per-app windows are seen apart.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "oauth_flow.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;
using namespace oauth;

constexpr int kAccounts = 1000;
constexpr int kThreads = 4;
constexpr Id kFirstAccount = 10'000;
constexpr Id kSeedPost = 5'000'000;  // written by the first account; every account likes it
// The plan's windows, small so that the test reaches them: POST /2/tweets is 2 per 15 minutes
// per user and, per app, one post for each account and two more per 24 hours.
constexpr int kUserPosts = 2;
constexpr int kAppPosts = kAccounts + 2;
constexpr int kAppLookups = 5, kUserLookups = 3;

std::string Username(int i) { return "acct" + std::to_string(10000 + i); }

std::string Plans() {
  std::ostringstream p;
  p << "[plans.agency]\ntitle = \"Agency\"\nmonthly_price_usd = \"1.00\"\nread_cap = 1000000\nmax_apps = 1\n"
    << "[plans.agency.limits]\n"
    << "\"POST /2/tweets\" = \"" << kAppPosts << "/24h\"\n"
    << "\"GET /2/tweets/:id\" = \"" << kAppLookups << "/15m\"\n"
    << "\"GET /2/tweets\" = \"100/15m\"\n"
    << "[plans.agency.user_limits]\n"
    << "\"POST /2/tweets\" = \"" << kUserPosts << "/15m\"\n"
    << "\"GET /2/tweets/:id\" = \"" << kUserLookups << "/15m\"\n"
    << "\"POST /2/users/:id/likes\" = \"1/15m\"\n"
    << "\"GET /2/users/me\" = \"75/15m\"\n";
  return p.str();
}

class OAuthScaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ostringstream data;
    for (int i = 0; i < kAccounts; ++i)
      data << R"({"id":")" << kFirstAccount + i << R"(","username":")" << Username(i) << R"(","name":"Account )" << i << "\"}\n";
    data << R"({"id":")" << kSeedPost << R"(","text":"like me","author_id":")" << kFirstAccount
         << R"(","created_at":"2021-11-15T19:08:05.069Z"})" << "\n";
    ASSERT_TRUE(server_.Import(data.str()));
    const std::string dir = server_.data_dir();
    std::ofstream(dir + "/plans.toml") << Plans();
    signer_.WritePublicKey(dir + "/assertion.pub");
    std::ofstream(dir + "/sluice.toml") << "[plans]\nfile = \"" << dir << "/plans.toml\"\n"
                                        << "[oauth]\nassertion_key_file = \"" << dir << "/assertion.pub\"\n";
    auto created = RunSluice({"apps", "create", "--data", dir, "--config", dir + "/sluice.toml", "--name", "Agency",
                              "--plan", "agency", "--redirect-uri", std::string(kRedirect)});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    auto j = json::parse(created.out).as_object();
    app_token_ = Str(j, "bearer_token");
    client_ = {Str(j, "client_id"), Str(j, "client_secret")};
    server_.app_tokens_write = false;
    server_.Start({"--config", dir + "/sluice.toml"});
  }

  // Runs `each(connection, account)` for every account, kThreads connections at once.
  void ForEachAccount(const std::function<void(KeepAliveClient&, int)>& each) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        KeepAliveClient c(server_.port());
        for (int i = t; i < kAccounts; i += kThreads) each(c, i);
      });
    }
    for (auto& th : threads) th.join();
  }

  SluiceServer server_;
  AssertionSigner signer_;
  std::string app_token_;
  Client client_;
};

TEST_F(OAuthScaleTest, OneAppActsForAThousandAccountsWithinTheirWindowsAndItsOwn) {
  // ---- 1,000 authorizations ----
  std::vector<std::string> tokens(kAccounts);
  std::mutex mu;
  std::vector<std::string> failures;
  const auto started = std::chrono::steady_clock::now();
  ForEachAccount([&](KeepAliveClient& c, int i) {
    Browser b(Over(c));  // a fresh browser per account: its own cookies, the thread's connection
    Issued issued = AuthorizeByAssertion(b, client_, "tweet.read tweet.write users.read like.write", signer_.Sign(Username(i)));
    std::lock_guard lock(mu);
    if (issued) tokens[size_t(i)] = issued.access_token;
    else failures.push_back(Username(i) + ": " + issued.failure);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  std::cout << "[ figures ] " << kAccounts << " authorizations (authorize page, sign-in by assertion, consent, allow, "
            << "token exchange: 5 requests each) over " << kThreads << " keep-alive connections in " << seconds << " s: "
            << kAccounts / seconds << " token issues/s\n";
  RecordProperty("token_issues_per_second", std::to_string(kAccounts / seconds));

  // Each token acts for its own account.
  ForEachAccount([&](KeepAliveClient& c, int i) {
    if (i % 50) return;
    auto me = c.Get("/2/users/me", tokens[size_t(i)]);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(Str(me.Json().at("data"), "username"), Username(i));
  });

  // ---- every account posts once: its own window and the app's 24-hour one ----
  std::vector<std::string> posts(kAccounts);
  std::vector<int> app_remaining;
  ForEachAccount([&](KeepAliveClient& c, int i) {
    auto r = c.Request("POST", "/2/tweets", tokens[size_t(i)], R"({"text":"written for )" + Username(i) + "\"}");
    ASSERT_EQ(r.status, 201) << Username(i) << ": " << r.body;
    EXPECT_EQ(r.headers["x-rate-limit-limit"], std::to_string(kUserPosts));  // the user's window
    EXPECT_EQ(r.headers["x-rate-limit-remaining"], std::to_string(kUserPosts - 1));
    EXPECT_EQ(r.headers["x-app-limit-24hour-limit"], std::to_string(kAppPosts));
    std::lock_guard lock(mu);
    posts[size_t(i)] = Str(r.Json().at("data"), "id");
    app_remaining.push_back(std::stoi(r.headers["x-app-limit-24hour-remaining"]));
  });
  // The app's window counted every account's post: each saw the window one lower.
  std::sort(app_remaining.begin(), app_remaining.end());
  ASSERT_EQ(app_remaining.size(), size_t(kAccounts));
  for (int k = 0; k < kAccounts; ++k) ASSERT_EQ(app_remaining[size_t(k)], kAppPosts - kAccounts + k);

  // Each post's author is its account (read with the app's own token, 100 ids a request).
  for (int from = 0; from < kAccounts; from += 100) {
    std::string ids;
    for (int i = from; i < from + 100; ++i) ids += (ids.empty() ? "" : ",") + posts[size_t(i)];
    auto r = server_.Get("/2/tweets?tweet.fields=author_id&ids=" + ids, app_token_);
    ASSERT_EQ(r.status, 200) << r.body;
    const json::value body = r.Json();
    const auto& data = body.at("data").as_array();
    ASSERT_EQ(data.size(), 100u);
    for (size_t k = 0; k < data.size(); ++k)
      EXPECT_EQ(Str(data[k], "author_id"), std::to_string(kFirstAccount + from + int(k))) << Str(data[k], "id");
  }

  // ---- every account likes the seed post as itself ----
  ForEachAccount([&](KeepAliveClient& c, int i) {
    auto r = c.Request("POST", "/2/users/" + std::to_string(kFirstAccount + i) + "/likes", tokens[size_t(i)],
                       R"({"tweet_id":")" + std::to_string(kSeedPost) + "\"}");
    ASSERT_EQ(r.status, 200) << Username(i) << ": " << r.body;
    EXPECT_EQ(r.headers["x-rate-limit-limit"], "1");
  });
  auto seed = server_.Get("/2/tweets?tweet.fields=public_metrics&ids=" + std::to_string(kSeedPost), app_token_);
  ASSERT_EQ(seed.status, 200) << seed.body;
  EXPECT_EQ(seed.Json().at("data").at(0).at("public_metrics").at("like_count").as_int64(), kAccounts);
  // The first account's like window is spent; the second's too, but not the others'.
  auto again = server_.Request("POST", "/2/users/" + std::to_string(kFirstAccount) + "/likes", tokens[0],
                               R"({"tweet_id":")" + posts[1] + "\"}");
  EXPECT_EQ(again.status, 429) << again.body;

  // ---- one account exhausts its own POST window; the others are not refused ----
  auto second = server_.Request("POST", "/2/tweets", tokens[0], R"({"text":"a second"})");
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(second.headers["x-rate-limit-remaining"], "0");
  EXPECT_EQ(second.headers["x-app-limit-24hour-remaining"], "1");
  auto third = server_.Request("POST", "/2/tweets", tokens[0], R"({"text":"a third"})");
  ASSERT_EQ(third.status, 429) << third.body;
  EXPECT_EQ(third.headers["x-rate-limit-limit"], std::to_string(kUserPosts));  // the user's window refused
  EXPECT_EQ(third.headers["x-rate-limit-remaining"], "0");
  // Another account still posts, and takes the app's last post (the refusal above gave its
  // admission in the app's window back).
  auto other = server_.Request("POST", "/2/tweets", tokens[1], R"({"text":"another account"})");
  ASSERT_EQ(other.status, 201) << other.body;
  EXPECT_EQ(other.headers["x-rate-limit-remaining"], "0");
  EXPECT_EQ(other.headers["x-app-limit-24hour-remaining"], "0");
  // ---- the app's 24-hour window is full: every account is refused, with room in its own ----
  for (int i : {2, 3, kAccounts - 1}) {
    auto full = server_.Request("POST", "/2/tweets", tokens[size_t(i)], R"({"text":"one too many"})");
    EXPECT_EQ(full.status, 429) << Username(i) << ": " << full.body;
    EXPECT_EQ(full.headers["x-app-limit-24hour-remaining"], "0") << Username(i);
  }

  // ---- users' lookups count in their own 15-minute windows, not in the app's ----
  ForEachAccount([&](KeepAliveClient& c, int i) {
    if (i >= 100) return;
    auto r = c.Get("/2/tweets/" + std::to_string(kSeedPost), tokens[size_t(i)]);
    ASSERT_EQ(r.status, 200) << Username(i) << ": " << r.body;
    EXPECT_EQ(r.headers["x-rate-limit-limit"], std::to_string(kUserLookups));
    EXPECT_EQ(r.headers["x-rate-limit-remaining"], std::to_string(kUserLookups - 1));
  });
  auto app_lookup = server_.Get("/2/tweets/" + std::to_string(kSeedPost), app_token_);
  ASSERT_EQ(app_lookup.status, 200) << app_lookup.body;
  EXPECT_EQ(app_lookup.headers["x-rate-limit-limit"], std::to_string(kAppLookups));
  EXPECT_EQ(app_lookup.headers["x-rate-limit-remaining"], std::to_string(kAppLookups - 1));
}

}  // namespace
}  // namespace sluice::testing
