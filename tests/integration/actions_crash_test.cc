// Integration: kill -9 under the actions on behalf of an account (issue 15). Four threads
// like and unlike, follow and unfollow, repost and unrepost, each on its own post and user,
// while the server is killed 20 times at random moments; after the last start has settled
// what the last kill left, what the reads serve is what the ledger says: per post the last
// like or unlike record, per user the last follow or unfollow record, the reposts recorded
// and not recorded as deleted; every acknowledged action has its record.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

constexpr int kThreads = 4, kKills = 20;

std::string Data() {
  std::ostringstream out;
  out << R"({"id":"200","username":"bob","name":"Bob"})" << "\n";
  for (int t = 0; t < kThreads; ++t) {
    out << R"({"id":")" << 300 + t << R"(","username":"u)" << t << R"(","name":"U"})" << "\n";
    out << R"({"id":")" << 1000 + t << R"(","text":"post )" << t
        << R"(","author_id":"200","created_at":"2021-11-15T19:08:05.069Z","public_metrics":{"retweet_count":0,"reply_count":0,"like_count":3,"quote_count":0}})"
        << "\n";
  }
  return out.str();
}

TEST(ActionsCrashTest, KillNineUnderActionsLeavesWhatTheLedgerSays) {
  SluiceServer server;
  ASSERT_TRUE(server.Import(Data()));
  const std::string token = server.CreateApp("crasher", "enterprise");
  server.Start();
  auto own = server.Request("POST", "/2/tweets", token, R"({"text":"mine"})");
  ASSERT_EQ(own.status, 201) << own.body;
  const std::string me =
      Str(server.Get("/2/tweets/" + Str(own.Json().at("data"), "id") + "?tweet.fields=author_id", token).Json().at("data"),
          "author_id");
  ASSERT_EQ(server.Stop(), 0);

  std::mutex mu;
  std::map<std::string, int> acked;  // endpoint and target -> acknowledged 200s
  std::mt19937 rng(std::random_device{}());
  int settled_applied = 0, settled_dropped = 0;  // intents the starts found left behind
  for (int kill = 0; kill <= kKills; ++kill) {
    server.Start();
    const std::string log = server.Log();
    if (size_t at = log.find("writes left by the last run: "); at != std::string::npos) {
      int applied = 0, dropped = 0;
      if (std::sscanf(log.c_str() + at, "writes left by the last run: %d applied (their ledger record is durable), %d dropped",
                      &applied, &dropped) == 2) {
        settled_applied += applied;
        settled_dropped += dropped;
      }
    }
    if (kill == kKills) break;  // the last start only settles what the last kill left
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        const std::string post = std::to_string(1000 + t), user = std::to_string(300 + t);
        for (int i = 0; !stop; ++i) {
          std::string method, target, body, key;
          switch (i % 6) {
            case 0: method = "POST", target = "/2/users/" + me + "/likes", body = R"({"tweet_id":")" + post + R"("})", key = "like"; break;
            case 1: method = "POST", target = "/2/users/" + me + "/following", body = R"({"target_user_id":")" + user + R"("})", key = "follow"; break;
            case 2: method = "POST", target = "/2/users/" + me + "/retweets", body = R"({"tweet_id":")" + post + R"("})", key = "repost"; break;
            case 3: method = "DELETE", target = "/2/users/" + me + "/likes/" + post, key = "unlike"; break;
            case 4: method = "DELETE", target = "/2/users/" + me + "/following/" + user, key = "unfollow"; break;
            case 5: method = "DELETE", target = "/2/users/" + me + "/retweets/" + post, key = "unrepost"; break;
          }
          try {
            if (server.Request(method, target, token, body).status == 200) {
              std::lock_guard lock(mu);
              ++acked[key + " " + std::to_string(t)];
            }
          } catch (const std::exception&) {  // the server is gone: the outcome is unknown
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
          }
        }
      });
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 200));
    server.Kill();
    stop = true;
    for (auto& th : threads) th.join();
  }

  // What the reads serve now.
  struct Served {
    bool liked = false, following = false;
    int64_t like_count = 0, retweet_count = 0, followers_count = 0;
    std::set<std::string> reposts;
  };
  std::vector<Served> served(kThreads);
  auto ids = [&](const std::string& target) {
    std::set<std::string> out;
    auto r = server.Get(target, token);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    auto j = r.Json().as_object();
    if (j.contains("data"))
      for (const auto& item : j.at("data").as_array()) out.insert(Str(item, "id"));
    return out;
  };
  for (int t = 0; t < kThreads; ++t) {
    const std::string post = std::to_string(1000 + t), user = std::to_string(300 + t);
    served[t].liked = ids("/2/tweets/" + post + "/liking_users").count(me) > 0;
    served[t].following = ids("/2/users/" + user + "/followers").count(me) > 0;
    served[t].reposts = ids("/2/tweets/" + post + "/retweets");
    auto p = server.Get("/2/tweets/" + post + "?tweet.fields=public_metrics", token).Json();
    served[t].like_count = p.at("data").at("public_metrics").at("like_count").as_int64();
    served[t].retweet_count = p.at("data").at("public_metrics").at("retweet_count").as_int64();
    auto u = server.Get("/2/users/" + user + "?user.fields=public_metrics", token).Json();
    served[t].followers_count = u.at("data").at("public_metrics").at("followers_count").as_int64();
  }
  ASSERT_EQ(server.Stop(), 0);

  // What the ledger says, in record order.
  auto r = RunSluice({"ledger", "export", "--data", server.data_dir(), "--app", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<bool> liked(kThreads), following(kThreads);
  std::set<std::string> created, deleted;  // reposts
  std::map<std::string, int> recorded;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    auto rec = json::parse(line).as_object();
    if (rec.at("status").as_int64() != 200) continue;
    const std::string endpoint = Str(rec, "endpoint");
    const auto& posts = rec.at("post_ids").as_array();
    const auto& users = rec.at("user_ids").as_array();
    auto thread_of_post = [&](const json::value& id) { return std::stoi(std::string(id.as_string())) - 1000; };
    if (endpoint == "POST /2/users/:id/likes" || endpoint == "DELETE /2/users/:id/likes/:tweet_id") {
      const int t = thread_of_post(posts.at(0));
      liked[t] = endpoint.starts_with("POST");
      ++recorded[(liked[t] ? "like " : "unlike ") + std::to_string(t)];
    } else if (endpoint == "POST /2/users/:id/following" || endpoint == "DELETE /2/users/:source_user_id/following/:target_user_id") {
      const int t = std::stoi(std::string(users.at(1).as_string())) - 300;
      following[t] = endpoint.starts_with("POST");
      ++recorded[(following[t] ? "follow " : "unfollow ") + std::to_string(t)];
    } else if (endpoint == "POST /2/users/:id/retweets") {
      created.insert(std::string(posts.at(0).as_string()));
    } else if (endpoint == "DELETE /2/users/:id/retweets/:source_tweet_id") {
      deleted.insert(std::string(posts.at(0).as_string()));
    }
  }
  std::set<std::string> live_reposts, served_reposts;  // recorded and not recorded as deleted; served
  for (const auto& id : created)
    if (!deleted.count(id)) live_reposts.insert(id);
  for (const auto& s : served) served_reposts.insert(s.reposts.begin(), s.reposts.end());
  EXPECT_EQ(served_reposts, live_reposts);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(served[t].liked, liked[t]) << "post " << 1000 + t;
    EXPECT_EQ(served[t].like_count, 3 + (liked[t] ? 1 : 0)) << "post " << 1000 + t;
    EXPECT_EQ(served[t].following, following[t]) << "user " << 300 + t;
    EXPECT_EQ(served[t].followers_count, following[t] ? 1 : 0) << "user " << 300 + t;
    EXPECT_EQ(served[t].retweet_count, int64_t(served[t].reposts.size())) << "post " << 1000 + t;
    EXPECT_LE(served[t].reposts.size(), 1u) << "post " << 1000 + t;
  }
  int total_acked = 0;
  for (const auto& [key, n] : acked) {
    total_acked += n;
    if (key.starts_with("repost") || key.starts_with("unrepost")) continue;  // a repeat is not recorded as one
    EXPECT_LE(n, recorded[key]) << key << ": acknowledged more often than recorded";
  }
  EXPECT_GT(total_acked, 50);
  std::printf("%d actions acknowledged; the starts applied %d intents left behind and dropped %d\n", total_acked,
              settled_applied, settled_dropped);
}

}  // namespace
}  // namespace sluice::testing
