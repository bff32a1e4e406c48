// Long posts (note tweets), earlier versions of edited posts and relevancy order, in either store.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/long_post.h"
#include "core/snowflake.h"
#include "core/text.h"
#include "store/search/query.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

class StorePostsTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  static constexpr TimeMs kT0 = 1700000000000;

  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-posts-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(options_ = test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Apply({{User{.id = 10, .username = "alice", .name = "A"},
                                User{.id = 11, .username = "bob", .name = "B"}},
                               {}})
                    .ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Post MakePost(int minute, std::string text, std::vector<Id> history = {}) {
    Post p;
    p.id = MakeSnowflake(kT0 + minute * 60000, 0, 0);
    p.author_id = 10;
    p.text = std::move(text);
    p.created_at = kT0 + minute * 60000;
    p.conversation_id = p.id;
    p.entities = ExtractEntities(p.text);
    p.edit_history = history.empty() ? std::vector<Id>{p.id} : std::move(history);
    return p;
  }

  std::vector<Id> SearchIds(std::string_view query) {
    auto q = ParseSearchQuery(query);
    EXPECT_TRUE(q.ok()) << query;
    PageRequest page;
    page.limit = 100;
    auto rows = store_->Search(*q, page);
    EXPECT_TRUE(rows.ok());
    std::vector<Id> ids;
    for (const auto& r : *rows) ids.push_back(r.post.id);
    return ids;
  }

  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_P(StorePostsTest, LongPostKeepsItsCutAndItsWholeTextAndSearchReadsTheWhole) {
  Post p = MakePost(1, "#debut " + Repeat("mot ", 80) + "zanzibar @bob #fin https://example.com/x");
  ASSERT_TRUE(MakeLongPost(p));
  const std::string cut = p.text, whole = p.note_text;
  ASSERT_TRUE(store_->Apply({{}, {p}}).ok());

  auto got = store_->GetPosts(std::vector<Id>{p.id});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const StoredPost& sp = got->front();
  EXPECT_EQ(sp.post.text, cut);
  EXPECT_EQ(sp.post.note_text, whole);
  EXPECT_EQ(sp.entities_json, R"({"hashtags":[{"start":0,"end":6,"tag":"debut"}]})");
  EXPECT_NE(sp.note_entities_json.find(R"("tag":"fin")"), std::string::npos) << sp.note_entities_json;
  EXPECT_NE(sp.note_entities_json.find(R"("username":"bob","id":"11")"), std::string::npos) << sp.note_entities_json;

  // X searches a long post's whole text: words, tags, mentions, urls and has: past the cut.
  for (std::string_view q : {"zanzibar", "#fin", "@bob", "url:example.com", "has:links mot", "debut zanzibar"})
    EXPECT_EQ(SearchIds(q), std::vector<Id>{p.id}) << q;

  // The trace index reads the cut, which every delivery holds (the note's text begins with it).
  std::string visited;
  ASSERT_TRUE(store_->ForEachPost([&](Id, std::string_view text, bool) {
                      visited = text;
                      return true;
                    })
                  .ok());
  EXPECT_EQ(visited, cut);
}

TEST_P(StorePostsTest, EarlierVersionIsServedByIdButNeverListed) {
  Post first = MakePost(1, "helo wrld");
  Post latest = MakePost(3, "hello world");
  first.edit_history = latest.edit_history = {first.id, latest.id};
  Post other = MakePost(5, "hello again");
  ASSERT_TRUE(store_->Apply({{}, {first, latest, other}}).ok());

  auto got = store_->GetPosts(std::vector<Id>{first.id});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().post.text, "helo wrld");
  EXPECT_EQ(got->front().post.edit_history, (std::vector<Id>{first.id, latest.id}));

  PageRequest page;
  page.limit = 10;
  auto timeline = store_->UserPosts(10, page);
  ASSERT_TRUE(timeline.ok());
  ASSERT_EQ(timeline->size(), 2u);
  EXPECT_EQ(timeline->at(0).post.id, other.id);
  EXPECT_EQ(timeline->at(1).post.id, latest.id);
  EXPECT_TRUE(SearchIds("helo").empty());
  EXPECT_EQ(SearchIds("hello"), (std::vector<Id>{other.id, latest.id}));
  auto q = ParseSearchQuery("from:alice");
  auto counts = store_->Count(*q, kT0, kT0 + 3600000, 3600000, std::nullopt, std::nullopt);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->front().count, 2);

  // X deletes an edit chain whole, from its latest version or from an earlier one.
  ASSERT_TRUE(store_->DeletePost(latest.id, kT0 + 600000).ok());
  got = store_->GetPosts(std::vector<Id>{first.id, latest.id});
  ASSERT_EQ(got->size(), 2u);
  for (const auto& sp : *got) EXPECT_TRUE(sp.post.deleted_at.has_value()) << sp.post.id;
  EXPECT_FALSE(store_->GetPosts(std::vector<Id>{other.id})->front().post.deleted_at.has_value());

  Post v1 = MakePost(10, "one"), v2 = MakePost(11, "two"), v3 = MakePost(12, "three");
  v1.edit_history = v2.edit_history = v3.edit_history = {v1.id, v2.id, v3.id};
  ASSERT_TRUE(store_->Apply({{}, {v1, v2, v3}}).ok());
  ASSERT_TRUE(store_->DeletePost(v2.id, kT0 + 900000).ok());
  got = store_->GetPosts(std::vector<Id>{v1.id, v2.id, v3.id});
  ASSERT_EQ(got->size(), 3u);
  for (const auto& sp : *got) EXPECT_TRUE(sp.post.deleted_at.has_value()) << sp.post.id;
  EXPECT_EQ(store_->DeletePost(v3.id, kT0 + 900000).code(), StatusCode::kNotFound);
}

// sort_order=relevancy: FTS5's bm25, best first, ties newest first; `after` walks the order.
TEST_P(StorePostsTest, RelevancyOrdersByBm25AndPagesWithoutGapsOrRepeats) {
  std::vector<Post> posts = {
      MakePost(1, "apple pie recipe with cream and sugar and butter and flour"),
      MakePost(2, "apple apple apple"),
      MakePost(3, "an apple a day"),
      MakePost(4, "banana bread"),
      MakePost(5, "apple"),
      MakePost(6, "apple"),  // the same score as minute 5: the newer first
      MakePost(7, "apple tart, apple crumble, apple juice and an apple a day keep the doctor away for good"),
  };
  posts[3].author_id = 11;
  ASSERT_TRUE(store_->Apply({{}, posts}).ok());
  auto q = ParseSearchQuery("apple");
  ASSERT_TRUE(q.ok());
  PageRequest all;
  all.limit = 100;
  all.relevancy = true;
  auto ranked = store_->Search(*q, all);
  ASSERT_TRUE(ranked.ok());
  ASSERT_EQ(ranked->size(), 6u);
  for (size_t i = 1; i < ranked->size(); ++i) {
    const auto& a = ranked->at(i - 1);
    const auto& b = ranked->at(i);
    EXPECT_TRUE(a.relevance < b.relevance || (a.relevance == b.relevance && a.post.id > b.post.id)) << i;
  }
  EXPECT_EQ(ranked->front().post.text, "apple apple apple");  // most of it, in the fewest words
  EXPECT_EQ(ranked->at(1).post.id, posts[5].id);              // the tie: newer first
  EXPECT_EQ(ranked->at(2).post.id, posts[4].id);
  EXPECT_NE(ranked->back().post.text.find("apple pie"), std::string::npos);  // one apple in many words

  // Pages of 2 walk the same order, each post once.
  std::vector<Id> walked;
  PageRequest page = all;
  page.limit = 2;
  for (int guard = 0; guard < 10; ++guard) {
    auto rows = store_->Search(*q, page);
    ASSERT_TRUE(rows.ok());
    bool more = rows->size() > 2;
    if (more) rows->pop_back();
    for (const auto& r : *rows) walked.push_back(r.post.id);
    if (!more) break;
    page.after = PageRequest::RelevanceKey{rows->back().relevance, rows->back().post.id};
  }
  std::vector<Id> expected;
  for (const auto& r : *ranked) expected.push_back(r.post.id);
  EXPECT_EQ(walked, expected);

  // Operators too: the query's words score, the rest filters; no words at all is recency.
  auto mixed = ParseSearchQuery("(apple OR bread) -from:bob");
  ASSERT_TRUE(mixed.ok());
  auto filtered = store_->Search(*mixed, all);
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(filtered->size(), 6u);
  auto from = ParseSearchQuery("from:alice");
  auto recency = store_->Search(*from, all);
  ASSERT_TRUE(recency.ok());
  ASSERT_EQ(recency->size(), 6u);
  EXPECT_EQ(recency->front().post.id, posts[6].id);
  EXPECT_EQ(recency->back().post.id, posts[0].id);
  auto mixed_words = ParseSearchQuery("apple from:alice");
  auto scored = store_->Search(*mixed_words, all);
  ASSERT_TRUE(scored.ok());
  ASSERT_EQ(scored->size(), 6u);
  EXPECT_EQ(scored->front().post.text, "apple apple apple");
}

INSTANTIATE_TEST_SUITE_P(Backends, StorePostsTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
