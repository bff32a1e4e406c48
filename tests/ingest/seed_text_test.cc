#include "ingest/seed_text.h"

#include <gtest/gtest.h>

#include <string>

#include "core/weighted_length.h"

namespace sluice::seed_internal {
namespace {

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// The builder weighs as X does: an emoji 2, a url 23 whatever its length.
TEST(TextBuilder, WeighsPiecesAsX) {
  TextBuilder b;
  for (int i = 0; i < 140; ++i) ASSERT_TRUE(b.Append("\U0001F600", /*glue=*/true));
  EXPECT_EQ(b.weight(), 280);
  EXPECT_FALSE(b.Append("\U0001F600", true));  // 282: a long post
  EXPECT_EQ(WeightedLength(b.text()), 280);

  TextBuilder urls;
  ASSERT_TRUE(urls.Append(Repeat("a", 200)));
  ASSERT_TRUE(urls.Append("https://example.com/" + Repeat("p", 150)));  // 200 + 1 + 23
  EXPECT_EQ(urls.weight(), 224);
  EXPECT_EQ(WeightedLength(urls.text()), 224);

  TextBuilder cjk;
  ASSERT_TRUE(cjk.Append(Repeat("日", 140)));
  EXPECT_FALSE(cjk.Append("a"));
}

// A retweet's text is cut with an ellipsis, which weighs 2: the result stays within 280.
TEST(TruncateWords, StaysWithinTheWeightWithItsEllipsis) {
  EXPECT_EQ(TruncateWords("short text", 280), "short text");
  std::string cjk = "RT @someone: " + Repeat("日本 ", 100);
  std::string cut = TruncateWords(cjk, 280);
  EXPECT_LE(WeightedLength(cut), 280) << cut;
  EXPECT_GE(WeightedLength(cut), 270) << cut;
  EXPECT_EQ(cut.substr(cut.size() - 3), "\u2026");
  EXPECT_EQ(cut.rfind("RT @someone: 日本 日本", 0), 0u);

  std::string latin = Repeat("word ", 60);
  std::string latin_cut = TruncateWords(latin, 280);
  EXPECT_LE(WeightedLength(latin_cut), 280);
  EXPECT_EQ(latin_cut, Repeat("word ", 54) + "word\u2026");  // 55 words weigh 274, 56 would pass 278
}

}  // namespace
}  // namespace sluice::seed_internal
