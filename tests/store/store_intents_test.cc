// Write intents of the SQLite store: a pending post no read sees, a deletion to come, both
// applied or dropped whole, and kept across a reopen (what start-up reconciles).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/snowflake.h"
#include "core/text.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

constexpr TimeMs kT0 = 1700000000000;

class StoreIntentsTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-intents-XXXXXX";
    dir_ = mkdtemp(tmpl);
    options_ = test::NewStoreOptions(GetParam(), dir_);
    Open();
    Post p;
    p.id = parent_;
    p.author_id = 11;
    p.text = "the parent";
    p.created_at = kT0;
    WriteBatch batch{{User{.id = 10, .username = "alice", .name = "A"}, User{.id = 11, .username = "bob", .name = "B"}},
                     {}};
    ASSERT_TRUE(store_->Apply(batch).ok());
    ASSERT_TRUE(store_->InsertPost(p).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto s = OpenStore(options_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
  }
  Post Reply(Id id) {
    Post p;
    p.id = id;
    p.author_id = 10;
    p.text = "a reply with #tag";
    p.created_at = SnowflakeTime(id);
    p.referenced = {{ReferenceType::kRepliedTo, parent_}};
    p.entities = ExtractEntities(p.text);
    p.edit_history = {id};
    return p;
  }
  size_t Searched(std::string_view q) {
    auto query = ParseSearchQuery(q);
    auto found = store_->Search(*query, PageRequest{.limit = 10});
    return found.ok() ? found->size() : 999;
  }
  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
  const Id parent_ = MakeSnowflake(kT0, 0, 0);
};

TEST_P(StoreIntentsTest, APendingPostIsInvisibleUntilApplied) {
  const Id id = MakeSnowflake(kT0 + 1000, 0, 0);
  Post reply = Reply(id);
  ASSERT_TRUE(store_->NotePendingPost(reply, 42).ok());
  EXPECT_EQ(reply.conversation_id, parent_);
  EXPECT_TRUE(store_->GetPosts(std::vector<Id>{id})->empty());
  EXPECT_TRUE(store_->UserPosts(10, PageRequest{})->empty());
  EXPECT_EQ(Searched("#tag"), 0u);
  EXPECT_EQ(store_->GetPosts(std::vector<Id>{parent_})->front().post.metrics.reply_count, 0);
  EXPECT_EQ(*store_->ListIntents(), (std::vector<WriteIntent>{{id, WriteIntent::Kind::kPost, 42}}));

  ASSERT_TRUE(store_->ApplyIntent(id).ok());
  auto got = store_->GetPosts(std::vector<Id>{id});
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().post.text, "a reply with #tag");
  EXPECT_EQ(got->front().post.conversation_id, parent_);
  EXPECT_EQ(got->front().post.in_reply_to_user_id, 11);
  EXPECT_EQ(got->front().post.Reference(ReferenceType::kRepliedTo), parent_);
  EXPECT_EQ(got->front().entities_json, R"({"hashtags":[{"start":13,"end":17,"tag":"tag"}]})");
  EXPECT_EQ(Searched("#tag"), 1u);
  EXPECT_EQ(store_->GetPosts(std::vector<Id>{parent_})->front().post.metrics.reply_count, 1);
  EXPECT_TRUE(store_->ListIntents()->empty());
  EXPECT_EQ(store_->ApplyIntent(id).code(), StatusCode::kNotFound);  // applied once
}

TEST_P(StoreIntentsTest, ADroppedPostLeavesNothing) {
  const Id id = MakeSnowflake(kT0 + 1000, 0, 0);
  Post reply = Reply(id);
  ASSERT_TRUE(store_->NotePendingPost(reply, 0).ok());
  ASSERT_TRUE(store_->DropIntent(id).ok());
  EXPECT_TRUE(store_->ListIntents()->empty());
  EXPECT_EQ(store_->ApplyIntent(id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetPosts(std::vector<Id>{id})->empty());
  EXPECT_EQ(*store_->CountPosts(), 1);
}

TEST_P(StoreIntentsTest, AReplyToAMissingPostIsRefusedAndNotNoted) {
  Post reply = Reply(MakeSnowflake(kT0 + 1000, 0, 0));
  reply.referenced = {{ReferenceType::kRepliedTo, parent_ + 1}};
  Status s = store_->NotePendingPost(reply, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidRequest);
  EXPECT_TRUE(store_->ListIntents()->empty());
}

TEST_P(StoreIntentsTest, ADeletionTakesEffectOnlyWhenApplied) {
  ASSERT_TRUE(store_->NoteDeletion(parent_, kT0 + 5, 7).ok());
  EXPECT_FALSE(store_->GetPosts(std::vector<Id>{parent_})->front().post.deleted_at);
  // A second deletion of the same post, while the first is pending, finds nothing to delete.
  EXPECT_EQ(store_->NoteDeletion(parent_, kT0 + 6, 8).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->NoteDeletion(parent_ + 1, kT0 + 6, 8).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->ApplyIntent(parent_).ok());
  EXPECT_EQ(store_->GetPosts(std::vector<Id>{parent_})->front().post.deleted_at, kT0 + 5);
  EXPECT_EQ(store_->NoteDeletion(parent_, kT0 + 6, 8).code(), StatusCode::kNotFound);  // already deleted
  EXPECT_TRUE(store_->ListIntents()->empty());
}

TEST_P(StoreIntentsTest, IntentsOutliveTheConnection) {
  const Id id = MakeSnowflake(kT0 + 1000, 0, 0);
  Post reply = Reply(id);
  ASSERT_TRUE(store_->NotePendingPost(reply, 3).ok());
  ASSERT_TRUE(store_->NoteDeletion(parent_, kT0 + 5, 4).ok());
  Open();
  EXPECT_EQ(*store_->ListIntents(), (std::vector<WriteIntent>{{parent_, WriteIntent::Kind::kDelete, 4},
                                                               {id, WriteIntent::Kind::kPost, 3}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreIntentsTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
