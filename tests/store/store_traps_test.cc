// Trap records in the SQLite store: an app's lists find its delivered traps exactly as they
// find posts (store.h, FindTraps), and no other app's.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/snowflake.h"
#include "core/text.h"
#include "store/search/query.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

class StoreTrapsTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  static constexpr TimeMs kT0 = 1700000000000;
  static constexpr Id kApp = 7, kOtherApp = 8;

  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-traps-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(options_ = test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Apply({{User{.id = 10, .username = "alice", .name = "A"},
                                User{.id = 11, .username = "bob", .name = "B", .verified_type = VerifiedType::kBlue}},
                               {}})
                    .ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Id IdAt(int minute, int seq) { return MakeSnowflake(kT0 + minute * 60000, 0, seq); }

  // The same text as a real post by `author` (minute, seq 0) and as a trap of kApp (seq 1)
  // whose synthetic author is `trap_author`.
  void Both(int minute, const std::string& text, Id author, Id trap_author, std::string_view lang = "en") {
    Post p;
    p.id = IdAt(minute, 0);
    p.author_id = author;
    p.text = text;
    p.lang = std::string(lang);
    p.created_at = kT0 + minute * 60000;
    p.conversation_id = p.id;
    p.entities = ExtractEntities(p.text);
    p.edit_history = {p.id};
    ASSERT_TRUE(store_->Apply({{}, {p}}).ok());
    StoredTrap t;
    t.id = IdAt(minute, 1);
    t.app_id = kApp;
    t.counter = uint64_t(minute);
    t.author_id = trap_author;
    t.text = text;
    t.lang = std::string(lang);
    t.created_at = SnowflakeTime(t.id);
    t.marker = "m";
    t.metrics.like_count = minute;
    User u{.id = trap_author, .username = "synth" + std::to_string(trap_author), .name = "S"};
    u.synthetic = true;
    ASSERT_TRUE(store_->InsertTrap(t, u).ok());
  }

  std::vector<Id> PostIds(std::string_view query) {
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

  std::vector<Id> TrapIds(Id app, const TrapFilter& filter, PageRequest page = {.limit = 100}) {
    auto rows = store_->FindTraps(app, filter, page);
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    std::vector<Id> ids;
    if (rows.ok())
      for (const auto& r : *rows) ids.push_back(r.id);
    return ids;
  }

  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTrapsTest, AQueryMatchesATrapAsItMatchesThePostWithItsText) {
  // Real posts by alice (10) and bob (11); each trap's author mirrors its post's (100 for
  // alice's, 101 for bob's) so that from: compares like with like.
  Both(1, "Le marché de #Lyon ouvre tôt, café et croissants", 10, 100, "fr");
  Both(2, "Coffee with @bob near the river, see example.com/menu $ACME", 11, 101);
  Both(3, "the river was high this morning and the café was closed", 10, 102);
  Both(4, "nothing to see here", 11, 103);
  for (std::string query : {"café", "cafe", "\"the river\"", "#lyon", "@bob", "$acme", "river -closed", "river OR lyon",
                            "(river OR marché) -#lyon", "url:example.com", "café lang:fr", "river has:mentions",
                            "-is:reply river", "nothing", "river has:links"}) {
    auto q = ParseSearchQuery(query);
    ASSERT_TRUE(q.ok()) << query;
    std::vector<Id> posts = PostIds(query), traps = TrapIds(kApp, {&*q, std::nullopt});
    // Trap i sits right after post i in the same minute: the same matches, shifted by one seq.
    std::vector<Id> expected;
    for (Id p : posts) expected.push_back(p + 1);
    EXPECT_EQ(traps, expected) << query;
    EXPECT_TRUE(TrapIds(kOtherApp, {&*q, std::nullopt}).empty()) << query;
  }
  // from: a trap's author matches its traps (the username is a synthetic user's).
  auto q = ParseSearchQuery("from:synth101");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(TrapIds(kApp, {&*q, std::nullopt}), std::vector<Id>{IdAt(2, 1)});
}

TEST_P(StoreTrapsTest, ReadBackWithMetricsAndEntities) {
  Both(5, "see #garden and @alice", 10, 100);
  auto t = store_->GetTrap(IdAt(5, 1));
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->metrics.like_count, 5);
  EXPECT_NE((*t)->entities_json.find("\"tag\":\"garden\""), std::string::npos) << (*t)->entities_json;
  EXPECT_NE((*t)->entities_json.find("\"username\":\"alice\""), std::string::npos) << (*t)->entities_json;
  EXPECT_NE((*t)->entities_json.find("\"id\":\"10\""), std::string::npos) << (*t)->entities_json;  // resolved
}

TEST_P(StoreTrapsTest, ByAuthorWithinBoundsAndCursorNewestFirst) {
  for (int m = 1; m <= 6; ++m) Both(m, "post number " + std::to_string(m), 10, m % 2 ? 100 : 101);
  EXPECT_EQ(TrapIds(kApp, {nullptr, Id(100)}), (std::vector<Id>{IdAt(5, 1), IdAt(3, 1), IdAt(1, 1)}));
  EXPECT_TRUE(TrapIds(kOtherApp, {nullptr, Id(100)}).empty());
  // limit + 1 newest first; a cursor continues older or newer.
  EXPECT_EQ(TrapIds(kApp, {}, {.limit = 2}), (std::vector<Id>{IdAt(6, 1), IdAt(5, 1), IdAt(4, 1)}));
  PageRequest older{.limit = 2};
  older.cursor = {PageRequest::Direction::kOlder, IdAt(4, 1)};
  EXPECT_EQ(TrapIds(kApp, {}, older), (std::vector<Id>{IdAt(3, 1), IdAt(2, 1), IdAt(1, 1)}));
  PageRequest newer{.limit = 1};
  newer.cursor = {PageRequest::Direction::kNewer, IdAt(2, 1)};
  EXPECT_EQ(TrapIds(kApp, {}, newer), (std::vector<Id>{IdAt(4, 1), IdAt(3, 1)}));
  PageRequest window{.start_time = kT0 + 2 * 60000, .end_time = kT0 + 4 * 60000, .limit = 0};
  EXPECT_EQ(TrapIds(kApp, {}, window), (std::vector<Id>{IdAt(3, 1), IdAt(2, 1)}));
  PageRequest ids{.since_id = IdAt(2, 1), .until_id = IdAt(5, 1), .limit = 0};
  EXPECT_EQ(TrapIds(kApp, {}, ids), (std::vector<Id>{IdAt(4, 1), IdAt(3, 1)}));
}

TEST_P(StoreTrapsTest, ASecondTrapOfAnAuthorKeepsItsProfile) {
  Both(1, "one", 10, 100);
  StoredTrap t;
  t.id = IdAt(9, 1);
  t.app_id = kApp;
  t.counter = 99;
  t.author_id = 100;
  t.text = "two";
  t.lang = "en";
  t.created_at = SnowflakeTime(t.id);
  User other{.id = 100, .username = "renamed", .name = "R"};
  other.synthetic = true;
  ASSERT_TRUE(store_->InsertTrap(t, other).ok());
  auto u = store_->GetUsers(std::vector<Id>{100});
  ASSERT_TRUE(u.ok() && u->size() == 1);
  EXPECT_EQ(u->front().username, "synth100");
  EXPECT_EQ(TrapIds(kApp, {nullptr, Id(100)}).size(), 2u);
}

TEST_P(StoreTrapsTest, UsersSearchFindsATrapsAuthorForItsAppAlone) {
  Both(1, "one", 10, 100);
  const std::vector<std::string> words{"synth100"};
  for (Id app : {kApp, kOtherApp, Id(0)}) {
    auto found = store_->SearchUsers(words, 0, 10, app);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->size(), app == kApp ? 1u : 0u) << app;
  }
  auto real = store_->SearchUsers(std::vector<std::string>{"alice"}, 0, 10, kApp);
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(real->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTrapsTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
