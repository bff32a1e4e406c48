#include "core/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace sluice {
namespace {

std::vector<std::string> Tags(const Entities& e) {
  std::vector<std::string> out;
  for (const auto& h : e.hashtags) out.push_back(h.tag);
  return out;
}
std::vector<std::string> Names(const Entities& e) {
  std::vector<std::string> out;
  for (const auto& m : e.mentions) out.push_back(m.username);
  return out;
}
std::vector<std::string> Cashtags(const Entities& e) {
  std::vector<std::string> out;
  for (const auto& c : e.cashtags) out.push_back(c.tag);
  return out;
}
std::vector<std::string> Urls(const Entities& e) {
  std::vector<std::string> out;
  for (const auto& u : e.urls) out.push_back(u.url);
  return out;
}
using V = std::vector<std::string>;

TEST(Utf8, AcceptsWellFormed) {
  for (const char* s : {"", "hello", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x99\x82", "\xf4\x8f\xbf\xbf",
                        "\xed\x9f\xbf", "a\0b"})
    EXPECT_TRUE(IsValidUtf8(s)) << s;
}

TEST(Utf8, RejectsMalformed) {
  for (const char* s : {"\x80", "\xc3", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf0\x80\x80\xaf",
                        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xe2\x82", "ab\xc3(", "\xf0\x9f\x99"})
    EXPECT_FALSE(IsValidUtf8(s)) << s;
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(CountCodePoints(""), 0);
  EXPECT_EQ(CountCodePoints("abc"), 3);
  EXPECT_EQ(CountCodePoints("été"), 3);
  EXPECT_EQ(CountCodePoints("🙂 #tag"), 6);
  EXPECT_EQ(CountCodePoints("日本語"), 3);
}

TEST(Entities, HashtagsAsciiAndAccents) {
  Entities e = ExtractEntities("Vive les #vacances et #Été2024 à #Montréal_QC !");
  EXPECT_EQ(Tags(e), (V{"vacances", "Été2024", "Montréal_QC"}));
  ASSERT_EQ(e.hashtags.size(), 3u);
  EXPECT_EQ(e.hashtags[0].span.start, 9);
  EXPECT_EQ(e.hashtags[0].span.end, 18);
  EXPECT_EQ(e.hashtags[1].span.start, 22);  // "à" earlier counts one code point, not two bytes
  EXPECT_EQ(e.hashtags[1].span.end, 30);
  EXPECT_EQ(Tags(ExtractEntities("＃全角 and #日本語")), (V{"全角", "日本語"}));
}

TEST(Entities, EmojiBeforeEntitiesCountsCodePoints) {
  Entities e = ExtractEntities("🙂 #tag");
  ASSERT_EQ(e.hashtags.size(), 1u);
  EXPECT_EQ(e.hashtags[0].span.start, 2);
  EXPECT_EQ(e.hashtags[0].span.end, 6);
  e = ExtractEntities("🇫🇷🔥@marie_l $AAPL");
  ASSERT_EQ(e.mentions.size(), 1u);
  EXPECT_EQ(e.mentions[0].span.start, 3);
  EXPECT_EQ(e.mentions[0].span.end, 11);
  ASSERT_EQ(e.cashtags.size(), 1u);
  EXPECT_EQ(e.cashtags[0].span.start, 12);
  EXPECT_EQ(e.cashtags[0].span.end, 17);
  EXPECT_EQ(Tags(ExtractEntities("#fête🎉 #go")), (V{"fête", "go"}));
}

TEST(Entities, InvalidHashtags) {
  EXPECT_TRUE(ExtractEntities("a#b").hashtags.empty());
  EXPECT_TRUE(ExtractEntities("#123").hashtags.empty());
  EXPECT_TRUE(ExtractEntities("# spaced").hashtags.empty());
  EXPECT_TRUE(ExtractEntities("&#39;").hashtags.empty());
  EXPECT_TRUE(ExtractEntities("é#tag").hashtags.empty());
  EXPECT_TRUE(ExtractEntities("#️⃣ keycap").hashtags.empty());
  EXPECT_TRUE(ExtractEntities("#_").hashtags.empty());
  EXPECT_TRUE(ExtractEntities("#a#b").hashtags.empty());  // followed by '#': twitter-text rejects both
  EXPECT_EQ(Tags(ExtractEntities("#123abc #1_a")), (V{"123abc", "1_a"}));
  EXPECT_EQ(Tags(ExtractEntities("(#tag), #fin.")), (V{"tag", "fin"}));
}

TEST(Entities, Mentions) {
  Entities e = ExtractEntities("@alice hi @Bob_2, cc @élise");
  EXPECT_EQ(Names(e), (V{"alice", "Bob_2"}));
  EXPECT_EQ(e.mentions[0].span.start, 0);
  EXPECT_EQ(e.mentions[0].span.end, 6);
  EXPECT_FALSE(e.mentions[0].id.has_value());
  EXPECT_EQ(Names(ExtractEntities("RT @user: text")), (V{"user"}));
  EXPECT_EQ(Names(ExtractEntities("(@paren) «@guillemet»")), (V{"paren", "guillemet"}));
  EXPECT_EQ(Names(ExtractEntities("@abcdefghijklmno ok")), (V{"abcdefghijklmno"}));
}

TEST(Entities, InvalidMentions) {
  EXPECT_TRUE(ExtractEntities("foo@bar.com").mentions.empty());
  EXPECT_TRUE(ExtractEntities("a@b.c").mentions.empty());
  EXPECT_TRUE(ExtractEntities("@abcdefghijklmnop is too long").mentions.empty());
  EXPECT_TRUE(ExtractEntities("@user@host").mentions.empty());
  EXPECT_TRUE(ExtractEntities("@ alone").mentions.empty());
  EXPECT_TRUE(ExtractEntities("!@bang #@hash").mentions.empty());
  EXPECT_TRUE(ExtractEntities("@renée").mentions.empty());
  EXPECT_TRUE(ExtractEntities("@http://x.com").mentions.empty());
}

TEST(Entities, Cashtags) {
  EXPECT_EQ(Cashtags(ExtractEntities("$AAPL and $brk.b, ($TSLA) $MC.PA.")), (V{"AAPL", "brk.b", "TSLA", "MC.PA"}));
  EXPECT_TRUE(ExtractEntities("$1000 US$5 a$B $TOOLONG $ AB").cashtags.empty());
  EXPECT_EQ(Cashtags(ExtractEntities("$AAPL.com")), (V{"AAPL"}));
}

TEST(Entities, AdjacentEntities) {
  Entities e = ExtractEntities("#one #two @three @four $FIVE");
  EXPECT_EQ(Tags(e), (V{"one", "two"}));
  EXPECT_EQ(Names(e), (V{"three", "four"}));
  EXPECT_EQ(Cashtags(e), (V{"FIVE"}));
  EXPECT_EQ(e.hashtags[1].span.start, 5);
  EXPECT_EQ(e.mentions[0].span.start, 10);
  EXPECT_EQ(e.mentions[1].span.start, 17);
  e = ExtractEntities("@a #b");
  EXPECT_EQ(Names(e), (V{"a"}));
  EXPECT_EQ(Tags(e), (V{"b"}));
  e = ExtractEntities("#tag@user");  // '@' after a letter: only the hashtag
  EXPECT_EQ(Tags(e), (V{"tag"}));
  EXPECT_TRUE(e.mentions.empty());
}

TEST(Entities, UrlsWithScheme) {
  Entities e = ExtractEntities("Lire https://www.lemonde.fr/politique/article_1.html?x=1#top, merci");
  ASSERT_EQ(e.urls.size(), 1u);
  EXPECT_EQ(e.urls[0].url, "https://www.lemonde.fr/politique/article_1.html?x=1#top");
  EXPECT_EQ(e.urls[0].expanded_url, e.urls[0].url);
  EXPECT_EQ(e.urls[0].display_url, "lemonde.fr/politique/arti\u2026");
  EXPECT_EQ(e.urls[0].span.start, 5);
  EXPECT_EQ(e.urls[0].span.end, 5 + 55);
  EXPECT_TRUE(e.hashtags.empty());  // "#top" is inside the url
  EXPECT_EQ(Urls(ExtractEntities("http://example.com:8080/a b")), (V{"http://example.com:8080/a"}));
  EXPECT_EQ(ExtractEntities("HTTP://Example.COM").urls[0].display_url, "Example.COM");
  EXPECT_TRUE(ExtractEntities("http://localhost/x https:// xhttp://a.com").urls.empty());
}

TEST(Entities, UrlTrailingPunctuationAndParentheses) {
  EXPECT_EQ(Urls(ExtractEntities("See https://example.com/a.")), (V{"https://example.com/a"}));
  EXPECT_EQ(Urls(ExtractEntities("Vu https://example.com/a?! Oui")), (V{"https://example.com/a"}));
  EXPECT_EQ(Urls(ExtractEntities("\"https://example.com/q\"")), (V{"https://example.com/q"}));
  EXPECT_EQ(Urls(ExtractEntities("(voir https://example.com/page)")), (V{"https://example.com/page"}));
  EXPECT_EQ(Urls(ExtractEntities("https://en.wikipedia.org/wiki/Lyon_(ville)")),
            (V{"https://en.wikipedia.org/wiki/Lyon_(ville)"}));
  EXPECT_EQ(Urls(ExtractEntities("(https://en.wikipedia.org/wiki/A_(b)).")), (V{"https://en.wikipedia.org/wiki/A_(b)"}));
  EXPECT_EQ(Urls(ExtractEntities("https://example.com, https://example.org;")),
            (V{"https://example.com", "https://example.org"}));
}

TEST(Entities, BareDomains) {
  Entities e = ExtractEntities("Go to example.com/path and www.site.fr.");
  ASSERT_EQ(Urls(e), (V{"example.com/path", "www.site.fr"}));
  EXPECT_EQ(e.urls[0].expanded_url, "https://example.com/path");
  EXPECT_EQ(e.urls[0].display_url, "example.com/path");
  EXPECT_EQ(e.urls[1].display_url, "site.fr");
  EXPECT_EQ(e.urls[1].span.start, 27);
  EXPECT_EQ(e.urls[1].span.end, 38);
  EXPECT_TRUE(ExtractEntities("foo@bar.com e.g. v1.2 file.txt @bar.com #x.com").urls.empty());
  EXPECT_EQ(Names(ExtractEntities("@bar.com")), (V{"bar"}));
}

// twitter-text's rules: every IANA top-level domain; a lone "name.cc" country domain only with
// a path after it, unless the code is co or tv.
TEST(Entities, BareDomainsUseEveryTopLevelDomain) {
  EXPECT_EQ(Urls(ExtractEntities("try example.xyz and news.museum, not.a.url")),
            (V{"example.xyz", "news.museum"}));
  EXPECT_EQ(Urls(ExtractEntities("lemonde.fr and lemonde.fr/une")), (V{"lemonde.fr/une"}));
  EXPECT_EQ(Urls(ExtractEntities("www.lemonde.fr, t.co and twitch.tv")), (V{"www.lemonde.fr", "t.co", "twitch.tv"}));
  EXPECT_TRUE(ExtractEntities("see lemonde.fr. And wait.fr").urls.empty());
}

TEST(Entities, DisplayUrlTruncatesOnCodePoints) {
  Entities e = ExtractEntities("https://example.fr/été/éléphants/très-longue-adresse");
  ASSERT_EQ(e.urls.size(), 1u);
  EXPECT_EQ(e.urls[0].display_url, "example.fr/été/éléphants/\u2026");
  EXPECT_EQ(CountCodePoints(e.urls[0].display_url), 26);
}

TEST(Entities, NothingInPlainText) {
  EXPECT_TRUE(ExtractEntities("").empty());
  EXPECT_TRUE(ExtractEntities("Bonjour à tous, il fait beau aujourd'hui.").empty());
  EXPECT_EQ(Tags(ExtractEntities(std::string_view("a\0#b", 4))), (V{"b"}));
}

// Random text over an alphabet rich in sigils and url pieces: spans stay inside the text,
// in order, never overlap, and slice back to what each entity holds.
TEST(Entities, RandomTextKeepsSpansConsistent) {
  const std::vector<std::string> pieces = {"#", "@", "$", "＃", "http://", "https://", ".com", ".fr", "/", "(", ")",
                                           ".", ",", " ", "a", "Z", "é", "_", "1", "🙂", "日", "www.", "x", "?"};
  uint64_t state = 42;
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int len = int(state % 40);
    for (int k = 0; k < len; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      text += pieces[(state >> 33) % pieces.size()];
    }
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    Entities e = ExtractEntities(text);
    struct Found {
      Span span;
      std::string value;
      int sigil;  // code points before the value: 1 for #, @, $; 0 for a url
    };
    std::vector<Found> all;
    for (const auto& h : e.hashtags) all.push_back({h.span, h.tag, 1});
    for (const auto& m : e.mentions) all.push_back({m.span, m.username, 1});
    for (const auto& c : e.cashtags) all.push_back({c.span, c.tag, 1});
    for (const auto& u : e.urls) all.push_back({u.span, u.url, 0});
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.span.start < b.span.start; });
    int32_t last = 0;
    for (const auto& [span, value, sigil] : all) {
      ASSERT_LE(last, span.start) << text;
      ASSERT_LT(span.start, span.end) << text;
      ASSERT_LE(span.end, CountCodePoints(text)) << text;
      last = span.end;
      EXPECT_EQ(CountCodePoints(value) + sigil, span.end - span.start) << text;
      EXPECT_TRUE(IsValidUtf8(value)) << text;
    }
  }
}

}  // namespace
}  // namespace sluice
