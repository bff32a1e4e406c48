// The corpus reader's share of `sluice trace`: documents per second read from a 200 MB
// generated JSONL file (plain, gzip and zstd) with a no-op visitor. Bytes are counted
// uncompressed, so the MB/s compare with the trace's 300 MB/s target. The plain file is read
// from the page cache (it was just written), so this measures CPU, not the disk.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "provenance/corpus_reader.h"

namespace sluice {
namespace {

constexpr size_t kTargetBytes = size_t{200} << 20;

// Lines like a web-text dump: an id, a few hundred characters of text, some metadata.
std::string Generate() {
  static const char* kWords[] = {"the", "model", "provenance", "of", "a", "dataset", "is",
                                 "recorded", "in", "ledger", "post", "user", "search",
                                 "stream", "caf\\u00e9", "licence", "\\\"quoted\\\"", "and"};
  std::mt19937_64 rng(42);
  std::string out;
  out.reserve(kTargetBytes + 4096);
  uint64_t id = 1460323737035677698;
  while (out.size() < kTargetBytes) {
    out += "{\"id\":\"" + std::to_string(id++) + "\",\"text\":\"";
    size_t words = 40 + rng() % 80;
    for (size_t i = 0; i < words; ++i) {
      if (i) out += ' ';
      out += kWords[rng() % std::size(kWords)];
    }
    out += "\",\"lang\":\"en\",\"meta\":{\"source\":\"web\",\"score\":0.73}}\n";
  }
  return out;
}

struct Files {
  std::string dir, plain, gz, zst;
  uint64_t bytes = 0;

  Files() {
    char tmpl[] = "/tmp/sluice-corpus-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    plain = dir + "/c.jsonl";
    gz = dir + "/c.jsonl.gz";
    zst = dir + "/c.jsonl.zst";
    std::string data = Generate();
    bytes = data.size();
    std::ofstream(plain, std::ios::binary) << data;

    gzFile g = gzopen(gz.c_str(), "wb6");
    for (size_t at = 0; at < data.size(); at += 1 << 20) {
      size_t n = std::min<size_t>(1 << 20, data.size() - at);
      gzwrite(g, data.data() + at, unsigned(n));
    }
    gzclose(g);

    std::string z(ZSTD_compressBound(data.size()), '\0');
    z.resize(ZSTD_compress(z.data(), z.size(), data.data(), data.size(), 3));
    std::ofstream(zst, std::ios::binary) << z;
  }
  ~Files() { std::filesystem::remove_all(dir); }
};

const Files& TheFiles() {
  static Files files;
  return files;
}

void Read(benchmark::State& state, const std::string& path) {
  CorpusStats stats;
  for (auto _ : state) {
    stats = {};
    Status s = ReadCorpus(path, {}, [](const CorpusDocument& d) {
      benchmark::DoNotOptimize(d.text.data());
      return true;
    }, stats);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
  }
  state.SetBytesProcessed(int64_t(state.iterations() * stats.uncompressed_bytes));
  state.counters["docs"] = double(stats.documents);
  state.counters["malformed"] = double(stats.malformed);
  state.counters["disk_MB"] = double(stats.bytes) / 1e6;
}

void BM_ReadJsonlPlain(benchmark::State& state) { Read(state, TheFiles().plain); }
void BM_ReadJsonlGzip(benchmark::State& state) { Read(state, TheFiles().gz); }
void BM_ReadJsonlZstd(benchmark::State& state) { Read(state, TheFiles().zst); }

BENCHMARK(BM_ReadJsonlPlain)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ReadJsonlGzip)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_ReadJsonlZstd)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
