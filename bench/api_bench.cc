// What the ledger stage costs one request: GET /2/tweets/:id through the whole in-process
// path (route, auth, store, render, ledger), with the ledger on and off, in the same run; what
// the worker's cache of rendered lookups saves (the same request, answered from it); and what
// the metering stages cost against the server's `[metering] enabled = false`, also with the
// response serialized as the server sends it.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "access/apps.h"
#include "access/rate_limiter.h"
#include "access/usage_meter.h"
#include "api/lookup_cache.h"
#include "core/clock.h"
#include "api/metrics.h"
#include "http/router.h"
#include "http/wire.h"
#include "ingest/seed.h"
#include "ledger/ledger.h"

namespace sluice {
namespace {

// The shipped plans with the lookup limit (1,000,000 per 15 minutes) out of reach, as in
// bench/http_bench.sh: a case run for a second or more would pass it, and measure 429s.
const Plans& BenchPlans() {
  static const Plans plans = [] {
    std::ifstream in(SLUICE_PLANS_FILE);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string from = "\"GET /2/tweets/:id\" = \"1000000/15m\"", to = "\"GET /2/tweets/:id\" = \"1000000000/15m\"";
    size_t raised = 0;
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
      ++raised;
    }
    auto parsed = Plans::Parse(text, SLUICE_PLANS_FILE);
    if (raised == 0 || !parsed.ok()) {
      std::fprintf(stderr, "api_bench: cannot raise the lookup limit in %s\n", SLUICE_PLANS_FILE);
      std::abort();
    }
    return std::move(*parsed);
  }();
  return plans;
}

struct Fixture {
  std::string dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<Ledger> ledger;
  Config config;
  SnowflakeGenerator ids{SystemClock::Instance(), 1};
  std::string authorization;
  std::string path;

  Fixture() {
    char tmpl[] = "/tmp/sluice-api-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    store = std::move(*OpenStore({"sqlite", dir, true}));
    SeedOptions o;
    o.users = 1000;
    o.posts = 20000;
    o.now = SystemClock::Instance().NowMs();
    (void)GenerateSeed(o, [&](WriteBatch&& b) { return store->Apply(b); }, nullptr);
    auto app = CreateApp(*store, ids, SystemClock::Instance(), BenchPlans(), NewApp{.name = "bench", .plan = "enterprise"});
    authorization = "Bearer " + app->bearer_token;
    PageRequest page;
    page.limit = 1;
    auto q = ParseSearchQuery("the OR le");
    path = "/2/tweets/" + std::to_string(store->Search(*q, page)->front().post.id);
    LedgerOptions lo;
    lo.dir = dir + "/ledger";
    ledger = std::move(*Ledger::Open(lo));
  }
  ~Fixture() {
    (void)ledger->Close();
    ledger.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

// Arg 0: no metering stage (the plan and licence check only); 1: and the ledger; 2: every stage (plan, licence, rate limit,
// cap with daily dedupe, ledger). The ratio of 2 to 0 is the metering cost. 3: every stage,
// with a lookup cache (server.lookup_cache_entries): every iteration but the first is a hit.
// 4 and 5: 2 and 3 as the server runs them with `[metering] enabled = false` (plan, licence
// and ledger stay; no limiter, no usage meter): 2 against 4 is what the metering goal (DESIGN.md)
// measures, and 3 against 5 what bench/http_bench.sh measures (its requests are cache hits).
// `wire`: the response is also serialized to its HTTP/1.1 bytes (http/wire.h), whose headers
// the metering stages add to.
void RunGetPostById(benchmark::State& state, bool wire) {
  Fixture& f = Shared();
  RateLimiter limiter(SystemClock::Instance());
  UsageMeter meter(SystemClock::Instance());
  const int64_t arg = state.range(0);
  const bool metering = arg == 2 || arg == 3, cached = arg == 3 || arg == 5;
  Metrics metrics;
  Services services{SystemClock::Instance(), f.ids, f.config, BenchPlans(), metrics, arg ? f.ledger.get() : nullptr,
                    metering ? &limiter : nullptr, metering ? &meter : nullptr};
  QueueExecutor executor;
  WorkerState worker(*f.store, executor);
  if (cached) worker.lookup_cache.emplace(10000);
  Router router(services, {});
  ApiRequest req{"GET", f.path, "tweet.fields=created_at,author_id&expansions=author_id", f.authorization, "", "", "", "bench"};
  for (auto _ : state) {
    ApiResponse r = DispatchAndWait(router, worker, executor, req);
    if (r.status != 200) state.SkipWithError(("unexpected status " + std::to_string(r.status) + " " + r.body).c_str());
    if (wire) {
      std::string bytes = ResponseBytes(std::move(r), true, "0123456789ab00000001");
      benchmark::DoNotOptimize(bytes.data());
    } else {
      benchmark::DoNotOptimize(r.body.data());
    }
  }
  state.SetItemsProcessed(state.iterations());
  static const char* kLabels[] = {"no metering",          "ledger only",
                                  "all metering stages",  "all stages, lookup cache",
                                  "metering off",         "metering off, lookup cache"};
  state.SetLabel(kLabels[arg]);
}
void BM_GetPostById(benchmark::State& state) { RunGetPostById(state, false); }
void BM_GetPostByIdOnTheWire(benchmark::State& state) { RunGetPostById(state, true); }
BENCHMARK(BM_GetPostById)->DenseRange(0, 5);
BENCHMARK(BM_GetPostByIdOnTheWire)->Arg(3)->Arg(5);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
