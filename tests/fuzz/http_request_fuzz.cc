// libFuzzer entry: raw bytes read as the server reads a request (the same Beast parser and
// limits, http/request.h), then, when they make a whole request, routed and answered as the
// server answers it (Dispatch, then the wire bytes) against a real SQLite store seeded with a
// few users and posts, the shipped plans, a rate limiter and a usage meter. Whatever the bytes,
// the answer is a response with a status in 200..599 (a read error a 4xx), never a crash.
//
// Tokens in the seed corpus: "sl_fuzz_pro" (plan pro) and "sl_fuzz_payg" (payg, with credits).
// Users 1..5 (alice, bob, carol, dave, erin); 30 posts, one an hour until 2025-06-15T15:06:40Z,
// with snowflake ids of their times (search and timelines bound ids by time): post i is
// MakeSnowflake(kStart - (30 - i) h, 0, i), e.g. post 0 is 1933813325624246272, post 3 is 1933858624107446275.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "access/apps.h"
#include "access/plans.h"
#include "access/rate_limiter.h"
#include "access/tokens.h"
#include "access/usage_meter.h"
#include "api/lookup_cache.h"
#include "api/metrics.h"
#include "core/snowflake.h"
#include "core/text.h"
#include "http/problem.h"
#include "http/request.h"
#include "http/router.h"
#include "http/wire.h"

namespace {

using namespace sluice;

constexpr TimeMs kStart = 1'750'000'000'000;  // 2025-06-15

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "http_request_fuzz set-up: %s\n", what);
  std::abort();
}

WriteBatch Data() {
  WriteBatch batch;
  const char* names[] = {"alice", "bob", "carol", "dave", "erin"};
  for (int i = 0; i < 5; ++i) {
    User u;
    u.id = i + 1;
    u.username = names[i];
    u.name = std::string(names[i]) + " example";
    u.description = "posts about #ai and #data";
    u.created_at = kStart - 400LL * 86'400'000;
    batch.users.push_back(u);
  }
  const char* texts[] = {"hello world #ai", "le chat est sur la table @bob", "search me: data pipelines",
                         "@alice thanks for the link https://example.com/a", "quoting this one", "#data #ai OR not",
                         "ça marche très bien 🎉", "plain text without anything"};
  for (int i = 0; i < 30; ++i) {
    Post p;
    p.created_at = kStart - (30 - i) * 3'600'000LL;
    p.id = MakeSnowflake(p.created_at, 0, i);
    p.author_id = 1 + i % 5;
    p.text = texts[i % 8];
    p.lang = i % 2 ? "fr" : "en";
    p.conversation_id = p.id;
    if (i % 7 == 3) {
      p.referenced.push_back({ReferenceType::kRepliedTo, batch.posts.back().id});
      p.in_reply_to_user_id = batch.posts.back().author_id;
      p.conversation_id = batch.posts.back().id;
    }
    if (i % 9 == 4) p.referenced.push_back({ReferenceType::kQuoted, batch.posts.front().id});
    p.entities = ExtractEntities(p.text);
    p.edit_history = {p.id};
    batch.posts.push_back(p);
  }
  return batch;
}

struct World {
  std::string dir;
  ManualClock clock{kStart};
  SnowflakeGenerator ids{clock, 3};
  Config config;
  std::unique_ptr<Store> store;
  Metrics metrics;
  RateLimiter limiter{clock};
  UsageMeter meter{clock};
  QueueExecutor executor;
  std::unique_ptr<Services> services;
  std::unique_ptr<WorkerState> worker;
  std::unique_ptr<Router> router;

  World() {
    char tmpl[] = "/tmp/sluice-http-fuzz-XXXXXX";
    Check(mkdtemp(tmpl) != nullptr, "mkdtemp");
    dir = tmpl;
    auto opened = OpenStore({"sqlite", dir, true});
    Check(opened.ok(), "open store");
    store = std::move(*opened);
    Check(store->Apply(Data()).ok(), "seed");
    for (auto [plan, token] : {std::pair{"pro", "sl_fuzz_pro"}, std::pair{"payg", "sl_fuzz_payg"}}) {
      auto created = CreateApp(*store, ids, clock, Plans::Defaults(), NewApp{.name = std::string("fuzz ") + plan, .plan = plan});
      Check(created.ok(), "create app");
      Check(*store->ReplaceAppToken(created->app.id, HashToken(token)), "set token");
      if (std::string_view(plan) == "payg")
        Check(store->AddCredits(created->app.project_id, 1'000'000'000'000, kStart).ok(), "credits");
    }
    services = std::make_unique<Services>(Services{clock, ids, config, Plans::Defaults(), metrics, nullptr, &limiter, &meter});
    worker = std::make_unique<WorkerState>(*store, executor);
    worker->lookup_cache.emplace(256);
    router = std::make_unique<Router>(*services, [](RouteId) { return ApiResponse::Json(200, "{}"); });
  }
  ~World() {
    router.reset();
    worker.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

World& TheWorld() {
  static World* world = new World();  // lives until exit
  static const bool cleanup = (std::atexit([] { delete world; }), true);
  (void)cleanup;
  return *world;
}

void CheckResponse(const ApiResponse& r) {
  if (r.status < 200 || r.status > 599) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = TheWorld();
  // Each input a rate-limit window later, so the limits never refuse everything for long.
  w.clock.Advance(15 * 60'000 + 1);
  HttpRequestParser parser;
  LimitParser(parser, w.config.server);
  parser.eager(true);
  boost::beast::error_code ec;
  const char* p = reinterpret_cast<const char*>(data);
  size_t left = size;
  while (left > 0 && !parser.is_done()) {
    size_t used = parser.put(boost::asio::buffer(p, left), ec);
    if (ec == boost::beast::http::error::need_more) break;  // an incomplete request: the server would wait
    if (ec) {
      if (IsSilentReadError(ec)) return 0;
      ApiResponse problem = ProblemResponse(ReadError(ec, w.config.server));
      if (problem.status < 400 || problem.status > 499) std::abort();
      (void)ResponseBytes(std::move(problem), false, "fuzz");
      return 0;
    }
    if (used == 0) break;
    p += used;
    left -= used;
  }
  if (!parser.is_done()) return 0;
  const HttpRequest& req = parser.get();
  auto api = ToApiRequest(req, "fuzz");
  ApiResponse response = api.ok() ? DispatchAndWait(*w.router, *w.worker, w.executor, *api) : ProblemResponse(api.status());
  CheckResponse(response);
  (void)ResponseBytes(std::move(response), req.keep_alive(), "fuzz");
  return 0;
}
