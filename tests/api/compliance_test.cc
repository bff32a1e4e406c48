// Batch compliance's pieces (api/compliance.h) without a server: the upload parser, X's result
// and stream event lines, the check against a real store, the job's JSON and its expiry, and
// the notice record.
#include "api/compliance.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "ledger/record.h"

namespace sluice {
namespace {

namespace json = boost::json;

std::string Parameter(const Status& s) {
  return s.parameter_errors().empty() ? "" : s.parameter_errors().front().parameter;
}

TEST(ComplianceIds, OnePerLineBlankLinesAndDuplicatesDropped) {
  auto ids = ParseComplianceIds("12\r\n13\n\n12\n9223372036854775807");
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  EXPECT_EQ(*ids, (std::vector<Id>{12, 13, 9223372036854775807}));
}

TEST(ComplianceIds, TheFirstBadLineIsNamed) {
  for (const auto& [body, line] : std::vector<std::pair<std::string, std::string>>{
           {"12\n1x\n", "line 2: not an id"},
           {"12\n\n 13\n", "line 3: not an id"},
           {"0\n", "line 1: not a valid id"},
           {"9223372036854775808\n", "line 1: not a valid id"},
           {"12345678901234567890\n", "line 1: an id has 1 to 19 digits"},
           {"-5\n", "line 1: not an id"}}) {
    auto ids = ParseComplianceIds(body);
    ASSERT_FALSE(ids.ok()) << body;
    EXPECT_EQ(ids.status().code(), StatusCode::kInvalidRequest);
    EXPECT_EQ(Parameter(ids.status()), "ids");
    EXPECT_EQ(ids.status().parameter_errors().front().message.rfind(line, 0), 0u)
        << body << ": " << ids.status().parameter_errors().front().message;
  }
  for (const char* empty : {"", "\n", "\r\n\r\n"}) {
    auto ids = ParseComplianceIds(empty);
    ASSERT_FALSE(ids.ok());
    EXPECT_NE(ids.status().parameter_errors().front().message.find("no id"), std::string::npos);
  }
}

// Content-Range of Google Cloud Storage's resumable uploads: a chunk (with or without the
// total), the end at a total, a status query.
TEST(ContentRange, TheFourFormsOfAResumableUpload) {
  auto chunk = ParseContentRange("bytes 0-262143/*");
  ASSERT_TRUE(chunk.ok()) << chunk.status().message();
  EXPECT_TRUE(chunk->has_bytes);
  EXPECT_EQ(chunk->first, 0);
  EXPECT_EQ(chunk->last, 262143);
  EXPECT_EQ(chunk->total, -1);
  auto last = ParseContentRange("bytes 100-199/200");
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_TRUE(last->has_bytes);
  EXPECT_EQ(last->first, 100);
  EXPECT_EQ(last->last, 199);
  EXPECT_EQ(last->total, 200);
  auto end = ParseContentRange("bytes */4096");
  ASSERT_TRUE(end.ok()) << end.status().message();
  EXPECT_FALSE(end->has_bytes);
  EXPECT_EQ(end->total, 4096);
  auto query = ParseContentRange("Bytes */*");  // the unit is case-insensitive
  ASSERT_TRUE(query.ok()) << query.status().message();
  EXPECT_FALSE(query->has_bytes);
  EXPECT_EQ(query->total, -1);
  auto one = ParseContentRange("bytes 7-7/8");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->last - one->first + 1, 1);
  auto zero = ParseContentRange("bytes */0");
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->total, 0);
  auto big = ParseContentRange("bytes 0-999999999999999998/999999999999999999");
  ASSERT_TRUE(big.ok()) << big.status().message();
  EXPECT_EQ(big->total, 999999999999999999);
}

TEST(ContentRange, AnythingElseIsA400NamingTheHeader) {
  for (const auto& [value, why] : std::vector<std::pair<std::string, std::string>>{
           {"", "the header is `bytes"},
           {"bytes", "the header is `bytes"},
           {"bytes ", "the header is `bytes"},
           {"items 0-1/2", "the header is `bytes"},
           {"bytes=0-1/2", "the header is `bytes"},
           {"bytes  0-1/2", "1 to 18 digits"},
           {"bytes 0-1", "the header is `bytes"},
           {"bytes 0-/2", "1 to 18 digits"},
           {"bytes -1/2", "1 to 18 digits"},
           {"bytes 0-1/", "the total has 1 to 18 digits"},
           {"bytes 0-1/2 ", "the header is `bytes"},
           {"bytes 0-1/2x", "the header is `bytes"},
           {"bytes */", "the total has 1 to 18 digits"},
           {"bytes *", "the header is `bytes"},
           {"bytes **/*", "the header is `bytes"},
           {"bytes +1-2/*", "1 to 18 digits"},
           {"bytes 5-4/*", "the last byte (4) comes before the first (5)"},
           {"bytes 0-9/9", "the last byte (9) is past the total of 9 bytes"},
           {"bytes 0-0/0", "the last byte (0) is past the total of 0 bytes"},
           {"bytes 0-1000000000000000000/*", "1 to 18 digits"},
           {"bytes */1000000000000000000", "the total has 1 to 18 digits"},
           {"bytes 0x10-0x20/*", "the header is `bytes"},
           {std::string("bytes 0-1/2\0", 12), "the header is `bytes"}}) {
    auto r = ParseContentRange(value);
    ASSERT_FALSE(r.ok()) << value;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidRequest) << value;
    EXPECT_EQ(Parameter(r.status()), "Content-Range") << value;
    const std::string& message = r.status().parameter_errors().front().message;
    EXPECT_EQ(message.rfind("Content-Range: ", 0), 0u) << value << ": " << message;
    EXPECT_NE(message.find(why), std::string::npos) << value << ": " << message;
  }
}

TEST(ComplianceLines, AResultLineHasXsFieldsAndItsIdReadsBack) {
  std::string line = ComplianceResultLine({1460323737035677698, 1700000000000, 1700000001000, "deleted"});
  EXPECT_EQ(line,
            R"({"id":"1460323737035677698","action":"delete","created_at":"2023-11-14T22:13:20.000Z",)"
            R"("redacted_at":"2023-11-14T22:13:21.000Z","reason":"deleted"})"
            "\n");
  EXPECT_EQ(ComplianceResultLineId(line), 1460323737035677698);
  EXPECT_EQ(ComplianceResultLineId(R"({"id":"12"})"), 12);
  EXPECT_EQ(ComplianceResultLineId(R"({"id":12})"), 0);
  EXPECT_EQ(ComplianceResultLineId(R"({"id":"99999999999999999999"})"), 0);
  EXPECT_EQ(ComplianceResultLineId(""), 0);
}

TEST(ComplianceLines, StreamEventsAreInXsShapes) {
  using K = ComplianceEvent::Kind;
  EXPECT_EQ(ComplianceEventLine({K::kDelete, 20, 7, 1700000000000, {}}),
            R"({"data":{"delete":{"tweet":{"id":"20","author_id":"7"},"event_at":"2023-11-14T22:13:20.000Z"}}})");
  EXPECT_EQ(ComplianceEventLine({K::kWithheld, 20, 7, 1700000000000, {"DE", "FR"}}),
            R"({"data":{"withheld":{"tweet":{"id":"20","author_id":"7"},"withheld_in_countries":["DE","FR"],)"
            R"("event_at":"2023-11-14T22:13:20.000Z"}}})");
  EXPECT_EQ(ComplianceEventLine({K::kScrubGeo, 20, 7, 1700000000000, {}}),
            R"({"data":{"scrub_geo":{"user":{"id":"7"},"up_to_tweet_id":"20","event_at":"2023-11-14T22:13:20.000Z"}}})");
  const std::pair<K, const char*> users[] = {{K::kUserDelete, "user_delete"},     {K::kUserSuspend, "user_suspend"},
                                             {K::kUserProtect, "user_protect"},   {K::kUserUndelete, "user_undelete"},
                                             {K::kUserUnsuspend, "user_unsuspend"}, {K::kUserUnprotect, "user_unprotect"}};
  for (const auto& [kind, name] : users)
    EXPECT_EQ(ComplianceEventLine({kind, 0, 7, 1700000000000, {}}),
              std::string(R"({"data":{")") + name + R"(":{"user":{"id":"7"},"event_at":"2023-11-14T22:13:20.000Z"}}})");
  EXPECT_EQ(ComplianceEventLine({K::kUserWithheld, 0, 7, 1700000000000, {"IN"}}),
            R"({"data":{"user_withheld":{"user":{"id":"7"},"withheld_in_countries":["IN"],)"
            R"("event_at":"2023-11-14T22:13:20.000Z"}}})");
}

TEST(ComplianceJobs, StatusExpiresWithItsUrlsAndTheJsonCarriesThem) {
  ComplianceJob job;
  job.id = 5;
  job.type = "tweets";
  job.status = "created";
  job.upload_token = "up";
  job.download_token = "down";
  job.created_at = 1000;
  job.upload_expires_at = 2000;
  job.download_expires_at = 9000;
  EXPECT_EQ(ComplianceJobStatus(job, 1999), "created");
  EXPECT_EQ(ComplianceJobStatus(job, 2000), "expired");
  job.status = "in_progress";
  EXPECT_EQ(ComplianceJobStatus(job, 50000), "in_progress");  // a job being checked never expires
  job.status = "complete";
  EXPECT_EQ(ComplianceJobStatus(job, 8999), "complete");
  EXPECT_EQ(ComplianceJobStatus(job, 9000), "expired");
  auto doc = json::parse(ComplianceJobJson(job, "https://api.example.com", 3000)).as_object();
  EXPECT_EQ(doc.at("id"), "5");
  EXPECT_EQ(doc.at("upload_url"), "https://api.example.com/compliance/upload/up");
  EXPECT_EQ(doc.at("download_url"), "https://api.example.com/compliance/download/down");
  EXPECT_EQ(doc.at("status"), "complete");
  EXPECT_FALSE(doc.contains("name"));  // none given
  EXPECT_EQ(doc.at("resumable"), false);
  EXPECT_EQ(doc.size(), 9u);
}

TEST(ComplianceJobs, TheNoticeRecordIsVersionFourAndNamesItsChannel) {
  Config config;
  config.node_id = 3;
  LedgerRecord r = ComplianceNoticeRecord(config, 1000, 7, 8, "GET /compliance/download/:token", "job:5", {20, 21}, {},
                                          "req-1", 120);
  EXPECT_EQ(RecordVersion(r), kLedgerRecordVersionNotice);
  auto back = DecodeRecord(EncodeRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->channel, "job:5");
  EXPECT_EQ(back->post_ids, (std::vector<Id>{20, 21}));
  EXPECT_EQ(back->app_id, 7);
  EXPECT_EQ(back->project_id, 8);
  EXPECT_EQ(back->node_id, 3);
  EXPECT_EQ(back->status, 200);
  EXPECT_EQ(back->response_bytes, 120u);
}

// The check reads a real store: deleted posts and protected authors need action; public
// posts, posts never stored and trap-like synthetic users do not.
class ComplianceCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-compliance-check-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = OpenStore({"sqlite", dir_, true}).value();
    User pub{.id = 10, .username = "pub", .name = "P", .created_at = 500};
    User prot{.id = 11, .username = "prot", .name = "Q", .created_at = 600, .is_protected = true};
    Post a, b, c;
    a.id = 100;
    a.author_id = 10;
    a.text = "kept";
    a.created_at = 1000;
    b = a;
    b.id = 101;
    b.text = "to be deleted";
    b.created_at = 1100;
    c = a;
    c.id = 102;
    c.author_id = 11;
    c.text = "protected author";
    c.created_at = 1200;
    ASSERT_TRUE(store_->Apply({{pub, prot}, {a, b, c}}).ok());
    ASSERT_TRUE(store_->DeletePost(101, 5000).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ComplianceCheckTest, PostsDeletedOrOfProtectedAuthorsNeedAction) {
  const Id ids[] = {999, 102, 100, 101};
  auto lines = CheckComplianceIds(*store_, "tweets", ids, 7000);
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  EXPECT_EQ(*lines, ComplianceResultLine({102, 1200, 7000, "protected"}) + ComplianceResultLine({101, 1100, 5000, "deleted"}));
}

TEST_F(ComplianceCheckTest, ProtectedUsersNeedAction) {
  const Id ids[] = {10, 11, 12};
  auto lines = CheckComplianceIds(*store_, "users", ids, 7000);
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  EXPECT_EQ(*lines, ComplianceResultLine({11, 600, 7000, "protected"}));
}

TEST_F(ComplianceCheckTest, SuspendedAndDeletedAccountsAndTheirPostsNeedActionWithXsReasons) {
  using K = ComplianceEvent::Kind;
  User third{.id = 12, .username = "third", .name = "R", .created_at = 700};
  Post d;
  d.id = 103;
  d.author_id = 12;
  d.text = "by a suspended account";
  d.created_at = 1300;
  ASSERT_TRUE(store_->Apply({{third}, {d}}).ok());
  ComplianceEvent suspend{.kind = K::kUserSuspend, .user_id = 12, .event_at = 6000};
  ComplianceEvent remove{.kind = K::kUserDelete, .user_id = 11, .event_at = 6500};  // protected, then deleted
  ComplianceEvent withhold{.kind = K::kWithheld, .post_id = 100, .event_at = 6600, .withheld_in_countries = {"DE"}};
  for (ComplianceEvent* e : {&suspend, &remove, &withhold}) ASSERT_EQ(*store_->ApplyComplianceEvent(*e), ComplianceApply::kApplied);
  const Id users[] = {10, 11, 12};
  auto lines = CheckComplianceIds(*store_, "users", users, 7000);
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  EXPECT_EQ(*lines, ComplianceResultLine({11, 600, 6500, "deactivated"}) + ComplianceResultLine({12, 700, 6000, "suspended"}));
  const Id posts[] = {100, 102, 103};  // 100 withheld: no reason of X's jobs
  lines = CheckComplianceIds(*store_, "tweets", posts, 7000);
  ASSERT_TRUE(lines.ok()) << lines.status().message();
  EXPECT_EQ(*lines, ComplianceResultLine({102, 1200, 6500, "deactivated"}) + ComplianceResultLine({103, 1300, 6000, "suspended"}));
}

}  // namespace
}  // namespace sluice
