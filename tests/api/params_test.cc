#include "api/params.h"

#include <gtest/gtest.h>

#include <bit>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "api/fields.h"

namespace sluice {
namespace {

TEST(Params, DecodesPercentAndPlus) {
  auto p = Params::Parse("query=%23ai+lang%3Afr&max_results=10");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p->Get("query"), "#ai lang:fr");
  EXPECT_EQ(*p->Get("max_results"), "10");
  EXPECT_FALSE(p->Get("nope").has_value());
}

TEST(Params, ViewIntoLargerBuffer) {
  std::string request_line = "query=%23sluice&max_results=5 HTTP/1.1";
  auto p = Params::Parse(std::string_view(request_line).substr(0, 29));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p->Get("max_results"), "5");
}

TEST(Params, RejectsRepeatedAndUnknown) {
  EXPECT_EQ(Params::Parse("a=1&a=2").status().code(), StatusCode::kInvalidRequest);
  auto p = Params::Parse("ids=1&foo=bar");
  ASSERT_TRUE(p.ok());
  Status s = p->CheckAllowed({"ids"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.parameter_errors().at(0).parameter, "foo");
  EXPECT_EQ(s.parameter_errors().at(0).message, "The query parameter [foo] is not one of [ids]");
}

TEST(Params, IdsAndMaxResults) {
  EXPECT_EQ(*ParseIdValue("id", "1460323737035677698"), 1460323737035677698);
  for (const char* bad : {"", "-1", "12a", "99999999999999999999", "9223372036854775808"})
    EXPECT_FALSE(ParseIdValue("id", bad).ok()) << bad;
  auto list = ParseIdList(*Params::Parse("ids=3,1,3,2"), "ids", 100);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<Id>{3, 1, 2}));
  std::string many = "ids=";
  for (int i = 1; i <= 101; ++i) many += std::to_string(i) + (i < 101 ? "," : "");
  EXPECT_FALSE(ParseIdList(*Params::Parse(many), "ids", 100).ok());
  EXPECT_EQ(*ParseMaxResults(*Params::Parse(""), 10, 100, 10), 10);
  EXPECT_EQ(*ParseMaxResults(*Params::Parse("max_results=100"), 10, 100, 10), 100);
  auto bad = ParseMaxResults(*Params::Parse("max_results=5"), 10, 100, 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().parameter_errors().at(0).message, "The `max_results` query parameter value [5] is not between 10 and 100");
}

TEST(Params, PageTokensRoundTripAndRejectGarbage) {
  for (Id id : {Id(1), Id(1460323737035677698), INT64_MAX}) {
    for (auto dir : {PageRequest::Direction::kOlder, PageRequest::Direction::kNewer}) {
      auto back = DecodePageToken("next_token", EncodePageToken(dir, id));
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(back->first, dir);
      EXPECT_EQ(back->second, id);
    }
  }
  for (const char* bad : {"", "zzz", "7140", "7140!!", "9140abc", "7140zzzzzzzzzzzzzzzz"})
    EXPECT_FALSE(DecodePageToken("next_token", bad).ok()) << bad;
}

// A relevance token holds the score's exact bits, so the next page starts right after the last.
TEST(Params, RelevanceTokensRoundTripExactlyAndAreNotRecencyTokens) {
  for (double score : {0.0, -0.17672794730891, -12.5e-300, -1e300, 3.0}) {
    for (Id id : {Id(1), Id(1460323737035677698), INT64_MAX}) {
      std::string token = EncodeRelevanceToken({score, id});
      auto back = DecodeRelevanceToken("next_token", token);
      ASSERT_TRUE(back.ok()) << token;
      EXPECT_EQ(std::bit_cast<uint64_t>(back->score), std::bit_cast<uint64_t>(score));
      EXPECT_EQ(back->id, id);
      EXPECT_FALSE(DecodePageToken("next_token", token).ok()) << token;
    }
  }
  const std::string recency = EncodePageToken(PageRequest::Direction::kOlder, 12345);
  auto wrong_kind = DecodeRelevanceToken("next_token", recency);
  ASSERT_FALSE(wrong_kind.ok());
  EXPECT_EQ(wrong_kind.status().parameter_errors().at(0).parameter, "next_token");
  for (std::string bad : {std::string("r140"), std::string("r1400000000000000"), std::string("r140zzzzzzzzzzzzz1"),
                          std::string("r140!000000000000a"), std::string("r1400000000000000") + std::string(14, 'z')})
    EXPECT_FALSE(DecodeRelevanceToken("next_token", bad).ok()) << bad;
  // The bits of a NaN or an infinity are no score.
  auto inf = EncodeRelevanceToken({std::numeric_limits<double>::infinity(), 1});
  EXPECT_FALSE(DecodeRelevanceToken("next_token", inf).ok());
}

TEST(Fields, ParsesXVocabularyAndRejectsUnknown) {
  auto f = ParseFieldSelection(*Params::Parse("tweet.fields=created_at,geo&user.fields=labels&expansions=author_id"),
                               PrimaryResource::kPosts);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Has(PostField::kCreatedAt));
  EXPECT_FALSE(f->Has(PostField::kLang));
  EXPECT_TRUE(f->Has(UserField::kLabels));
  EXPECT_TRUE(f->Has(Expansion::kAuthorId));
  auto bad = ParseFieldSelection(*Params::Parse("tweet.fields=created_at,colour"), PrimaryResource::kPosts);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().parameter_errors().at(0).parameter, "tweet.fields");
  EXPECT_EQ(bad.status().parameter_errors().at(0).value, "colour");
  // Post expansions are not user expansions.
  EXPECT_FALSE(ParseFieldSelection(*Params::Parse("expansions=author_id"), PrimaryResource::kUsers).ok());
  EXPECT_TRUE(ParseFieldSelection(*Params::Parse("expansions=pinned_tweet_id"), PrimaryResource::kUsers).ok());
}

TEST(Fields, PostFieldsIsTweetFieldsUnderXsCurrentName) {
  auto f = ParseFieldSelection(*Params::Parse("post.fields=created_at,lang"), PrimaryResource::kPosts);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_TRUE(f->Has(PostField::kCreatedAt));
  EXPECT_TRUE(f->Has(PostField::kLang));
  // Both given: the union.
  auto both = ParseFieldSelection(*Params::Parse("tweet.fields=created_at&post.fields=lang,source"), PrimaryResource::kUsers);
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->Has(PostField::kCreatedAt));
  EXPECT_TRUE(both->Has(PostField::kLang));
  EXPECT_TRUE(both->Has(PostField::kSource));
  auto bad = ParseFieldSelection(*Params::Parse("post.fields=colour"), PrimaryResource::kPosts);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().parameter_errors().at(0).parameter, "post.fields");
}

TEST(Fields, CurrentExpansionNamesSelectTheSameData) {
  auto posts = ParseFieldSelection(*Params::Parse("expansions=referenced_posts"), PrimaryResource::kPosts);
  ASSERT_TRUE(posts.ok());
  EXPECT_TRUE(posts->Has(Expansion::kReferencedTweetsId));
  auto users = ParseFieldSelection(*Params::Parse("expansions=pinned_post_id"), PrimaryResource::kUsers);
  ASSERT_TRUE(users.ok());
  EXPECT_TRUE(users->Has(Expansion::kPinnedTweetId));
  // Accepted without data: nothing selected.
  auto none = ParseFieldSelection(
      *Params::Parse("tweet.fields=matched_media_notes,article_title&user.fields=parody,confirmed_email&expansions=affiliation,"
                     "most_recent_post_id"),
      PrimaryResource::kUsers);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->post, 0u);
  EXPECT_EQ(none->user, 0u);
  EXPECT_EQ(none->expansions, 0u);
  // A long post's note and the versions of an edited post, under both of X's names.
  auto notes = ParseFieldSelection(*Params::Parse("tweet.fields=note_tweet&post.fields=note_post"), PrimaryResource::kPosts);
  ASSERT_TRUE(notes.ok());
  EXPECT_TRUE(notes->Has(PostField::kNoteTweet));
  EXPECT_TRUE(notes->Has(PostField::kNotePost));
  for (const char* name : {"edit_history_tweet_ids", "edit_history_post_ids"}) {
    auto edits = ParseFieldSelection(*Params::Parse(std::string("expansions=") + name), PrimaryResource::kPosts);
    ASSERT_TRUE(edits.ok());
    EXPECT_TRUE(edits->Has(Expansion::kEditHistoryTweetIds)) << name;
  }
}

// Issue 12, item 5: polls and the create-post fields are selected, poll.fields checked.
TEST(Fields, PollFieldsAndPostOptions) {
  auto f = ParseFieldSelection(*Params::Parse("expansions=attachments.poll_ids&tweet.fields=paid_partnership,reply_settings&"
                                              "poll.fields=duration_minutes,end_datetime,voting_status,id,options"),
                               PrimaryResource::kPosts);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_TRUE(f->Has(Expansion::kPollIds));
  EXPECT_TRUE(f->Has(PostField::kPaidPartnership));
  EXPECT_TRUE(f->Has(PollField::kDurationMinutes) && f->Has(PollField::kEndDatetime) && f->Has(PollField::kVotingStatus));
  EXPECT_FALSE(f->Has(PostField::kAttachments));
  EXPECT_TRUE(DataFields(*f).Has(PostField::kAttachments));  // the expansion's link, as X sends it
  auto bad = ParseFieldSelection(*Params::Parse("poll.fields=votes"), PrimaryResource::kPosts);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().parameter_errors().front().message,
            "The `poll.fields` query parameter value [votes] is not one of [duration_minutes,end_datetime,id,options,voting_status]");
}

// Every enum value X's OpenAPI document gives post.fields, user.fields and expansions on the
// endpoints Sluice serves (tests/api/data/x_openapi_enums.txt, made by
// scripts/x_openapi_enums.py) is accepted, under the old parameter name as well.
TEST(Fields, EveryValueOfXsDocumentIsAccepted) {
  std::ifstream in(SLUICE_TEST_DATA "/x_openapi_enums.txt");
  ASSERT_TRUE(in) << SLUICE_TEST_DATA "/x_openapi_enums.txt";
  std::map<std::pair<std::string, std::string>, std::string> lists;  // (path, parameter) -> values
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string path, name, kind, value;
    words >> path >> name >> kind >> value;
    if (value.empty() || (name != "post.fields" && name != "user.fields" && name != "expansions")) continue;
    auto& list = lists[{path, name}];
    list += (list.empty() ? "" : ",") + value;
  }
  ASSERT_GE(lists.size(), 30u);
  for (const auto& [key, values] : lists) {
    const auto& [path, name] = key;
    // Lists of users: the users endpoints but their post lists, and a post's reposters and likers.
    const bool users = (path.starts_with("/2/users") && !path.ends_with("tweets") && !path.ends_with("/mentions")) ||
                       path.ends_with("/retweeted_by") || path.ends_with("/liking_users");
    const auto primary = users ? PrimaryResource::kUsers : PrimaryResource::kPosts;
    auto f = ParseFieldSelection(*Params::Parse(name + "=" + values), primary);
    EXPECT_TRUE(f.ok()) << path << " " << name << ": " << f.status().message();
    if (name == "post.fields") {
      auto old = ParseFieldSelection(*Params::Parse("tweet.fields=" + values), primary);
      EXPECT_TRUE(old.ok()) << path << " tweet.fields: " << old.status().message();
    }
  }
}

}  // namespace
}  // namespace sluice
