// Start-up reconciliation of write intents with a real ledger and store: a write whose record
// is in the ledger (from its noted size on) is applied, any other is dropped.
#include "api/write_intents.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/snowflake.h"
#include "ledger/ledger.h"

namespace sluice {
namespace {

constexpr TimeMs kT0 = 1700000000000;

class WriteIntentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-intents-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore({"sqlite", dir_, true});
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Apply(WriteBatch{{User{.id = 10, .username = "alice", .name = "A"}}, {}}).ok());
    LedgerOptions o;
    o.dir = dir_ + "/ledger";
    auto l = Ledger::Open(o);
    ASSERT_TRUE(l.ok()) << l.status().message();
    ledger_ = std::move(*l);
  }
  void TearDown() override {
    if (ledger_) (void)ledger_->Close();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Id Pending(int n) {
    Post p;
    p.id = MakeSnowflake(kT0 + n, 0, 0);
    p.author_id = 10;
    p.text = "post " + std::to_string(n);
    p.created_at = kT0 + n;
    EXPECT_TRUE(store_->NotePendingPost(p, ledger_->AppendedSize()).ok());
    return p.id;
  }
  void Record(std::string endpoint, int status, Id post) {
    LedgerRecord r;
    r.time = kT0;
    r.endpoint = std::move(endpoint);
    r.status = uint16_t(status);
    r.post_ids = {post};
    auto seq = ledger_->Append(r);
    ASSERT_TRUE(seq.ok());
    ASSERT_TRUE(ledger_->WaitDurable(*seq).ok());
  }
  bool Live(Id id) {
    auto found = store_->GetPosts(std::vector<Id>{id});
    return found.ok() && !found->empty() && !found->front().post.deleted_at;
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(WriteIntentsTest, ARecordedWriteIsAppliedAndAnUnrecordedOneDropped) {
  Id old_post = Pending(0);
  ASSERT_TRUE(store_->ApplyIntent(old_post).ok());
  Record("POST /2/tweets", 201, old_post);

  Id recorded = Pending(1);   // its record follows
  Id unrecorded = Pending(2); // the crash came before its record
  Id refused = Pending(3);    // a record of the same post, but not a 201
  Record("GET /2/tweets/:id", 200, unrecorded);
  Record("POST /2/tweets", 201, recorded);
  Record("POST /2/tweets", 429, refused);
  ASSERT_TRUE(store_->NoteDeletion(old_post, kT0 + 9, ledger_->AppendedSize()).ok());
  Id kept = Pending(4);
  ASSERT_TRUE(store_->ApplyIntent(kept).ok());
  ASSERT_TRUE(store_->NoteDeletion(kept, kT0 + 9, ledger_->AppendedSize()).ok());
  Record("DELETE /2/tweets/:id", 200, old_post);
  ASSERT_TRUE(ledger_->Close().ok());
  ledger_.reset();

  auto report = ReconcileWrites(dir_ + "/ledger", *store_);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->applied, 2u);
  EXPECT_EQ(report->dropped, 3u);
  EXPECT_TRUE(Live(recorded));
  EXPECT_FALSE(Live(unrecorded));
  EXPECT_FALSE(Live(refused));
  EXPECT_FALSE(Live(old_post));  // its DELETE record is there
  EXPECT_TRUE(Live(kept));       // its deletion has no record
  EXPECT_TRUE(store_->ListIntents()->empty());
}

// A record older than the intent's noted size is another write's: it does not apply it.
TEST_F(WriteIntentsTest, ARecordBeforeTheNotedSizeIsNotTheIntents) {
  Post p;
  p.id = MakeSnowflake(kT0, 0, 0);
  p.author_id = 10;
  p.text = "live";
  p.created_at = kT0;
  ASSERT_TRUE(store_->InsertPost(p).ok());
  Record("DELETE /2/tweets/:id", 200, p.id);  // say, a deletion that found the post already gone
  ASSERT_TRUE(store_->NoteDeletion(p.id, kT0 + 1, ledger_->AppendedSize()).ok());
  ASSERT_TRUE(ledger_->Close().ok());
  ledger_.reset();
  auto report = ReconcileWrites(dir_ + "/ledger", *store_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->dropped, 1u);
  EXPECT_TRUE(Live(p.id));
}

// Actions on behalf of an account: a crash between the durable record and the apply leaves
// the intent, which the next start applies; one without a record is dropped; and per (user,
// target) the last record wins over any intent left before it.
class ActionIntentsTest : public WriteIntentsTest {
 protected:
  void SetUp() override {
    WriteIntentsTest::SetUp();
    ASSERT_TRUE(store_->Apply(WriteBatch{{User{.id = 11, .username = "bob", .name = "B"}}, {}}).ok());
    post_ = Pending(100);
    ASSERT_TRUE(store_->ApplyIntent(post_).ok());
  }
  Id Note(ActionIntent::Kind kind, Id user, Id target) {
    const Id id = MakeSnowflake(kT0 + 1000 + ++n_, 0, 0);
    EXPECT_TRUE(store_->NoteAction({id, kind, user, target, ledger_->AppendedSize()}).ok());
    return id;
  }
  void RecordAction(std::string endpoint, std::vector<Id> users, std::vector<Id> posts) {
    LedgerRecord r;
    r.time = kT0;
    r.endpoint = std::move(endpoint);
    r.status = 200;
    r.user_ids = std::move(users);
    r.post_ids = std::move(posts);
    r.authorizing_user_id = r.user_ids.front();  // as a user access token's request would be
    auto seq = ledger_->Append(r);
    ASSERT_TRUE(seq.ok());
    ASSERT_TRUE(ledger_->WaitDurable(*seq).ok());
  }
  Result<ReconcileReport> Restart() {
    EXPECT_TRUE(ledger_->Close().ok());
    ledger_.reset();
    return ReconcileWrites(dir_ + "/ledger", *store_);
  }
  bool Likes(Id user) { return *store_->Related(Store::Relation::kLikes, user, post_); }
  Id post_ = 0;
  int n_ = 0;
};

TEST_F(ActionIntentsTest, ARecordedActionIsAppliedAtStartAndAnUnrecordedOneDropped) {
  Note(ActionIntent::Kind::kLike, 10, post_);  // crashed after its record, before its apply
  RecordAction("POST /2/users/:id/likes", {10}, {post_});
  Note(ActionIntent::Kind::kLike, 11, post_);  // crashed before its record
  Note(ActionIntent::Kind::kFollow, 10, 11);   // recorded
  RecordAction("POST /2/users/:id/following", {10, 11}, {});
  auto report = Restart();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->applied, 2u);
  EXPECT_EQ(report->dropped, 1u);
  EXPECT_TRUE(Likes(10));
  EXPECT_FALSE(Likes(11));
  EXPECT_EQ(store_->GetPosts(std::vector<Id>{post_})->front().post.metrics.like_count, 1);
  EXPECT_TRUE(*store_->Related(Store::Relation::kFollows, 10, 11));
  EXPECT_TRUE(store_->ListActions()->empty());
}

TEST_F(ActionIntentsTest, TheLastRecordOfAPairIsTheStateKept) {
  // A like lost before its record; the same like again, recorded and applied; then an
  // unlike, recorded, lost before its apply. The ledger's last word is the unlike.
  Note(ActionIntent::Kind::kLike, 10, post_);
  ASSERT_TRUE(store_->ApplyAction(Note(ActionIntent::Kind::kLike, 10, post_)).ok());
  RecordAction("POST /2/users/:id/likes", {10}, {post_});
  Note(ActionIntent::Kind::kUnlike, 10, post_);
  RecordAction("DELETE /2/users/:id/likes/:tweet_id", {10}, {post_});
  auto report = Restart();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->applied, 1u);
  EXPECT_EQ(report->dropped, 1u);
  EXPECT_FALSE(Likes(10));
  EXPECT_EQ(store_->GetPosts(std::vector<Id>{post_})->front().post.metrics.like_count, 0);
}

TEST_F(ActionIntentsTest, ARepostRecordPublishesItsPendingRepost) {
  Post repost;
  repost.id = MakeSnowflake(kT0 + 500, 0, 0);
  repost.author_id = 11;
  repost.text = "RT @alice: post 100";
  repost.created_at = kT0 + 500;
  repost.referenced = {{ReferenceType::kRetweeted, post_}};
  ASSERT_TRUE(store_->NotePendingPost(repost, ledger_->AppendedSize()).ok());
  RecordAction("POST /2/users/:id/retweets", {11}, {repost.id});
  auto report = Restart();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->applied, 1u);
  EXPECT_TRUE(Live(repost.id));
  EXPECT_EQ(store_->GetPosts(std::vector<Id>{post_})->front().post.metrics.retweet_count, 1);
}

TEST_F(WriteIntentsTest, NoIntentsReadsNoLedger) {
  auto report = ReconcileWrites(dir_ + "/no-such-ledger", *store_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->applied + report->dropped, 0u);
}

}  // namespace
}  // namespace sluice
