// Fingerprint throughput (bytes_per_second) on 10 MB of synthetic posts of about 200 bytes:
// English-like ASCII text, and the same with 20% of the words French and accented; the same
// ASCII in long documents; and, given SLUICE_BENCH_JSONL, the texts of a JSONL corpus. The scan
// of `sluice trace` aims at >= 300 MB/s on one core.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "provenance/fingerprint.h"

namespace sluice {
namespace {

constexpr size_t kCorpusBytes = 10 << 20;
constexpr size_t kDocBytes = 200;

const char* const kEnglish[] = {
    "the",     "of",     "and",      "to",      "in",       "is",      "that",   "for",    "it",
    "was",     "on",     "with",     "he",      "as",       "you",     "at",     "be",     "this",
    "have",    "from",   "or",       "one",     "had",      "by",      "word",   "but",    "not",
    "what",    "all",    "were",     "we",      "when",     "your",    "can",    "said",   "there",
    "people",  "city",   "council",  "budget",  "Tuesday",  "parks",   "voted",  "money",  "trees",
    "morning", "coffee", "weather",  "traffic", "election", "Twitter", "API",    "update", "release",
    "great",   "really", "tomorrow", "meeting", "thanks",   "NEWS",    "2024",   "live",   "game",
    "team",    "season", "music",    "video",   "photo",    "love",    "friends"};
const char* const kFrench[] = {"été",    "café",     "déjà",  "très",   "à",      "où",
                               "élève",  "Noël",     "forêt", "garçon", "hôtel",  "réunion",
                               "clé",    "problème", "année", "fenêtre", "égalité", "Québec"};
const char* const kPunct[] = {" ", " ", " ", " ", " ", " ", ", ", ". ", "! ", "? ", "  ", "\n", " - "};

std::vector<std::string> MakeCorpus(int french_percent) {
  std::mt19937_64 rng(20240601);
  std::vector<std::string> docs;
  size_t total = 0;
  while (total < kCorpusBytes) {
    std::string doc;
    while (doc.size() < kDocBytes) {
      if (static_cast<int>(rng() % 100) < french_percent) {
        doc += kFrench[rng() % std::size(kFrench)];
      } else {
        doc += kEnglish[rng() % std::size(kEnglish)];
      }
      doc += kPunct[rng() % std::size(kPunct)];
    }
    total += doc.size();
    docs.push_back(std::move(doc));
  }
  return docs;
}

void Run(benchmark::State& state, const std::vector<std::string>& docs) {
  size_t bytes = 0;
  for (const auto& d : docs) bytes += d.size();
  for (auto _ : state) {
    for (const auto& d : docs) benchmark::DoNotOptimize(Fingerprint(d));
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(docs.size()) * state.iterations());
}

void BM_FingerprintAscii(benchmark::State& state) {
  static const std::vector<std::string> docs = MakeCorpus(0);
  Run(state, docs);
}
BENCHMARK(BM_FingerprintAscii)->Unit(benchmark::kMillisecond);

void BM_FingerprintFrench20(benchmark::State& state) {
  static const std::vector<std::string> docs = MakeCorpus(20);
  Run(state, docs);
}
BENCHMARK(BM_FingerprintFrench20)->Unit(benchmark::kMillisecond);

// The same text as BM_FingerprintAscii in 64 KB documents: what the per-document work costs
// (the difference between the two).
void BM_FingerprintAsciiLongDocuments(benchmark::State& state) {
  static const std::vector<std::string> docs = [] {
    std::vector<std::string> out(1);
    for (const auto& d : MakeCorpus(0)) {
      if (out.back().size() >= (64 << 10)) out.emplace_back();
      out.back() += d;
      out.back() += ' ';
    }
    return out;
  }();
  Run(state, docs);
}
BENCHMARK(BM_FingerprintAsciiLongDocuments)->Unit(benchmark::kMillisecond);

// The "text" of each line of the JSONL file named by SLUICE_BENCH_JSONL (first 50 MB), e.g.
// bench/trace_bench.sh's corpus: fingerprinting alone on the text trace scans. Skipped unset.
std::vector<std::string> JsonlTexts() {
  std::vector<std::string> out;
  const char* path = std::getenv("SLUICE_BENCH_JSONL");
  if (path == nullptr) return out;
  std::ifstream in(path);
  size_t total = 0;
  for (std::string line; total < (50 << 20) && std::getline(in, line);) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object() || !v.as_object().contains("text")) continue;
    out.emplace_back(v.as_object().at("text").as_string());
    total += out.back().size();
  }
  return out;
}

void BM_FingerprintJsonlFile(benchmark::State& state) {
  static const std::vector<std::string> docs = JsonlTexts();
  if (docs.empty()) {
    state.SkipWithError("set SLUICE_BENCH_JSONL to a JSONL file");
    return;
  }
  Run(state, docs);
}
BENCHMARK(BM_FingerprintJsonlFile)->Unit(benchmark::kMillisecond);

// The same texts joined by '\n' and fingerprinted together (AppendFingerprints), in batches of
// about 256 KB as `sluice trace` does.
void BM_FingerprintsJoinedJsonlFile(benchmark::State& state) {
  static const std::vector<std::string> docs = JsonlTexts();
  if (docs.empty()) {
    state.SkipWithError("set SLUICE_BENCH_JSONL to a JSONL file");
    return;
  }
  static const std::string joined = [] {
    std::string out;
    for (const auto& d : docs) out += d + "\n";
    return out;
  }();
  std::vector<std::vector<std::string_view>> batches(1);
  size_t bytes = 0, at = 0, in_batch = 0;
  for (const auto& d : docs) {
    if (in_batch >= (256 << 10)) {
      batches.emplace_back();
      in_batch = 0;
    }
    batches.back().emplace_back(joined.data() + at, d.size());
    at += d.size() + 1;
    in_batch += d.size() + 1;
    bytes += d.size();
  }
  std::vector<uint64_t> hashes;
  std::vector<uint32_t> ends;
  for (auto _ : state) {
    for (const auto& b : batches) {
      hashes.clear();
      ends.clear();
      AppendFingerprints(b, hashes, ends);
      benchmark::DoNotOptimize(hashes.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(docs.size()) * state.iterations());
}
BENCHMARK(BM_FingerprintsJoinedJsonlFile)->Unit(benchmark::kMillisecond);

void BM_NormalizeAscii(benchmark::State& state) {
  static const std::vector<std::string> docs = MakeCorpus(0);
  size_t bytes = 0;
  for (const auto& d : docs) bytes += d.size();
  for (auto _ : state)
    for (const auto& d : docs) benchmark::DoNotOptimize(NormalizeText(d));
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
}
BENCHMARK(BM_NormalizeAscii)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
