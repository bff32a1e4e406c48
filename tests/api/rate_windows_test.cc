// Per-user rate windows next to the per-app ones (OAuth 2.0 user context): the rate-limit
// stages run in a chain on a real store, with Exchange::user set as the authenticate stage
// sets it for a user access token. Each test runs on every backend: the node-local stage
// (RateLimitStage), the shared stage over this process's counters, and the shared stage over
// a real redis-server (tests/support/redis_server.h), strict and fast (leased) mode.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <memory>
#include <optional>

#include "access/redis_counters.h"
#include "api/admission.h"
#include "api/executor.h"
#include "api/metrics.h"
#include "api/shared_admission.h"
#include "http/problem.h"
#include "store/store.h"
#include "support/redis_server.h"

namespace sluice {
namespace {

constexpr TimeMs kMinute = 60'000;
constexpr Id kApp = 11;
constexpr Id kUserA = 101, kUserB = 102, kUserC = 103;

// GET /2/tweets/:id: 5 per 15 minutes for the app's own requests, 2 per 24 hours for each of
// its users (a user-context request does not count in an app's 15-minute window, as on X).
// POST /2/tweets: 4 per 24 hours for the app (users' requests count in it), 3 per 15 minutes
// per user (X's shape).
// GET /2/users/:id: per user only. GET /2/tweets/counts/recent: per app only.
constexpr std::string_view kPlans = R"([plans.p]
title = "P"
monthly_price_usd = "0"
max_apps = 1
[plans.p.limits]
"GET /2/tweets/:id" = "5/15m"
"POST /2/tweets" = "4/24h"
"GET /2/tweets/counts/recent" = "3/15m"
[plans.p.user_limits]
"GET /2/tweets/:id" = "2/24h"
"POST /2/tweets" = "3/15m"
"GET /2/users/:id" = "2/15m"
)";

enum class Backend { kNodeLocal, kLocalCounters, kRedisStrict, kRedisFast };

std::string Name(const ::testing::TestParamInfo<Backend>& info) {
  switch (info.param) {
    case Backend::kNodeLocal: return "NodeLocal";
    case Backend::kLocalCounters: return "LocalCounters";
    case Backend::kRedisStrict: return "RedisStrict";
    case Backend::kRedisFast: return "RedisFast";
  }
  return "?";
}

// Plays the authenticate stage: the app, and the user whose id is the request's Authorization
// (none: the app's own bearer token).
class IdentifyStage final : public Stage {
 public:
  std::string_view name() const override { return "identify"; }
  Verdict Run(Exchange& ex) override {
    ex.app.emplace(App{.id = kApp, .project_id = 3, .name = "a", .plan = "p", .uses = {"search"}, .user_id = 7});
    if (!ex.request.authorization.empty())
      ex.user.emplace(UserAccess{.app = *ex.app, .user_id = std::stoll(std::string(ex.request.authorization))});
    return Verdict::Continue();
  }
};

// A stage after the rate limit that refuses the request when told to (as the cap stage would).
class RefuseLaterStage final : public Stage {
 public:
  bool refuse = false;
  std::string_view name() const override { return "refuse-later"; }
  Verdict Run(Exchange& ex) override {
    if (!refuse) return Verdict::Continue();
    return ex.Refuse(Refusal::kCap, UsageCapExceeded());
  }
};

class RateWindowsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-rate-windows-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto store = OpenStore({"sqlite", dir_, true});
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    worker_ = std::make_unique<WorkerState>(*store_, executor_);
    auto plans = Plans::Parse(kPlans, "plans.toml");
    ASSERT_TRUE(plans.ok()) << plans.status().message();
    plans_ = std::move(*plans);

    std::unique_ptr<Stage> rate;
    switch (GetParam()) {
      case Backend::kNodeLocal: rate = std::make_unique<RateLimitStage>(limiter_); break;
      case Backend::kLocalCounters:
        counters_ = std::make_unique<LocalCounters>(limiter_, meter_);
        rate = std::make_unique<SharedRateLimitStage>(*counters_);
        break;
      case Backend::kRedisStrict:
      case Backend::kRedisFast: {
        ASSERT_TRUE(redis_.Start());
        RedisCountersOptions o;
        o.redis.host = "127.0.0.1";
        o.redis.port = redis_.port();
        o.redis.connections = 2;
        o.redis.timeout_ms = 2000;  // a loaded test machine: no test here waits on a timeout
        o.fast = GetParam() == Backend::kRedisFast;
        o.clock = &clock_;
        counters_ = std::make_unique<RedisCounters>(std::move(o), limiter_, meter_);
        rate = std::make_unique<SharedRateLimitStage>(*counters_);
        break;
      }
    }
    services_.error_response = &ProblemResponse;
    std::vector<std::unique_ptr<Stage>> stages;
    auto refuse = std::make_unique<RefuseLaterStage>();
    refuse_ = refuse.get();
    stages.push_back(std::make_unique<IdentifyStage>());
    stages.push_back(std::make_unique<PlanStage>());
    stages.push_back(std::move(rate));
    stages.push_back(std::move(refuse));
    stages.push_back(std::make_unique<HeadersStage>());
    chain_ = std::make_unique<Chain>(std::move(stages));
  }

  void TearDown() override {
    chain_.reset();
    counters_.reset();
    worker_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One request on `route` for `user` (nullopt: the app's own bearer token), run to its answer.
  ApiResponse Send(RouteId route, std::optional<Id> user) { return SendOn(*worker_, executor_, route, user); }
  // The same on another worker (a thread of its own).
  ApiResponse SendOn(WorkerState& worker, QueueExecutor& executor, RouteId route, std::optional<Id> user) {
    const std::string_view method = EndpointName(route).substr(0, EndpointName(route).find(' '));
    const std::string auth = user ? std::to_string(*user) : "";
    auto ex = std::make_shared<Exchange>(services_, worker, ApiRequest{method, "/", "", auth, "", "", "", "t"}, route, "");
    std::optional<ApiResponse> out;
    chain_->Start(ex, [&out](ApiResponse r) { out = std::move(r); });
    EXPECT_TRUE(executor.RunUntil([&] { return out.has_value(); }));
    return out ? std::move(*out) : ApiResponse{};
  }
  ApiResponse Read(std::optional<Id> user) { return Send(RouteId::kGetPost, user); }

  static std::string Header(const ApiResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "(none)";
  }
  static std::string Limit(const ApiResponse& r) { return Header(r, "x-rate-limit-limit"); }
  static std::string Remaining(const ApiResponse& r) { return Header(r, "x-rate-limit-remaining"); }

  std::string dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{1'796'515'200'000 + 10 * 60 * kMinute};
  SnowflakeGenerator ids_{clock_, 1};
  Config config_;
  Metrics metrics_;
  Plans plans_;
  RateLimiter limiter_{clock_};
  UsageMeter meter_{clock_};
  testing::RedisServer redis_;
  std::unique_ptr<AdmissionCounters> counters_;
  Services services_{clock_, ids_, config_, plans_, metrics_};
  QueueExecutor executor_;
  std::unique_ptr<WorkerState> worker_;
  std::unique_ptr<Chain> chain_;
  RefuseLaterStage* refuse_ = nullptr;
};

TEST_P(RateWindowsTest, AUserExhaustingItsWindowDoesNotTouchAnotherUsersWindow) {
  for (int64_t left : {1, 0}) {
    ApiResponse r = Read(kUserA);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Limit(r), "2");  // the user's window, not the app's 5
    EXPECT_EQ(Remaining(r), std::to_string(left));
  }
  ApiResponse refused = Read(kUserA);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(Limit(refused), "2");
  EXPECT_EQ(Remaining(refused), "0");
  for (int64_t left : {1, 0}) {
    ApiResponse r = Read(kUserB);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Remaining(r), std::to_string(left));
  }
}

TEST_P(RateWindowsTest, UsersShareTheAppsDailyWindowAndAUsersRefusalGivesTheAppsPlaceBack) {
  // POST /2/tweets: the app's 4 a day, 3 per 15 minutes for each user.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Send(RouteId::kCreatePost, kUserA).status, 200);
  // Refused by A's window: the app's admission it took first goes back. Without that, the
  // app's window (4) would be full before B's request below.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Send(RouteId::kCreatePost, kUserA).status, 429);
  ApiResponse last = Send(RouteId::kCreatePost, kUserB);
  ASSERT_EQ(last.status, 200) << last.body;  // the app's fourth
  EXPECT_EQ(Remaining(last), "2");            // B's own window
  EXPECT_EQ(Header(last, "x-app-limit-24hour-remaining"), "0");
  // The app's daily window is full: B, with two left in its own, is refused, and the headers
  // show the window that refused (the app's).
  ApiResponse full = Send(RouteId::kCreatePost, kUserB);
  EXPECT_EQ(full.status, 429);
  EXPECT_EQ(Limit(full), "4");
  EXPECT_EQ(Remaining(full), "0");
  // So is the app's own token.
  EXPECT_EQ(Send(RouteId::kCreatePost, std::nullopt).status, 429);
}

TEST_P(RateWindowsTest, UserRequestsDoNotCountInTheAppsFifteenMinuteWindow) {
  // GET /2/tweets/:id: 2 a day for each user, 5 per 15 minutes for the app's own requests.
  for (Id user : {kUserA, kUserB, kUserC}) {
    ASSERT_EQ(Read(user).status, 200);
    ASSERT_EQ(Read(user).status, 200);
  }
  for (int64_t left : {4, 3, 2, 1, 0}) {
    ApiResponse r = Read(std::nullopt);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Remaining(r), std::to_string(left));
  }
  EXPECT_EQ(Read(std::nullopt).status, 429);
  // The app's window full does not refuse a user with room in its own.
  ApiResponse d = Read(104);
  EXPECT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(Limit(d), "2");
}

TEST_P(RateWindowsTest, TheAppsRefusalLeavesTheUsersWindowUntouched) {
  for (int i = 0; i < 4; ++i) ASSERT_EQ(Send(RouteId::kCreatePost, std::nullopt).status, 200);  // the app's day
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Send(RouteId::kCreatePost, kUserA).status, 429);        // refused by it
  // Two days on (the windows slide), the app's window is empty again; A's counted nothing.
  clock_.Advance(2 * 24 * 60 * kMinute);  // two windows: the limiter's window slides
  for (int64_t left : {2, 1, 0}) {
    ApiResponse r = Send(RouteId::kCreatePost, kUserA);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Remaining(r), std::to_string(left));
  }
}

TEST_P(RateWindowsTest, ARequestALaterStageRefusesGivesBackBothAdmissions) {
  refuse_->refuse = true;
  for (int i = 0; i < 6; ++i) {
    ApiResponse r = Send(RouteId::kCreatePost, kUserA);
    ASSERT_EQ(r.status, 429) << r.body;  // the cap's 429 (X's usage-capped), not the rate limit's
    EXPECT_NE(r.body.find("usage-capped"), std::string::npos) << r.body;
    EXPECT_EQ(Remaining(r), "3");  // given back: nothing counted
    EXPECT_EQ(Header(r, "x-app-limit-24hour-remaining"), "4");
  }
  refuse_->refuse = false;
  // Both windows are whole: A has its 3, and with the app token's 1 the app has its 4.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Send(RouteId::kCreatePost, kUserA).status, 200);
  ApiResponse app = Send(RouteId::kCreatePost, std::nullopt);
  EXPECT_EQ(app.status, 200);
  EXPECT_EQ(Limit(app), "4");
  EXPECT_EQ(Remaining(app), "0");
}

TEST_P(RateWindowsTest, AnAppTokenCountsOnlyInTheAppsWindow) {
  for (int64_t left : {3, 2, 1}) {
    ApiResponse r = Send(RouteId::kCreatePost, std::nullopt);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Limit(r), "4");
    EXPECT_EQ(Remaining(r), std::to_string(left));
  }
  ApiResponse a = Send(RouteId::kCreatePost, kUserA);
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(Remaining(a), "2");  // A's window counted only A's request
}

TEST_P(RateWindowsTest, UserContextHeadersAreTheUsersWindowAndTheAppsDailyOne) {
  ApiResponse user = Send(RouteId::kCreatePost, kUserA);
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(Limit(user), "3");  // the user's 15-minute window
  EXPECT_EQ(Remaining(user), "2");
  EXPECT_EQ(Header(user, "x-app-limit-24hour-limit"), "4");  // the app's 24-hour window
  EXPECT_EQ(Header(user, "x-app-limit-24hour-remaining"), "3");
  EXPECT_NE(Header(user, "x-app-limit-24hour-reset"), Header(user, "x-rate-limit-reset"));
  ApiResponse app = Send(RouteId::kCreatePost, std::nullopt);
  ASSERT_EQ(app.status, 200);
  EXPECT_EQ(Limit(app), "4");  // an app token: the app's window in both
  EXPECT_EQ(Remaining(app), "2");
  EXPECT_EQ(Header(app, "x-app-limit-24hour-remaining"), "2");
  // The app's daily window (4) ends B's run before B's own (3): the refusal shows the app's window.
  ASSERT_EQ(Send(RouteId::kCreatePost, kUserB).status, 200);
  ASSERT_EQ(Send(RouteId::kCreatePost, kUserB).status, 200);
  ApiResponse refused = Send(RouteId::kCreatePost, kUserB);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(Limit(refused), "4");
  EXPECT_EQ(Header(refused, "x-app-limit-24hour-remaining"), "0");
}

TEST_P(RateWindowsTest, AnEndpointWithoutAUserLimitCountsOnlyTheAppsWindow) {
  for (int64_t left : {2, 1, 0}) {
    ApiResponse r = Send(RouteId::kCountRecent, left % 2 ? kUserA : kUserB);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Limit(r), "3");
    EXPECT_EQ(Remaining(r), std::to_string(left));
  }
  EXPECT_EQ(Send(RouteId::kCountRecent, kUserC).status, 429);
}

TEST_P(RateWindowsTest, AnEndpointLimitedPerUserOnlyNeedsAUserToken) {
  ApiResponse app = Send(RouteId::kGetUser, std::nullopt);
  EXPECT_EQ(app.status, 403) << app.body;
  EXPECT_NE(app.body.find("OAuth 2.0 User Context"), std::string::npos) << app.body;
  EXPECT_EQ(Limit(app), "(none)");
  for (int64_t left : {1, 0}) {
    ApiResponse r = Send(RouteId::kGetUser, kUserA);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Limit(r), "2");
    EXPECT_EQ(Remaining(r), std::to_string(left));
    EXPECT_EQ(Header(r, "x-app-limit-24hour-limit"), "(none)");
  }
  EXPECT_EQ(Send(RouteId::kGetUser, kUserA).status, 429);
  EXPECT_EQ(Send(RouteId::kGetUser, kUserB).status, 200);
}

// Eight workers at once, four users, far more requests than the windows hold: no user gets
// more than its window, the app no more than its, and what was refused left nothing behind
// (checked afterwards, one request at a time).
TEST_P(RateWindowsTest, ConcurrentUsersGetNoMoreThanTheirWindowsAndRefusalsLeaveNothing) {
  constexpr int kThreads = 8, kEach = 6;
  constexpr Id kUsers[] = {kUserA, kUserB, kUserC, 104};
  std::mutex mu;
  std::map<Id, int> admitted;  // by user
  int other = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = OpenStore({"sqlite", dir_, true});
      ASSERT_TRUE(store.ok()) << store.status().message();
      QueueExecutor executor;
      WorkerState worker(**store, executor);
      for (int i = 0; i < kEach; ++i) {
        const Id user = kUsers[(t + i) % 4];
        ApiResponse r = SendOn(worker, executor, RouteId::kCreatePost, user);
        std::lock_guard lock(mu);
        if (r.status == 200) ++admitted[user];
        else if (r.status != 429) ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other, 0);
  int total = 0;
  for (const auto& [user, n] : admitted) {
    EXPECT_LE(n, 3) << user;
    total += n;
  }
  EXPECT_LE(total, 4);
  EXPECT_GE(total, 1);
  // The app's window holds exactly the admitted requests: its own token gets the rest.
  int app_left = 0;
  while (Send(RouteId::kCreatePost, std::nullopt).status == 200) ++app_left;
  EXPECT_EQ(app_left, 4 - total);
  // Two days on (the windows slide), both windows are empty: each user's request is its first of 3.
  clock_.Advance(2 * 24 * 60 * kMinute);  // two windows: the limiter's window slides
  for (Id user : {kUserA, kUserB, kUserC}) {
    ApiResponse r = Send(RouteId::kCreatePost, user);
    EXPECT_EQ(r.status, 200) << user;
    EXPECT_EQ(Remaining(r), "2") << user;
  }
}

TEST(UserLimiterKey, DiffersByAppUserAndRouteAndFromEveryAppKey) {
  const uint64_t k = UserLimiterKey(kApp, kUserA, RouteId::kGetPost);
  EXPECT_EQ(k, UserLimiterKey(kApp, kUserA, RouteId::kGetPost));
  EXPECT_NE(k, UserLimiterKey(kApp, kUserB, RouteId::kGetPost));
  EXPECT_NE(k, UserLimiterKey(kApp + 1, kUserA, RouteId::kGetPost));
  EXPECT_NE(k, UserLimiterKey(kApp, kUserA, RouteId::kGetPosts));
  EXPECT_NE(UserLimiterKey(kUserA, kApp, RouteId::kGetPost), k);  // not symmetric
  EXPECT_NE(k, LimiterKey(kApp, RouteId::kGetPost));
  EXPECT_NE(UserLimiterKey(kApp, 0, RouteId::kGetPost), LimiterKey(kApp, RouteId::kGetPost));
}

INSTANTIATE_TEST_SUITE_P(Backends, RateWindowsTest,
                         ::testing::Values(Backend::kNodeLocal, Backend::kLocalCounters, Backend::kRedisStrict,
                                           Backend::kRedisFast),
                         Name);

}  // namespace
}  // namespace sluice
