// Integration: POST /2/tweets limits text as X counts it (issue 12, item 3), through the real
// server: the weighted length, not code points, against posts.max_chars; the text stored and
// served in NFC.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "harness.h"

namespace sluice::testing {
namespace {

std::string Body(std::string_view text) {
  return "{\"text\":" + boost::json::serialize(boost::json::string(text)) + "}";
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(PostLength, WeightedLimitAndNfcText) {
  SluiceServer server;
  std::string token = server.CreateApp("writer", "enterprise");
  server.Start();
  auto post = [&](std::string_view text) { return server.Request("POST", "/2/tweets", token, Body(text)); };

  std::string url = "https://example.com/" + std::string(101, 'p');  // 121 characters, counts 23
  EXPECT_EQ(post(std::string(250, 'a') + " " + url).status, 201);  // 274
  std::string family = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466";
  EXPECT_EQ(post(Repeat(family, 41)).status, 201);  // 82

  auto composed = post(Repeat("e\u0301", 200));  // 400 code points, 200 after NFC
  ASSERT_EQ(composed.status, 201) << composed.body;
  std::string id(composed.Json().at("data").at("id").as_string());
  auto got = server.Get("/2/tweets/" + id, token);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Json().at("data").at("text").as_string(), Repeat("\u00E9", 200));

  auto cjk = post(Repeat("日", 280));
  EXPECT_EQ(cjk.status, 400);
  auto err = cjk.Json().at("errors").at(0);
  EXPECT_EQ(err.at("message").as_string(), "`text` is 560 characters long; the limit is 280") << cjk.body;
  EXPECT_EQ(post(Repeat("\U0001F600", 141)).status, 400);  // 282
  EXPECT_EQ(post(Repeat("\U0001F600", 140)).status, 201);  // 280
}

// X detects a post's language; Sluice too (core/language.h): lang in the post, and lang: in search.
TEST(PostLanguage, DetectedOnWriteAndSearchable) {
  SluiceServer server;
  std::string token = server.CreateApp("writer", "enterprise");
  server.Start();
  struct Case {
    std::string_view text, lang;
  };
  const Case cases[] = {{"Les vacances sont enfin là, et le soleil aussi", "fr"},
                        {"The holidays are here and the sun is out", "en"},
                        {"今日はいい天気ですね", "ja"},
                        {"@someone #tag https://example.com/x", "und"}};
  for (const Case& c : cases) {
    auto created = server.Request("POST", "/2/tweets", token, Body(c.text));
    ASSERT_EQ(created.status, 201) << created.body;
    std::string id(created.Json().at("data").at("id").as_string());
    auto got = server.Get("/2/tweets/" + id + "?tweet.fields=lang", token);
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.Json().at("data").at("lang").as_string(), c.lang) << c.text;
  }
  auto fr = server.Get("/2/tweets/search/recent?query=vacances%20lang%3Afr", token);
  ASSERT_EQ(fr.status, 200) << fr.body;
  EXPECT_EQ(fr.Json().at("meta").at("result_count").as_int64(), 1) << fr.body;
  auto en = server.Get("/2/tweets/search/recent?query=vacances%20lang%3Aen", token);
  ASSERT_EQ(en.status, 200) << en.body;
  EXPECT_EQ(en.Json().at("meta").at("result_count").as_int64(), 0) << en.body;
}

}  // namespace
}  // namespace sluice::testing
