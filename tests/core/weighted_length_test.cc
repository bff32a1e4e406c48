#include "core/weighted_length.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

const std::string kFamily = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466";  // man ZWJ woman ZWJ girl ZWJ boy

TEST(WeightedLength, LatinCountsOneOthersTwo) {
  EXPECT_EQ(WeightedLength(""), 0);
  EXPECT_EQ(WeightedLength("hello"), 5);
  EXPECT_EQ(WeightedLength("héllo"), 5);            // Latin-1
  EXPECT_EQ(WeightedLength("Привет"), 6);           // Cyrillic, below U+1100
  EXPECT_EQ(WeightedLength("\u201Cquoted\u201D"), 8);  // U+2010-U+201F punctuation
  EXPECT_EQ(WeightedLength("\u2026"), 2);           // the ellipsis is past U+201F
  EXPECT_EQ(WeightedLength("日本語"), 6);
  EXPECT_EQ(WeightedLength("한"), 2);                // Hangul syllables are past U+10FF
}

TEST(WeightedLength, EmojiSequenceCountsTwo) {
  EXPECT_EQ(WeightedLength("\U0001F600"), 2);                      // 😀
  EXPECT_EQ(WeightedLength(kFamily), 2);                           // 7 code points
  EXPECT_EQ(WeightedLength("\U0001F44D\U0001F3FD"), 2);            // thumbs up, skin tone
  EXPECT_EQ(WeightedLength("\U0001F1EB\U0001F1F7"), 2);            // flag: FR
  EXPECT_EQ(WeightedLength("\U0001F1EB\U0001F1F7\U0001F1E9\U0001F1EA"), 4);  // two flags
  EXPECT_EQ(WeightedLength("1\uFE0F\u20E3"), 2);                   // keycap
  EXPECT_EQ(WeightedLength("\u2764\uFE0F"), 2);                    // heart with VS16
  EXPECT_EQ(WeightedLength("\u00A9\uFE0F"), 2);                    // © as emoji
  EXPECT_EQ(WeightedLength("\u00A9"), 1);                          // © as text
  EXPECT_EQ(WeightedLength("\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"), 2);  // Scotland
  EXPECT_EQ(WeightedLength("\U0001F469\u200D\u2764\uFE0F\u200D\U0001F468"), 2);  // couple with heart
  EXPECT_EQ(WeightedLength("a\u200Db"), 3);  // a ZWJ outside an emoji is a weight-1 code point
  EXPECT_EQ(WeightedLength("\U0001F600\u200D"), 3);  // a trailing ZWJ is not part of the emoji
  EXPECT_EQ(WeightedLength("12"), 2);                // digits without U+20E3 are not keycaps
}

TEST(WeightedLength, UrlCountsTwentyThree) {
  EXPECT_EQ(WeightedLength("https://example.com/" + std::string(200, 'a')), 23);
  EXPECT_EQ(WeightedLength("http://a.io"), 23);  // shorter than 23, still 23
  EXPECT_EQ(WeightedLength("see example.com and https://x.org/日本"), 4 + 23 + 5 + 23);
  EXPECT_EQ(WeightedLength("www.example.com"), 23);
  EXPECT_EQ(WeightedLength("not.a.url"), 9);  // "url" is no top-level domain
  EXPECT_EQ(WeightedLength("example.xyz"), 23);
  EXPECT_EQ(WeightedLength("lemonde.fr"), 10);  // a lone country domain is a url only with a path
  EXPECT_EQ(WeightedLength("lemonde.fr/a"), 23);
}

TEST(WeightedLength, NormalizeNfcComposes) {
  EXPECT_EQ(NormalizeNfc("e\u0301"), "\u00E9");
  EXPECT_EQ(NormalizeNfc("\u00E9"), "\u00E9");
  EXPECT_EQ(NormalizeNfc(""), "");
  EXPECT_EQ(NormalizeNfc("\u212B"), "\u00C5");  // Angstrom sign to Å
  EXPECT_EQ(NormalizeNfc(kFamily), kFamily);
}

// The cases of issue 12, counted as X counts them.
TEST(WeightedLength, IssueCases) {
  std::string url = "https://example.com/";
  url += std::string(121 - url.size(), 'p');
  ASSERT_EQ(url.size(), 121u);
  EXPECT_EQ(WeightedLength(std::string(250, 'a') + " " + url), 274);
  EXPECT_EQ(WeightedLength(NormalizeNfc(Repeat("e\u0301", 200))), 200);
  EXPECT_EQ(WeightedLength(Repeat(kFamily, 41)), 82);
  EXPECT_EQ(WeightedLength(Repeat("日", 280)), 560);
  EXPECT_EQ(WeightedLength(Repeat("\U0001F600", 141)), 282);
}

}  // namespace
}  // namespace sluice
