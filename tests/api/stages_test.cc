// The route table, the list of stages the server builds, and the real stages run through the
// router on a real store: each refusal with its reason.
#include "api/stages.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "access/apps.h"
#include "api/handlers.h"
#include "api/metrics.h"
#include "http/router.h"

namespace sluice {
namespace {

TEST(RouteTable, EveryIdIsInTheTableOnceAndNamesItself) {
  for (size_t i = 0; i < kRouteCount; ++i) {
    EXPECT_EQ(size_t(kRoutes[i].id), i) << "the table is in RouteId order";
    EXPECT_EQ(RouteByEndpoint(EndpointName(RouteId(i))), RouteId(i)) << EndpointName(RouteId(i));
  }
  EXPECT_EQ(EndpointName(RouteId::kGetPost), "GET /2/tweets/:id");
  EXPECT_FALSE(RouteByEndpoint("GET /2/lists/:id").has_value());
}

TEST(RouteTable, MatchesLiteralsBeforeCapturesAndSaysWhichMethodsAPathHas) {
  RouteMatch m = MatchRoute("GET", "/2/tweets/search/recent");
  EXPECT_EQ(m.route, RouteId::kSearchRecent);
  m = MatchRoute("GET", "/2/tweets/123/");
  EXPECT_EQ(m.route, RouteId::kGetPost);
  EXPECT_EQ(m.capture, "123");
  m = MatchRoute("GET", "/2/users/by/username/jack");
  EXPECT_EQ(m.route, RouteId::kGetUserByUsername);
  EXPECT_EQ(m.capture, "jack");
  m = MatchRoute("PUT", "/2/tweets/123");
  EXPECT_FALSE(m.route.has_value());
  EXPECT_EQ(m.allow, "GET, DELETE");
  m = MatchRoute("GET", "/2/tweets//quote_tweets");
  EXPECT_FALSE(m.route.has_value());
  EXPECT_EQ(m.allow, "");
}

// /2/users/search comes after /2/users/:id in the table (new routes are appended): the
// literal segment still wins, whatever the order, and a capture still takes other names.
TEST(RouteTable, ALiteralSegmentBeatsACaptureWhateverTheOrder) {
  RouteMatch m = MatchRoute("GET", "/2/users/search");
  EXPECT_EQ(m.route, RouteId::kSearchUsers);
  EXPECT_EQ(m.capture, "");
  m = MatchRoute("GET", "/2/users/searcher");
  EXPECT_EQ(m.route, RouteId::kGetUser);
  EXPECT_EQ(m.capture, "searcher");
  EXPECT_EQ(MatchRoute("GET", "/2/tweets/search/all").route, RouteId::kSearchAll);
  EXPECT_EQ(MatchRoute("GET", "/2/tweets/counts/all").route, RouteId::kCountAll);
  EXPECT_EQ(MatchRoute("GET", "/2/openapi.json").route, RouteId::kGetOpenApi);
  m = MatchRoute("POST", "/2/users/search");
  EXPECT_FALSE(m.route.has_value());
  EXPECT_EQ(m.allow, "GET") << "one GET, though /2/users/:id matches too";
}

// The routes of the actions on behalf of an account have two captures: both come back, and
// a route with fewer captures still wins where both match.
TEST(RouteTable, TwoCapturesComeBackInOrder) {
  RouteMatch m = MatchRoute("DELETE", "/2/users/12/likes/34");
  EXPECT_EQ(m.route, RouteId::kUnlikePost);
  EXPECT_EQ(m.capture, "12");
  EXPECT_EQ(m.capture2, "34");
  m = MatchRoute("DELETE", "/2/users/12/following/56/");
  EXPECT_EQ(m.route, RouteId::kUnfollowUser);
  EXPECT_EQ(m.capture, "12");
  EXPECT_EQ(m.capture2, "56");
  m = MatchRoute("POST", "/2/users/12/likes");
  EXPECT_EQ(m.route, RouteId::kLikePost);
  EXPECT_EQ(m.capture2, "");
  m = MatchRoute("GET", "/2/users/12/following");
  EXPECT_EQ(m.route, RouteId::kGetFollowing);
  m = MatchRoute("PUT", "/2/tweets/9/hidden");
  EXPECT_EQ(m.route, RouteId::kHideReply);
  EXPECT_EQ(m.capture, "9");
  m = MatchRoute("GET", "/2/users/12/likes/34");
  EXPECT_FALSE(m.route.has_value());
  EXPECT_EQ(m.allow, "DELETE");
  EXPECT_FALSE(MatchRoute("DELETE", "/2/users/12/likes//").route.has_value());
}

TEST(RouteTable, EveryApiRouteHasAHandlerAndTheOthersNone) {
  for (const Route& r : kRoutes) EXPECT_EQ(HandlerFor(r.id) != nullptr, r.kind == RouteKind::kApi) << EndpointName(r.id);
}

// A route a plan grants has its limit there (per app, per user or both), and every API route
// is granted by some shipped plan: a route added to the table but to no plan would be refused
// on every plan.
TEST(RouteTable, EveryApiRouteHasALimitInTheShippedPlansThatGrantIt) {
  for (const Route& r : kRoutes) {
    int granted = 0;
    for (const Plan& plan : Plans::Defaults().all()) {
      auto listed_in = [&](const std::vector<EndpointLimit>& v) {
        return std::any_of(v.begin(), v.end(), [&](const EndpointLimit& l) { return l.route == r.id; });
      };
      EXPECT_EQ(plan.LimitFor(r.id) != nullptr, listed_in(plan.limits)) << plan.name << " " << EndpointName(r.id);
      EXPECT_EQ(plan.UserLimitFor(r.id) != nullptr, listed_in(plan.user_limits)) << plan.name << " " << EndpointName(r.id);
      if (!plan.Offers(r.id)) continue;
      ++granted;
      EXPECT_EQ(r.kind, RouteKind::kApi) << plan.name << " limits a route that needs no token";
      for (const EndpointLimit* limit : {plan.LimitFor(r.id), plan.UserLimitFor(r.id)}) {
        if (!limit) continue;
        EXPECT_EQ(limit->endpoint, EndpointName(r.id));
        EXPECT_GE(limit->requests, 1);
      }
    }
    if (r.kind == RouteKind::kApi) {
      EXPECT_GE(granted, 1) << EndpointName(r.id) << " is in no shipped plan";
    }
  }
}

TEST(RouteTable, APlanNamingNoRouteDoesNotLoad) {
  auto p = Plans::Parse(R"([plans.x]
title = "X"
monthly_price_usd = "0"
max_apps = 1
limits = { "GET /2/lists/:id" = "1/15m" }
)",
                        "plans.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("is not an endpoint Sluice serves"), std::string::npos) << p.status().message();
  auto health = Plans::Parse(R"([plans.x]
title = "X"
monthly_price_usd = "0"
max_apps = 1
limits = { "GET /healthz" = "1/15m" }
)",
                             "plans.toml");
  EXPECT_FALSE(health.ok());
}

class StagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-stages-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(*OpenStore({"sqlite", dir_, true}));
    worker_ = std::make_unique<WorkerState>(*store_, executor_);
  }
  void TearDown() override {
    worker_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string Token(const std::string& plan) {
    auto created = CreateApp(*store_, ids_, clock_, Plans::Defaults(), NewApp{.name = plan, .plan = plan});
    EXPECT_TRUE(created.ok()) << created.status().message();
    return "Bearer " + created->bearer_token;
  }
  ApiResponse Get(const Router& router, std::string_view path, const std::string& auth) {
    return DispatchAndWait(router, *worker_, executor_, ApiRequest{"GET", path, "", auth, "", "", "", "t"});
  }
  std::vector<std::string_view> Names(const Chain& chain) {
    std::vector<std::string_view> names;
    for (const auto& s : chain.stages()) names.push_back(s->name());
    return names;
  }

  static Config AppTokensWrite() {
    Config c;
    c.oauth.app_tokens_write = true;
    return c;
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{1'700'000'000'000};
  SnowflakeGenerator ids_{clock_, 1};
  Config config_ = AppTokensWrite();  // the app's token writes as its own account
  Metrics metrics_;
  RateLimiter limiter_{clock_};
  UsageMeter meter_{clock_};
  QueueExecutor executor_;
  std::unique_ptr<WorkerState> worker_;
};

TEST_F(StagesTest, TheListHoldsTheStagesOfWhatIsThereAndNothingElse) {
  Services bare{clock_, ids_, config_, Plans::Defaults(), metrics_};
  EXPECT_EQ(Names(*RequestStages(bare)),
            (std::vector<std::string_view>{"authenticate", "plan-and-licence", "handler", "headers", "apply-write"}));
  Config delayed;
  delayed.fault.delay_ms = 5;
  Services full{clock_, ids_, delayed, Plans::Defaults(), metrics_, nullptr, &limiter_, &meter_};
  EXPECT_EQ(Names(*RequestStages(full)),
            (std::vector<std::string_view>{"fault-delay", "authenticate", "plan-and-licence", "rate-limit", "write-check",
                                           "handler", "cap-and-credits", "headers", "apply-write"}));
}

TEST_F(StagesTest, EachRefusalIsCountedByItsReason) {
  // The server's plans, changed since the apps were made: free is gone, basic lost lookups,
  // pro licenses search only.
  auto plans = Plans::Parse(R"([plans.basic]
title = "Basic"
monthly_price_usd = "100"
max_apps = 2
limits = { "GET /2/users/:id" = "10/15m" }
[plans.pro]
title = "Pro"
monthly_price_usd = "5000"
max_apps = 3
uses = ["search"]
limits = { "GET /2/tweets/:id" = "10/15m" }
)",
                            "plans.toml");
  ASSERT_TRUE(plans.ok()) << plans.status().message();
  Services s{clock_, ids_, config_, *plans, metrics_, nullptr, &limiter_, &meter_};
  Router router(s, {});
  EXPECT_EQ(Get(router, "/2/tweets/1", "Bearer nope").status, 401);
  EXPECT_EQ(Get(router, "/2/tweets/1", Token("free")).status, 403);   // no such plan now
  EXPECT_EQ(Get(router, "/2/tweets/1", Token("basic")).status, 403);  // the plan lacks the endpoint
  ApiResponse unlicensed = Get(router, "/2/tweets/1", Token("pro"));  // declares display, analytics
  EXPECT_EQ(unlicensed.status, 403);
  EXPECT_NE(unlicensed.body.find("use-not-licensed"), std::string::npos) << unlicensed.body;
  std::string m = metrics_.Render(nullptr);
  EXPECT_NE(m.find("sluice_refused_total{reason=\"token\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_refused_total{reason=\"plan\"} 2\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_refused_total{reason=\"licence\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_requests_total{route=\"GET /2/tweets/:id\",status=\"403\"} 3\n"), std::string::npos) << m;
  EXPECT_NE(m.find("sluice_requests_total{route=\"GET /2/tweets/:id\",status=\"401\"} 1\n"), std::string::npos) << m;
}

TEST_F(StagesTest, AWriteBeyondThePrepaidCreditsIsRefusedAsCreditsAndCostsNoRateLimit) {
  Services s{clock_, ids_, config_, Plans::Defaults(), metrics_, nullptr, &limiter_, &meter_};
  Router router(s, {});
  const std::string payg = Token("payg");
  ApiRequest post{"POST", "/2/tweets", "", payg, "application/json", "", R"({"text":"hi"})", "t"};
  ApiResponse first = DispatchAndWait(router, *worker_, executor_, post);
  ASSERT_EQ(first.status, 402) << first.body;
  ApiResponse second = DispatchAndWait(router, *worker_, executor_, post);
  ASSERT_EQ(second.status, 402);
  auto header = [](const ApiResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return std::string();
  };
  EXPECT_EQ(header(first, "x-rate-limit-remaining"), header(second, "x-rate-limit-remaining"));
  EXPECT_NE(metrics_.Render(nullptr).find("sluice_refused_total{reason=\"credits\"} 2\n"), std::string::npos);
}

TEST_F(StagesTest, TheFaultDelayHoldsARequestWithoutHoldingTheWorker) {
  Config delayed;
  delayed.fault.delay_ms = 30;
  Services s{clock_, ids_, delayed, Plans::Defaults(), metrics_};
  Router router(s, {});
  const std::string auth = Token("pro");
  std::vector<std::optional<ApiResponse>> out(20);
  std::vector<ApiRequest> requests(out.size(), ApiRequest{"GET", "/2/users/by/username/nobody", "", auth, "", "", "", "t"});
  for (size_t i = 0; i < out.size(); ++i) router.Dispatch(*worker_, requests[i], [&out, i](ApiResponse r) { out[i] = std::move(r); });
  EXPECT_TRUE(std::none_of(out.begin(), out.end(), [](auto& o) { return o.has_value(); }));
  EXPECT_EQ(Get(router, "/healthz/", "").status, 500);  // no operational answerer here: a 500, not a crash
  ASSERT_TRUE(executor_.RunUntil([&] { return std::all_of(out.begin(), out.end(), [](auto& o) { return o.has_value(); }); }));
  for (auto& o : out) EXPECT_EQ(o->status, 200) << o->body;  // X answers an unknown name in errors[]
  EXPECT_NE(metrics_.Render(nullptr).find("sluice_requests_waiting_max 20\n"), std::string::npos);
}

}  // namespace
}  // namespace sluice
