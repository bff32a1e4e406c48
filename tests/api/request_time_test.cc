// One request, one clock reading: the chain reads the clock once (Exchange::now) and every
// stage (auth cache, lookup cache, rate limit, cap and credits, ledger record) decides by it.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "access/apps.h"
#include "access/plans.h"
#include "access/rate_limiter.h"
#include "access/usage_meter.h"
#include "api/lookup_cache.h"
#include "api/metrics.h"
#include "http/router.h"
#include "ledger/ledger.h"

namespace sluice {
namespace {

constexpr TimeMs kDay = 86'400'000;
constexpr TimeMs kT0 = 1'700'000'000'000 / kDay * kDay + 12 * 3'600'000;  // noon UTC

// A clock a day later at every reading: two stages of one request that read it separately
// would count the request on different days.
class DayPerReadClock final : public Clock {
 public:
  TimeMs NowMs() const override { return kT0 + reads_.fetch_add(1) * kDay; }
  int reads() const { return int(reads_.load()); }

 private:
  mutable std::atomic<int64_t> reads_{0};
};

// Keeps what the ledger stage appends.
class RecordingLedger final : public Ledger {
 public:
  Result<uint64_t> Append(LedgerRecord record) override {
    record.seq = records.size();
    records.push_back(std::move(record));
    return records.back().seq;
  }
  Status WaitDurable(uint64_t) override { return Status::Ok(); }
  uint64_t DurableSize() const override { return records.size(); }
  uint64_t AppendedSize() const override { return records.size(); }
  Result<std::string> Checkpoint() override { return std::string(); }
  Status Close() override { return Status::Ok(); }

  std::vector<LedgerRecord> records;
};

std::string Header(const ApiResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(RequestTime, EveryStageOfARequestUsesTheOneClockReadingDispatchTook) {
  char tmpl[] = "/tmp/sluice-request-time-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    auto store = std::move(*OpenStore({"sqlite", dir, true}));
    ManualClock setup_clock(kT0);
    SnowflakeGenerator ids(setup_clock, 1);  // post ids: not the request's clock
    auto app = CreateApp(*store, ids, setup_clock, Plans::Defaults(), NewApp{.name = "r", .plan = "basic"});
    ASSERT_TRUE(app.ok()) << app.status().message();
    Post post;
    post.id = ids.Next();
    post.author_id = app->app.user_id;
    post.text = "hello";
    post.created_at = kT0;
    post.edit_history = {post.id};
    WriteBatch batch;
    batch.posts.push_back(post);
    ASSERT_TRUE(store->Apply(batch).ok());

    DayPerReadClock clock;
    RateLimiter limiter(clock);
    UsageMeter meter(clock);
    RecordingLedger ledger;
    Config config;
    config.oauth.app_tokens_write = true;  // the app's token writes as its own account
    Metrics metrics;
    Services services{clock, ids, config, Plans::Defaults(), metrics, &ledger, &limiter, &meter};
    QueueExecutor executor;
    WorkerState worker(*store, executor);
    worker.lookup_cache.emplace(10);
    Router router(services, {});
    auto Dispatch = [&](const ApiRequest& r) { return DispatchAndWait(router, worker, executor, r); };
    const std::string auth = "Bearer " + app->bearer_token;
    const std::string path = "/2/tweets/" + std::to_string(post.id);
    ApiRequest get{"GET", path, "expansions=author_id", auth, "", "", "", "get"};

    // A miss, then a hit from the lookup cache, then a write: each on its own day.
    ApiResponse miss = Dispatch(get);
    ASSERT_EQ(miss.status, 200) << miss.body;
    ApiResponse hit = Dispatch(get);
    ASSERT_EQ(hit.status, 200) << hit.body;
    ApiResponse created = Dispatch(ApiRequest{"POST", "/2/tweets", "", auth, "application/json", "",
                                                   R"({"text":"hi"})", "post"});
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(clock.reads(), 3);

    ASSERT_EQ(ledger.records.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(ledger.records[i].time, kT0 + i * kDay) << i;
    // The limiter counted each GET at its request's time: its reset follows from it.
    for (int i = 0; i < 2; ++i) {
      const TimeMs t = kT0 + i * kDay;
      const int64_t reset = std::stoll(Header(i == 0 ? miss : hit, "x-rate-limit-reset"));
      EXPECT_GT(reset * 1000, t) << i;
      EXPECT_LE(reset * 1000, t + 16 * 60'000) << i;
      EXPECT_EQ(Header(i == 0 ? miss : hit, "x-rate-limit-remaining"), "14") << i;  // a new window each day
    }
    // The meter counted the post (and its author) on each GET's day, and the write on the POST's.
    auto days = meter.Days(app->app.project_id, 0, kT0 + 10 * kDay);
    ASSERT_EQ(days.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(days[i].day, kT0 - 12 * 3'600'000 + i * kDay) << i;
    EXPECT_EQ(days[0].posts_read, 1);
    EXPECT_EQ(days[1].posts_read, 1);
    EXPECT_EQ(days[2].posts_read, 0);
    EXPECT_EQ(days[2].posts_written, 1);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
