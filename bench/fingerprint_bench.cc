// Fingerprint throughput (bytes_per_second) on 10 MB of synthetic posts of about 200 bytes:
// English-like ASCII text, and the same with 20% of the words French and accented (the ICU
// path). The scan of `sluice trace` aims at >= 300 MB/s on one core.
#include <benchmark/benchmark.h>

#include <cstdint>
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
