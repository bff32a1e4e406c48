// The PostgreSQL store's own behaviour, beyond the Store contract the shared tests check:
// outages (a server of its own, stopped and started again), migrations, the connection pool.
#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "core/snowflake.h"
#include "core/text.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_schema.h"
#include "store/store.h"
#include "support/postgres_server.h"

namespace sluice {
namespace {

constexpr TimeMs kT0 = 1700000000000;

Post MakePost(int i) {
  Post p;
  p.id = MakeSnowflake(kT0 + i * 1000, 0, i % 4096);
  p.author_id = 1;
  p.text = "post " + std::to_string(i) + " #tag";
  p.created_at = SnowflakeTime(p.id);
  p.entities = ExtractEntities(p.text);
  p.edit_history = {p.id};
  return p;
}

TEST(PostgresStoreOutage, CallsFailWith503WhileDownAndReconnectAfter) {
  char tmpl[] = "/tmp/sluice-pg-outage-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                        std::filesystem::perms::others_exec);  // the postgres user goes through
  auto server = test::PostgresServer::Start(dir + "/pg");
  ASSERT_TRUE(server.ok()) << server.status().message();
  auto url = (*server)->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  auto store = OpenStore({*url, dir, true});
  ASSERT_TRUE(store.ok()) << store.status().message();
  Store& s = **store;
  ASSERT_TRUE(s.Apply({{User{.id = 1, .username = "alice", .name = "A"}}, {}}).ok());
  Post before = MakePost(1);
  ASSERT_TRUE(s.InsertPost(before).ok());

  ASSERT_TRUE((*server)->Stop().ok());
  Post during = MakePost(2);
  Status write = s.InsertPost(during);
  EXPECT_EQ(write.code(), StatusCode::kUnavailable) << write.message();
  auto read = s.GetPosts(std::vector<Id>{before.id});
  EXPECT_EQ(read.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.Atomically([&] { return s.DeletePost(before.id, kT0); }).code(), StatusCode::kUnavailable);
  auto reopened = OpenStore({*url, dir, true});
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find(*url), std::string::npos);

  ASSERT_TRUE((*server)->StartAgain().ok());
  // Every pooled connection is stale: reads retry on a fresh one, so the first call succeeds.
  auto after = s.GetPosts(std::vector<Id>{before.id, during.id});
  ASSERT_TRUE(after.ok()) << after.status().message();
  ASSERT_EQ(after->size(), 1u);  // what was acknowledged is there; what failed is not
  EXPECT_EQ(after->front().post.id, before.id);
  EXPECT_FALSE(after->front().post.deleted_at);
  Post later = MakePost(3);
  EXPECT_TRUE(s.InsertPost(later).ok());
  EXPECT_EQ(*s.CountPosts(), 2);

  // A restart between two calls (a crash: immediate shutdown) loses nothing acknowledged.
  ASSERT_TRUE((*server)->Restart().ok());
  auto count = s.CountPosts();
  ASSERT_TRUE(count.ok()) << count.status().message();
  EXPECT_EQ(*count, 2);
  // Stale connections again: the first call after the restart is a write, and succeeds.
  ASSERT_TRUE((*server)->Restart().ok());
  Post first = MakePost(4);
  EXPECT_TRUE(s.InsertPost(first).ok());
  EXPECT_EQ(*s.CountPosts(), 3);
  store->reset();
  server->reset();
  std::filesystem::remove_all(dir);
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = test::SharedPostgres::NewDatabase();
    ASSERT_TRUE(url.ok()) << url.status().message();
    url_ = *url;
  }
  std::string url_;
};

TEST_F(PostgresStoreTest, MigratesOnceEvenWhenNodesOpenTogether) {
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      auto s = pg::PostgresStore::Open(url_, true);
      EXPECT_TRUE(s.ok()) << s.status().message();
      if (s.ok()) ++opened;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(opened.load(), 4);
  auto c = pg::Conn::Open(url_);
  ASSERT_TRUE(c.ok());
  auto rows = (*c)->Query("SELECT count(*), max(version) FROM schema_version");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ(rows->Int(0, 0), 1);
  EXPECT_EQ(rows->Int(0, 1), int64_t(pg::Migrations().size()));
}

// A bulk load leaves the planner without statistics (a search then scanned every post in id
// order); AfterBulkLoad gathers them: the posts table's row estimate is its row count.
TEST_F(PostgresStoreTest, AfterABulkLoadThePlannerKnowsTheRows) {
  auto store = pg::PostgresStore::Open(url_, true);
  ASSERT_TRUE(store.ok()) << store.status().message();
  WriteBatch batch;
  for (int i = 1; i <= 300; ++i) batch.posts.push_back(MakePost(i));
  ASSERT_TRUE((*store)->Apply(batch).ok());
  auto c = pg::Conn::Open(url_);
  ASSERT_TRUE(c.ok());
  auto estimate = [&] {
    auto rows = (*c)->Query("SELECT reltuples::bigint FROM pg_class WHERE relname = 'posts'");
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    return rows.ok() ? rows->Int(0, 0) : -2;  // -1: never analysed
  };
  ASSERT_TRUE((*store)->AfterBulkLoad().ok());
  EXPECT_EQ(estimate(), 300);
}

TEST_F(PostgresStoreTest, ANewerSchemaIsRefused) {
  ASSERT_TRUE(pg::PostgresStore::Open(url_, true).ok());
  auto c = pg::Conn::Open(url_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Exec("UPDATE schema_version SET version = version + 1").ok());
  auto s = pg::PostgresStore::Open(url_, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("newer than this sluice"), std::string::npos);
}

// PostgreSQL's text cannot hold U+0000, and libpq cuts a text parameter at one: refused (400),
// never stored cut.
TEST_F(PostgresStoreTest, ANulCharacterIsRefusedNotCut) {
  auto s = OpenStore({url_, "/tmp", true});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Apply({{User{.id = 1, .username = "alice", .name = "A"}}, {}}).ok());
  Post p = MakePost(1);
  p.text = std::string("before\0after", 12);
  Status st = (*s)->InsertPost(p);
  EXPECT_EQ(st.code(), StatusCode::kInvalidRequest) << st.message();
  EXPECT_EQ(*(*s)->CountPosts(), 0);
}

// A batch is sent as a pipeline in chunks: a failure in a later chunk names its row and
// undoes the chunks before it; mentions resolve to users of the same batch.
TEST_F(PostgresStoreTest, ABatchIsWholeOrNothingAcrossPipelineChunks) {
  auto s = OpenStore({url_, "/tmp", true});
  ASSERT_TRUE(s.ok());
  WriteBatch batch;
  batch.users = {User{.id = 1, .username = "alice", .name = "A"}, User{.id = 2, .username = "Bob", .name = "B"}};
  for (int i = 0; i < 600; ++i) batch.posts.push_back(MakePost(i));
  batch.posts.push_back(MakePost(450));  // the same id again, a few hundred statements in
  Status st = (*s)->Apply(batch);
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_NE(st.message().find("post " + std::to_string(MakePost(450).id) + " already exists"), std::string::npos)
      << st.message();
  EXPECT_EQ(*(*s)->CountPosts(), 0);
  EXPECT_EQ(*(*s)->CountUsers(), 0);
  batch.posts.pop_back();
  Post mention = MakePost(700);
  mention.text = "hi @bob";
  mention.entities = ExtractEntities(mention.text);
  batch.posts.push_back(mention);
  ASSERT_TRUE((*s)->Apply(batch).ok());
  EXPECT_EQ(*(*s)->CountPosts(), 601);
  auto read = (*s)->GetPosts(std::vector<Id>{mention.id});
  ASSERT_TRUE(read.ok() && read->size() == 1);
  EXPECT_NE(read->front().entities_json.find("\"id\":\"2\""), std::string::npos) << read->front().entities_json;
  WriteBatch dup{{User{.id = 3, .username = "ALICE", .name = "again"}}, {}};
  st = (*s)->Apply(dup);
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_NE(st.message().find("(@ALICE) already exists"), std::string::npos) << st.message();
}

TEST_F(PostgresStoreTest, UnreachableServerIsACommandErrorNamingTheUrl) {
  auto s = OpenStore({"postgres://postgres@127.0.0.1:1/none?connect_timeout=2", "/tmp", true});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUsage);
  EXPECT_NE(s.status().message().find("127.0.0.1:1"), std::string::npos);
}

// Workers each with their own Store share the process's pool for the URL (more workers than
// connections): every write lands once, none is lost or doubled.
TEST_F(PostgresStoreTest, ConcurrentWritersShareThePool) {
  {
    auto s = OpenStore({url_, "/tmp", true});
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Apply({{User{.id = 1, .username = "alice", .name = "A"}}, {}}).ok());
  }
  constexpr int kThreads = 12, kEach = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto s = OpenStore({url_, "/tmp", false});
      ASSERT_TRUE(s.ok());
      for (int i = 0; i < kEach; ++i) {
        Post p = MakePost(t * kEach + i);
        ASSERT_TRUE((*s)->InsertPost(p).ok());
        auto read = (*s)->GetPosts(std::vector<Id>{p.id});
        ASSERT_TRUE(read.ok());
        ASSERT_EQ(read->size(), 1u);
      }
    });
  for (auto& t : threads) t.join();
  auto s = OpenStore({url_, "/tmp", false});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*(*s)->CountPosts(), kThreads * kEach);
  auto users = (*s)->GetUsers(std::vector<Id>{1});
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->front().metrics.tweet_count, kThreads * kEach);
  // Two deletions of one post noted at once: exactly one is.
  std::atomic<int> noted{0}, not_found{0};
  std::vector<std::thread> deleters;
  const Id target = MakePost(0).id;
  for (int t = 0; t < 4; ++t)
    deleters.emplace_back([&] {
      auto d = OpenStore({url_, "/tmp", false});
      ASSERT_TRUE(d.ok());
      Status st = (*d)->NoteDeletion(target, kT0, 1);
      (st.ok() ? noted : not_found)++;
      if (!st.ok()) {
        EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.message();
      }
    });
  for (auto& t : deleters) t.join();
  EXPECT_EQ(noted.load(), 1);
  EXPECT_EQ(not_found.load(), 3);
}

}  // namespace
}  // namespace sluice
