// The hub alone: which streams a post reaches (filtered by their app's rules, the sample by id,
// compliance by deletion), on the stream's own executor, and the per-app connection limit.
#include "api/stream_hub.h"

#include <gtest/gtest.h>

#include "api/executor.h"

namespace sluice {
namespace {

class Recorder final : public StreamHub::Subscriber {
 public:
  void OnEvent(StreamEvent e) override { events.push_back(std::move(e)); }
  std::vector<StreamEvent> events;
};

IndexedRule Rule(Id id, Id app, std::string query, std::string tag = "") {
  auto parsed = ParseSearchQuery(query, kMaxArchiveSearchQueryLength);
  EXPECT_TRUE(parsed.ok()) << query;
  return IndexedRule{id, app, std::move(tag), parsed->root};
}

std::shared_ptr<const RuleIndex> Rules(std::vector<IndexedRule> rules) { return RuleIndex::Build(std::move(rules)); }

std::shared_ptr<const StoredPost> PostOf(Id id, std::string text, std::string lang = "en") {
  auto p = std::make_shared<StoredPost>();
  p->post.id = id;
  p->post.author_id = 7;
  p->post.text = std::move(text);
  p->post.lang = std::move(lang);
  p->post.edit_history = {id};
  return p;
}

User Author(bool is_protected = false) {
  User u;
  u.id = 7;
  u.username = "author";
  u.is_protected = is_protected;
  return u;
}

// The first id at or after `from` that is (or is not) in the sample.
Id SampledId(bool in, Id from = 1000) {
  while (InSample(from) != in) ++from;
  return from;
}

struct HubTest : ::testing::Test {
  StreamHub hub;
  QueueExecutor worker;

  std::shared_ptr<Recorder> Open(StreamFeed feed, Id app, int max = 0, uint64_t* handle = nullptr) {
    auto r = std::make_shared<Recorder>();
    uint64_t h = hub.Subscribe({feed, app, &worker, r}, max);
    EXPECT_NE(h, 0u);
    if (handle) *handle = h;
    return r;
  }
  void Drain() { worker.RunUntil([&] { return worker.pending() == 0; }, std::chrono::seconds(5)); }
};

TEST_F(HubTest, AFilteredStreamGetsThePostsItsAppsRulesMatchWithTheRulesMatched) {
  std::vector<IndexedRule> rules;
  rules.push_back(Rule(1, 10, "coffee", "drinks"));
  rules.push_back(Rule(2, 10, "tea OR coffee lang:en", "hot"));
  rules.push_back(Rule(3, 20, "coffee"));  // another app's
  hub.SetRules(Rules(std::move(rules)));
  auto mine = Open(StreamFeed::kFiltered, 10);
  auto theirs = Open(StreamFeed::kFiltered, 30);  // an app without rules gets nothing
  hub.Published(PostOf(SampledId(false), "good coffee"), Author(), 1);
  hub.Published(PostOf(SampledId(false, 5000), "just water"), Author(), 2);
  EXPECT_TRUE(mine->events.empty()) << "delivered on the stream's executor, not the caller's thread";
  Drain();
  ASSERT_EQ(mine->events.size(), 1u);
  std::vector<Id> ids;
  for (auto* r : mine->events[0].rules) ids.push_back(r->rule_id);
  EXPECT_EQ(ids, (std::vector<Id>{1, 2}));
  EXPECT_EQ(mine->events[0].rules[0]->tag, "drinks");
  EXPECT_TRUE(theirs->events.empty());
}

TEST_F(HubTest, RulesReplacedWholeApplyToTheNextPost) {
  hub.SetRules(Rules({Rule(1, 10, "coffee")}));
  auto s = Open(StreamFeed::kFiltered, 10);
  hub.SetRules(Rules({Rule(2, 10, "tea")}));
  hub.Published(PostOf(SampledId(false), "coffee"), Author(), 1);
  hub.Published(PostOf(SampledId(false, 5000), "tea"), Author(), 2);
  Drain();
  ASSERT_EQ(s->events.size(), 1u);
  EXPECT_EQ(s->events[0].rules[0]->rule_id, 2);
}

TEST_F(HubTest, TheSampleIsOnePercentChosenByIdTheSameForEveryone) {
  auto a = Open(StreamFeed::kSample, 10);
  auto b = Open(StreamFeed::kSample, 20);
  int in = 0;
  for (Id id = 1'000'000; id < 1'010'000; ++id) {
    if (InSample(id)) ++in;
    hub.Published(PostOf(id, "x"), Author(), 1);
  }
  Drain();
  EXPECT_GT(in, 50);   // 1 % of 10,000 ids, not exactly: chosen by a hash of the id
  EXPECT_LT(in, 150);
  ASSERT_EQ(a->events.size(), size_t(in));
  ASSERT_EQ(b->events.size(), size_t(in));
  for (size_t i = 0; i < a->events.size(); ++i) EXPECT_EQ(a->events[i].post->post.id, b->events[i].post->post.id);
}

TEST_F(HubTest, AProtectedAccountsPostsAreInNoStream) {
  hub.SetRules(Rules({Rule(1, 10, "coffee")}));
  auto f = Open(StreamFeed::kFiltered, 10);
  auto s = Open(StreamFeed::kSample, 10);
  hub.Published(PostOf(SampledId(true), "coffee"), Author(/*is_protected=*/true), 1);
  Drain();
  EXPECT_TRUE(f->events.empty());
  EXPECT_TRUE(s->events.empty());
}

TEST_F(HubTest, DeletionsReachPostComplianceStreamsOnly) {
  hub.SetRules(Rules({Rule(1, 10, "coffee")}));
  auto f = Open(StreamFeed::kFiltered, 10);
  auto c = Open(StreamFeed::kPostCompliance, 10);
  hub.Deleted(PostOf(SampledId(true), "coffee"), 5);
  Drain();
  EXPECT_TRUE(f->events.empty());
  ASSERT_EQ(c->events.size(), 1u);
  EXPECT_TRUE(c->events[0].deleted);
  EXPECT_EQ(c->events[0].at, 5);
}

TEST_F(HubTest, OperatorEventsReachTheComplianceStreamOfTheirKindPartitionedByTheirSubject) {
  using K = ComplianceEvent::Kind;
  auto posts = Open(StreamFeed::kPostCompliance, 10);
  auto users = Open(StreamFeed::kUserCompliance, 10);
  auto f = Open(StreamFeed::kFiltered, 10);
  hub.AnnounceCompliance({.kind = K::kUserSuspend, .user_id = 42, .event_at = 5});
  hub.AnnounceCompliance({.kind = K::kScrubGeo, .post_id = 900, .user_id = 43, .event_at = 6});
  hub.AnnounceCompliance({.kind = K::kWithheld, .post_id = 901, .user_id = 44, .event_at = 7, .withheld_in_countries = {"DE"}});
  Drain();
  EXPECT_TRUE(f->events.empty());
  ASSERT_EQ(users->events.size(), 2u);
  EXPECT_EQ(users->events[0].notice->kind, K::kUserSuspend);
  EXPECT_EQ(CompliancePartitionKey(users->events[0]), 42);
  EXPECT_EQ(users->events[1].notice->kind, K::kScrubGeo);
  EXPECT_EQ(CompliancePartitionKey(users->events[1]), 43) << "scrub_geo is a user event: partitioned by its user";
  ASSERT_EQ(posts->events.size(), 1u);
  EXPECT_EQ(posts->events[0].notice->kind, K::kWithheld);
  EXPECT_EQ(posts->events[0].at, 7);
  EXPECT_EQ(CompliancePartitionKey(posts->events[0]), 901);
}

TEST_F(HubTest, TheConnectionLimitCountsAnAppsOpenStreamsOfOneFeed) {
  uint64_t first = 0;
  auto a = Open(StreamFeed::kFiltered, 10, 1, &first);
  auto refused = std::make_shared<Recorder>();
  EXPECT_EQ(hub.Subscribe({StreamFeed::kFiltered, 10, &worker, refused}, 1), 0u);
  auto other_feed = Open(StreamFeed::kSample, 10, 1);
  auto other_app = Open(StreamFeed::kFiltered, 11, 1);
  EXPECT_EQ(hub.OpenStreams(10, StreamFeed::kFiltered), 1);
  hub.Unsubscribe(first);
  EXPECT_NE(hub.Subscribe({StreamFeed::kFiltered, 10, &worker, refused}, 1), 0u);
}

TEST_F(HubTest, AStreamGoneBeforeItsEventRunsIsSkipped) {
  hub.SetRules(Rules({Rule(1, 10, "coffee")}));
  auto s = Open(StreamFeed::kFiltered, 10);
  hub.Published(PostOf(SampledId(false), "coffee"), Author(), 1);
  std::weak_ptr<Recorder> weak = s;
  s.reset();
  Drain();  // the posted event finds no subscriber: nothing runs, nothing crashes
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(hub.events(), 1u);
}

// Every stream a post goes to shares one SharedRenders: a selection rendered by one is found by
// the others, another selection is not.
TEST_F(HubTest, APostsStreamsShareItsRenders) {
  hub.SetRules(Rules({Rule(1, 10, "coffee"), Rule(2, 11, "coffee")}));
  auto a = Open(StreamFeed::kFiltered, 10);
  auto b = Open(StreamFeed::kFiltered, 11);
  hub.Published(PostOf(SampledId(false), "coffee"), Author(), 1);
  Drain();
  ASSERT_EQ(a->events.size(), 1u);
  ASSERT_EQ(b->events.size(), 1u);
  ASSERT_NE(a->events[0].renders, nullptr);
  EXPECT_EQ(a->events[0].renders, b->events[0].renders);
  SharedRenders& renders = *a->events[0].renders;
  const SharedRenders::Key key{1, 2, 3, 4};
  EXPECT_FALSE(renders.Find(key).has_value());
  renders.Keep(key, ApiResponse::Json(200, "{\"data\":1}"));
  renders.Keep(key, ApiResponse::Json(200, "{\"data\":2}"));  // the first stays
  ASSERT_TRUE(renders.Find(key).has_value());
  EXPECT_EQ(renders.Find(key)->body, "{\"data\":1}");
  EXPECT_FALSE(renders.Find({1, 2, 3, 5}).has_value());
}

// The keys of posts matched against the rules are counted (one in kKeySampleEvery) for the
// next rebuild: a window counts only once complete, and a newer one replaces it whole.
TEST_F(HubTest, RecentPostsKeysAreCountedAWindowAtATimeForTheNextRebuild) {
  hub.SetRules(Rules({Rule(1, 10, "nothing")}));
  auto s = Open(StreamFeed::kFiltered, 10);
  Id id = 1000;
  auto publish = [&](int64_t posts, const std::string& text) {
    for (int64_t i = 0; i < posts; ++i) hub.Published(PostOf(id++, text), Author(), 1);
  };
  const int64_t every = int64_t(StreamHub::kKeySampleEvery);
  publish((StreamHub::kKeySamplePosts - 1) * every, "coffee now");  // the first of every `every` counted
  EXPECT_EQ(hub.key_frequencies(), nullptr) << "a window counts once complete";
  publish(1, "coffee later");
  auto window = hub.key_frequencies();
  ASSERT_NE(window, nullptr);
  EXPECT_EQ(window->posts(), StreamHub::kKeySamplePosts);
  EXPECT_EQ(window->Share(RuleKeyKind::kWord, "coffee"), 1.0);
  EXPECT_EQ(window->Share(RuleKeyKind::kWord, "later"), 1.0 / double(StreamHub::kKeySamplePosts));
  EXPECT_EQ(window->Share(RuleKeyKind::kFrom, "author"), 1.0);

  publish(StreamHub::kKeySamplePosts * every, "tea");
  auto next = hub.key_frequencies();
  ASSERT_NE(next, window);
  EXPECT_EQ(next->posts(), StreamHub::kKeySamplePosts);
  EXPECT_EQ(next->Share(RuleKeyKind::kWord, "tea"), 1.0);
  EXPECT_EQ(next->Share(RuleKeyKind::kWord, "coffee"), 0.5 / double(StreamHub::kKeySamplePosts)) << "unseen";
  EXPECT_EQ(window->Share(RuleKeyKind::kWord, "coffee"), 1.0) << "an index built with the old one keeps it";
  Drain();
  EXPECT_TRUE(s->events.empty());
}

}  // namespace
}  // namespace sluice
