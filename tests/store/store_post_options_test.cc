// Create-post options in the SQLite store (issue 12, item 5): reply settings, disclosures,
// nullcast and polls written and read back, directly and through a write intent; a dropped
// intent leaves no poll behind; a nullcast post is out of its author's timeline but found by
// search, and is:nullcast finds exactly it.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/snowflake.h"
#include "core/text.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

constexpr TimeMs kT0 = 1700000000000;

class StorePostOptionsTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-options-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(options_ = test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Apply(WriteBatch{{User{.id = 10, .username = "alice", .name = "A"}}, {}}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Post NewPost(TimeMs at, std::string text) {
    Post p;
    p.id = MakeSnowflake(at, 0, 0);
    p.author_id = 10;
    p.text = std::move(text);
    p.created_at = at;
    p.entities = ExtractEntities(p.text);
    p.edit_history = {p.id};
    return p;
  }
  static Poll APoll(Id id, TimeMs created) {
    return Poll{.id = id, .options = {"yes", "no", "café"}, .votes = {0, 0, 0}, .duration_minutes = 60,
                .end_datetime = created + 60 * 60 * 1000};
  }
  // Rows of `table`, read with the backend itself: what the store keeps, whatever its methods show.
  int64_t Rows(const char* table) { return test::CountRows(options_, table); }
  std::vector<Id> Search(std::string_view q) {
    auto found = store_->Search(*ParseSearchQuery(q), PageRequest{.limit = 10});
    std::vector<Id> ids;
    for (const auto& p : *found) ids.push_back(p.post.id);
    return ids;
  }
  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_P(StorePostOptionsTest, OptionsAndPollRoundTrip) {
  Post p = NewPost(kT0, "which one?");
  p.reply_settings = ReplySettings::kMentionedUsers;
  p.made_with_ai = true;
  p.paid_partnership = true;
  p.poll = APoll(777, kT0);
  ASSERT_TRUE(store_->InsertPost(p).ok());
  Post plain = NewPost(kT0 + 1, "nothing special");
  ASSERT_TRUE(store_->InsertPost(plain).ok());

  auto got = store_->GetPosts(std::vector<Id>{p.id, plain.id});
  ASSERT_EQ(got->size(), 2u);
  const Post& a = got->at(0).post.id == p.id ? got->at(0).post : got->at(1).post;
  const Post& b = got->at(0).post.id == p.id ? got->at(1).post : got->at(0).post;
  EXPECT_EQ(a.reply_settings, ReplySettings::kMentionedUsers);
  EXPECT_TRUE(a.made_with_ai);
  EXPECT_TRUE(a.paid_partnership);
  EXPECT_FALSE(a.nullcast);
  ASSERT_TRUE(a.poll);
  EXPECT_EQ(a.poll->id, 777);
  EXPECT_TRUE(a.poll->options.empty());  // on read, the id only
  EXPECT_EQ(b.reply_settings, ReplySettings::kEveryone);
  EXPECT_FALSE(b.made_with_ai || b.paid_partnership || b.nullcast || b.poll);

  auto polls = store_->GetPolls(std::vector<Id>{777, 778});
  ASSERT_EQ(polls->size(), 1u);
  const Poll& poll = polls->front();
  EXPECT_EQ(poll.id, 777);
  EXPECT_EQ(poll.options, (std::vector<std::string>{"yes", "no", "café"}));
  EXPECT_EQ(poll.votes, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(poll.duration_minutes, 60);
  EXPECT_EQ(poll.end_datetime, kT0 + 3600 * 1000);
}

TEST_P(StorePostOptionsTest, APendingPollIsPublishedWithItsPost) {
  Post p = NewPost(kT0, "pending poll");
  p.reply_settings = ReplySettings::kVerified;
  p.nullcast = true;
  p.poll = APoll(900, kT0);
  ASSERT_TRUE(store_->NotePendingPost(p, 0).ok());
  EXPECT_TRUE(store_->GetPolls(std::vector<Id>{900})->empty());  // its post is not published
  ASSERT_TRUE(store_->ApplyIntent(p.id).ok());
  auto got = store_->GetPosts(std::vector<Id>{p.id});
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().post.reply_settings, ReplySettings::kVerified);
  EXPECT_TRUE(got->front().post.nullcast);
  ASSERT_TRUE(got->front().post.poll);
  EXPECT_EQ(got->front().post.poll->id, 900);
  auto polls = store_->GetPolls(std::vector<Id>{900});
  ASSERT_EQ(polls->size(), 1u);
  EXPECT_EQ(polls->front().options.size(), 3u);
  EXPECT_EQ(Rows("polls"), 1);
  EXPECT_EQ(Rows("poll_options"), 3);
}

TEST_P(StorePostOptionsTest, ADroppedIntentLeavesNoPoll) {
  Post p = NewPost(kT0, "dropped poll");
  p.poll = APoll(901, kT0);
  ASSERT_TRUE(store_->NotePendingPost(p, 0).ok());
  EXPECT_EQ(Rows("polls"), 1);
  ASSERT_TRUE(store_->DropIntent(p.id).ok());
  EXPECT_EQ(Rows("polls"), 0);
  EXPECT_EQ(Rows("poll_options"), 0);
  EXPECT_EQ(Rows("write_intents"), 0);
  EXPECT_EQ(*store_->CountPosts(), 0);
}

TEST_P(StorePostOptionsTest, NullcastIsOutOfTheTimelineButSearchable) {
  Post organic = NewPost(kT0, "party time");
  Post promoted = NewPost(kT0 + 1, "party offer");
  promoted.nullcast = true;
  ASSERT_TRUE(store_->InsertPost(organic).ok());
  ASSERT_TRUE(store_->InsertPost(promoted).ok());
  auto timeline = store_->UserPosts(10, PageRequest{});
  ASSERT_EQ(timeline->size(), 1u);
  EXPECT_EQ(timeline->front().post.id, organic.id);
  EXPECT_EQ(store_->GetPosts(std::vector<Id>{promoted.id})->size(), 1u);  // public by id
  EXPECT_EQ(Search("party"), (std::vector<Id>{promoted.id, organic.id}));
  EXPECT_EQ(Search("party is:nullcast"), (std::vector<Id>{promoted.id}));
  EXPECT_EQ(Search("party -is:nullcast"), (std::vector<Id>{organic.id}));
  auto counted = store_->Count(*ParseSearchQuery("party -is:nullcast"), kT0, kT0 + 10, 60000, std::nullopt, std::nullopt);
  ASSERT_EQ(counted->size(), 1u);
  EXPECT_EQ(counted->front().count, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StorePostOptionsTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
