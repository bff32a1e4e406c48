// The ledger's cost on the request path: encoding one record, appending one, and the
// sustained rate with interval sync (group commit), counted only once the records are
// durable. Records carry 100 post ids, a full page of a search.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <random>

#include "ledger/ledger.h"

namespace sluice {
namespace {

LedgerRecord PageRecord(uint64_t salt) {
  std::mt19937_64 rng(salt);
  LedgerRecord r;
  r.time = 1700000000000;
  r.node_id = 1;
  r.app_id = 1460323737035677698;
  r.project_id = 1460323737035600000;
  r.use = "search,display";
  r.endpoint = "GET /2/tweets/search/recent";
  r.status = 200;
  // Newest first, a few seconds to minutes apart: snowflake deltas of 30-40 bits.
  Id id = 1860323737035677698;
  for (int i = 0; i < 100; ++i) r.post_ids.push_back(id -= int64_t(rng() % 60000 + 1) << 22);
  for (int i = 0; i < 10; ++i) r.user_ids.push_back(int64_t(rng() >> 2));
  r.request_id = "8f3c2a1b9d7e6f50";
  r.response_bytes = 48213;
  return r;
}

// A fresh ledger directory per benchmark run.
class ScratchLedger {
 public:
  explicit ScratchLedger(LedgerSync sync) {
    char tmpl[] = "/tmp/sluice-ledger-bench-XXXXXX";
    dir_ = mkdtemp(tmpl);
    LedgerOptions options;
    options.dir = dir_ + "/ledger";
    options.sync = sync;
    options.sync_interval_ms = 10;
    auto opened = Ledger::Open(options);
    if (opened.ok()) ledger_ = std::move(*opened);
  }
  ~ScratchLedger() {
    if (ledger_) (void)ledger_->Close();
    std::filesystem::remove_all(dir_);
  }
  Ledger* get() { return ledger_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<Ledger> ledger_;
};

void BM_EncodeRecord(benchmark::State& state) {
  LedgerRecord r = PageRecord(1);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string encoded = EncodeRecord(r);
    bytes = encoded.size();
    benchmark::DoNotOptimize(encoded);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["record_bytes"] = double(bytes);
}
BENCHMARK(BM_EncodeRecord);

// What one request pays with interval sync: encode, lock, copy, CRC. Not durable yet.
void BM_AppendOne(benchmark::State& state) {
  ScratchLedger ledger(LedgerSync::kInterval);
  if (!ledger.get()) return state.SkipWithError("open failed");
  LedgerRecord r = PageRecord(1);
  uint64_t last = 0;
  for (auto _ : state) {
    auto seq = ledger.get()->Append(r);
    if (!seq.ok()) return state.SkipWithError(seq.status().message().c_str());
    last = *seq;
  }
  (void)ledger.get()->WaitDurable(last);  // untimed: the loop is over
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendOne);

// What a POST pays with sync=always: its own fdatasync (shared with concurrent appenders).
void BM_AppendSyncAlways(benchmark::State& state) {
  ScratchLedger ledger(LedgerSync::kAlways);
  if (!ledger.get()) return state.SkipWithError("open failed");
  LedgerRecord r = PageRecord(1);
  for (auto _ : state)
    if (!ledger.get()->Append(r).ok()) return state.SkipWithError("append failed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendSyncAlways)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Sustained appends/s with interval sync: each iteration appends kBatch records per thread
// and then waits until the last is durable, so only synced records count.
constexpr int kBatch = 20000;
ScratchLedger* shared_ledger = nullptr;

void BM_AppendSustained(benchmark::State& state) {
  if (state.thread_index() == 0) shared_ledger = new ScratchLedger(LedgerSync::kInterval);  // loop start is a barrier
  LedgerRecord r = PageRecord(state.thread_index() + 1);
  for (auto _ : state) {
    if (!shared_ledger->get()) {
      state.SkipWithError("open failed");
      break;
    }
    uint64_t last = 0;
    bool ok = true;
    for (int i = 0; i < kBatch && ok; ++i) {
      ++r.time;
      auto seq = shared_ledger->get()->Append(r);
      ok = seq.ok();
      if (ok) last = *seq;
    }
    if (!ok || !shared_ledger->get()->WaitDurable(last).ok()) {
      state.SkipWithError("append failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * kBatch * int64_t(EncodeRecord(r).size() + 8));
  if (state.thread_index() == 0) {  // the loop end is a barrier too
    delete shared_ledger;
    shared_ledger = nullptr;
  }
}
BENCHMARK(BM_AppendSustained)->Threads(1)->Threads(2)->UseRealTime()->MinTime(3.0)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
