// Actions on behalf of an account (issue 15): likes, follows and hidden replies noted as
// intents no read sees, applied once (counts move only with an edge added or removed) or
// dropped whole, and kept across a reopen (what start-up reconciles); reposts as post
// intents that move the reposted post's retweet_count, both ways.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/snowflake.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

constexpr TimeMs kT0 = 1700000000000;
using Kind = ActionIntent::Kind;

class StoreActionsTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-actions-XXXXXX";
    dir_ = mkdtemp(tmpl);
    options_ = test::NewStoreOptions(GetParam(), dir_);
    Open();
    WriteBatch batch{{User{.id = 10, .username = "alice", .name = "A"}, User{.id = 11, .username = "bob", .name = "B"}},
                     {}};
    ASSERT_TRUE(store_->Apply(batch).ok());
    Post root;
    root.id = post_;
    root.author_id = 11;
    root.text = "the root";
    root.created_at = kT0;
    ASSERT_TRUE(store_->InsertPost(root).ok());
    Post reply;
    reply.id = reply_;
    reply.author_id = 10;
    reply.text = "@bob a reply";
    reply.created_at = kT0 + 1;
    reply.referenced = {{ReferenceType::kRepliedTo, post_}};
    ASSERT_TRUE(store_->InsertPost(reply).ok());
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
  PostMetrics PostCounts(Id id) { return store_->GetPosts(std::vector<Id>{id})->front().post.metrics; }
  UserMetrics UserCounts(Id id) { return store_->GetUsers(std::vector<Id>{id})->front().metrics; }
  std::vector<Id> Listed(GraphList list, Id of) {
    auto edges = store_->Graph(list, of, PageRequest{.limit = 10});
    EXPECT_TRUE(edges.ok()) << edges.status().message();
    std::vector<Id> out;
    if (edges.ok())
      for (const auto& e : *edges) out.push_back(e.id);
    return out;
  }
  Id Note(Kind kind, Id user, Id target, uint64_t ledger_size = 7) {
    const Id id = ++next_;
    EXPECT_TRUE(store_->NoteAction({id, kind, user, target, ledger_size}).ok());
    return id;
  }

  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
  const Id post_ = MakeSnowflake(kT0, 0, 0);
  const Id reply_ = MakeSnowflake(kT0 + 1, 0, 0);
  Id next_ = MakeSnowflake(kT0 + 5000, 0, 0);
};

TEST_P(StoreActionsTest, ALikeTakesEffectOnlyWhenAppliedAndCountsOnce) {
  const Id like = Note(Kind::kLike, 10, post_, 42);
  EXPECT_EQ(*store_->ListActions(), (std::vector<ActionIntent>{{like, Kind::kLike, 10, post_, 42}}));
  EXPECT_FALSE(*store_->Related(Store::Relation::kLikes, 10, post_));
  EXPECT_EQ(PostCounts(post_).like_count, 0);
  EXPECT_TRUE(Listed(GraphList::kLikingUsers, post_).empty());

  ASSERT_TRUE(store_->ApplyAction(like).ok());
  EXPECT_TRUE(store_->ListActions()->empty());
  EXPECT_TRUE(*store_->Related(Store::Relation::kLikes, 10, post_));
  EXPECT_EQ(PostCounts(post_).like_count, 1);
  EXPECT_EQ(UserCounts(10).like_count, 1);
  EXPECT_EQ(Listed(GraphList::kLikingUsers, post_), (std::vector<Id>{10}));
  EXPECT_EQ(Listed(GraphList::kLikedPosts, 10), (std::vector<Id>{post_}));
  EXPECT_EQ(store_->ApplyAction(like).code(), StatusCode::kNotFound);

  // A second like of the same post (two requests raced) adds no edge and no count.
  ASSERT_TRUE(store_->ApplyAction(Note(Kind::kLike, 10, post_)).ok());
  EXPECT_EQ(PostCounts(post_).like_count, 1);
  EXPECT_EQ(UserCounts(10).like_count, 1);

  ASSERT_TRUE(store_->ApplyAction(Note(Kind::kUnlike, 10, post_)).ok());
  EXPECT_FALSE(*store_->Related(Store::Relation::kLikes, 10, post_));
  EXPECT_EQ(PostCounts(post_).like_count, 0);
  EXPECT_EQ(UserCounts(10).like_count, 0);
  EXPECT_TRUE(Listed(GraphList::kLikingUsers, post_).empty());
  // Unliking what is not liked moves nothing (never below zero).
  ASSERT_TRUE(store_->ApplyAction(Note(Kind::kUnlike, 10, post_)).ok());
  EXPECT_EQ(PostCounts(post_).like_count, 0);
}

TEST_P(StoreActionsTest, AFollowMovesBothCountsAndBothLists) {
  ASSERT_TRUE(store_->ApplyAction(Note(Kind::kFollow, 10, 11)).ok());
  EXPECT_TRUE(*store_->Related(Store::Relation::kFollows, 10, 11));
  EXPECT_FALSE(*store_->Related(Store::Relation::kFollows, 11, 10));
  EXPECT_EQ(UserCounts(10).following_count, 1);
  EXPECT_EQ(UserCounts(11).followers_count, 1);
  EXPECT_EQ(Listed(GraphList::kFollowers, 11), (std::vector<Id>{10}));
  EXPECT_EQ(Listed(GraphList::kFollowing, 10), (std::vector<Id>{11}));
  ASSERT_TRUE(store_->ApplyAction(Note(Kind::kFollow, 10, 11)).ok());
  EXPECT_EQ(UserCounts(11).followers_count, 1);

  ASSERT_TRUE(store_->ApplyAction(Note(Kind::kUnfollow, 10, 11)).ok());
  EXPECT_EQ(UserCounts(10).following_count, 0);
  EXPECT_EQ(UserCounts(11).followers_count, 0);
  EXPECT_TRUE(Listed(GraphList::kFollowers, 11).empty());
}

TEST_P(StoreActionsTest, HideAndUnhideAReply) {
  EXPECT_FALSE(*store_->IsHidden(reply_));
  const Id hide = Note(Kind::kHide, 11, reply_);
  EXPECT_FALSE(*store_->IsHidden(reply_));
  ASSERT_TRUE(store_->ApplyAction(hide).ok());
  EXPECT_TRUE(*store_->IsHidden(reply_));
  // Still served: a hidden reply is only marked.
  EXPECT_EQ(store_->GetPosts(std::vector<Id>{reply_})->size(), 1u);
  ASSERT_TRUE(store_->ApplyAction(Note(Kind::kUnhide, 11, reply_)).ok());
  EXPECT_FALSE(*store_->IsHidden(reply_));
  EXPECT_FALSE(*store_->IsHidden(12345));
}

TEST_P(StoreActionsTest, ADroppedActionLeavesNothingAndIntentsOutliveTheConnection) {
  const Id like = Note(Kind::kLike, 10, post_, 3);
  const Id follow = Note(Kind::kFollow, 11, 10, 4);
  Open();
  EXPECT_EQ(*store_->ListActions(),
            (std::vector<ActionIntent>{{like, Kind::kLike, 10, post_, 3}, {follow, Kind::kFollow, 11, 10, 4}}));
  ASSERT_TRUE(store_->DropAction(like).ok());
  ASSERT_TRUE(store_->DropAction(like).ok());  // none left: no error
  ASSERT_TRUE(store_->ApplyAction(follow).ok());
  EXPECT_TRUE(store_->ListActions()->empty());
  EXPECT_EQ(PostCounts(post_).like_count, 0);
  EXPECT_FALSE(*store_->Related(Store::Relation::kLikes, 10, post_));
  EXPECT_EQ(UserCounts(10).followers_count, 1);
}

TEST_P(StoreActionsTest, ARepostIsAPostIntentThatMovesTheRetweetCountBothWays) {
  Post repost;
  repost.id = MakeSnowflake(kT0 + 2000, 0, 0);
  repost.author_id = 10;
  repost.text = "RT @bob: the root";
  repost.created_at = kT0 + 2000;
  repost.edit_history = {repost.id};
  repost.referenced = {{ReferenceType::kRetweeted, post_}};
  ASSERT_TRUE(store_->NotePendingPost(repost, 9).ok());
  EXPECT_TRUE(store_->RepostsBy(10, post_)->empty());
  EXPECT_EQ(PostCounts(post_).retweet_count, 0);
  Open();  // the reference outlives the connection with the intent
  ASSERT_TRUE(store_->ApplyIntent(repost.id).ok());
  EXPECT_EQ(*store_->RepostsBy(10, post_), (std::vector<Id>{repost.id}));
  EXPECT_TRUE(store_->RepostsBy(11, post_)->empty());
  EXPECT_EQ(PostCounts(post_).retweet_count, 1);
  auto stored = store_->GetPosts(std::vector<Id>{repost.id});
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().post.Reference(ReferenceType::kRetweeted), post_);
  EXPECT_EQ(Listed(GraphList::kRepostedBy, post_), (std::vector<Id>{10}));

  ASSERT_TRUE(store_->NoteDeletion(repost.id, kT0 + 3000, 10).ok());
  EXPECT_EQ(PostCounts(post_).retweet_count, 1);
  ASSERT_TRUE(store_->ApplyIntent(repost.id).ok());
  EXPECT_EQ(PostCounts(post_).retweet_count, 0);
  EXPECT_TRUE(store_->RepostsBy(10, post_)->empty());
  EXPECT_TRUE(Listed(GraphList::kRepostedBy, post_).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreActionsTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
