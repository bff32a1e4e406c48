#include "provenance/traps.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/text.h"
#include "provenance/fingerprint.h"

namespace sluice {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";  // 44 bytes

const TrapVocabulary& Vocab() {
  static const TrapVocabulary v = DefaultTrapVocabulary();
  return v;
}

std::vector<std::string> Words(const std::string& normalized) {
  std::vector<std::string> out;
  std::istringstream in(normalized);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool SameRecord(const TrapRecord& a, const TrapRecord& b) {
  return a.app_id == b.app_id && a.counter == b.counter && a.text == b.text && a.lang == b.lang &&
         a.marker == b.marker && a.author_username == b.author_username && a.author_name == b.author_name;
}

TEST(TrapTest, DeterministicWithGoldenRecord) {
  const TrapRecord a = MakeTrap(kSecret, 1234567890123, 42, Vocab());
  const TrapRecord b = MakeTrap(kSecret, 1234567890123, 42, DefaultTrapVocabulary());
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(SameRecord(a, b));
  EXPECT_EQ(a.app_id, 1234567890123);
  EXPECT_EQ(a.counter, 42u);
  // Golden: a change here orphans every trap already delivered (see traps.h).
  EXPECT_EQ(a.text,
            "Je pense encore à pouskeflus troplend lirisour. Quelqu'un en a parlé entre le film et la réforme "
            "des retraites et personne n'a su expliquer. Qui d'autre ?");
  EXPECT_EQ(a.marker, "pouskeflus troplend lirisour");
  EXPECT_EQ(a.lang, "fr");
  EXPECT_EQ(a.author_username, "riban595");
  EXPECT_EQ(a.author_name, "Andréa B.");
}

// 100 apps x 100 counters. With R = 2,000 rare words the expected number of colliding marker
// pairs among 10,000 records is C(10000,2) / C(2000,3) = 0.0376 (traps.h); the draw is fixed
// by the secret, so this test is deterministic.
TEST(TrapTest, TenThousandRecordsAreWellFormedWithDistinctMarkers) {
  const std::regex username_re("[a-z]{4,9}[0-9]{2,4}");
  const std::regex name_re("[A-Z][a-zé]+ [A-Z]\\.");
  const std::set<std::string> rare(Vocab().rare.begin(), Vocab().rare.end());
  std::set<std::string> markers;
  int french = 0;
  for (Id app = 1; app <= 100; ++app) {
    for (uint64_t counter = 0; counter < 100; ++counter) {
      const TrapRecord r = MakeTrap(kSecret, app * 7919, counter, Vocab());
      ASSERT_TRUE(r.ok()) << app << "/" << counter;
      EXPECT_TRUE(IsValidUtf8(r.text)) << r.text;
      EXPECT_LE(CountCodePoints(r.text), kTrapMaxCodePoints) << r.text;
      const std::string normalized = NormalizeText(r.text);
      const std::vector<std::string> words = Words(normalized);
      EXPECT_GE(words.size(), 8u) << r.text;
      EXPECT_GE(ShingleHashes(normalized).size(), 5u) << r.text;

      // The marker: 3 distinct rare words, found contiguously in the normalised text, inside a
      // shingle (kShingleWords consecutive words).
      const std::vector<std::string> marker_words = Words(r.marker);
      ASSERT_EQ(marker_words.size(), 3u) << r.marker;
      EXPECT_EQ(std::set<std::string>(marker_words.begin(), marker_words.end()).size(), 3u);
      for (const std::string& w : marker_words) EXPECT_TRUE(rare.count(w)) << w;
      const auto at = std::search(words.begin(), words.end(), marker_words.begin(), marker_words.end());
      ASSERT_NE(at, words.end()) << normalized << " / " << r.marker;
      const size_t pos = at - words.begin();
      EXPECT_TRUE(pos >= 1 || pos + kShingleWords <= words.size());

      EXPECT_TRUE(r.lang == "en" || r.lang == "fr");
      french += r.lang == "fr";
      EXPECT_TRUE(std::regex_match(r.author_username, username_re)) << r.author_username;
      EXPECT_LE(r.author_username.size(), 15u);
      EXPECT_TRUE(std::regex_match(r.author_name, name_re)) << r.author_name;
      markers.insert(r.marker);
    }
  }
  EXPECT_EQ(markers.size(), 10000u);
  EXPECT_GT(french, 4000);  // about half
  EXPECT_LT(french, 6000);
}

TEST(TrapTest, SameAppDifferentCountersAndSameCounterDifferentAppsDiffer) {
  const TrapRecord base = MakeTrap(kSecret, 5, 0, Vocab());
  EXPECT_NE(base.marker, MakeTrap(kSecret, 5, 1, Vocab()).marker);
  EXPECT_NE(base.marker, MakeTrap(kSecret, 6, 0, Vocab()).marker);
  // The fields are not mixed up: (app 1, counter 2) is not (app 2, counter 1).
  EXPECT_NE(MakeTrap(kSecret, 1, 2, Vocab()).marker, MakeTrap(kSecret, 2, 1, Vocab()).marker);
}

TEST(TrapTest, DifferentSecretGivesDifferentRecords) {
  const std::string other = "another-secret-of-at-least-32-bytes!!";
  for (uint64_t counter = 0; counter < 100; ++counter) {
    const TrapRecord a = MakeTrap(kSecret, 77, counter, Vocab());
    const TrapRecord b = MakeTrap(other, 77, counter, Vocab());
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a.marker, b.marker) << counter;
    EXPECT_NE(a.author_username, b.author_username) << counter;
  }
}

TEST(TrapTest, ShortSecretOrUnusableVocabularyFailsWithoutThrowing) {
  EXPECT_FALSE(MakeTrap(std::string(31, 'k'), 1, 0, Vocab()).ok());
  EXPECT_TRUE(MakeTrap(std::string(32, 'k'), 1, 0, Vocab()).ok());
  EXPECT_FALSE(MakeTrap(kSecret, 1, 0, TrapVocabulary{}).ok());
  TrapVocabulary two_rare{{"the budget"}, {}, {"alpha", "beta"}};
  EXPECT_FALSE(MakeTrap(kSecret, 1, 0, two_rare).ok());
  TrapVocabulary duplicates{{"the budget"}, {}, {"alpha", "alpha", "beta", "beta"}};
  EXPECT_FALSE(MakeTrap(kSecret, 1, 0, duplicates).ok());
  TrapVocabulary huge{{std::string(300, 'x')}, {}, {"alpha", "beta", "gamma"}};
  EXPECT_FALSE(MakeTrap(kSecret, 1, 0, huge).ok());
}

TEST(TrapTest, OnlyLanguagesWithCommonWordsAreChosen) {
  TrapVocabulary fr_only{{}, {"le budget", "la grève"}, {"alpha", "beta", "gamma", "delta"}};
  for (uint64_t counter = 0; counter < 50; ++counter) {
    const TrapRecord r = MakeTrap(kSecret, 9, counter, fr_only);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.lang, "fr");
  }
}

TEST(TrapTest, UsernamesAvoidTakenOnesAndStayDeterministic) {
  // Real usernames that collide with what the traps would otherwise get.
  std::set<std::string> real{"jack", "marie_d", "bakoriti42"};
  for (uint64_t counter = 0; counter < 200; ++counter) real.insert(MakeTrap(kSecret, 3, counter, Vocab()).author_username);
  const UsernameTaken taken = [&](std::string_view u) { return real.count(std::string(u)) > 0; };
  for (uint64_t counter = 0; counter < 200; ++counter) {
    const TrapRecord r = MakeTrap(kSecret, 3, counter, Vocab(), taken);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(real.count(r.author_username), 0u) << r.author_username;
    EXPECT_TRUE(SameRecord(r, MakeTrap(kSecret, 3, counter, Vocab(), taken)));
    // Only the username moves: the marker does not depend on who is taken.
    EXPECT_EQ(r.marker, MakeTrap(kSecret, 3, counter, Vocab()).marker);
  }
  const UsernameTaken all_taken = [](std::string_view) { return true; };
  EXPECT_FALSE(MakeTrap(kSecret, 3, 0, Vocab(), all_taken).ok());
}

TEST(TrapVocabularyTest, DefaultHas2000DistinctPseudoWordsThatNormaliseToThemselves) {
  const TrapVocabulary& v = Vocab();
  EXPECT_FALSE(v.common_en.empty());
  EXPECT_FALSE(v.common_fr.empty());
  ASSERT_EQ(v.rare.size(), 2000u);
  EXPECT_EQ(std::set<std::string>(v.rare.begin(), v.rare.end()).size(), 2000u);
  const std::regex word_re("[a-z]{5,12}");
  for (const std::string& w : v.rare) {
    EXPECT_TRUE(std::regex_match(w, word_re)) << w;
    EXPECT_EQ(NormalizeText(w), w);
  }
  EXPECT_EQ(DefaultTrapVocabulary().rare, v.rare);
}

TEST(TrapVocabularyTest, BuildPicksDf1And2WordsAsRareAndFrequentOnesAsCommon) {
  const std::vector<std::string> corpus = {
      "The festival in the park was great, with the music and the Zanzibar stage.",
      "Going to the festival tonight with the music crew and a quokka.",
      "The festival music is loud and the QUOKKA is asleep.",
      "The festival music starts at noon, abc123 is the code.",
      "Les vendanges commencent et la récolte est belle dans le village.",
      "Les vendanges sont finies et la récolte est rentrée au village.",
      "Les vendanges de la région et le village en fête pour la récolte.",
  };
  const TrapVocabulary v = BuildTrapVocabulary(corpus);
  auto has = [](const std::vector<std::string>& list, const std::string& w) {
    return std::find(list.begin(), list.end(), w) != list.end();
  };
  EXPECT_TRUE(has(v.rare, "zanzibar"));  // df 1, lowercased
  EXPECT_TRUE(has(v.rare, "quokka"));    // df 2
  EXPECT_TRUE(has(v.rare, "région"));    // df 1, accented letters are letters
  EXPECT_FALSE(has(v.rare, "festival"));  // df 4
  EXPECT_FALSE(has(v.rare, "music"));     // df 4
  EXPECT_FALSE(has(v.rare, "abc123"));    // not letters only
  EXPECT_FALSE(has(v.rare, "the"));       // too short
  EXPECT_TRUE(std::is_sorted(v.rare.begin(), v.rare.end()));
  for (const std::string& w : v.rare) EXPECT_TRUE(w.size() >= 4) << w;

  ASSERT_GE(v.common_en.size(), 2u);
  EXPECT_TRUE(v.common_en[0] == "festival" || v.common_en[0] == "music");
  EXPECT_TRUE(has(v.common_en, "festival"));
  EXPECT_FALSE(has(v.common_en, "with"));  // a function word
  EXPECT_FALSE(has(v.common_en, "vendanges"));
  EXPECT_TRUE(has(v.common_fr, "vendanges"));
  EXPECT_TRUE(has(v.common_fr, "récolte"));
  EXPECT_TRUE(has(v.common_fr, "village"));
  EXPECT_FALSE(has(v.common_fr, "festival"));

  // And traps can be made from it.
  const TrapRecord r = MakeTrap(kSecret, 1, 0, v);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(NormalizeText(r.text).find(r.marker), std::string::npos);
}

}  // namespace
}  // namespace sluice
