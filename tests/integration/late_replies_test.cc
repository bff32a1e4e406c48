// Integration: `sluice serve --limits redis://...` (closed mode) while Redis stalls (SIGSTOP:
// the scripts already sent run when it resumes, after their requests were answered 503). The
// rate window and the credits then hold exactly the requests that got 200.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "harness.h"
#include "support/postgres_server.h"
#include "support/redis_server.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

constexpr int64_t kLimit = 450;          // payg: GET /2/tweets/:id per 15 minutes
constexpr int64_t kPostPrice = 5'000;    // payg: a post read, micro-dollars

// Holds the posts table locked (a psql session in a transaction), so that a request that got
// past the rate limit waits in its handler: the moment to stall Redis before its charge.
class PostsLock {
 public:
  explicit PostsLock(const std::string& url) : url_(url) {
    session_ = popen(("psql -qX -v ON_ERROR_STOP=1 '" + url + "' > /dev/null 2>&1").c_str(), "w");
    if (session_ == nullptr) return;
    std::fputs("BEGIN;\nLOCK TABLE posts IN ACCESS EXCLUSIVE MODE;\n", session_);
    std::fflush(session_);
  }
  ~PostsLock() { Release(); }
  // True once the lock is held (up to 10 s).
  bool Held() { return Until("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'posts' AND l.mode = 'AccessExclusiveLock' AND l.granted", "1"); }
  // True once a query waits on it (up to 10 s).
  bool Waited() { return Until("SELECT count(*) FROM pg_locks WHERE NOT granted", "1"); }
  void Release() {
    if (session_ == nullptr) return;
    std::fputs("COMMIT;\n", session_);
    pclose(session_);
    session_ = nullptr;
  }

 private:
  bool Until(const std::string& sql, const std::string& want) {
    for (int i = 0; i < 500; ++i) {
      if (Psql(url_, sql) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  std::string url_;
  FILE* session_ = nullptr;
};

int64_t MetricValue(const std::string& metrics, const std::string& name) {
  const auto at = metrics.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + name.size() + 2));
}

TEST(LateRepliesTest, RequestsAnswered503DuringAStallLeaveNoCountBehind) {
  RedisServer redis;
  ASSERT_TRUE(redis.Start());
  SluiceServer server(30, 1000);
  const std::string pro = server.CreateApp("pro app", "pro");
  auto created = RunSluice({"apps", "create", "--data", server.data_dir(), "--name", "metered", "--plan", "payg"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto app = json::parse(created.out);
  const std::string token = Str(app, "bearer_token"), project = Str(app, "project_id");
  ASSERT_EQ(RunSluice({"credits", "add", "--data", server.data_dir(), "--project", project, "--usd", "10"}).exit_code, 0);
  // 200 ms: a slow moment of the loaded test machine is rarely a 503 (and when it is, its
  // count is taken back like the stall's).
  const std::string config = server.data_dir() + "/limits.toml";
  std::ofstream(config) << "[limits]\ntimeout_ms = 200\nprobe_interval_ms = 50\n";
  server.Start({"--limits", redis.url(), "--config", config});

  // Posts to request; a post delivered again the same day costs nothing, so the spending is
  // one price per distinct post among the 200s.
  std::vector<std::string> ids;
  std::string page_token;
  while (ids.size() < 400) {
    std::string target = "/2/tweets/search/recent?max_results=100&query=the%20OR%20le%20OR%20de%20OR%20a";
    if (!page_token.empty()) target += "&next_token=" + page_token;
    auto page = server.Get(target, pro).Json();
    if (!page.as_object().contains("data")) break;
    for (const auto& p : page.at("data").as_array()) ids.push_back(Str(p, "id"));
    const auto& meta = page.at("meta").as_object();
    if (!meta.contains("next_token")) break;
    page_token = std::string(meta.at("next_token").as_string());
  }
  ASSERT_GE(ids.size(), 150u);

  // Four clients request one post after another (every 20 ms), while Redis stalls twice for 300 ms.
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::multiset<int64_t> remaining;  // X-Rate-Limit-Remaining of each 200
  std::vector<std::string> delivered, unexpected;
  std::atomic<int> unavailable{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      while (!stop.load()) {
        const size_t i = next.fetch_add(1) % ids.size();
        auto r = server.Get("/2/tweets/" + ids[i], token);
        std::lock_guard lock(mu);
        if (r.status == 200) {
          remaining.insert(std::stoll(r.headers["x-rate-limit-remaining"]));
          delivered.push_back(ids[i]);
        } else if (r.status == 503) {
          unavailable.fetch_add(1);
        } else {
          unexpected.push_back(std::to_string(r.status) + " " + r.body);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  for (int stall = 0; stall < 2; ++stall) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    redis.Pause();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    redis.Resume();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop.store(true);
  for (auto& c : clients) c.join();
  ASSERT_TRUE(unexpected.empty()) << unexpected.front();
  EXPECT_GT(unavailable.load(), 0);
  const int64_t ok = int64_t(delivered.size());
  ASSERT_GT(ok, 0);
  const int64_t posts = int64_t(std::set<std::string>(delivered.begin(), delivered.end()).size());

  // Late replies came, and every one was taken back: after them, the window holds exactly
  // the 200s, and so does the spending. Wait until the server has read them all (it keeps
  // reading for 5 s; then they would be unknown outcomes).
  std::string metrics;
  for (int i = 0; i < 500; ++i) {
    metrics = server.Get("/metrics", "").body;
    const std::string spent = redis.Command("HGET " + redis.Command("KEYS sluice:sp:" + project) + " t");
    if (MetricValue(metrics, "sluice_redis_late_replies_total") > 0 && spent == std::to_string(posts * kPostPrice)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(MetricValue(metrics, "sluice_redis_late_replies_total"), 0) << metrics;
  EXPECT_EQ(MetricValue(metrics, "sluice_redis_unknown_outcomes_total"), 0) << metrics;
  // Redis's spending and the day's set: the 200s' posts, each once.
  EXPECT_EQ(redis.Command("HGET " + redis.Command("KEYS sluice:sp:" + project) + " t"), std::to_string(posts * kPostPrice));
  EXPECT_EQ(redis.Command("SCARD " + redis.Command("KEYS sluice:dp:" + project + ":*")), std::to_string(posts));
  // The rate window: each 200 had its own remaining, and the next request sees them all and
  // nothing else.
  std::multiset<int64_t> want;
  for (int64_t i = 1; i <= ok; ++i) want.insert(kLimit - i);
  EXPECT_EQ(remaining, want);
  HttpResponse after;
  for (int i = 0; i < 500; ++i) {  // the breaker may still be open
    after = server.Get("/2/tweets/" + ids[0], token);  // delivered again or not: one admission more
    if (after.status != 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.headers["x-rate-limit-remaining"], std::to_string(kLimit - ok - 1));

  // The ledger, and `sluice usage` from it, holds the deliveries, and only them.
  ASSERT_EQ(server.Stop(), 0);
  auto usage = RunSluice({"usage", "--data", server.data_dir(), "--project", project});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  auto u = json::parse(usage.out);
  const bool again = std::find(delivered.begin(), delivered.end(), ids[0]) != delivered.end();
  EXPECT_EQ(u.at("posts_read").as_int64(), posts + (again ? 0 : 1)) << usage.out;
  auto verify = RunSluice({"ledger", "verify", "--data", server.data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

// Deterministic: a request admitted by the rate limit waits in its handler (the posts table
// locked in PostgreSQL) while Redis stops; its charge is sent to the stopped Redis, times out
// (503), and runs when Redis resumes: then it is taken back, with the admission.
TEST(LateRepliesTest, AChargeThatRanAfterItsRequestGot503IsTakenBack) {
  auto url = test::SharedPostgres::NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  RedisServer redis;
  ASSERT_TRUE(redis.Start());
  SluiceServer server(*url, 30, 300);
  const std::string& data = server.data_dir();
  const std::string pro = server.CreateApp("pro app", "pro");
  auto created = RunSluice({"apps", "create", "--data", data, "--store", *url, "--name", "metered", "--plan", "payg"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto app = json::parse(created.out);
  const std::string project = Str(app, "project_id");
  auto rotated = RunSluice({"keys", "rotate", "--data", data, "--store", *url, "--app", Str(app, "app_id")});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  const std::string token = Str(json::parse(rotated.out), "bearer_token");
  ASSERT_EQ(RunSluice({"credits", "add", "--data", data, "--store", *url, "--project", project, "--usd", "1"}).exit_code, 0);
  const std::string config = data + "/limits.toml";
  std::ofstream(config) << "[limits]\ntimeout_ms = 200\nprobe_interval_ms = 50\n";
  server.Start({"--limits", redis.url(), "--config", config});

  auto page = server.Get("/2/tweets/search/recent?max_results=10&query=the", pro).Json();
  std::vector<std::string> ids;
  for (const auto& p : page.at("data").as_array()) ids.push_back(Str(p, "id"));
  ASSERT_GE(ids.size(), 4u);
  auto first = server.Get("/2/tweets/" + ids[0], token);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.headers["x-rate-limit-remaining"], std::to_string(kLimit - 1));
  const std::string spent = "HGET sluice:sp:" + project + " t";
  const std::string posts_key = redis.Command("KEYS sluice:dp:" + project + ":*");
  const std::string cycle = redis.Command("KEYS sluice:cy:" + project + ":*");
  ASSERT_EQ(redis.Command(spent), std::to_string(kPostPrice));

  {
    PostsLock lock(*url);
    ASSERT_TRUE(lock.Held());
    HttpResponse stalled;
    std::thread request([&] { stalled = server.Get("/2/tweets/" + ids[1], token); });
    const bool waited = lock.Waited();  // past the rate limit, in its handler
    redis.Pause();
    lock.Release();
    request.join();
    ASSERT_TRUE(waited);
    EXPECT_EQ(stalled.status, 503) << stalled.body;
    // And one that times out on the rate limit itself.
    EXPECT_EQ(server.Get("/2/tweets/" + ids[2], token).status, 503);
    redis.Resume();
  }
  // The charge ran when Redis resumed: taken back, ahead of anything queued after it on its
  // connection. So the next request's charge lands after the undo.
  HttpResponse after;
  for (int i = 0; i < 500; ++i) {  // the breaker may be open
    after = server.Get("/2/tweets/" + ids[3], token);
    if (after.status != 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.headers["x-rate-limit-remaining"], std::to_string(kLimit - 2));  // the 200s, only
  EXPECT_EQ(redis.Command(spent), std::to_string(2 * kPostPrice));
  EXPECT_EQ(redis.Command("SORT " + posts_key + " ALPHA"),
            std::min(ids[0], ids[3]) + " " + std::max(ids[0], ids[3]));
  EXPECT_EQ(redis.Command("HGET " + cycle + " r"), "2");
  const std::string metrics = server.Get("/metrics", "").body;
  EXPECT_GE(MetricValue(metrics, "sluice_redis_late_replies_total"), 1) << metrics;  // the charge, and perhaps an acquire
  EXPECT_EQ(MetricValue(metrics, "sluice_redis_unknown_outcomes_total"), 0) << metrics;

  ASSERT_EQ(server.Stop(), 0);
  auto usage = RunSluice({"usage", "--data", data, "--store", *url, "--project", project});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  EXPECT_EQ(json::parse(usage.out).at("posts_read").as_int64(), 2) << usage.out;
}

}  // namespace
}  // namespace sluice::testing
