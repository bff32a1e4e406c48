// Trap texts (provenance/traps.h) written by the model of a seeded platform's posts, as the
// server writes them: made of the platform's words, deterministic, found by hashes of their
// own, matching their page's query (api/trap_query.h), and not separable from real posts by
// any single-feature threshold rule a client can compute from the texts it receives.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/trap_query.h"
#include "core/text.h"
#include "ingest/seed.h"
#include "provenance/fingerprint.h"
#include "provenance/fingerprint_index.h"
#include "provenance/traps.h"
#include "store/search/query.h"

namespace sluice {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";  // 44 bytes
constexpr Id kApp = 1234567890123;

struct Platform {
  std::vector<Post> posts;
  TrapTextModel model;
};

// 30,000 seeded posts (the generator of `sluice seed`), the model over all of them.
const Platform& Seeded() {
  static const Platform p = [] {
    Platform out;
    SeedOptions o;
    o.users = 1500;
    o.posts = 30000;
    o.seed = 7;
    o.now = 1767225600000;  // 2026-01-01
    Status s = GenerateSeed(
        o,
        [&](WriteBatch&& b) {
          for (auto& post : b.posts) out.posts.push_back(std::move(post));
          return Status::Ok();
        },
        {});
    if (!s.ok()) throw std::runtime_error(s.message());
    // As TrapInjector::ModelFromStore: original posts, with their language.
    std::vector<TrapTextModel::Sample> samples;
    for (const auto& p : out.posts)
      if (p.referenced.empty() && !p.in_reply_to_user_id && !p.IsEarlierVersion() && p.lang != "und")
        samples.push_back({p.text, p.lang});
    out.model = TrapTextModel::Build(samples);
    return out;
  }();
  return p;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in(NormalizeText(text));
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::vector<TrapRecord> Traps(uint64_t from, uint64_t n, std::span<const TrapRequirements> alts = {},
                              const TrapTextAccepted& accepted = {}) {
  std::vector<TrapRecord> out;
  for (uint64_t c = from; c < from + n; ++c) out.push_back(MakeTrap(kSecret, kApp, c, Seeded().model, alts, accepted));
  return out;
}

TEST(TrapText, ModelCoversBothLanguagesWithinBounds) {
  const auto& m = Seeded().model;
  EXPECT_EQ(m.Languages(), (std::vector<std::string>{"en", "fr"}));
  EXPECT_GT(m.Posts("en"), 5000u);
  EXPECT_GT(m.Posts("fr"), 5000u);
  std::printf("model: %zu en + %zu fr posts of 30000, %.1f MB\n", m.Posts("en"), m.Posts("fr"), m.MemoryBytes() / 1e6);
  EXPECT_LT(m.MemoryBytes(), size_t(64) << 20);
}

TEST(TrapText, DeterministicAndVaried) {
  const auto a = Traps(0, 200), b = Traps(0, 200);
  std::set<std::string> texts;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(a[i].ok()) << i;
    EXPECT_EQ(a[i].text, b[i].text);
    EXPECT_EQ(a[i].author_username, b[i].author_username);
    texts.insert(a[i].text);
  }
  EXPECT_EQ(texts.size(), a.size());
  // Another secret, other texts.
  EXPECT_NE(MakeTrap(kSecret + "x", kApp, 0, Seeded().model).text, a[0].text);
  EXPECT_FALSE(MakeTrap("short", kApp, 0, Seeded().model).ok());
  EXPECT_FALSE(MakeTrap(kSecret, kApp, 0, TrapTextModel{}).ok());
}

// Every word of a trap is a word of real posts; the text is of the platform's length.
TEST(TrapText, WrittenInThePlatformsWords) {
  std::unordered_map<std::string, int> df;
  for (const auto& p : Seeded().posts) {
    auto w = Words(p.text);
    std::sort(w.begin(), w.end());
    w.erase(std::unique(w.begin(), w.end()), w.end());
    for (auto& x : w) ++df[x];
  }
  for (const auto& t : Traps(0, 1000)) {
    ASSERT_TRUE(t.ok());
    EXPECT_LE(CountCodePoints(t.text), kTrapMaxCodePoints);
    EXPECT_TRUE(t.lang == "en" || t.lang == "fr");
    for (const auto& w : Words(t.text)) EXPECT_GE(df[w], TrapTextModel::kMinTokenPosts) << w << " in " << t.text;
  }
}

// Indexed with every real post and the other traps (as `sluice trace` indexes them), a trap
// keeps hashes that only it holds: what trace asks a leak to contain.
TEST(TrapText, EachTrapHasHashesOfItsOwn) {
  const auto traps = Traps(0, 2000);
  std::vector<IndexedText> texts;
  for (const auto& p : Seeded().posts) texts.push_back({p.id, false, p.text});
  for (size_t i = 0; i < traps.size(); ++i) texts.push_back({Id(1) << 60 | Id(i), true, traps[i].text});
  const auto index = FingerprintIndex::Build(texts);
  std::map<int, int> histogram;
  int below3 = 0;
  for (const auto& t : traps) {
    int own = 0;
    for (uint64_t h : Fingerprint(t.text)) own += index.Holders(h) == 1 ? 1 : 0;
    ++histogram[std::min(own, 10)];
    below3 += own < 1 ? 1 : 0;
  }
  std::string line;
  for (auto [own, n] : histogram) line += " " + std::to_string(own) + ":" + std::to_string(n);
  std::printf("own hashes per trap (2000 traps, 30000 posts):%s\n", line.c_str());
  EXPECT_LE(below3, int(traps.size()) / 100);
}



// A trap in a search page matches the page's query as the store's search would (every
// positive term, phrase, tag, operator and language; never a negated term); a query no trap
// can plausibly match gets none.
TEST(TrapText, SatisfiesThePagesQuery) {
  for (std::string q : {"été", "the -weather", "#startup", "lang:fr has:links le", "(football OR climat) -pluie",
                        "\"pouvoir d'achat\"", "$ETH", "@RealChloeThomas has:hashtags", "url:example -is:retweet",
                        "café lang:en", "le -le", "has:mentions has:cashtags the", "-from:alice réforme"}) {
    auto query = ParseSearchQuery(q);
    ASSERT_TRUE(query.ok()) << q;
    const auto alternatives = TrapAlternatives(query->root);
    ASSERT_FALSE(alternatives.empty()) << q;
    auto matches = [&](std::string_view text, std::string_view lang) { return TrapMatches(query->root, text, lang); };
    int ok = 0;
    for (const auto& t : Traps(5000, 50, alternatives, matches)) {
      if (!t.ok()) continue;
      ++ok;
      EXPECT_TRUE(TrapMatches(query->root, t.text, t.lang)) << q << ": " << t.text;
    }
    if (q == "le -le") EXPECT_EQ(ok, 0);  // nothing matches it
    else EXPECT_GE(ok, 45) << q;
  }
  for (std::string q : {"from:alice", "to:bob hello", "is:retweet the", "conversation_id:123", "is:reply le",
                        "bio:chef le", "has:media the", "retweets_of:alice", "lang:en lang:fr the"}) {
    auto query = ParseSearchQuery(q);
    ASSERT_TRUE(query.ok()) << q;
    EXPECT_TRUE(TrapAlternatives(query->root).empty()) << q;
  }
  // One branch of an OR a trap cannot take leaves the other.
  auto mixed = ParseSearchQuery("from:alice OR #startup");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(TrapAlternatives(mixed->root).size(), 1u);
}

// What `sluice trace` asks of a document to name a trap (trace.cc): the trap matches, and the
// document holds min(3, its own hashes), and three quarters, of the hashes only the trap holds. Counted here over
// every real post and over an unrelated corpus of chain-written text (other secrets' traps,
// which share the platform's phrases): no false hit; and each trap itself, found whole.
TEST(TrapText, TrapHitsComeOnlyFromTheTrap) {
  const auto traps = Traps(0, 2000);
  std::vector<IndexedText> texts;
  for (const auto& p : Seeded().posts) texts.push_back({p.id, false, p.text});
  std::unordered_map<Id, size_t> trap_of;
  for (size_t i = 0; i < traps.size(); ++i) {
    texts.push_back({Id(1) << 60 | Id(i), true, traps[i].text});
    trap_of[Id(1) << 60 | Id(i)] = i;
  }
  const auto index = FingerprintIndex::Build(texts);
  std::vector<std::vector<uint64_t>> own(traps.size());
  for (size_t i = 0; i < traps.size(); ++i)
    for (uint64_t h : Fingerprint(traps[i].text))
      if (index.Holders(h) == 1) own[i].push_back(h);
  FingerprintIndex::Scratch scratch;
  auto hits = [&](std::string_view document) {
    std::vector<size_t> out;
    const auto fp = Fingerprint(document);
    for (const auto& m : index.Match(document, scratch)) {
      if (!m.trap) continue;
      const auto& mine = own[trap_of.at(m.id)];
      size_t held = 0;
      for (uint64_t h : mine) held += std::find(fp.begin(), fp.end(), h) != fp.end();
      if (!mine.empty() && held >= std::min<size_t>(mine.size(), 3) && held * 4 >= mine.size() * 3)
        out.push_back(trap_of.at(m.id));
    }
    return out;
  };
  size_t false_hits = 0, documents = 0;
  for (const auto& p : Seeded().posts) {
    false_hits += hits(p.text).size(), ++documents;
  }
  // Unrelated: traps of another platform secret, written from the same phrases.
  for (uint64_t c = 0; c < 5000; ++c) {
    auto other = MakeTrap(kSecret + "-other", kApp, c, Seeded().model);
    false_hits += hits(other.text).size(), ++documents;
  }
  size_t found = 0, empty_own = 0;
  for (size_t i = 0; i < traps.size(); ++i) {
    empty_own += own[i].empty();
    const auto h = hits("some words before it. " + traps[i].text + " and some after");
    found += std::count(h.begin(), h.end(), i);
  }
  std::printf("false trap hits: %zu in %zu documents; traps found in a leak: %zu of %zu (%zu with no hash of their own)\n",
              false_hits, documents, found, traps.size(), empty_own);
  EXPECT_EQ(false_hits, 0u);
  EXPECT_GE(found, traps.size() * 98 / 100);
}

// ---- the classifier test ----

// The best balanced accuracy ((true positive rate + true negative rate) / 2) of a rule
// "trap iff value > t" or "trap iff value <= t" over every threshold t.
double BestThresholdAccuracy(std::vector<double> real, std::vector<double> traps) {
  std::vector<std::pair<double, int>> all;
  for (double v : real) all.emplace_back(v, 0);
  for (double v : traps) all.emplace_back(v, 1);
  std::sort(all.begin(), all.end());
  double best = 0.5;
  size_t real_below = 0, traps_below = 0;  // values <= the threshold
  for (size_t i = 0; i < all.size(); ++i) {
    (all[i].second ? traps_below : real_below)++;
    if (i + 1 < all.size() && all[i + 1].first == all[i].first) continue;  // thresholds between values
    const double tpr_low = double(traps_below) / traps.size(), tnr_low = 1 - double(real_below) / real.size();
    const double acc = (tpr_low + tnr_low) / 2;  // trap iff value <= t
    best = std::max({best, acc, 1 - acc});       // or the other side
  }
  return best;
}

struct Features {
  std::map<std::string, std::vector<double>> by_name;
};

// What a client can compute from the texts of its pages. `all` is every text it received:
// "seen elsewhere" counts a word when another of those texts has it too.
void AddFeatures(const std::vector<std::string>& texts, const std::unordered_map<std::string, int>& df_all,
                 Features& out) {
  for (const auto& text : texts) {
    const Entities e = ExtractEntities(text);
    const auto words = Words(text);
    std::set<std::string> distinct(words.begin(), words.end());
    double letters = 0, elsewhere = 0, min_df = 1e9;
    for (const auto& w : words) letters += double(CountCodePoints(w));
    for (const auto& w : distinct) {
      const int others = df_all.at(w) - 1;
      elsewhere += others > 0 ? 1 : 0;
      min_df = std::min(min_df, double(others));
    }
    auto& f = out.by_name;
    f["code points"].push_back(double(CountCodePoints(text)));
    f["words"].push_back(double(words.size()));
    f["hashtags"].push_back(double(e.hashtags.size()));
    f["mentions"].push_back(double(e.mentions.size()));
    f["cashtags"].push_back(double(e.cashtags.size()));
    f["urls"].push_back(double(e.urls.size()));
    f["mean word length"].push_back(words.empty() ? 0 : letters / double(words.size()));
    f["share of words seen elsewhere"].push_back(distinct.empty() ? 1 : elsewhere / double(distinct.size()));
    f["rarest word's other texts"].push_back(distinct.empty() ? 0 : min_df);
    f["sentences"].push_back(double(std::count_if(text.begin(), text.end(), [](char c) { return c == '.' || c == '!' || c == '?'; })));
    f["capitalised start"].push_back(!text.empty() && text[0] >= 'A' && text[0] <= 'Z' ? 1 : 0);
  }
}

// Per feature, the best threshold rule's balanced accuracy separating `traps` from `real`.
std::map<std::string, double> Separability(const std::vector<std::string>& real, const std::vector<std::string>& traps) {
  std::unordered_map<std::string, int> df;
  for (const auto* set : {&real, &traps})
    for (const auto& t : *set) {
      auto w = Words(t);
      std::set<std::string> distinct(w.begin(), w.end());
      for (const auto& x : distinct) ++df[x];
    }
  Features fr, ft;
  AddFeatures(real, df, fr);
  AddFeatures(traps, df, ft);
  std::map<std::string, double> out;
  for (const auto& [name, values] : fr.by_name) {
    out[name] = BestThresholdAccuracy(values, ft.by_name.at(name));
  }
  return out;
}

// The bound: under "traps and real posts come from one distribution", the best threshold's
// balanced accuracy is 0.5 + D/2 with D the two-sample Kolmogorov-Smirnov statistic; its
// critical value at level alpha is c(alpha) * sqrt((n + m) / (n m)), c = sqrt(-ln(alpha / 2) / 2).
// alpha = 0.001 per feature.
double ChanceBound(size_t n, size_t m) {
  const double c = std::sqrt(-std::log(0.001 / 2) / 2);
  return 0.5 + c * std::sqrt(double(n + m) / double(n * m)) / 2;
}

// The real posts an app's search pages show it: original posts (a trap is one; reposts,
// replies and quotes carry references a trap does not have: docs/trace.md).
std::vector<std::string> RealPages() {
  std::vector<std::string> out;
  const auto& posts = Seeded().posts;
  for (size_t i = 0; i < posts.size(); i += 3)
    if (posts[i].referenced.empty() && !posts[i].in_reply_to_user_id) out.push_back(posts[i].text);
  return out;
}

TEST(TrapText, NoSingleFeatureSeparatesTrapsFromRealPosts) {
  const auto real = RealPages();
  std::vector<std::string> traps;
  for (const auto& t : Traps(10000, 1500)) traps.push_back(t.text);
  const double bound = ChanceBound(real.size(), traps.size());
  double worst = 0;
  for (const auto& [feature, accuracy] : Separability(real, traps)) {
    std::printf("%-32s balanced accuracy %.3f\n", feature.c_str(), accuracy);
    EXPECT_LE(accuracy, bound) << feature;
    worst = std::max(worst, accuracy);
  }
  std::printf("%zu real posts, %zu traps: best single-feature balanced accuracy %.3f, chance bound %.3f\n",
              real.size(), traps.size(), worst, bound);
}

// The same test catches the tell of version 1 traps: words that occur in no other post.
TEST(TrapText, ClassifierCatchesInventedWords) {
  const auto real = RealPages();
  std::vector<std::string> traps;
  for (const auto& t : Traps(10000, 300)) traps.push_back(t.text + " groska demeflucha flagais" + std::to_string(traps.size()));
  EXPECT_GT(Separability(real, traps).at("rarest word's other texts"), 0.95);
}

}  // namespace
}  // namespace sluice
