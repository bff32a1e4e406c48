// The social graph of the SQLite store: follows, likes and reposts (store.h, GraphList).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/snowflake.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

class StoreGraphTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-graph-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(options_ = test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    WriteBatch batch;
    for (Id id = 1; id <= 6; ++id)
      batch.users.push_back(User{.id = id, .username = "user" + std::to_string(id), .name = "U"});
    batch.users[4].is_protected = true;  // user 5
    batch.users[5].synthetic = true;     // user 6: a trap record's author
    batch.posts = {MakePost(1, 1), MakePost(2, 2), MakePost(3, 5)};
    ASSERT_TRUE(store_->Apply(batch).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static Id PostId(int n) { return MakeSnowflake(kT0 + n * 60000, 0, 0); }
  static Post MakePost(int n, Id author, std::optional<Id> retweet_of = std::nullopt) {
    Post p;
    p.id = PostId(n);
    p.author_id = author;
    p.text = "post " + std::to_string(n);
    p.created_at = kT0 + n * 60000;
    p.conversation_id = p.id;
    p.edit_history = {p.id};
    if (retweet_of) p.referenced.push_back({ReferenceType::kRetweeted, *retweet_of});
    return p;
  }
  std::vector<GraphEdge> List(GraphList list, Id of, int limit = 100,
                              std::optional<std::pair<PageRequest::Direction, Id>> cursor = std::nullopt) {
    PageRequest page;
    page.limit = limit;
    page.cursor = cursor;
    auto r = store_->Graph(list, of, page);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<GraphEdge>();
  }
  static std::vector<Id> Ids(const std::vector<GraphEdge>& edges) {
    std::vector<Id> out;
    for (const auto& e : edges) out.push_back(e.id);
    return out;
  }

  static constexpr TimeMs kT0 = 1700000000000;
  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreGraphTest, FollowsAreListedNewestFirstEachOnceAndPageBothWays) {
  WriteBatch first;
  first.follows = {{2, 1}, {3, 1}, {4, 1}, {2, 1}};  // 2 -> 1 twice: stored once
  ASSERT_TRUE(store_->Apply(first).ok());
  WriteBatch second;
  second.follows = {{5, 1}, {6, 1}, {1, 2}, {3, 1}};  // 3 -> 1 again: still once
  ASSERT_TRUE(store_->Apply(second).ok());

  // User 6 is synthetic: never listed. Protected user 5 is listed (its user object is public).
  EXPECT_EQ(Ids(List(GraphList::kFollowers, 1)), (std::vector<Id>{5, 4, 3, 2}));
  EXPECT_EQ(Ids(List(GraphList::kFollowing, 2)), (std::vector<Id>{1}));
  EXPECT_EQ(Ids(List(GraphList::kFollowers, 2)), (std::vector<Id>{1}));
  EXPECT_TRUE(List(GraphList::kFollowers, 99).empty());

  auto page1 = List(GraphList::kFollowers, 1, 2);
  ASSERT_EQ(page1.size(), 3u);  // limit + 1 tells "more"
  EXPECT_GT(page1[0].edge, page1[1].edge);
  auto page2 = List(GraphList::kFollowers, 1, 2, {{PageRequest::Direction::kOlder, page1[1].edge}});
  EXPECT_EQ(Ids(page2), (std::vector<Id>{3, 2}));
  // Back towards the newest: the ones nearest the cursor, still newest first.
  auto back = List(GraphList::kFollowers, 1, 1, {{PageRequest::Direction::kNewer, page2[0].edge}});
  EXPECT_EQ(Ids(back), (std::vector<Id>{5, 4}));
}

TEST_P(StoreGraphTest, LikesListRealUsersAndOnlyPostsTheTimelinesWouldShow) {
  WriteBatch likes;
  likes.likes = {{2, PostId(1)}, {3, PostId(1)}, {6, PostId(1)}, {2, PostId(2)}, {2, PostId(3)}, {2, PostId(1)}};
  ASSERT_TRUE(store_->Apply(likes).ok());
  EXPECT_EQ(Ids(List(GraphList::kLikingUsers, PostId(1))), (std::vector<Id>{3, 2}));
  // Post 3 is a protected account's: left out, as from every list.
  EXPECT_EQ(Ids(List(GraphList::kLikedPosts, 2)), (std::vector<Id>{PostId(2), PostId(1)}));
  ASSERT_TRUE(store_->DeletePost(PostId(2), kT0).ok());
  EXPECT_EQ(Ids(List(GraphList::kLikedPosts, 2)), (std::vector<Id>{PostId(1)}));
}

TEST_P(StoreGraphTest, RepostsArePostsWithARetweetedReference) {
  WriteBatch batch;
  batch.posts = {MakePost(10, 2, PostId(1)), MakePost(11, 3, PostId(1)), MakePost(12, 5, PostId(1)),
                 MakePost(13, 4, PostId(1)), MakePost(14, 4, PostId(2))};
  ASSERT_TRUE(store_->Apply(batch).ok());
  ASSERT_TRUE(store_->DeletePost(PostId(13), kT0).ok());
  PageRequest page;
  page.limit = 10;
  auto reposts = store_->Reposts(PostId(1), page);
  ASSERT_TRUE(reposts.ok());
  std::vector<Id> ids;
  for (const auto& r : *reposts) ids.push_back(r.post.id);
  // Deleted (13) and a protected account's (12) reposts are left out.
  EXPECT_EQ(ids, (std::vector<Id>{PostId(11), PostId(10)}));
  auto by = List(GraphList::kRepostedBy, PostId(1));
  EXPECT_EQ(Ids(by), (std::vector<Id>{3, 2}));
  EXPECT_EQ(by[0].edge, PostId(11));  // pages are cut at the repost's id
  EXPECT_EQ(Ids(List(GraphList::kRepostedBy, PostId(1), 1, {{PageRequest::Direction::kOlder, PostId(11)}})),
            (std::vector<Id>{2}));
  // A user who reposts the post again is listed once, at its latest repost.
  ASSERT_TRUE(store_->Apply(WriteBatch{{}, {MakePost(15, 2, PostId(1))}}).ok());
  by = List(GraphList::kRepostedBy, PostId(1));
  EXPECT_EQ(Ids(by), (std::vector<Id>{2, 3}));
  EXPECT_EQ(by[0].edge, PostId(15));
  EXPECT_EQ(Ids(List(GraphList::kRepostedBy, PostId(1), 1, {{PageRequest::Direction::kNewer, PostId(11)}})),
            (std::vector<Id>{2}));
}

TEST_P(StoreGraphTest, ABatchThatFailsLeavesNoEdges) {
  WriteBatch batch;
  batch.follows = {{3, 4}};
  batch.likes = {{3, PostId(1)}};
  batch.posts = {MakePost(1, 1)};  // already stored: the batch fails
  EXPECT_FALSE(store_->Apply(batch).ok());
  EXPECT_TRUE(List(GraphList::kFollowers, 4).empty());
  EXPECT_TRUE(List(GraphList::kLikingUsers, PostId(1)).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreGraphTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
