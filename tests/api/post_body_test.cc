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
  EXPECT_EQ(Refusal(R"({"text":"a","reply":{"in_reply_to_tweet_id":"12","x":1}})").first, "reply.x");
  EXPECT_EQ(Refusal(R"({"text":"a","quote_tweet_id":"12a"})").first, "quote_tweet_id");
  EXPECT_EQ(Refusal(R"({"text":"a","card_uri":"x"})").first, "card_uri");
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

// Issue 12, item 5: the members of X's TweetCreateRequest beyond text and references.
TEST(PostBody, ReplySettingsTakeXsValues) {
  for (auto [name, value] : {std::pair{"following", ReplySettings::kFollowing},
                             {"mentionedUsers", ReplySettings::kMentionedUsers},
                             {"subscribers", ReplySettings::kSubscribers}, {"verified", ReplySettings::kVerified}}) {
    auto p = ParsePostBody(std::string(R"({"text":"a","reply_settings":")") + name + "\"}", 280);
    ASSERT_TRUE(p.ok()) << name << ": " << p.status().message();
    EXPECT_EQ(p->reply_settings, value);
  }
  EXPECT_EQ(ParsePostBody(R"({"text":"a"})", 280)->reply_settings, ReplySettings::kEveryone);
  const std::string listed = "] is not one of [following,mentionedUsers,subscribers,verified]";
  EXPECT_EQ(Refusal(R"({"text":"a","reply_settings":"everyone"})"),
            std::make_pair(std::string("reply_settings"), "`reply_settings` value [everyone" + listed));
  EXPECT_EQ(Refusal(R"({"text":"a","reply_settings":"Following"})").first, "reply_settings");
  EXPECT_EQ(Refusal(R"({"text":"a","reply_settings":1})").second, "`reply_settings` must be a string");
}

TEST(PostBody, DisclosuresAndNullcastAreBooleans) {
  auto p = ParsePostBody(
      R"({"text":"a","made_with_ai":true,"paid_partnership":true,"nullcast":true,"share_with_followers":true,)"
      R"("for_super_followers_only":false})",
      280);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->made_with_ai);
  EXPECT_TRUE(p->paid_partnership);
  EXPECT_TRUE(p->nullcast);
  auto q = ParsePostBody(R"({"text":"a","made_with_ai":false,"paid_partnership":false,"nullcast":false})", 280);
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->made_with_ai || q->paid_partnership || q->nullcast);
  for (std::string name : {"made_with_ai", "paid_partnership", "nullcast", "share_with_followers", "for_super_followers_only"})
    EXPECT_EQ(Refusal(R"({"text":"a",")" + name + R"(":"true"})"),
              std::make_pair(name, "`" + name + "` must be true or false"));
}

TEST(PostBody, SuperFollowersOnlyIsForbidden) {
  auto p = ParsePostBody(R"({"text":"a","for_super_followers_only":true})", 280);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kForbidden);
}

TEST(PostBody, ReplyMembersAreValidated) {
  auto p = ParsePostBody(
      R"({"text":"a","reply":{"in_reply_to_tweet_id":"12","exclude_reply_user_ids":["5","6"],"auto_populate_reply_metadata":true}})",
      280);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->Reference(ReferenceType::kRepliedTo), 12);
  EXPECT_EQ(Refusal(R"({"text":"a","reply":{"exclude_reply_user_ids":["5"]}})"),
            std::make_pair(std::string("reply.in_reply_to_tweet_id"), std::string("`reply.in_reply_to_tweet_id` is required")));
  EXPECT_EQ(Refusal(R"({"text":"a","reply":{"in_reply_to_tweet_id":"12","exclude_reply_user_ids":"5"}})").second,
            "`reply.exclude_reply_user_ids` must be an array of strings of digits");
  EXPECT_EQ(Refusal(R"({"text":"a","reply":{"in_reply_to_tweet_id":"12","exclude_reply_user_ids":[5]}})").first,
            "reply.exclude_reply_user_ids");
  EXPECT_EQ(Refusal(R"({"text":"a","reply":{"in_reply_to_tweet_id":"12","auto_populate_reply_metadata":1}})").second,
            "`reply.auto_populate_reply_metadata` must be true or false");
  EXPECT_EQ(Refusal(R"({"text":"a","reply":[]})").second, "`reply` must be an object");
}

TEST(PostBody, PollOptionsAndDuration) {
  auto p = ParsePostBody(R"({"text":"which?","poll":{"options":["é","b","c","d"],"duration_minutes":10080}})", 280);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p->poll);
  EXPECT_EQ(p->poll->options, (std::vector<std::string>{"\u00E9", "b", "c", "d"}));
  EXPECT_EQ(p->poll->votes, (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(p->poll->duration_minutes, 10080);
  EXPECT_EQ(Refusal(R"({"text":"a","poll":{"options":["x","y"],"duration_minutes":5}})").first, "ok");
  EXPECT_EQ(Refusal(R"({"text":"a","poll":{"options":["x","y"],"duration_minutes":5,"reply_settings":"following"}})").first, "ok");
  // 25 characters, not bytes: 25 × é is 50 bytes.
  EXPECT_EQ(Refusal(R"({"text":"a","poll":{"options":["x",")" + Repeat("\u00E9", 25) + R"("],"duration_minutes":5}})").first, "ok");
}

TEST(PostBody, BadPollsAreNamed) {
  auto poll = [](std::string_view inner) { return Refusal(std::string(R"({"text":"a","poll":)") + std::string(inner) + "}"); };
  EXPECT_EQ(poll(R"({"options":["x"],"duration_minutes":5})"),
            std::make_pair(std::string("poll.options"), std::string("`poll.options` must have 2 to 4 options; it has 1")));
  EXPECT_EQ(poll(R"({"options":["a","b","c","d","e"],"duration_minutes":5})").second,
            "`poll.options` must have 2 to 4 options; it has 5");
  EXPECT_EQ(poll(R"({"options":["x",""],"duration_minutes":5})").second,
            "Each of `poll.options` must be 1 to 25 characters long; [] is 0");
  EXPECT_EQ(poll(R"({"options":["x",")" + std::string(26, 'z') + R"("],"duration_minutes":5})").second,
            "Each of `poll.options` must be 1 to 25 characters long; [" + std::string(26, 'z') + "] is 26");
  EXPECT_EQ(poll(R"({"options":["x",2],"duration_minutes":5})").second, "`poll.options` must be an array of strings");
  EXPECT_EQ(poll(R"({"options":"x,y","duration_minutes":5})").second, "`poll.options` must be an array of strings");
  EXPECT_EQ(poll(R"({"options":["x","y"],"duration_minutes":4})"),
            std::make_pair(std::string("poll.duration_minutes"),
                           std::string("`poll.duration_minutes` must be 5 to 10080 (7 days); it is 4")));
  EXPECT_EQ(poll(R"({"options":["x","y"],"duration_minutes":10081})").second,
            "`poll.duration_minutes` must be 5 to 10080 (7 days); it is 10081");
  EXPECT_EQ(poll(R"({"options":["x","y"],"duration_minutes":18446744073709551615})").first, "poll.duration_minutes");
  EXPECT_EQ(poll(R"({"options":["x","y"],"duration_minutes":60.5})").second, "`poll.duration_minutes` must be an integer");
  EXPECT_EQ(poll(R"({"options":["x","y"],"duration_minutes":"60"})").second, "`poll.duration_minutes` must be an integer");
  EXPECT_EQ(poll(R"({"options":["x","y"]})").second, "`poll.duration_minutes` is required");
  EXPECT_EQ(poll(R"({"duration_minutes":5})").second, "`poll.options` is required");
  EXPECT_EQ(poll(R"({"options":["x","y"],"duration_minutes":5,"votes":1})").first, "poll.votes");
  EXPECT_EQ(poll(R"({"options":["x","y"],"duration_minutes":5,"reply_settings":"all"})").first, "poll.reply_settings");
  EXPECT_EQ(poll("[]").second, "`poll` must be an object");
  EXPECT_EQ(Refusal(R"({"text":"a","quote_tweet_id":"5","poll":{"options":["x","y"],"duration_minutes":5}})").second,
            "`poll` and `quote_tweet_id` are mutually exclusive");
}

// Sluice has no media upload and no places: X's problem for an unknown id, whatever the id.
TEST(PostBody, MediaAndGeoAreUnknownIds) {
  auto media = ParsePostBody(R"({"text":"a","media":{"media_ids":["1146654567674912769"],"tagged_user_ids":["2"]}})", 280);
  ASSERT_FALSE(media.ok());
  ASSERT_EQ(media.status().parameter_errors().size(), 1u);
  const auto& e = media.status().parameter_errors().front();
  EXPECT_EQ(e.parameter, "media.media_ids");
  EXPECT_EQ(e.value, "1146654567674912769");
  EXPECT_EQ(e.message, "Your media IDs are invalid.");
  EXPECT_EQ(media.status().message(), "One or more parameters to your request was invalid.");
  EXPECT_EQ(Refusal(R"({"text":"a","media":{"media_ids":[]}})").second, "`media.media_ids` must have 1 to 4 items; it has 0");
  EXPECT_EQ(Refusal(R"({"text":"a","media":{"media_ids":["1","2","3","4","5"]}})").second,
            "`media.media_ids` must have 1 to 4 items; it has 5");
  EXPECT_EQ(Refusal(R"({"text":"a","media":{"media_ids":["x"]}})").first, "media.media_ids");
  EXPECT_EQ(Refusal(R"({"text":"a","media":{}})").second, "`media.media_ids` is required");
  EXPECT_EQ(Refusal(R"({"text":"a","geo":{"place_id":"df51dec6f4ee2b2c"}})"),
            std::make_pair(std::string("geo.place_id"), std::string("Your place ID is invalid.")));
  EXPECT_EQ(Refusal(R"({"text":"a","geo":{"place_id":5}})").second, "`geo.place_id` must be a string");
  EXPECT_EQ(Refusal(R"({"text":"a","geo":{}})").second, "`geo.place_id` is required");
}

}  // namespace
}  // namespace sluice
