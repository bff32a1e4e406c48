#include "api/render.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>

namespace sluice {
namespace {

StoredPost SamplePost() {
  StoredPost sp;
  sp.post.id = 1460323737035677698;
  sp.post.author_id = 2244994945;
  sp.post.text = "Hello \"world\" #x";
  sp.post.created_at = 1637003285069;
  sp.post.lang = "en";
  sp.post.conversation_id = sp.post.id;
  sp.post.edit_history = {sp.post.id};
  sp.post.referenced = {{ReferenceType::kQuoted, 42}};
  sp.entities_json = R"({"hashtags":[{"start":14,"end":16,"tag":"x"}]})";
  return sp;
}

TEST(Render, DefaultPostFieldsOnly) {
  JsonWriter w;
  RenderPost(w, SamplePost(), FieldSelection{});
  EXPECT_EQ(w.str(), R"({"id":"1460323737035677698","text":"Hello \"world\" #x","edit_history_tweet_ids":["1460323737035677698"]})");
}

TEST(Render, SelectedPostFields) {
  FieldSelection f;
  f.post = (1u << uint32_t(PostField::kCreatedAt)) | (1u << uint32_t(PostField::kReferencedTweets)) |
           (1u << uint32_t(PostField::kEntities)) | (1u << uint32_t(PostField::kAuthorId));
  JsonWriter w;
  RenderPost(w, SamplePost(), f);
  EXPECT_EQ(w.str(),
            R"({"id":"1460323737035677698","text":"Hello \"world\" #x","edit_history_tweet_ids":["1460323737035677698"],)"
            R"("author_id":"2244994945","created_at":"2021-11-15T19:08:05.069Z",)"
            R"("referenced_tweets":[{"type":"quoted","id":"42"}],"entities":{"hashtags":[{"start":14,"end":16,"tag":"x"}]}})");
}

// X's current names select the same data, rendered under the names X's responses and
// documentation pages use (referenced_tweets, not the document's referenced_posts).
TEST(Render, CurrentNamesRenderUnderTheResponseNames) {
  auto f = ParseFieldSelection(*Params::Parse("post.fields=created_at&expansions=referenced_posts"), PrimaryResource::kPosts);
  ASSERT_TRUE(f.ok());
  JsonWriter w;
  RenderPost(w, SamplePost(), DataFields(*f));
  EXPECT_EQ(w.str(),
            R"({"id":"1460323737035677698","text":"Hello \"world\" #x","edit_history_tweet_ids":["1460323737035677698"],)"
            R"("created_at":"2021-11-15T19:08:05.069Z","referenced_tweets":[{"type":"quoted","id":"42"}]})");
}

// A long post: `text` is the cut, the whole text and its entities under the name asked for.
TEST(Render, NoteTweetUnderTheNameAskedFor) {
  StoredPost sp = SamplePost();
  sp.post.note_text = "Hello \"world\" #x and more #y";
  sp.note_entities_json = R"({"hashtags":[{"start":14,"end":16,"tag":"x"},{"start":26,"end":28,"tag":"y"}]})";
  const std::string head =
      R"({"id":"1460323737035677698","text":"Hello \"world\" #x","edit_history_tweet_ids":["1460323737035677698"])";
  const std::string note =
      R"({"text":"Hello \"world\" #x and more #y","entities":{"hashtags":[{"start":14,"end":16,"tag":"x"},)"
      R"({"start":26,"end":28,"tag":"y"}]}})";
  auto render = [&](const char* query) {
    JsonWriter w;
    RenderPost(w, sp, *ParseFieldSelection(*Params::Parse(query), PrimaryResource::kPosts));
    return std::string(w.str());
  };
  EXPECT_EQ(render(""), head + "}");
  EXPECT_EQ(render("tweet.fields=note_tweet"), head + R"(,"note_tweet":)" + note + "}");
  EXPECT_EQ(render("post.fields=note_post"), head + R"(,"note_post":)" + note + "}");
  sp.post.note_text.clear();  // a post that fits has none
  sp.note_entities_json.clear();
  EXPECT_EQ(render("tweet.fields=note_tweet"), head + "}");
}

TEST(Render, UserDefaultsAndVerified) {
  User u;
  u.id = 7;
  u.name = "N";
  u.username = "n";
  u.verified_type = VerifiedType::kGovernment;
  u.labels = {"government-funded"};
  JsonWriter w;
  RenderUser(w, u, FieldSelection{});
  EXPECT_EQ(w.str(), R"({"id":"7","name":"N","username":"n"})");
  FieldSelection f;
  f.user = (1u << uint32_t(UserField::kVerified)) | (1u << uint32_t(UserField::kVerifiedType)) |
           (1u << uint32_t(UserField::kLabels));
  JsonWriter w2;
  RenderUser(w2, u, f);
  EXPECT_EQ(w2.str(), R"({"id":"7","name":"N","username":"n","verified":true,"verified_type":"government","labels":["government-funded"]})");
}

TEST(Render, ResourceErrorDetailInXWording) {
  EXPECT_EQ(ResourceErrorDetail({"tweet", "ids", "1"}), "Could not find tweet with ids: [1].");
}


// Envelopes over a real store: an expansion brings the field that links data to includes.
class RenderEnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-render-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(*OpenStore({"sqlite", dir_, true}));
    WriteBatch batch;
    for (Id id : {kAuthor, kOther}) {
      User u;
      u.id = id;
      u.username = "user" + std::to_string(id);
      u.name = "User " + std::to_string(id);
      if (id == kAuthor) u.pinned_tweet_id = kQuoted;
      batch.users.push_back(u);
    }
    Post quoted;
    quoted.id = kQuoted;
    quoted.author_id = kOther;
    quoted.text = "quoted";
    quoted.edit_history = {kQuoted};
    Post reply;
    reply.id = kReply;
    reply.author_id = kAuthor;
    reply.text = "@user20 see";
    reply.in_reply_to_user_id = kOther;
    reply.referenced = {{ReferenceType::kQuoted, kQuoted}};
    reply.entities.mentions.push_back({{0, 7}, "user20", kOther});
    reply.edit_history = {kReply};
    batch.posts = {quoted, reply};
    ASSERT_TRUE(store_->Apply(batch).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  boost::json::object Posts(const FieldSelection& f) {
    std::vector<ResourceError> errors;
    auto posts = FetchLivePosts(*store_, {kReply}, "id", errors);
    EXPECT_TRUE(posts.ok());
    auto r = RenderPostsEnvelope(*store_, 0, *posts, true, f, errors, nullptr);
    EXPECT_TRUE(r.ok());
    return boost::json::parse(r->body).as_object();
  }
  static FieldSelection Expand(std::initializer_list<Expansion> es) {
    FieldSelection f;
    for (auto e : es) f.expansions |= 1u << uint32_t(e);
    return f;
  }
  static constexpr Id kAuthor = 10, kOther = 20, kQuoted = 1000, kReply = 2000;
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(RenderEnvelopeTest, AuthorIdExpansionPutsAuthorIdInData) {
  auto j = Posts(Expand({Expansion::kAuthorId}));
  EXPECT_EQ(j.at("data").at("author_id"), "10");
  EXPECT_EQ(j.at("includes").at("users").at(0).at("id"), "10");
}

TEST_F(RenderEnvelopeTest, InReplyToExpansionPutsInReplyToUserIdInData) {
  auto j = Posts(Expand({Expansion::kInReplyToUserId}));
  EXPECT_EQ(j.at("data").at("in_reply_to_user_id"), "20");
  EXPECT_FALSE(j.at("data").as_object().contains("author_id"));
}

TEST_F(RenderEnvelopeTest, ReferencedTweetsExpansionPutsReferencedTweetsInData) {
  auto j = Posts(Expand({Expansion::kReferencedTweetsId}));
  EXPECT_EQ(j.at("data").at("referenced_tweets").at(0).at("id"), "1000");
  EXPECT_EQ(j.at("includes").at("tweets").at(0).at("id"), "1000");
  // The included post carries only what tweet.fields asks for.
  EXPECT_FALSE(j.at("includes").at("tweets").at(0).as_object().contains("author_id"));
}

TEST_F(RenderEnvelopeTest, ReferencedAuthorExpansionLinksDataAndIncludedPostsToUsers) {
  auto j = Posts(Expand({Expansion::kReferencedTweetsIdAuthorId}));
  EXPECT_EQ(j.at("data").at("referenced_tweets").at(0).at("id"), "1000");
  EXPECT_FALSE(j.at("data").as_object().contains("author_id"));
  EXPECT_EQ(j.at("includes").at("users").at(0).at("id"), "20");

  auto both = Posts(Expand({Expansion::kReferencedTweetsId, Expansion::kReferencedTweetsIdAuthorId}));
  EXPECT_EQ(both.at("includes").at("tweets").at(0).at("author_id"), "20");
  EXPECT_FALSE(both.at("data").as_object().contains("author_id"));
}

TEST_F(RenderEnvelopeTest, MentionsExpansionPutsEntitiesInData) {
  auto j = Posts(Expand({Expansion::kMentionsUsername}));
  EXPECT_EQ(j.at("data").at("entities").at("mentions").at(0).at("username"), "user20");
  EXPECT_EQ(j.at("includes").at("users").at(0).at("id"), "20");
}

TEST_F(RenderEnvelopeTest, PinnedTweetExpansionPutsPinnedTweetIdInUsers) {
  auto users = store_->GetUsers(std::vector<Id>{kAuthor});
  ASSERT_TRUE(users.ok());
  auto r = RenderUsersEnvelope(*store_, *users, false, Expand({Expansion::kPinnedTweetId}), {}, nullptr);
  ASSERT_TRUE(r.ok());
  auto j = boost::json::parse(r->body).as_object();
  EXPECT_EQ(j.at("data").at(0).at("pinned_tweet_id"), "1000");
  EXPECT_EQ(j.at("includes").at("tweets").at(0).at("id"), "1000");
}

TEST_F(RenderEnvelopeTest, NoExpansionAddsNoField) {
  auto j = Posts(FieldSelection{});
  EXPECT_EQ(j.at("data").as_object().size(), 3u);  // id, text, edit_history_tweet_ids
  EXPECT_FALSE(j.contains("includes"));
}

// A poll's voting_status is "open" until its end_datetime, then "closed" (issue 12, item 5).
TEST_F(RenderEnvelopeTest, PollVotingStatusFollowsTheClock) {
  Post p;
  p.id = 3000;
  p.author_id = kAuthor;
  p.text = "vote";
  p.created_at = 1000000;
  p.edit_history = {p.id};
  p.poll = Poll{.id = 3001, .options = {"a", "b"}, .votes = {0, 0}, .duration_minutes = 5, .end_datetime = 1000000 + 300000};
  ASSERT_TRUE(store_->Apply(WriteBatch{{}, {p}}).ok());
  auto f = ParseFieldSelection(*Params::Parse("expansions=attachments.poll_ids&poll.fields=voting_status,duration_minutes"),
                               PrimaryResource::kPosts);
  ASSERT_TRUE(f.ok());
  std::vector<ResourceError> errors;
  auto posts = FetchLivePosts(*store_, {3000}, "id", errors);
  ASSERT_TRUE(posts.ok());
  auto at = [&](TimeMs now) {
    auto r = RenderPostsEnvelope(*store_, now, *posts, true, *f, {}, nullptr);
    EXPECT_TRUE(r.ok());
    return boost::json::parse(r->body).as_object();
  };
  auto open = at(1000000 + 299999);
  EXPECT_EQ(open.at("data").at("attachments").at("poll_ids").at(0), "3001");
  EXPECT_EQ(boost::json::serialize(open.at("includes").at("polls")),
            R"([{"id":"3001","options":[{"position":1,"label":"a","votes":0},{"position":2,"label":"b","votes":0}],)"
            R"("duration_minutes":5,"voting_status":"open"}])");
  EXPECT_EQ(at(1000000 + 300000).at("includes").at("polls").at(0).at("voting_status"), "closed");
}

}  // namespace
}  // namespace sluice
