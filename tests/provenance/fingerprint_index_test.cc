#include "provenance/fingerprint_index.h"

#include "provenance/fingerprint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sluice {
namespace {

const char* kPostA =
    "The committee met on Tuesday to discuss the new budget for the city parks, and after a long "
    "debate it voted to double the money spent on trees, benches and playgrounds next year. "
    "Details at https://example.org/parks/budget-2024 and more coverage tonight.";
const char* kPostB =
    "Our bakery on Main Street is closing for two weeks of renovation; we will reopen with a "
    "bigger oven, new sourdough recipes and, finally, seating for twenty guests inside.";
const char* kFiller =
    "Lorem ipsum style filler: weather was mild, traffic on the ring road moved slowly, and the "
    "football season opened with a surprising draw between two old rivals at home.";

std::vector<IndexedText> Texts(std::initializer_list<std::pair<Id, const char*>> items) {
  std::vector<IndexedText> out;
  for (const auto& [id, text] : items) out.push_back(IndexedText{id, false, text});
  return out;
}

std::vector<Id> Ids(const std::vector<TextMatch>& matches) {
  std::vector<Id> out;
  for (const auto& m : matches) out.push_back(m.id);
  return out;
}

TEST(FingerprintIndex, ExactPostInsideOtherText) {
  const auto texts = Texts({{1, kPostA}, {2, kPostB}});
  const auto index = FingerprintIndex::Build(texts);
  EXPECT_EQ(index.size(), 2u);
  FingerprintIndex::Scratch scratch;
  const auto m = index.Match(std::string(kFiller) + "\n" + kPostA + "\n" + kFiller, scratch);
  ASSERT_EQ(Ids(m), std::vector<Id>{1});
  EXPECT_EQ(m[0].found, m[0].total);
  EXPECT_GE(m[0].total, 3);
  EXPECT_FALSE(m[0].trap);
}

TEST(FingerprintIndex, LightlyEditedPostStillMatches) {
  const auto texts = Texts({{1, kPostA}, {2, kPostB}});
  const auto index = FingerprintIndex::Build(texts);
  FingerprintIndex::Scratch scratch;
  const std::vector<std::string> edits = {
      // case, punctuation, URL removed
      "the COMMITTEE met on tuesday -- to discuss the new budget for the city parks and after a "
      "long debate, it voted to double the money spent on trees benches & playgrounds next year!! "
      "Details at and more coverage tonight",
      // re-wrapped with extra spaces and newlines
      "The committee met on Tuesday to discuss\nthe new   budget for the city parks, and after a\n\n"
      "long debate it voted   to double the money spent on trees,\nbenches and playgrounds next "
      "year.  Details at https://example.org/parks/budget-2024 and more\ncoverage tonight.",
  };
  for (const auto& edit : edits) {
    EXPECT_EQ(Ids(index.Match(std::string(kFiller) + " " + edit, scratch)), std::vector<Id>{1}) << edit;
  }
  // Truncated: the first 70% only.
  const std::string a = kPostA;
  const std::string head = a.substr(0, a.size() * 7 / 10);
  const auto m = index.Match(kFiller + (" " + head), scratch);
  ASSERT_EQ(Ids(m), std::vector<Id>{1});
  EXPECT_LT(m[0].found, m[0].total);
}

TEST(FingerprintIndex, UnrelatedDocumentDoesNotMatch) {
  const auto texts = Texts({{1, kPostA}, {2, kPostB}});
  const auto index = FingerprintIndex::Build(texts);
  FingerprintIndex::Scratch scratch;
  EXPECT_TRUE(index.Match(kFiller, scratch).empty());
  EXPECT_TRUE(index.Match("", scratch).empty());
  // A third of the post is not enough (min_share 0.5).
  const std::string a = kPostA;
  EXPECT_TRUE(index.Match(a.substr(0, a.size() / 4), scratch).empty());
}

TEST(FingerprintIndex, SharedShortPhraseDoesNotCrossMatch) {
  // Both posts share "thanks for reading", shorter than a shingle.
  const char* x = "Thanks for reading our weekly digest about rivers, kayaks and the best campsites along the valley.";
  const char* y = "Thanks for reading my thread on compilers, register allocation and why spills hurt loops so much.";
  const auto texts = Texts({{10, x}, {11, y}});
  const auto index = FingerprintIndex::Build(texts);
  FingerprintIndex::Scratch scratch;
  EXPECT_EQ(Ids(index.Match(x, scratch)), std::vector<Id>{10});
  EXPECT_EQ(Ids(index.Match(y, scratch)), std::vector<Id>{11});
}

TEST(FingerprintIndex, ShortPosts) {
  // Six words: three shingles, one winnowed hash: too common alone, it matches only where the
  // document holds all six words in order (or when min_total allows one hash).
  const char* six = "big sale on blue shoes today";
  // A post of two hashes (which sentences have two depends on the hash: take the first).
  const char* candidates[] = {"we moved the weekly quiz night to thursday at eight",
                              "the library opens late on friday for the book club",
                              "our new bakery sells rye bread and lemon cake every day",
                              "rain is expected all weekend so the market moves indoors",
                              "please bring a plate to share at the garden party on sunday"};
  std::string two_hashes;
  for (const char* c : candidates)
    if (two_hashes.empty() && Fingerprint(c).size() == 2) two_hashes = c;
  ASSERT_FALSE(two_hashes.empty()) << "no candidate has exactly two fingerprint hashes";
  const auto texts = Texts({{5, six}, {6, two_hashes.c_str()}});
  const auto index = FingerprintIndex::Build(texts);
  FingerprintIndex::Scratch scratch;
  const auto whole = index.Match("hey: BIG sale on blue shoes today, go!", scratch);
  ASSERT_EQ(Ids(whole), std::vector<Id>{5});
  EXPECT_FALSE(whole[0].needs_whole_text);  // Match confirmed it
  EXPECT_TRUE(index.Match("hey: BIG sale on blue shoes tomorrow, go!", scratch).empty());
  EXPECT_TRUE(index.Match("big sale on blue and red shoes today", scratch).empty());
  // MatchFingerprints leaves the check to its caller (the trace confirms with WholeTextIn).
  FingerprintIndex::BatchFingerprints batch;
  const std::string_view same[] = {"Big sale on blue shoes today"};
  batch.Compute(same);
  std::vector<TextMatch> candidates_found;
  index.MatchFingerprints(batch, scratch, MatchOptions{},
                          [&](size_t, std::vector<TextMatch>& m) { candidates_found = m; });
  ASSERT_EQ(Ids(candidates_found), std::vector<Id>{5});
  EXPECT_TRUE(candidates_found[0].needs_whole_text);
  EXPECT_TRUE(index.WholeTextIn(candidates_found[0], " so big sale on blue shoes today "));
  EXPECT_FALSE(index.WholeTextIn(candidates_found[0], " big sale on blue shoes "));
  EXPECT_FALSE(index.WholeTextIn(candidates_found[0], " big sale on blue shoes todayish "));
  const auto one = index.Match("hey: BIG sale on blue shoes today, go!", scratch, MatchOptions{.min_total = 1});
  ASSERT_EQ(Ids(one), std::vector<Id>{5});
  EXPECT_EQ(one[0].total, 1);
  // Fewer hashes than min_hashes: all of them are needed (the same words, edited in case and
  // punctuation, give the same two).
  std::string edited = two_hashes;
  edited[0] = static_cast<char>(std::toupper(edited[0]));
  const auto two = index.Match(edited + "!", scratch);
  ASSERT_EQ(Ids(two), std::vector<Id>{6});
  EXPECT_EQ(two[0].total, 2);
  EXPECT_TRUE(index.Match(two_hashes.substr(0, two_hashes.size() / 2), scratch).empty());
}

TEST(FingerprintIndex, TrapsAreFlagged) {
  std::vector<IndexedText> texts = Texts({{1, kPostA}});
  texts.push_back(IndexedText{900, true, kPostB});
  const auto index = FingerprintIndex::Build(texts);
  FingerprintIndex::Scratch scratch;
  const auto m = index.Match(std::string(kPostB) + " " + kPostA, scratch);
  ASSERT_EQ(m.size(), 2u);
  for (const auto& x : m) EXPECT_EQ(x.trap, x.id == 900) << x.id;
}

TEST(FingerprintIndex, OptionsChangeTheThreshold) {
  const auto texts = Texts({{1, kPostA}});
  const auto index = FingerprintIndex::Build(texts);
  FingerprintIndex::Scratch scratch;
  const std::string a = kPostA;
  const std::string part = a.substr(0, a.size() * 6 / 10);
  const auto loose = index.Match(part, scratch, MatchOptions{0.3, 3});
  ASSERT_EQ(loose.size(), 1u);
  const double share = static_cast<double>(loose[0].found) / loose[0].total;
  EXPECT_TRUE(index.Match(part, scratch, MatchOptions{share + 0.01, 3}).empty());
  EXPECT_TRUE(index.Match(part, scratch, MatchOptions{0.0, loose[0].found + 1}).empty());
}

// Words from a generated dictionary, drawn Zipf-like (rank r with weight 1/r), so common
// words and common word pairs recur as in real text.
class Words {
 public:
  Words(int size, uint64_t seed) : rng_(seed) {
    std::mt19937_64 g(seed ^ 0x5eed);
    for (int i = 0; i < size; ++i) {
      std::string w;
      for (int n = 2 + static_cast<int>(g() % 8); n > 0; --n) w += static_cast<char>('a' + g() % 26);
      dict_.push_back(w);
      cdf_.push_back((cdf_.empty() ? 0 : cdf_.back()) + 1.0 / (i + 1));
    }
  }
  std::string Text(int words) {
    std::string out;
    for (int i = 0; i < words; ++i) {
      const double u = std::uniform_real_distribution<double>(0, cdf_.back())(rng_);
      if (i) out += (rng_() % 12 == 0) ? ", " : " ";
      out += dict_[std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin()];
    }
    return out;
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  std::vector<std::string> dict_;
  std::vector<double> cdf_;
};

// The false-positive guard: random documents never match random posts from the same words.
TEST(FingerprintIndex, RandomDocumentsNeverMatch) {
  Words words(2000, 42);
  std::vector<std::string> posts;
  for (int i = 0; i < 5000; ++i) posts.push_back(words.Text(6 + static_cast<int>(words.rng()() % 40)));
  std::vector<IndexedText> texts;
  for (int i = 0; i < 5000; ++i) texts.push_back(IndexedText{i + 1, i % 50 == 0, posts[i]});
  const auto index = FingerprintIndex::Build(texts);
  FingerprintIndex::Scratch scratch;
  int matches = 0;
  for (int d = 0; d < 2000; ++d) {
    const auto m = index.Match(words.Text(170), scratch);  // about 1 KB
    for (const auto& x : m) ADD_FAILURE() << "doc " << d << " matched post " << x.id << " (" << x.found << "/" << x.total << "): " << posts[x.id - 1];
    matches += static_cast<int>(m.size());
  }
  EXPECT_EQ(matches, 0);
  // Sanity: the same index does find its (long enough) posts.
  int found = 0, long_posts = 0;
  for (int i = 0; i < 5000; ++i) {
    if (std::count(posts[i].begin(), posts[i].end(), ' ') < 20) continue;
    ++long_posts;
    const auto m = index.Match(words.Text(50) + " " + posts[i] + " " + words.Text(50), scratch);
    found += Ids(m) == std::vector<Id>{i + 1};
    if (long_posts == 200) break;
  }
  EXPECT_EQ(found, long_posts);
}

// The same posts, in the same order, with the same counts.
::testing::AssertionResult SameMatches(const std::vector<TextMatch>& want, const std::vector<TextMatch>& got) {
  if (want.size() != got.size())
    return ::testing::AssertionFailure() << want.size() << " matches wanted, " << got.size() << " got";
  for (size_t k = 0; k < want.size(); ++k) {
    if (want[k].id != got[k].id || want[k].trap != got[k].trap || want[k].found != got[k].found ||
        want[k].total != got[k].total)
      return ::testing::AssertionFailure() << "match " << k << ": post " << got[k].id << " (found " << got[k].found
                                           << " of " << got[k].total << "), wanted post " << want[k].id << " ("
                                           << want[k].found << " of " << want[k].total << ")";
  }
  return ::testing::AssertionSuccess();
}

// Built by several threads (each fingerprinting a share of 10,000 texts or more), the index
// is the same: every document matches the same posts, with the same counts, as with one.
TEST(FingerprintIndex, BuiltWithThreadsMatchesTheSame) {
  Words words(800, 21);
  std::vector<std::string> posts;
  for (int i = 0; i < 45'000; ++i) posts.push_back(words.Text(8 + static_cast<int>(words.rng()() % 40)));
  std::vector<IndexedText> texts;
  for (int i = 0; i < 45'000; ++i) texts.push_back(IndexedText{i + 1, i % 11 == 0, posts[i]});
  const auto one = FingerprintIndex::Build(texts, 1);
  const auto four = FingerprintIndex::Build(texts, 4);
  ASSERT_EQ(one.size(), four.size());
  FingerprintIndex::Scratch a, b;
  size_t with_matches = 0;
  for (int d = 0; d < 3000; ++d) {
    const std::string doc = words.Text(15) + " " + posts[words.rng()() % posts.size()] + " " +
                            posts[words.rng()() % posts.size()] + " " + words.Text(15);
    const auto want = one.Match(doc, a);
    with_matches += !want.empty();
    ASSERT_TRUE(SameMatches(want, four.Match(doc, b))) << d;
  }
  EXPECT_GT(with_matches, 2500u);
}

// MatchBatch gives each document what Match gives it alone: batches mixing empty documents,
// documents without matches, and documents holding one or several posts (some twice).
TEST(FingerprintIndex, MatchBatchEqualsMatchPerDocument) {
  Words words(500, 11);
  std::vector<std::string> posts;
  for (int i = 0; i < 3000; ++i) posts.push_back(words.Text(10 + static_cast<int>(words.rng()() % 30)));
  std::vector<IndexedText> texts;
  for (int i = 0; i < 3000; ++i) texts.push_back(IndexedText{i + 1, i % 7 == 0, posts[i]});
  const auto index = FingerprintIndex::Build(texts);
  FingerprintIndex::Scratch scratch, batch_scratch;
  size_t documents_with_matches = 0;
  for (int batch = 0; batch < 40; ++batch) {
    std::vector<std::string> docs;
    for (int d = 0; d < 1 + batch * 5; ++d) {
      std::string doc;
      switch (words.rng()() % 4) {
        case 0: break;  // empty
        case 1: doc = words.Text(60); break;
        case 2: doc = words.Text(20) + " " + posts[words.rng()() % 3000] + " " + words.Text(20); break;
        default: {
          const std::string& p = posts[words.rng()() % 3000];
          doc = p + " " + posts[words.rng()() % 3000] + " " + p;
        }
      }
      docs.push_back(std::move(doc));
    }
    std::vector<std::string_view> views(docs.begin(), docs.end());
    std::vector<std::vector<TextMatch>> got(docs.size());
    size_t last = 0;
    bool first = true;
    index.MatchBatch(views, batch_scratch, {}, [&](size_t d, std::vector<TextMatch>& m) {
      EXPECT_TRUE(first || d > last) << "documents in order, each once";
      first = false;
      last = d;
      EXPECT_FALSE(m.empty());
      got[d] = std::move(m);
    });
    for (size_t d = 0; d < docs.size(); ++d) {
      const auto want = index.Match(docs[d], scratch);
      documents_with_matches += !want.empty();
      ASSERT_TRUE(SameMatches(want, got[d])) << "batch " << batch << " doc " << d;
    }
  }
  EXPECT_GT(documents_with_matches, 500u);
}

TEST(FingerprintIndex, MemoryBytesIsSane) {
  Words words(2000, 7);
  std::vector<std::string> posts;
  for (int i = 0; i < 10000; ++i) posts.push_back(words.Text(20));
  std::vector<IndexedText> texts;
  for (int i = 0; i < 10000; ++i) texts.push_back(IndexedText{i, false, posts[i]});
  const auto index = FingerprintIndex::Build(texts);
  const double per_post = static_cast<double>(index.MemoryBytes()) / 10000;
  EXPECT_GT(per_post, 20);   // at least id + total + a few postings
  EXPECT_LT(per_post, 400);  // 17 shingles -> ~7 kept hashes, ~20 bytes each at most
  EXPECT_LT(FingerprintIndex::Build({}).MemoryBytes(), 1024u);
  RecordProperty("bytes_per_post", std::to_string(per_post));
}

}  // namespace
}  // namespace sluice
