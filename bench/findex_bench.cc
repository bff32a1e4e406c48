// FingerprintIndex: build time and memory for 1,000,000 synthetic posts (~120 bytes, words
// from a generated 50k-word vocabulary drawn Zipf-like), then Match throughput over 200 MB of
// ~1 KB documents, half of which hold 1-3 indexed posts, beside Fingerprint-only throughput
// over the same documents, so the cost of matching shows. Target for `sluice trace`:
// >= 300 MB/s per core for the whole scan.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "provenance/fingerprint.h"
#include "provenance/fingerprint_index.h"

namespace sluice {
namespace {

constexpr size_t kPosts = 1'000'000;
constexpr size_t kPostBytes = 120;
constexpr size_t kCorpusBytes = 200u << 20;
constexpr size_t kDocBytes = 1024;
constexpr int kVocabulary = 50'000;

class Generator {
 public:
  Generator() : rng_(20240917) {
    for (int i = 0; i < kVocabulary; ++i) {
      std::string w;
      for (int n = 2 + static_cast<int>(rng_() % 9); n > 0; --n) w += static_cast<char>('a' + rng_() % 26);
      vocabulary_.push_back(std::move(w));
      cdf_.push_back((cdf_.empty() ? 0 : cdf_.back()) + 1.0 / (i + 1));
    }
  }
  void AppendText(std::string& out, size_t bytes) {
    const size_t end = out.size() + bytes;
    while (out.size() < end) {
      const double u = std::uniform_real_distribution<double>(0, cdf_.back())(rng_);
      out += vocabulary_[std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin()];
      out += (rng_() % 10 == 0) ? ", " : " ";
    }
  }
  uint64_t Next() { return rng_(); }

 private:
  std::mt19937_64 rng_;
  std::vector<std::string> vocabulary_;
  std::vector<double> cdf_;
};

struct Data {
  std::vector<std::string> posts;
  std::vector<IndexedText> texts;
  std::vector<std::string> docs;
  size_t doc_bytes = 0;
  size_t planted = 0;  // posts planted into documents
};

const Data& GetData() {
  static const Data data = [] {
    Data d;
    Generator gen;
    d.posts.resize(kPosts);
    for (auto& p : d.posts) gen.AppendText(p, kPostBytes);
    for (size_t i = 0; i < kPosts; ++i) d.texts.push_back(IndexedText{static_cast<Id>(i + 1), i % 100 == 0, d.posts[i]});
    while (d.doc_bytes < kCorpusBytes) {
      std::string doc;
      if (gen.Next() % 2 == 0) {
        for (int k = 1 + static_cast<int>(gen.Next() % 3); k > 0; --k) {
          gen.AppendText(doc, 150);
          doc += d.posts[gen.Next() % kPosts];
          doc += ' ';
          ++d.planted;
        }
      }
      gen.AppendText(doc, kDocBytes > doc.size() ? kDocBytes - doc.size() : 0);
      d.doc_bytes += doc.size();
      d.docs.push_back(std::move(doc));
    }
    return d;
  }();
  return data;
}

const FingerprintIndex& GetIndex() {
  static const FingerprintIndex index = FingerprintIndex::Build(GetData().texts);
  return index;
}

void BM_Build(benchmark::State& state) {
  const Data& d = GetData();
  for (auto _ : state) {
    FingerprintIndex index = FingerprintIndex::Build(d.texts);
    state.counters["bytes_per_post"] = static_cast<double>(index.MemoryBytes()) / kPosts;
    state.counters["index_MB"] = static_cast<double>(index.MemoryBytes()) / (1 << 20);
  }
  state.counters["posts"] = kPosts;
}
BENCHMARK(BM_Build)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_Match(benchmark::State& state) {
  const Data& d = GetData();
  const FingerprintIndex& index = GetIndex();
  FingerprintIndex::Scratch scratch;
  size_t matched = 0;
  for (auto _ : state) {
    matched = 0;
    for (const auto& doc : d.docs) matched += index.Match(doc, scratch).size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(d.doc_bytes) * state.iterations());
  state.counters["planted"] = static_cast<double>(d.planted);
  state.counters["matched"] = static_cast<double>(matched);
}
BENCHMARK(BM_Match)->Unit(benchmark::kMillisecond)->Iterations(2);

// The same documents in batches of about 256 KB, as `sluice trace` reads them.
void BM_MatchBatch(benchmark::State& state) {
  const Data& d = GetData();
  const FingerprintIndex& index = GetIndex();
  FingerprintIndex::Scratch scratch;
  size_t matched = 0;
  std::vector<std::string_view> batch;
  for (auto _ : state) {
    matched = 0;
    size_t bytes = 0;
    auto flush = [&] {
      index.MatchBatch(batch, scratch, {}, [&](size_t, std::vector<TextMatch>& m) { matched += m.size(); });
      batch.clear();
      bytes = 0;
    };
    for (const auto& doc : d.docs) {
      batch.push_back(doc);
      if ((bytes += doc.size()) >= (256 << 10)) flush();
    }
    flush();
  }
  state.SetBytesProcessed(static_cast<int64_t>(d.doc_bytes) * state.iterations());
  state.counters["planted"] = static_cast<double>(d.planted);
  state.counters["matched"] = static_cast<double>(matched);
}
BENCHMARK(BM_MatchBatch)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_FingerprintOnly(benchmark::State& state) {
  const Data& d = GetData();
  for (auto _ : state) {
    for (const auto& doc : d.docs) benchmark::DoNotOptimize(Fingerprint(doc));
  }
  state.SetBytesProcessed(static_cast<int64_t>(d.doc_bytes) * state.iterations());
}
BENCHMARK(BM_FingerprintOnly)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
