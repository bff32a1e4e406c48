// How long `sluice seed` takes: generation alone, and generation + SQLite (WAL, FTS5) writes.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/clock.h"
#include "ingest/seed.h"
#include "store/store.h"

namespace sluice {
namespace {

SeedOptions Options(const benchmark::State& state) {
  SeedOptions o;
  o.users = state.range(0);
  o.posts = state.range(1);
  o.seed = 1;
  o.now = SystemClock::Instance().NowMs();
  return o;
}

void BM_GenerateSeed(benchmark::State& state) {
  for (auto _ : state) {
    int64_t posts = 0;
    Status s = GenerateSeed(
        Options(state),
        [&posts](WriteBatch&& b) {
          posts += int64_t(b.posts.size());
          return Status::Ok();
        },
        nullptr);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
    benchmark::DoNotOptimize(posts);
  }
  state.SetItemsProcessed(state.iterations() * state.range(1));
}
BENCHMARK(BM_GenerateSeed)->Args({5000, 200000})->Unit(benchmark::kMillisecond);

void BM_SeedIntoSqlite(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    char tmpl[] = "/tmp/sluice-bench-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    auto store = OpenStore({"sqlite", dir, true});
    state.ResumeTiming();
    Status s = GenerateSeed(Options(state), [&](WriteBatch&& b) { return (*store)->Apply(b); }, nullptr);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
    state.PauseTiming();
    store->reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * state.range(1));
}
BENCHMARK(BM_SeedIntoSqlite)->Args({5000, 200000})->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
