#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include "store/store_backends.h"

#include <filesystem>
#include <set>

#include "core/snowflake.h"
#include "core/text.h"
#include "store/search/query.h"
#include "store/sqlite/db.h"
#include "store/sqlite/schema.h"

namespace sluice {
namespace {

class StoreTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(options_ = test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    User a{.id = 10, .username = "Alice", .name = "A"};
    User b{.id = 11, .username = "bob", .name = "B"};
    WriteBatch batch{{a, b}, {}};
    for (int i = 0; i < 30; ++i) {
      Post p;
      p.id = MakeSnowflake(kT0 + i * 60000, 0, 0);
      p.author_id = i % 3 == 0 ? 11 : 10;
      p.text = i % 2 ? "hello @alice #Tag" : "bonjour";
      p.created_at = kT0 + i * 60000;
      p.conversation_id = p.id;
      p.entities = ExtractEntities(p.text);
      p.edit_history = {p.id};
      batch.posts.push_back(p);
    }
    ASSERT_TRUE(store_->Apply(batch).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static constexpr TimeMs kT0 = 1700000000000;
  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, SLUICE_STORE_BACKENDS);

TEST_P(StoreTest, ReopensWithoutRemigrating) {
  store_.reset();
  auto s = OpenStore({options_.url, dir_, true});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*(*s)->CountPosts(), 30);
}

TEST_P(StoreTest, UsernamesAreCaseInsensitiveAndUnique) {
  std::vector<std::string> names = {"ALICE", "Bob", "carol"};
  auto users = store_->GetUsersByUsername(names);
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ(users->at(0).username, "Alice");
  WriteBatch dup{{User{.id = 12, .username = "alice", .name = "x"}}, {}};
  Status s = store_->Apply(dup);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kConflict);
}

TEST_P(StoreTest, GetUsersByIdOneOrManyOrNone) {
  // One id takes the primary-key path, several the json_each one: the same answers.
  auto one = store_->GetUsers(std::vector<Id>{11});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().username, "bob");
  EXPECT_EQ(one->front().name, "B");
  EXPECT_TRUE(store_->GetUsers(std::vector<Id>{99})->empty());
  EXPECT_TRUE(store_->GetUsers(std::vector<Id>{})->empty());
  auto many = store_->GetUsers(std::vector<Id>{10, 99, 11});
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->size(), 2u);
  EXPECT_EQ(many->at(0).id + many->at(1).id, 21);
  // The one-id statement is cached and reset: it answers again, for another id.
  ASSERT_EQ(store_->GetUsers(std::vector<Id>{10})->size(), 1u);
  EXPECT_EQ(store_->GetUsers(std::vector<Id>{10})->front().username, "Alice");
}

TEST_P(StoreTest, BatchIsAllOrNothing) {
  Post good;
  good.id = MakeSnowflake(kT0 + 99 * 60000, 0, 0);
  good.author_id = 10;
  good.text = "new";
  good.created_at = kT0;
  WriteBatch batch{{User{.id = 13, .username = "dave", .name = "D"}}, {good}};
  Post clash = good;  // the same id twice
  batch.posts.push_back(clash);
  EXPECT_FALSE(store_->Apply(batch).ok());
  EXPECT_EQ(*store_->CountPosts(), 30);
  EXPECT_EQ(*store_->CountUsers(), 2);
}

TEST_P(StoreTest, TimelinePagesAndDeletes) {
  PageRequest page;
  page.limit = 5;
  auto first = store_->UserPosts(10, page);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 6u);  // limit + 1 tells "more"
  for (size_t i = 1; i < first->size(); ++i) EXPECT_GT(first->at(i - 1).post.id, first->at(i).post.id);
  page.cursor = {{PageRequest::Direction::kOlder, first->at(4).post.id}};
  auto second = store_->UserPosts(10, page);
  EXPECT_EQ(second->front().post.id, first->at(5).post.id);

  Id gone = first->front().post.id;
  ASSERT_TRUE(store_->DeletePost(gone, kT0).ok());
  EXPECT_EQ(store_->DeletePost(gone, kT0).code(), StatusCode::kNotFound);
  page.cursor.reset();
  EXPECT_NE(store_->UserPosts(10, page)->front().post.id, gone);
  auto kept = store_->GetPosts(std::vector<Id>{gone});
  ASSERT_EQ(kept->size(), 1u);  // kept for evidence
  EXPECT_TRUE(kept->front().post.deleted_at.has_value());
}

TEST_P(StoreTest, ForEachPostVisitsEveryPostInIdOrderWithItsDeletedFlag) {
  Id gone = MakeSnowflake(kT0 + 4 * 60000, 0, 0);
  ASSERT_TRUE(store_->DeletePost(gone, kT0).ok());
  std::vector<Id> ids;
  int deleted = 0;
  Status s = store_->ForEachPost([&](Id id, std::string_view text, bool is_deleted) {
    if (!ids.empty()) {
      EXPECT_GT(id, ids.back());
    }
    ids.push_back(id);
    EXPECT_EQ(text, ids.size() % 2 ? "bonjour" : "hello @alice #Tag");  // i = ids.size() - 1
    EXPECT_EQ(is_deleted, id == gone);
    deleted += is_deleted;
    return true;
  });
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(ids.size(), 30u);  // deleted ones included
  EXPECT_EQ(deleted, 1);
  int visited = 0;
  ASSERT_TRUE(store_->ForEachPost([&](Id, std::string_view, bool) { return ++visited < 3; }).ok());
  EXPECT_EQ(visited, 3);  // stops when `visit` returns false
}

TEST_P(StoreTest, MentionsUseTagsAndEntitiesCarryMentionIds) {
  PageRequest page;
  page.limit = 100;
  auto mentions = store_->Mentions(10, page);
  ASSERT_TRUE(mentions.ok());
  EXPECT_EQ(mentions->size(), 15u);
  EXPECT_NE(mentions->front().entities_json.find(R"("username":"alice","id":"10")"), std::string::npos)
      << mentions->front().entities_json;
}

// Every API token is app-only, and X shows a protected account's posts to its followers
// alone: lists and counts leave them out (store.h).
TEST_P(StoreTest, ListsAndCountsLeaveOutProtectedAccounts) {
  User carol{.id = 12, .username = "carol", .name = "C", .is_protected = true};
  Post p;
  p.id = MakeSnowflake(kT0 + 31 * 60000, 0, 0);
  p.author_id = 12;
  p.text = "hello @alice #Tag";
  p.created_at = kT0 + 31 * 60000;
  p.conversation_id = p.id;
  p.entities = ExtractEntities(p.text);
  p.edit_history = {p.id};
  ASSERT_TRUE(store_->Apply(WriteBatch{{carol}, {p}}).ok());
  PageRequest page;
  page.limit = 100;
  auto mentions = store_->Mentions(10, page);
  ASSERT_TRUE(mentions.ok());
  EXPECT_EQ(mentions->size(), 15u);
  EXPECT_NE(mentions->front().post.id, p.id);
  auto query = ParseSearchQuery("hello");
  ASSERT_TRUE(query.ok());
  auto found = store_->Search(*query, page);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 15u);
  auto counts = store_->Count(*query, kT0, kT0 + 2 * 3600000, 3600000, std::nullopt, std::nullopt);
  ASSERT_TRUE(counts.ok());
  int64_t total = 0;
  for (const auto& b : *counts) total += b.count;
  EXPECT_EQ(total, 15);
  EXPECT_TRUE(store_->UserPosts(12, page)->empty());
  EXPECT_EQ(store_->GetPosts(std::vector<Id>{p.id})->size(), 1u);  // a lookup still finds it: the API decides
}

// since_id and until_id are exclusive ids, finer than the millisecond their time is: posts
// sharing since_id's millisecond but after it are counted, those before until_id too.
TEST_P(StoreTest, CountBoundsByIdsWithinAMillisecond) {
  const TimeMs t = kT0 + 3600000 + 123;
  WriteBatch batch;
  for (int seq = 1; seq <= 3; ++seq) {
    Post p;
    p.id = MakeSnowflake(t, 0, seq);
    p.author_id = 10;
    p.text = "same millisecond";
    p.created_at = t;
    p.conversation_id = p.id;
    p.edit_history = {p.id};
    batch.posts.push_back(p);
  }
  ASSERT_TRUE(store_->Apply(batch).ok());
  auto query = ParseSearchQuery("millisecond");
  ASSERT_TRUE(query.ok());
  auto total = [&](std::optional<Id> since, std::optional<Id> until) {
    auto counts = store_->Count(*query, kT0, kT0 + 2 * 3600000, 3600000, since, until);
    EXPECT_TRUE(counts.ok());
    int64_t n = 0;
    if (counts.ok())
      for (const auto& b : *counts) n += b.count;
    return n;
  };
  EXPECT_EQ(total(std::nullopt, std::nullopt), 3);
  EXPECT_EQ(total(MakeSnowflake(t, 0, 1), std::nullopt), 2);
  EXPECT_EQ(total(std::nullopt, MakeSnowflake(t, 0, 3)), 2);
  EXPECT_EQ(total(MakeSnowflake(t, 0, 1), MakeSnowflake(t, 0, 3)), 1);
}

TEST_P(StoreTest, SearchUsersMatchesEveryWordInUsernameNameOrDescriptionMostRelevantFirst) {
  WriteBatch more{{User{.id = 20, .username = "data_nerd", .name = "Dana Smith", .description = "I count things"},
                   User{.id = 21, .username = "smithy", .name = "Sam", .description = "Blacksmith"},
                   User{.id = 22, .username = "jo", .name = "Jo Smith", .description = "Data analyst"},
                   User{.id = 23, .username = "hidden", .name = "Dana Smith", .is_protected = true},
                   User{.id = 24, .username = "bot_1", .name = "Dana Smith", .synthetic = true},
                   User{.id = 25, .username = "zoe", .name = "Zoé Café"}},
                  {}};
  ASSERT_TRUE(store_->Apply(more).ok());
  auto ids = [&](std::vector<std::string> words, int64_t offset = 0, int limit = 10) {
    auto users = store_->SearchUsers(words, offset, limit);
    EXPECT_TRUE(users.ok()) << users.status().message();
    std::vector<Id> out;
    if (users.ok())
      for (const auto& u : *users) out.push_back(u.id);
    return out;
  };
  // The username match ranks before the name and description matches; protected accounts
  // and trap authors never appear.
  EXPECT_EQ(ids({"data"}), (std::vector<Id>{20, 22}));
  auto smith = ids({"smith"});
  ASSERT_EQ(smith.size(), 3u) << "the last token is a prefix: smith finds smithy";
  EXPECT_EQ(smith[0], 21) << "the username match first";
  EXPECT_EQ(std::set<Id>(smith.begin() + 1, smith.end()), (std::set<Id>{20, 22}));
  EXPECT_EQ(ids({"dana", "smith"}), (std::vector<Id>{20}));
  EXPECT_EQ(ids({"data_nerd"}), (std::vector<Id>{20}));
  EXPECT_EQ(ids({"DATA_NE"}), (std::vector<Id>{20}));
  EXPECT_EQ(ids({"cafe"}), (std::vector<Id>{25})) << "accents are folded";
  EXPECT_EQ(ids({"alice"}), (std::vector<Id>{10}));
  EXPECT_TRUE(ids({"nobody"}).empty());
  EXPECT_TRUE(ids({"'", "_"}).empty()) << "words without a letter or digit match nothing";
  EXPECT_TRUE(ids({}).empty());
  // Pages: limit + 1 rows tell the caller there is more; the offset skips the earlier pages.
  EXPECT_EQ(ids({"smith"}, 0, 1), (std::vector<Id>{smith[0], smith[1]}));
  EXPECT_EQ(ids({"smith"}, 1, 1), (std::vector<Id>{smith[1], smith[2]}));
  EXPECT_EQ(ids({"smith"}, 2, 1), (std::vector<Id>{smith[2]}));
}

// A database made before the users search index: its users are indexed by the migration that
// adds it (whatever its place in the list), not only those inserted afterwards.
TEST(SqliteMigration, TheUsersSearchIndexCoversUsersInsertedBeforeIt) {
  const std::string dir = test::SqliteDirBefore(
      "users_fts",
      "INSERT INTO users (id, username, username_lc, name, description, created_at)"
      " VALUES (7, 'oldtimer', 'oldtimer', 'Early Bird', 'here first', 0)");
  auto store = OpenStore({"sqlite", dir, true});
  ASSERT_TRUE(store.ok()) << store.status().message();
  for (std::vector<std::string> words : {std::vector<std::string>{"oldtimer"}, {"early", "bird"}, {"first"}}) {
    auto found = (*store)->SearchUsers(words, 0, 10);
    ASSERT_TRUE(found.ok()) << found.status().message();
    ASSERT_EQ(found->size(), 1u) << words[0];
    EXPECT_EQ(found->at(0).id, 7);
  }
  store->reset();
  std::filesystem::remove_all(dir);
}

TEST_P(StoreTest, InsertPostFillsConversationAndCounts) {
  auto parent = store_->UserPosts(11, PageRequest{.limit = 1});
  Post reply;
  reply.id = MakeSnowflake(kT0 + 100 * 60000, 0, 0);
  reply.author_id = 10;
  reply.text = "a reply";
  reply.created_at = kT0;
  reply.referenced = {{ReferenceType::kRepliedTo, parent->front().post.id}};
  ASSERT_TRUE(store_->InsertPost(reply).ok());
  EXPECT_EQ(reply.conversation_id, parent->front().post.conversation_id);
  EXPECT_EQ(reply.in_reply_to_user_id, 11);
  auto updated = store_->GetPosts(std::vector<Id>{parent->front().post.id});
  EXPECT_EQ(updated->front().post.metrics.reply_count, 1);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST_P(StoreTest, AtomicallyUndoesEverythingOnFailureAndNests) {
  Status s = store_->Atomically([&]() -> Status {
    if (Status inner = store_->Apply(WriteBatch{{User{.id = 20, .username = "erin", .name = "E"}}, {}}); !inner.ok())
      return inner;
    auto project = store_->CreateProject("p", kT0);
    if (!project.ok()) return project.status();
    return InvalidRequest("x", "", "fail after two writes");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*store_->CountUsers(), 2);
  EXPECT_FALSE(*store_->ProjectExists(1));

  ASSERT_TRUE(store_->Atomically([&] { return store_->Apply(WriteBatch{{User{.id = 21, .username = "fay", .name = "F"}}, {}}); }).ok());
  EXPECT_EQ(*store_->CountUsers(), 3);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST_P(StoreTest, ProjectsHaveACycleDayAndCredits) {
  // 2024-01-31: the cycle day is capped at 28, as X's cap_reset_day.
  auto late = store_->CreateProject("late", 1706659200000);
  auto mid = store_->CreateProject("mid", 1705276800000);  // 2024-01-15
  ASSERT_TRUE(late.ok() && mid.ok());
  EXPECT_EQ((*store_->GetProject(*late))->cap_reset_day, 28);
  EXPECT_EQ((*store_->GetProject(*mid))->cap_reset_day, 15);
  EXPECT_FALSE(store_->GetProject(999)->has_value());
  ASSERT_TRUE(store_->AddCredits(*mid, 25'000'000, kT0).ok());
  ASSERT_TRUE(store_->AddCredits(*mid, 5'000'000, kT0 + 1).ok());
  EXPECT_FALSE(store_->AddCredits(*mid, 0, kT0).ok());  // credits are positive
  auto credits = store_->Credits(*mid);
  ASSERT_EQ(credits->size(), 2u);
  EXPECT_EQ(credits->at(0).micro_usd + credits->at(1).micro_usd, 30'000'000);
  EXPECT_TRUE(store_->Credits(*late)->empty());
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// A second connection to the same store writing as another worker or process would.
class TwoConnectionsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    auto s = OpenStore({options_.url, dir_, false});
    ASSERT_TRUE(s.ok()) << s.status().message();
    other_ = std::move(*s);
  }
  void TearDown() override {
    other_.reset();
    StoreTest::TearDown();
  }
  bool Live(Store& store, Id id) {
    auto found = store.GetPosts(std::vector<Id>{id});
    EXPECT_TRUE(found.ok());
    return found.ok() && found->size() == 1 && !found->front().post.deleted_at;
  }
  static Id PostId(int i) { return MakeSnowflake(kT0 + i * 60000, 0, 0); }
  std::unique_ptr<Store> other_;
};
INSTANTIATE_TEST_SUITE_P(Backends, TwoConnectionsTest, SLUICE_STORE_BACKENDS);

// Read snapshots (Store::BeginReads): SQLite's alone (the PostgreSQL store's reads always see
// the latest state, as store.h allows).
class ReadSnapshotTest : public TwoConnectionsTest {};
INSTANTIATE_TEST_SUITE_P(Sqlite, ReadSnapshotTest, ::testing::Values(test::Backend::kSqlite), test::BackendName);

TEST_P(ReadSnapshotTest, ASnapshotHoldsEveryWriteCommittedBeforeIt) {
  // A snapshot taken (and ended) before a delete does not linger into the next one.
  {
    ReadScope reads(*store_, true);
    EXPECT_TRUE(Live(*store_, PostId(1)));
  }
  ASSERT_TRUE(other_->DeletePost(PostId(1), kT0).ok());
  {
    ReadScope reads(*store_, true);
    EXPECT_FALSE(Live(*store_, PostId(1)));
  }
  // Nor when the connection read outside any snapshot in between.
  EXPECT_FALSE(Live(*store_, PostId(1)));
  ASSERT_TRUE(other_->DeletePost(PostId(2), kT0).ok());
  ReadScope reads(*store_, true);
  EXPECT_FALSE(Live(*store_, PostId(2)));
}

TEST_P(ReadSnapshotTest, ReadsInsideOneSnapshotAgreeAndTheNextSeesLaterWrites) {
  store_->BeginReads();
  EXPECT_TRUE(Live(*store_, PostId(3)));
  ASSERT_TRUE(other_->DeletePost(PostId(3), kT0).ok());
  EXPECT_TRUE(Live(*store_, PostId(3)));  // one snapshot: the reads of one request agree
  store_->BeginReads();                   // does not nest, nor move the snapshot
  EXPECT_TRUE(Live(*store_, PostId(3)));
  store_->EndReads();
  EXPECT_FALSE(Live(*store_, PostId(3)));
  store_->EndReads();  // without a snapshot: nothing to end
  EXPECT_FALSE(Live(*store_, PostId(3)));
}

TEST_P(ReadSnapshotTest, WritesInsideASnapshotStartFromTheLatestState) {
  // A Transaction (InsertPost) after another connection committed since our snapshot.
  {
    ReadScope reads(*store_, true);
    EXPECT_TRUE(Live(*store_, PostId(4)));
    Post parent;
    parent.id = MakeSnowflake(kT0 + 200 * 60000, 0, 0);
    parent.author_id = 11;
    parent.text = "new parent";
    parent.created_at = kT0;
    ASSERT_TRUE(other_->InsertPost(parent).ok());
    Post reply;
    reply.id = MakeSnowflake(kT0 + 201 * 60000, 0, 0);
    reply.author_id = 10;
    reply.text = "reply to the new parent";
    reply.created_at = kT0;
    reply.referenced = {{ReferenceType::kRepliedTo, parent.id}};
    Status inserted = store_->InsertPost(reply);
    ASSERT_TRUE(inserted.ok()) << inserted.message();
    EXPECT_EQ(reply.conversation_id, parent.id);
    EXPECT_TRUE(Live(*other_, reply.id));  // committed at once, not at the end of the scope
    EXPECT_EQ(store_->GetPosts(std::vector<Id>{parent.id})->front().post.metrics.reply_count, 1);
  }
  // A single statement that writes (DeletePost).
  {
    ReadScope reads(*store_, true);
    EXPECT_TRUE(Live(*store_, PostId(5)));
    ASSERT_TRUE(other_->DeletePost(PostId(5), kT0).ok());
    EXPECT_EQ(store_->DeletePost(PostId(5), kT0).code(), StatusCode::kNotFound);  // the other's delete is seen
    ASSERT_TRUE(store_->DeletePost(PostId(6), kT0).ok());
    EXPECT_FALSE(Live(*other_, PostId(6)));
    EXPECT_FALSE(Live(*store_, PostId(5)));
  }
  // Atomically.
  {
    ReadScope reads(*store_, true);
    EXPECT_EQ(*store_->CountUsers(), 2);
    ASSERT_TRUE(other_->Apply(WriteBatch{{User{.id = 30, .username = "gil", .name = "G"}}, {}}).ok());
    Status s = store_->Atomically([&] { return store_->Apply(WriteBatch{{User{.id = 31, .username = "hal", .name = "H"}}, {}}); });
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(*other_->CountUsers(), 4);
    EXPECT_EQ(*store_->CountUsers(), 4);
  }
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST_P(TwoConnectionsTest, EveryCommittedWriteMovesTheWriteGenerationAndNoReadDoes) {
  auto moves = [](const std::function<void()>& f) {
    uint64_t before = StoreWriteGeneration();
    f();
    return StoreWriteGeneration() != before;
  };
  // Reads, in a snapshot or not.
  EXPECT_FALSE(moves([&] {
    ReadScope reads(*store_, true);
    EXPECT_TRUE(Live(*store_, PostId(1)));
    EXPECT_EQ(store_->GetUsers(std::vector<Id>{10})->size(), 1u);
  }));
  EXPECT_FALSE(moves([&] { EXPECT_EQ(*store_->CountPosts(), 30); }));
  // Writes: one statement, a Transaction, Atomically, a batch; through either connection.
  EXPECT_TRUE(moves([&] { ASSERT_TRUE(store_->DeletePost(PostId(1), kT0).ok()); }));
  EXPECT_TRUE(moves([&] { ASSERT_TRUE(other_->DeletePost(PostId(2), kT0).ok()); }));
  EXPECT_TRUE(moves([&] {
    Post p;
    p.id = MakeSnowflake(kT0 + 300 * 60000, 0, 0);
    p.author_id = 10;
    p.text = "new";
    p.created_at = kT0;
    ASSERT_TRUE(store_->InsertPost(p).ok());
  }));
  EXPECT_TRUE(moves([&] { ASSERT_TRUE(store_->Atomically([&] { return store_->Apply(WriteBatch{{User{.id = 40, .username = "ida", .name = "I"}}, {}}); }).ok()); }));
  EXPECT_TRUE(moves([&] { ASSERT_TRUE(store_->Apply(WriteBatch{{User{.id = 41, .username = "jo", .name = "J"}}, {}}).ok()); }));
}

TEST_P(TwoConnectionsTest, PollOtherWritersIsTrueOnlyAfterAnotherConnectionsCommit) {
  EXPECT_FALSE(store_->PollOtherWriters());  // takes note
  EXPECT_FALSE(store_->PollOtherWriters());  // nothing committed since
  ASSERT_TRUE(store_->DeletePost(PostId(2), kT0).ok());
  EXPECT_FALSE(store_->PollOtherWriters());  // its own write
  ASSERT_TRUE(other_->DeletePost(PostId(3), kT0).ok());
  uint64_t g = StoreWriteGeneration();
  EXPECT_TRUE(store_->PollOtherWriters());
  EXPECT_EQ(StoreWriteGeneration(), g);  // the writer moved it; noticing it again does not
  EXPECT_FALSE(store_->PollOtherWriters());
}

}  // namespace
}  // namespace sluice

namespace sluice::sqlite {
namespace {

// The read transaction is opened by the first read, not by BeginRead: a request that reads
// nothing (a lookup answered from a cache) costs no BEGIN/COMMIT.
TEST(DbReadTransaction, OpenedByTheFirstReadEndedByAWriteReopenedByTheNextRead) {
  char tmpl[] = "/tmp/sluice-db-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  {
    auto db = Db::Open(dir + "/t.db");
    ASSERT_TRUE(db.ok());
    Db& d = **db;
    ASSERT_TRUE(d.Exec("CREATE TABLE t (x INTEGER)").ok());
    auto read = d.Prepare("SELECT count(*) FROM t");
    auto write = d.Prepare("INSERT INTO t VALUES (1)");
    ASSERT_TRUE(read.ok() && write.ok());
    d.BeginRead();
    EXPECT_FALSE(d.in_read());
    ASSERT_TRUE(read->Step().ok());
    read->Reset();
    EXPECT_TRUE(d.in_read());
    ASSERT_TRUE(write->Run().ok());
    write->Reset();
    EXPECT_FALSE(d.in_read());
    EXPECT_TRUE(sqlite3_get_autocommit(d.raw()));  // the write committed on its own
    ASSERT_TRUE(read->Step().ok());
    EXPECT_EQ(read->Int(0), 1);
    read->Reset();
    EXPECT_TRUE(d.in_read());
    d.EndRead();
    EXPECT_FALSE(d.in_read());
    EXPECT_TRUE(sqlite3_get_autocommit(d.raw()));
    ASSERT_TRUE(read->Step().ok());  // outside BeginRead/EndRead: no transaction of ours
    read->Reset();
    EXPECT_FALSE(d.in_read());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::sqlite
