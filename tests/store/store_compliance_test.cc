// Batch compliance jobs in both stores (store.h, issue 16): inserted, found by id and by
// either token, listed per app and type newest first, and moved created -> in_progress ->
// complete or failed once each.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

ComplianceJob Job(Id id, Id app, std::string type) {
  ComplianceJob job;
  job.id = id;
  job.app_id = app;
  job.project_id = app * 10;
  job.type = std::move(type);
  job.name = "job " + std::to_string(id);
  job.resumable = id % 2 == 0;
  job.status = "created";
  job.upload_token = "up" + std::to_string(id);
  job.download_token = "down" + std::to_string(id);
  job.created_at = 1000 + id;
  job.upload_expires_at = 2000 + id;
  job.download_expires_at = 3000 + id;
  return job;
}

class StoreComplianceTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-compliance-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(options_ = test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreComplianceTest, InsertedJobsAreFoundByIdAndByEitherToken) {
  ASSERT_TRUE(store_->InsertComplianceJob(Job(7, 100, "tweets")).ok());
  auto got = store_->GetComplianceJob(7);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_TRUE(got->has_value());
  const ComplianceJob& job = **got;
  EXPECT_EQ(job.app_id, 100);
  EXPECT_EQ(job.project_id, 1000);
  EXPECT_EQ(job.type, "tweets");
  EXPECT_EQ(job.name, "job 7");
  EXPECT_FALSE(job.resumable);
  EXPECT_EQ(job.status, "created");
  EXPECT_EQ(job.upload_token, "up7");
  EXPECT_EQ(job.download_token, "down7");
  EXPECT_EQ(job.created_at, 1007);
  EXPECT_EQ(job.upload_expires_at, 2007);
  EXPECT_EQ(job.download_expires_at, 3007);
  EXPECT_EQ(job.result, "");

  for (const char* token : {"up7", "down7"}) {
    auto by_token = store_->FindComplianceJobByToken(token);
    ASSERT_TRUE(by_token.ok()) << by_token.status().message();
    ASSERT_TRUE(by_token->has_value()) << token;
    EXPECT_EQ((*by_token)->id, 7);
  }
  auto none = store_->FindComplianceJobByToken("up8");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto missing = store_->GetComplianceJob(8);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreComplianceTest, ATakenTokenIsAConflict) {
  ASSERT_TRUE(store_->InsertComplianceJob(Job(7, 100, "tweets")).ok());
  ComplianceJob again = Job(8, 100, "tweets");
  again.upload_token = "up7";
  Status s = store_->InsertComplianceJob(again);
  EXPECT_FALSE(s.ok());
  auto missing = store_->GetComplianceJob(8);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreComplianceTest, ListedPerAppAndTypeNewestFirstWithoutResults) {
  ASSERT_TRUE(store_->InsertComplianceJob(Job(1, 100, "tweets")).ok());
  ASSERT_TRUE(store_->InsertComplianceJob(Job(2, 100, "users")).ok());
  ASSERT_TRUE(store_->InsertComplianceJob(Job(3, 200, "tweets")).ok());
  ASSERT_TRUE(store_->InsertComplianceJob(Job(4, 100, "tweets")).ok());
  ASSERT_TRUE(store_->StartComplianceJob(4, "1\n", 5000).ok());
  ASSERT_TRUE(store_->FinishComplianceJob(4, "complete", "{\"id\":\"1\"}\n", 1).ok());
  auto list = store_->ListComplianceJobs(100, "tweets");
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, 4);
  EXPECT_EQ((*list)[0].status, "complete");
  EXPECT_EQ((*list)[0].result, "");
  EXPECT_EQ((*list)[1].id, 1);
  auto users = store_->ListComplianceJobs(100, "users");
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ((*users)[0].id, 2);
  auto other = store_->ListComplianceJobs(300, "tweets");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

TEST_P(StoreComplianceTest, AJobStartsOnceAndFinishesOnceAndIsKeptAcrossReopening) {
  ASSERT_TRUE(store_->InsertComplianceJob(Job(7, 100, "users")).ok());
  auto early = store_->FinishComplianceJob(7, "complete", "x", 1);  // not started
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(*early);
  auto started = store_->StartComplianceJob(7, "5\n6\n7\n", 5000);
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_TRUE(*started);
  auto checking = store_->GetComplianceJob(7);
  ASSERT_TRUE(checking.ok() && checking->has_value());
  EXPECT_EQ((*checking)->ids, "5\n6\n7\n");
  EXPECT_EQ((*checking)->checking_until, 5000);
  auto twice = store_->StartComplianceJob(7, "8\n", 5000);  // a second upload
  ASSERT_TRUE(twice.ok());
  EXPECT_FALSE(*twice);
  const uint64_t before = StoreWriteGeneration();
  auto done = store_->FinishComplianceJob(7, "complete", "{\"id\":\"5\"}\n", 3);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_TRUE(*done);
  EXPECT_GT(StoreWriteGeneration(), before);
  auto again = store_->FinishComplianceJob(7, "failed", "late", 0);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);

  store_.reset();
  options_.create = false;
  auto reopened = OpenStore(options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  auto got = (*reopened)->GetComplianceJob(7);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->status, "complete");
  EXPECT_EQ((*got)->result, "{\"id\":\"5\"}\n");
  EXPECT_EQ((*got)->ids_checked, 3);
  EXPECT_TRUE((*got)->resumable == false);
  EXPECT_EQ((*got)->ids, "");  // dropped once finished
}

// A checker holds a lease it renews; once the lease is past, one taker (another worker or
// node) gets the job, and the others do not.
TEST_P(StoreComplianceTest, AnInProgressJobIsTakenOverOnlyOnceItsLeaseIsPast) {
  ASSERT_TRUE(store_->InsertComplianceJob(Job(7, 100, "tweets")).ok());
  auto early = store_->ResumeComplianceJob(7, 100000, 200000);  // created, not in progress
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(*early);
  ASSERT_TRUE(*store_->StartComplianceJob(7, "5\n", 5000));
  auto renewed = store_->RenewComplianceJob(7, 6000);
  ASSERT_TRUE(renewed.ok());
  EXPECT_TRUE(*renewed);
  auto held = store_->ResumeComplianceJob(7, 5999, 20000);  // the lease runs to 6000
  ASSERT_TRUE(held.ok());
  EXPECT_FALSE(*held);
  auto taken = store_->ResumeComplianceJob(7, 6000, 20000);
  ASSERT_TRUE(taken.ok()) << taken.status().message();
  EXPECT_TRUE(*taken);
  auto second = store_->ResumeComplianceJob(7, 6000, 30000);  // the other taker of the same moment
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  auto got = store_->GetComplianceJob(7);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->checking_until, 20000);
  EXPECT_EQ((*got)->ids, "5\n");
  ASSERT_TRUE(*store_->FinishComplianceJob(7, "complete", "", 1));
  auto after = store_->RenewComplianceJob(7, 90000);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(*after);
}

// A resumable upload: a session begun on a created job keeps its chunks in the job's ids, each
// appended only where the kept bytes end and only for the job's current session; a new
// session drops the bytes; the bytes outlive the store being reopened (another node reads
// them); once the job starts, nothing more is appended.
TEST_P(StoreComplianceTest, AResumableUploadAppendsOnlyAtTheEndOfItsSession) {
  ASSERT_TRUE(store_->InsertComplianceJob(Job(8, 100, "tweets")).ok());
  auto none = store_->AppendComplianceUpload(8, "", 0, "12\n");  // no session begun
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(*none);
  auto begun = store_->BeginComplianceUpload(8, "s1");
  ASSERT_TRUE(begun.ok()) << begun.status().message();
  ASSERT_TRUE(*begun);
  auto first = store_->AppendComplianceUpload(8, "s1", 0, "12\n13");
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(*first);
  for (int64_t offset : {0, 4, 6, 100}) {  // a chunk sent again, a gap, a later offset
    auto wrong = store_->AppendComplianceUpload(8, "s1", offset, "99");
    ASSERT_TRUE(wrong.ok());
    EXPECT_FALSE(*wrong) << offset;
  }
  auto other = store_->AppendComplianceUpload(8, "s0", 5, "99");  // another session
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other);
  auto second = store_->AppendComplianceUpload(8, "s1", 5, "\r\n14\n");
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_TRUE(*second);
  auto kept = store_->FindComplianceJobByToken("up8");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->ids, "12\n13\r\n14\n");
  EXPECT_EQ((*kept)->upload_session, "s1");
  EXPECT_EQ((*kept)->status, "created");

  // Reopened (as another node sees it): the bytes and the session are there.
  store_.reset();
  options_.create = false;
  auto reopened = OpenStore(options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  store_ = std::move(*reopened);
  auto third = store_->AppendComplianceUpload(8, "s1", 10, "15");
  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_TRUE(*third);
  auto got = store_->GetComplianceJob(8);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->ids, "12\n13\r\n14\n15");
  auto listed = store_->ListComplianceJobs(100, "tweets");
  ASSERT_TRUE(listed.ok() && listed->size() == 1u);
  EXPECT_EQ((*listed)[0].upload_session, "s1");

  // A new session starts empty; the old one appends nothing more.
  ASSERT_TRUE(*store_->BeginComplianceUpload(8, "s2"));
  auto old = store_->AppendComplianceUpload(8, "s1", 12, "16");
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(*old);
  auto fresh = store_->GetComplianceJob(8);
  ASSERT_TRUE(fresh.ok() && fresh->has_value());
  EXPECT_EQ((*fresh)->ids, "");
  ASSERT_TRUE(*store_->AppendComplianceUpload(8, "s2", 0, "21\n"));

  // Started: the ids are the job's, and the session takes nothing more, nor a new session.
  ASSERT_TRUE(*store_->StartComplianceJob(8, "21\n", 5000));
  auto late = store_->AppendComplianceUpload(8, "s2", 3, "22\n");
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(*late);
  auto restart = store_->BeginComplianceUpload(8, "s3");
  ASSERT_TRUE(restart.ok());
  EXPECT_FALSE(*restart);
  auto started = store_->GetComplianceJob(8);
  ASSERT_TRUE(started.ok() && started->has_value());
  EXPECT_EQ((*started)->ids, "21\n");
  EXPECT_EQ((*started)->status, "in_progress");
  EXPECT_EQ((*started)->upload_session, "s2");
}

// Two stores (two nodes) appending at the same offset: the first is kept, the second is not.
TEST_P(StoreComplianceTest, TwoStoresAppendingAtOneOffsetKeepOne) {
  ASSERT_TRUE(store_->InsertComplianceJob(Job(9, 100, "tweets")).ok());
  ASSERT_TRUE(*store_->BeginComplianceUpload(9, "s"));
  options_.create = false;
  auto other = OpenStore(options_);
  ASSERT_TRUE(other.ok()) << other.status().message();
  int kept = 0;
  for (Store* s : {store_.get(), other->get()}) {
    auto r = s->AppendComplianceUpload(9, "s", 0, s == store_.get() ? "111\n" : "222\n");
    ASSERT_TRUE(r.ok()) << r.status().message();
    kept += *r ? 1 : 0;
  }
  EXPECT_EQ(kept, 1);
  auto got = store_->GetComplianceJob(9);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->ids, "111\n");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreComplianceTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
