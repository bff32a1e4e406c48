#include "provenance/fingerprint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstddef>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace sluice {
namespace {

std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string Join(const std::vector<std::string>& words, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += ' ';
    out += words[i];
  }
  return out;
}

const char* kPost =
    "The committee met on Tuesday to discuss the new budget for the city parks, and after a long "
    "debate it voted to double the money spent on trees, benches and playgrounds next year.";

TEST(NormalizeText, AsciiCaseAndPunctuation) {
  EXPECT_EQ(NormalizeText("Hello, WORLD!"), "hello world");
  EXPECT_EQ(NormalizeText("it's 3:45pm -- OK?"), "it s 3 45pm ok");
  EXPECT_EQ(NormalizeText("snake_case-and.dots"), "snake case and dots");
  EXPECT_EQ(NormalizeText(""), "");
  EXPECT_EQ(NormalizeText("  ...  !!! "), "");
}

// The ASCII fast path reads eight bytes at a time: long words, and words that turn non-ASCII
// after eight bytes, against a byte-at-a-time reference.
TEST(NormalizeText, LongAsciiWordsMatchReference) {
  EXPECT_EQ(NormalizeText("SUPERCALIFRAGILISTIC Expialidocious1234567890x"),
            "supercalifragilistic expialidocious1234567890x");
  EXPECT_EQ(NormalizeText("ABCDEFGHIJÉTÉ abcdefgh"), "abcdefghijété abcdefgh");
  const std::string alphabet = "aZqM09 ,.!-\t[`{/:_";
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string text;
    for (size_t n = rng() % 64; n > 0; --n) text += alphabet[rng() % alphabet.size()];
    std::string expect;
    bool in_word = false;
    for (char c : text) {
      bool alnum = std::isalnum(static_cast<unsigned char>(c));
      if (alnum && !in_word && !expect.empty()) expect += ' ';
      if (alnum) expect += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      in_word = alnum;
    }
    ASSERT_EQ(NormalizeText(text), expect) << text;
  }
}

TEST(NormalizeText, FoldsWhitespace) {
  EXPECT_EQ(NormalizeText("  a   b\t\tc\n\nd\r\n e  "), "a b c d e");
}

TEST(NormalizeText, DropsUrlsAndMentions) {
  EXPECT_EQ(NormalizeText("see https://x.co/a?b=1 now"), "see now");
  EXPECT_EQ(NormalizeText("see HTTP://X.CO and www.example.com/path, ok"), "see and ok");
  EXPECT_EQ(NormalizeText("(https://x.co)"), "");
  EXPECT_EQ(NormalizeText("hi @bob_99, and @alice!"), "hi and");
  EXPECT_EQ(NormalizeText("mail bob@example.com"), "mail bob example com");  // not a mention
  EXPECT_EQ(NormalizeText("a @ b"), "a b");
  EXPECT_EQ(NormalizeText("wwwx httpx"), "wwwx httpx");  // not URLs
  EXPECT_EQ(NormalizeText("\xe2\x80\x94https://x.co fin"), "fin");  // URL right after an em dash
}

TEST(NormalizeText, HeaderExample) {
  EXPECT_EQ(NormalizeText("Bonjour, MONDE!  https://x.co @bob  l'été"), "bonjour monde l été");
}

TEST(NormalizeText, KeepsAccents) {
  EXPECT_EQ(NormalizeText("Ça va à Montréal, ÉTÉ"), "ça va à montréal été");
  // A decomposed e + combining acute composes to the same é as the precomposed one.
  EXPECT_EQ(NormalizeText("e\xcc\x81t\xc3\xa9"), "\xc3\xa9t\xc3\xa9");
}

TEST(NormalizeText, NfkcAndCaseFold) {
  EXPECT_EQ(NormalizeText("ＡＢＣ"), "abc");
  EXPECT_EQ(NormalizeText("ﬁne"), "fine");
  EXPECT_EQ(NormalizeText("Straße"), "strasse");
  EXPECT_EQ(NormalizeText("ΣΊΣΥΦΟΣ"), "σίσυφοσ");
  EXPECT_EQ(NormalizeText("x²"), "x2");
}

TEST(NormalizeText, EmojiSeparateWords) {
  EXPECT_EQ(NormalizeText("good🙂news 🎉🎉 done"), "good news done");
  EXPECT_EQ(NormalizeText("a\xe2\x80\x94" "b"), "a b");  // em dash
}

TEST(NormalizeText, DropsInvalidUtf8) {
  EXPECT_EQ(NormalizeText("ab\xff" "cd"), "abcd");
  EXPECT_EQ(NormalizeText("x \xc0\xaf y \xed\xa0\x80 z \xe2\x82"), "x y z");
  EXPECT_EQ(NormalizeText("caf\xc3"), "caf");
}

TEST(ShingleHashes, CountIsWordsMinusKPlusOne) {
  for (size_t n = kShingleWords; n < 30; ++n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += (i ? " w" : "w") + std::to_string(i);
    EXPECT_EQ(ShingleHashes(s).size(), n - kShingleWords + 1) << n;
  }
  EXPECT_EQ(ShingleHashes("").size(), 0u);
  EXPECT_EQ(ShingleHashes("one").size(), 1u);
  EXPECT_EQ(ShingleHashes("one two three").size(), 1u);
}

TEST(ShingleHashes, HashesTheJoinedWords) {
  std::vector<uint64_t> h = ShingleHashes("a b c d e");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0], ShingleHashes("a b c d")[0]);
  EXPECT_EQ(h[1], ShingleHashes("b c d e")[0]);
  EXPECT_NE(h[0], h[1]);
  EXPECT_EQ(ShingleHashes("ab c")[0], ShingleHashes("ab c")[0]);
  EXPECT_NE(ShingleHashes("ab c")[0], ShingleHashes("a bc")[0]);
}

// The index stores these hashes: they must never change across platforms or releases.
TEST(ShingleHashes, StableValues) {
  // Also computed by an independent Python rendering of the definition in fingerprint.cc.
  EXPECT_EQ(ShingleHashes("the quick brown fox")[0], 1154345175125438118ULL);
  EXPECT_EQ(ShingleHashes("a")[0], 16163281280036098988ULL);
  EXPECT_EQ(ShingleHashes("extraordinarily long words everywhere")[0], 8570523279521773625ULL);  // > 8 bytes
}

TEST(Winnow, KeepsEachWindowsMinimumOnce) {
  EXPECT_EQ(Winnow({}), (std::vector<uint64_t>{}));
  EXPECT_EQ(Winnow({5, 3, 9}), (std::vector<uint64_t>{3}));
  // Windows of 4: [7 3 8 5]->3, [3 8 5 6]->3 (not repeated), [8 5 6 1]->1, [5 6 1 9]->1.
  EXPECT_EQ(Winnow({7, 3, 8, 5, 6, 1, 9}), (std::vector<uint64_t>{3, 1}));
  // The minimum leaves the window: [1 4 5 6]->1, [4 5 6 7]->4, [5 6 7 8]->5.
  EXPECT_EQ(Winnow({1, 4, 5, 6, 7, 8}), (std::vector<uint64_t>{1, 4, 5}));
  EXPECT_EQ(Winnow({2, 2, 2, 2, 2, 2, 2, 2}), (std::vector<uint64_t>{2}));
  // A minimum that comes back after another is recorded again (a set would hold it once).
  EXPECT_EQ(Winnow({1, 9, 9, 9, 0, 9, 9, 9, 1}), (std::vector<uint64_t>{1, 0, 1}));
}

// Against the textbook robust-winnowing loop, on small values (many ties): the same values as
// a set, and each window's minimum in order with repeats of the previous one dropped.
TEST(Winnow, RecordsTheValuesRobustWinnowingRecords) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint64_t> h(rng() % 30);
    for (auto& x : h) x = rng() % 4;
    std::vector<uint64_t> robust, minima;
    const size_t w = std::min<size_t>(kWinnowWindow, h.size());
    size_t kept = SIZE_MAX;
    for (size_t lo = 0; !h.empty() && lo + w <= h.size(); ++lo) {
      size_t m = lo;
      for (size_t k = lo; k < lo + w; ++k)
        if (h[k] <= h[m]) m = k;
      if (minima.empty() || minima.back() != h[m]) minima.push_back(h[m]);
      if (kept != SIZE_MAX && kept >= lo && h[kept] == h[m]) continue;
      kept = m;
      robust.push_back(h[m]);
    }
    std::vector<uint64_t> got = Winnow(h);
    ASSERT_EQ(got, minima) << trial;
    ASSERT_EQ(std::set<uint64_t>(got.begin(), got.end()), std::set<uint64_t>(robust.begin(), robust.end())) << trial;
  }
}

TEST(Fingerprint, SurvivesLightEdits) {
  std::vector<uint64_t> base = Fingerprint(kPost);
  ASSERT_GE(base.size(), 3u);
  std::string edited =
      "the   COMMITTEE met on tuesday -- to discuss the new budget for the city parks and after a "
      "long\n\ndebate, it VOTED to double the money spent on trees; benches AND playgrounds next "
      "year!!! https://news.example/parks @cityhall";
  EXPECT_EQ(Fingerprint(edited), base);
}

TEST(Fingerprint, TruncationKeepsShingles) {
  std::string norm = NormalizeText(kPost);
  std::vector<std::string> words = Words(norm);
  std::string truncated = Join(words, 0, words.size() * 6 / 10);
  std::vector<uint64_t> full = ShingleHashes(norm);
  std::set<uint64_t> full_set(full.begin(), full.end());
  for (uint64_t h : ShingleHashes(truncated)) EXPECT_TRUE(full_set.count(h)) << h;
  std::vector<uint64_t> fp_full = Fingerprint(kPost);
  std::set<uint64_t> fp_full_set(fp_full.begin(), fp_full.end());
  std::vector<uint64_t> fp_trunc = Fingerprint(truncated);
  size_t shared = std::count_if(fp_trunc.begin(), fp_trunc.end(), [&](uint64_t h) { return fp_full_set.count(h); });
  EXPECT_GE(shared * 2, fp_trunc.size());
}

// The winnowing guarantee: a passage of kShingleWords + kWinnowWindow - 1 words shared by two
// texts, whatever surrounds it, gives them at least one common fingerprint hash.
TEST(Fingerprint, SharedPassageAlwaysMatches) {
  std::mt19937_64 rng(42);
  std::vector<std::string> vocab;
  for (int i = 0; i < 50; ++i) vocab.push_back("w" + std::to_string(i));
  auto random_words = [&](size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i) out.push_back(vocab[rng() % vocab.size()]);
    return out;
  };
  const size_t passage_len = kShingleWords + kWinnowWindow - 1;
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<std::string> passage = random_words(passage_len);
    auto embed = [&] {
      std::vector<std::string> text = random_words(rng() % 40);
      std::vector<std::string> after = random_words(rng() % 40);
      text.insert(text.end(), passage.begin(), passage.end());
      text.insert(text.end(), after.begin(), after.end());
      return Join(text, 0, text.size());
    };
    std::vector<uint64_t> a = Fingerprint(embed());
    std::vector<uint64_t> b = Fingerprint(embed());
    std::set<uint64_t> sa(a.begin(), a.end());
    bool common = std::any_of(b.begin(), b.end(), [&](uint64_t h) { return sa.count(h) > 0; });
    ASSERT_TRUE(common) << "trial " << trial;
  }
}

// Fingerprint shingles and winnows as the words arrive; the vector functions are the spec.
TEST(Fingerprint, StreamingEqualsTheVectorSteps) {
  std::mt19937_64 rng(8);
  const char* words[] = {"a", "the", "city", "x", "Été", "parks", "ha", "2024"};
  for (int trial = 0; trial < 5000; ++trial) {
    std::string text;
    for (int n = static_cast<int>(rng() % 40); n > 0; --n) {
      text += words[rng() % (trial % 3 == 0 ? 2 : std::size(words))];  // few distinct words: ties
      text += rng() % 5 ? " " : ", ";
    }
    ASSERT_EQ(Fingerprint(text), Winnow(ShingleHashes(NormalizeText(text)))) << text;
  }
}

TEST(Fingerprint, IsNormalizeShingleWinnow) {
  EXPECT_EQ(Fingerprint(kPost), Winnow(ShingleHashes(NormalizeText(kPost))));
  EXPECT_EQ(Fingerprint("Hi!").size(), 1u);
  EXPECT_EQ(Fingerprint("!!! https://x.co").size(), 0u);
}

}  // namespace
}  // namespace sluice
