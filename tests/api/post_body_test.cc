#include "api/post_body.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace sluice {
namespace {

// The parameter a refusal names and its message.
std::pair<std::string, std::string> Refusal(std::string_view body, int64_t max_chars = 280) {
  auto r = ParsePostBody(body, max_chars);
  if (r.ok()) return {"ok", ""};
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidRequest);
  const auto& e = r.status().parameter_errors();
  return e.empty() ? std::make_pair(std::string("?"), r.status().message())
                   : std::make_pair(e.front().parameter, e.front().message);
}

TEST(PostBody, TextReplyAndQuote) {
  auto p = ParsePostBody(R"({"text":"hello","reply":{"in_reply_to_tweet_id":"12"},"quote_tweet_id":"34"})", 280);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->text, "hello");
  EXPECT_EQ(p->Reference(ReferenceType::kRepliedTo), 12);
  EXPECT_EQ(p->Reference(ReferenceType::kQuoted), 34);
  EXPECT_EQ(p->id, 0);  // the caller's
}

TEST(PostBody, BadJsonAndWrongTypesAreNamed) {
  EXPECT_EQ(Refusal("{").first, "body");
  EXPECT_EQ(Refusal("[1]").first, "body");
  EXPECT_EQ(Refusal(R"({"text":5})"), std::make_pair(std::string("text"), std::string("`text` must be a string")));
  EXPECT_EQ(Refusal(R"({"text":"a","reply":{"in_reply_to_tweet_id":12}})").first, "reply.in_reply_to_tweet_id");
  EXPECT_EQ(Refusal(R"({"text":"a","reply":{"in_reply_to_tweet_id":"12","x":1}})").first, "reply");
  EXPECT_EQ(Refusal(R"({"text":"a","quote_tweet_id":"12a"})").first, "quote_tweet_id");
  EXPECT_EQ(Refusal(R"({"text":"a","media":{}})").second,
            "`media` is not supported by this server (supported: text, reply, quote_tweet_id)");
}

TEST(PostBody, TextIsRequiredUtf8AndBounded) {
  EXPECT_EQ(Refusal("{}").first, "text");
  EXPECT_EQ(Refusal(R"({"text":""})").first, "text");
  // Invalid UTF-8, raw or as a lone surrogate escape: the JSON parser refuses it first.
  EXPECT_EQ(Refusal("{\"text\":\"\xff\"}").first, "body");
  EXPECT_EQ(Refusal(R"({"text":"\ud800"})").first, "body");
  EXPECT_EQ(Refusal(R"({"text":"héhé"})", 4).first, "ok");  // code points, not bytes
  EXPECT_EQ(Refusal(R"({"text":"héhéh"})", 4).second, "`text` is 5 characters long; the limit is 4");
}

// {"text": text} with text JSON-escaped.
std::string Body(std::string_view text) {
  return "{\"text\":" + boost::json::serialize(boost::json::string(text)) + "}";
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Issue 12's cases: the limit is X's weighted length, not code points.
TEST(PostBody, LengthIsWeightedAsXCountsIt) {
  std::string url = "https://example.com/";
  url += std::string(121 - url.size(), 'p');
  EXPECT_EQ(Refusal(Body(std::string(250, 'a') + " " + url)).first, "ok");  // 274
  std::string family = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466";
  EXPECT_EQ(Refusal(Body(Repeat(family, 41))).first, "ok");  // 82 (287 code points)
  EXPECT_EQ(Refusal(Body(Repeat("日", 280))).second, "`text` is 560 characters long; the limit is 280");
  EXPECT_EQ(Refusal(Body(Repeat("\U0001F600", 141))).second, "`text` is 282 characters long; the limit is 280");
}

TEST(PostBody, TextIsStoredInNfc) {
  auto p = ParsePostBody(Body(Repeat("e\u0301", 200)), 280);  // 400 code points, 200 after NFC
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->text, Repeat("\u00E9", 200));
}

TEST(PostBody, LimitIsInclusive) {
  EXPECT_EQ(Refusal(Body(std::string(280, 'a'))).first, "ok");
  EXPECT_EQ(Refusal(Body(std::string(281, 'a'))).second, "`text` is 281 characters long; the limit is 280");
  EXPECT_EQ(Refusal(Body(Repeat("\U0001F600", 140))).first, "ok");  // 280
  EXPECT_EQ(Refusal(Body(Repeat("日", 140) + "a")).second, "`text` is 281 characters long; the limit is 280");
}

}  // namespace
}  // namespace sluice
