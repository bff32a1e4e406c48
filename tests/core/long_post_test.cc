#include "core/long_post.h"

#include <gtest/gtest.h>

#include <string>

#include "core/text.h"
#include "core/weighted_length.h"

namespace sluice {
namespace {

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string Cut(std::string_view text) {
  auto cut = LongPostCut(text);
  return cut ? std::string(text.substr(0, *cut)) : std::string(text);
}

TEST(LongPostCut, FittingTextIsNotCut) {
  EXPECT_FALSE(LongPostCut(""));
  EXPECT_FALSE(LongPostCut(Repeat("a", 280)));
  EXPECT_FALSE(LongPostCut(Repeat("日", 140)));
  // 250 letters and a long url weigh 250 + 1 + 23: not long, whatever the url's length.
  EXPECT_FALSE(LongPostCut(Repeat("a", 250) + " https://example.com/" + Repeat("p", 100)));
}

// X's own example (xdevplatform/samples#202): 283 characters come back as the first 270, up
// to the word that would pass 280, without the space and without an ellipsis.
TEST(LongPostCut, CutsBeforeTheWordThatWouldPass280) {
  const std::string kept =
      "It is heartening to see 210 Naxalites lay down their arms - a step long overdue. The efforts of the "
      "Hon\u2019ble Home Minister @AmitShah and @PMOIndia have paved the way for greater peace and prosperity. "
      "Congratulations to @PMOIndia and Hon\u2019ble @AmitShah for this commendable";
  ASSERT_EQ(CountCodePoints(kept), 270);
  EXPECT_EQ(Cut(kept + " achievement."), kept);
}

TEST(LongPostCut, CountsWeightsNotCodePoints) {
  // 141 CJK characters weigh 282: cut after 140 (no space: after whole characters).
  EXPECT_EQ(Cut(Repeat("日", 141)), Repeat("日", 140));
  // Words of two CJK characters: the cut falls at the last space that keeps <= 280.
  std::string words = Repeat("日本 ", 100);  // each "日本 " weighs 5
  std::string cut = Cut(words);
  EXPECT_EQ(cut, Repeat("日本 ", 55) + "日本");  // 56 words: 56 * 4 + 55 = 279
  EXPECT_LE(WeightedLength(cut), 280);
  // A url counts 23 whatever its length, also in the text that is kept.
  std::string with_url = "https://example.com/" + Repeat("x", 300) + " " + Repeat("word ", 60);
  std::string kept = Cut(with_url);
  EXPECT_EQ(kept.rfind("https://example.com/", 0), 0u);
  EXPECT_LE(WeightedLength(kept), 280);
  EXPECT_GT(WeightedLength(kept), 270);
}

TEST(LongPostCut, KeepsEmojiSequencesWhole) {
  const std::string family = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466";
  std::string text = Repeat(family, 141);  // 282
  EXPECT_EQ(Cut(text), Repeat(family, 140));
}

TEST(LongPostCut, DropsTrailingWhiteSpaceAndNeverAddsAnEllipsis) {
  std::string text = Repeat("abcd ", 56) + "  tail";  // 280 letters and spaces, then more
  std::string cut = Cut(text);
  EXPECT_NE(cut.back(), ' ');
  EXPECT_EQ(cut.find("\u2026"), std::string::npos);
  EXPECT_EQ(text.rfind(cut, 0), 0u);  // a prefix
}

TEST(LongPostCut, CutToWeightTakesAnyLimit) {
  EXPECT_FALSE(CutToWeight("one two", 7));
  EXPECT_EQ(CutToWeight("one two three", 9), 7u);
  EXPECT_EQ(CutToWeight("日日日", 3), 3u);  // one character of weight 2 fits
  EXPECT_EQ(CutToWeight("日日日", 1), 0u);
}

TEST(MakeLongPost, MovesTheWholeTextToTheNoteAndKeepsEntitiesWithinTheCut) {
  Post p;
  p.text = "#start " + Repeat("word ", 60) + "@late and #tag at the end https://example.com/x";
  p.entities = ExtractEntities(p.text);
  const std::string whole = p.text;
  const size_t all = p.entities.hashtags.size() + p.entities.mentions.size() + p.entities.urls.size();
  ASSERT_TRUE(MakeLongPost(p));
  EXPECT_EQ(p.note_text, whole);
  EXPECT_EQ(whole.rfind(p.text, 0), 0u);
  EXPECT_LE(WeightedLength(p.text), 280);
  EXPECT_EQ(p.note_entities.hashtags.size() + p.note_entities.mentions.size() + p.note_entities.urls.size(), all);
  ASSERT_EQ(p.entities.hashtags.size(), 1u);
  EXPECT_EQ(p.entities.hashtags[0].tag, "start");
  EXPECT_TRUE(p.entities.mentions.empty());
  EXPECT_TRUE(p.entities.urls.empty());
  const int64_t length = CountCodePoints(p.text);
  for (const auto& h : p.entities.hashtags) EXPECT_LE(h.span.end, length);

  Post short_post;
  short_post.text = "short";
  EXPECT_FALSE(MakeLongPost(short_post));
  EXPECT_EQ(short_post.text, "short");
  EXPECT_TRUE(short_post.note_text.empty());
}

// A reply's leading @usernames (X's reply metadata) are outside the 280: a reply of 280 letters
// after them is not long; one of 290 is cut after them plus 280 weighted characters.
TEST(MakeLongPost, LeavesAReplysLeadingMentionsOutOfTheLimit) {
  EXPECT_EQ(ReplyMentionsBytes("@alice @bob_2  hi @carol"), 15u);
  EXPECT_EQ(ReplyMentionsBytes("hi @alice"), 0u);
  EXPECT_EQ(ReplyMentionsBytes("@alice"), 0u);  // a mention alone is the text, not metadata
  Post reply;
  reply.referenced = {{ReferenceType::kRepliedTo, 1}};
  reply.text = "@alice @bob " + std::string(280, 'a');
  reply.entities = ExtractEntities(reply.text);
  EXPECT_FALSE(MakeLongPost(reply));
  reply.text = "@alice @bob " + std::string(140, 'a') + " " + std::string(149, 'b');
  reply.entities = ExtractEntities(reply.text);
  ASSERT_TRUE(MakeLongPost(reply));
  EXPECT_EQ(reply.text, "@alice @bob " + std::string(140, 'a'));
  EXPECT_EQ(reply.entities.mentions.size(), 2u);
  Post original;  // not a reply: its mentions count
  original.text = "@alice @bob " + std::string(280, 'a');
  original.entities = ExtractEntities(original.text);
  EXPECT_TRUE(MakeLongPost(original));
}

TEST(EntitiesWithin, KeepsOnlyWholeSpans) {
  Entities e = ExtractEntities("#one #two #three");
  Entities within = EntitiesWithin(e, 9);  // "#one #two" is 9 code points
  ASSERT_EQ(within.hashtags.size(), 2u);
  EXPECT_EQ(EntitiesWithin(e, 8).hashtags.size(), 1u);  // "#two" cut: not an entity of the cut
}

}  // namespace
}  // namespace sluice
