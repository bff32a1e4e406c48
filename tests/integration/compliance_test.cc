// Integration: batch compliance jobs (issue 16) over HTTP against the real binary, on both
// stores: a job walked end to end (create, upload the ids to the job's own URL, poll until
// complete, download X's result lines), each download a compliance notice in the ledger, and
// `sluice trace` naming the app that kept a post it had been told was deleted, with the
// proofs of the delivery and of the notice. Then the errors: bad bodies, bad uploads, wrong
// and expired URLs, another app's job, a plan without the endpoints.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "harness.h"
#include "store/store.h"
#include "support/postgres_server.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// The path of one of the job's URLs (they are absolute, on this server).
std::string PathOf(const std::string& url, int port) {
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(url.rfind(base, 0), 0u) << url;
  return url.substr(base.size());
}

json::object CreateJob(SluiceServer& s, const std::string& token, const std::string& body) {
  auto r = s.Request("POST", "/2/compliance/jobs", token, body);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.Json().at("data").as_object() : json::object();
}

// Polls the job until its status is not `created` or `in_progress` (at most 10 s).
json::object WaitForJob(SluiceServer& s, const std::string& token, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    auto r = s.Get("/2/compliance/jobs/" + id, token);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    auto job = r.Json().at("data").as_object();
    const std::string status = Str(job, "status");
    if ((status != "in_progress" && status != "created") || std::chrono::steady_clock::now() > deadline) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<json::object> Lines(const std::string& body) {
  std::vector<json::object> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line).as_object());
  return out;
}

std::string JsonString(const std::string& s) { return json::serialize(json::value(s)); }

enum class Backend { kSqlite, kPostgres };

class ComplianceJobTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      server_ = std::make_unique<SluiceServer>(40, 800);
      return;
    }
    char tmpl[] = "/tmp/sluice-pg-compliance-XXXXXX";
    dir_ = mkdtemp(tmpl);
    chmod(dir_.c_str(), 0755);  // the postgres user goes through
    auto pg = test::PostgresServer::Start(dir_ + "/pg");
    ASSERT_TRUE(pg.ok()) << pg.status().message();
    pg_ = std::move(*pg);
    auto url = pg_->CreateDatabase();
    ASSERT_TRUE(url.ok()) << url.status().message();
    store_ = {"--store", *url};
    server_ = std::make_unique<SluiceServer>(*url, 40, 800);
  }
  void TearDown() override {
    server_.reset();
    pg_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::vector<std::string> store_;  // --store URL for the commands run here, PostgreSQL only
  std::unique_ptr<test::PostgresServer> pg_;
  std::unique_ptr<SluiceServer> server_;
};

TEST_P(ComplianceJobTest, AJobWalkedEndToEndIsANoticeInTheLedgerAndInTheTraceReport) {
  SluiceServer& s = *server_;
  const std::string keeper = s.CreateApp("keeper", "pro"), other = s.CreateApp("other", "pro");
  s.Start();

  // keeper reads posts (the leak will hold them), and one of its own, which it then deletes.
  auto page = s.Get("/2/tweets/search/recent?query=the%20OR%20le%20OR%20de&max_results=100", keeper);
  ASSERT_EQ(page.status, 200) << page.body;
  std::vector<std::string> texts, ids;
  const json::value found = page.Json();
  for (const auto& p : found.at("data").as_array()) {
    texts.push_back(Str(p, "text"));
    ids.push_back(Str(p, "id"));
  }
  ASSERT_GE(texts.size(), 30u);
  const std::string gone_text = "Notre rapport annuel sur la compliance des jobs arrive demain avec les chiffres complets";
  auto created = s.Request("POST", "/2/tweets", keeper, "{\"text\":" + JsonString(gone_text) + "}");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string gone = Str(created.Json().at("data"), "id");
  ASSERT_EQ(s.Get("/2/tweets/" + gone, keeper).status, 200);
  ASSERT_EQ(s.Request("DELETE", "/2/tweets/" + gone, keeper).status, 200);

  // Create: X's ComplianceJob, its URLs on this server.
  auto job = CreateJob(s, keeper, R"({"type":"tweets","name":"nightly check","resumable":false})");
  ASSERT_FALSE(job.empty());
  const std::string id = Str(job, "id");
  EXPECT_EQ(Str(job, "type"), "tweets");
  EXPECT_EQ(Str(job, "name"), "nightly check");
  EXPECT_EQ(Str(job, "status"), "created");
  EXPECT_FALSE(job.at("resumable").as_bool());
  for (const char* key : {"created_at", "upload_expires_at", "download_expires_at"})
    EXPECT_EQ(Str(job, key).size(), 24u) << key << ": " << Str(job, key);
  EXPECT_LT(Str(job, "created_at"), Str(job, "upload_expires_at"));
  EXPECT_LT(Str(job, "upload_expires_at"), Str(job, "download_expires_at"));
  const std::string upload = PathOf(Str(job, "upload_url"), s.port());
  const std::string download = PathOf(Str(job, "download_url"), s.port());
  EXPECT_EQ(upload.rfind("/compliance/upload/", 0), 0u) << upload;
  EXPECT_EQ(download.rfind("/compliance/download/", 0), 0u) << download;

  // The result is not ready before the upload.
  EXPECT_EQ(s.Request("GET", download, "").status, 409);

  // Upload: no bearer token (the URL is the authority), a text file of ids.
  std::string file = gone + "\n" + ids[0] + "\r\n" + ids[1] + "\n\n" + ids[0] + "\n9223372036854775000\n";
  auto put = s.Request("PUT", upload, "", file, "text/plain");
  ASSERT_EQ(put.status, 200) << put.body;
  auto again = s.Request("PUT", upload, "", file, "text/plain");
  EXPECT_EQ(again.status, 409) << again.body;

  auto done = WaitForJob(s, keeper, id);
  ASSERT_EQ(Str(done, "status"), "complete") << json::serialize(done);

  // Download: the one post that needs action, in X's fields.
  auto got = s.Request("GET", download, "");
  ASSERT_EQ(got.status, 200) << got.body;
  auto lines = Lines(got.body);
  ASSERT_EQ(lines.size(), 1u) << got.body;
  EXPECT_EQ(Str(lines[0], "id"), gone);
  EXPECT_EQ(Str(lines[0], "action"), "delete");
  EXPECT_EQ(Str(lines[0], "reason"), "deleted");
  EXPECT_EQ(Str(lines[0], "created_at").size(), 24u);
  EXPECT_LE(Str(lines[0], "created_at"), Str(lines[0], "redacted_at"));
  // A second download is a second notice.
  ASSERT_EQ(s.Request("GET", download, "").status, 200);

  // The list, per type; another app sees none of it.
  auto list = s.Get("/2/compliance/jobs?type=tweets", keeper);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.Json().at("meta").at("result_count").as_int64(), 1);
  EXPECT_EQ(Str(list.Json().at("data").at(0), "id"), id);
  EXPECT_EQ(Str(list.Json().at("data").at(0), "status"), "complete");
  auto complete = s.Get("/2/compliance/jobs?type=tweets&status=complete", keeper);
  EXPECT_EQ(complete.Json().at("meta").at("result_count").as_int64(), 1);
  auto created_only = s.Get("/2/compliance/jobs?type=tweets&status=created", keeper);
  EXPECT_EQ(created_only.Json().at("meta").at("result_count").as_int64(), 0);
  EXPECT_FALSE(created_only.Json().as_object().contains("data"));
  EXPECT_EQ(s.Get("/2/compliance/jobs?type=users", keeper).Json().at("meta").at("result_count").as_int64(), 0);
  EXPECT_EQ(s.Get("/2/compliance/jobs?type=tweets", other).Json().at("meta").at("result_count").as_int64(), 0);
  auto foreign = s.Get("/2/compliance/jobs/" + id, other);
  EXPECT_EQ(foreign.status, 404) << foreign.body;
  EXPECT_EQ(Str(foreign.Json(), "resource_type"), "compliance_job") << foreign.body;

  EXPECT_EQ(s.Stop(), 0);

  // The ledger: two notices naming the app's job and the post.
  auto exported = RunSluice({"ledger", "export", "--data", s.data_dir(), "--app", "0"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  int notices = 0;
  std::istringstream records(exported.out);
  for (std::string line; std::getline(records, line);) {
    auto r = json::parse(line).as_object();
    if (!r.contains("channel")) continue;
    ++notices;
    EXPECT_EQ(Str(r, "channel"), "job:" + id);
    EXPECT_EQ(Str(r, "endpoint"), "GET /compliance/download/:token");
    ASSERT_EQ(r.at("post_ids").as_array().size(), 1u);
    EXPECT_EQ(r.at("post_ids").at(0).as_string(), gone);
  }
  EXPECT_EQ(notices, 2);

  // The leak holds what keeper read, the deleted post among it.
  const std::string leak = s.data_dir() + "/leak.jsonl";
  {
    std::ofstream out(leak);
    for (const auto& t : texts) out << "{\"text\":" << JsonString(t) << "}\n";
    out << "{\"text\":" << JsonString(gone_text) << "}\n";
  }
  auto with_store = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 1, store_.begin(), store_.end());
    return args;
  };
  auto traced = RunSluice(with_store({"trace", "--data", s.data_dir(), "--json", "--quiet", leak}));
  ASSERT_EQ(traced.exit_code, 0) << traced.err;
  auto report = json::parse(traced.out);
  const json::object* finding = nullptr;
  for (const auto& f : report.at("apps").as_array())
    if (Str(f, "app_name") == "keeper") finding = &f.as_object();
  ASSERT_NE(finding, nullptr) << traced.out.substr(0, 2000);
  EXPECT_TRUE(finding->at("named").as_bool());
  const auto& told = finding->at("deleted_posts_notified").as_array();
  ASSERT_EQ(told.size(), 1u) << json::serialize(*finding).substr(0, 2000);
  EXPECT_EQ(Str(told.at(0), "post_id"), gone);
  EXPECT_EQ(Str(told.at(0), "channel"), "job:" + id);
  // The proofs of the delivery and of the notice both check with the public key alone.
  std::string key = RunSluice({"ledger", "pubkey", "--data", s.data_dir()}).out;
  key.pop_back();
  ASSERT_FALSE(finding->at("evidence").as_array().empty());
  ASSERT_FALSE(finding->at("notice_evidence").as_array().empty());
  const auto& delivery = finding->at("evidence").at(0);
  EXPECT_EQ(Str(delivery, "post_id"), gone);
  const auto& notice = finding->at("notice_evidence").at(0);
  EXPECT_EQ(Str(notice, "post_id"), gone);
  EXPECT_EQ(Str(notice.at("notices").at(0), "channel"), "job:" + id);
  for (const json::value* proof : {&delivery, &notice}) {
    const std::string path = s.data_dir() + "/proof.json";
    std::ofstream(path) << json::serialize(*proof);
    auto check = RunSluice({"ledger", "check-proof", path, "--pubkey", key});
    EXPECT_EQ(check.exit_code, 0) << check.err << check.out;
  }
  // The same proofs from `sluice ledger prove`, --notice for the notice.
  const std::string keeper_id = Str(*finding, "app_id");
  auto proved = RunSluice({"ledger", "prove", "--data", s.data_dir(), "--app", keeper_id, "--post", gone, "--notice"});
  ASSERT_EQ(proved.exit_code, 0) << proved.err;
  EXPECT_NE(proved.out.find("\"channel\":\"job:" + id + "\""), std::string::npos) << proved.out;
  auto delivered = RunSluice({"ledger", "prove", "--data", s.data_dir(), "--app", keeper_id, "--post", gone});
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;
  EXPECT_EQ(delivered.out.find("\"channel\""), std::string::npos) << delivered.out;
  auto md = RunSluice(with_store({"trace", "--data", s.data_dir(), "--quiet", leak}));
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("post " + gone + ": told "), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("through job:" + id), std::string::npos) << md.out;
}

// A resumable job's upload URL speaks Google Cloud Storage's resumable protocol, as X's does:
// a session begun with POST (x-goog-resumable: start), chunks answered 308 with the Range
// kept, a status query, a chunk sent again, then the last chunk (200), and the job completes
// as after a single PUT.
TEST_P(ComplianceJobTest, AResumableUploadIsTakenInChunksAndTheJobCompletes) {
  SluiceServer& s = *server_;
  const std::string keeper = s.CreateApp("keeper", "pro");
  s.Start();
  auto created = s.Request("POST", "/2/tweets", keeper, R"({"text":"a post its author deletes before the check"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string gone = Str(created.Json().at("data"), "id");
  ASSERT_EQ(s.Request("DELETE", "/2/tweets/" + gone, keeper).status, 200);

  auto job = CreateJob(s, keeper, R"({"type":"tweets","resumable":true})");
  ASSERT_FALSE(job.empty());
  EXPECT_TRUE(job.at("resumable").as_bool());
  const std::string id = Str(job, "id");
  const std::string upload = PathOf(Str(job, "upload_url"), s.port());

  // Initiate: 201, the session URI in Location (the upload URL with its upload_id).
  auto start = s.Request("POST", upload, "", "", "text/plain", {{"x-goog-resumable", "start"}});
  ASSERT_EQ(start.status, 201) << start.body;
  ASSERT_TRUE(start.headers.count("location")) << start.body;
  const std::string session = PathOf(start.headers.at("location"), s.port());
  ASSERT_EQ(session.rfind(upload + "?upload_id=", 0), 0u) << session;
  auto put = [&](const std::string& range, const std::string& body) {
    return s.Request("PUT", session, "", body, "text/plain", {{"Content-Range", range}});
  };
  auto kept = [](const HttpResponse& r) { return r.headers.count("range") ? r.headers.at("range") : "(none)"; };

  // Nothing kept yet: 308 without Range.
  auto empty = put("bytes */*", "");
  EXPECT_EQ(empty.status, 308) << empty.body;
  EXPECT_EQ(kept(empty), "(none)");

  const std::string file = "1460323737035677698\r\n" + gone + "\n12\n\n9223372036854775000\n" + gone + "\n13\n";
  const size_t a = 7, b = 23, c = file.size() - 5;  // chunks cut inside lines, as a client cuts bytes
  const std::vector<std::pair<size_t, size_t>> chunks = {{0, a}, {a, b}, {b, c}};
  for (const auto& [from, to] : chunks) {
    auto r = put("bytes " + std::to_string(from) + "-" + std::to_string(to - 1) + "/*", file.substr(from, to - from));
    EXPECT_EQ(r.status, 308) << r.body;
    EXPECT_EQ(kept(r), "bytes=0-" + std::to_string(to - 1));
  }
  // A status query: what is kept; the job still waits for its ids.
  auto status = put("bytes */*", "");
  EXPECT_EQ(status.status, 308) << status.body;
  EXPECT_EQ(kept(status), "bytes=0-" + std::to_string(c - 1));
  EXPECT_EQ(Str(s.Get("/2/compliance/jobs/" + id, keeper).Json().at("data"), "status"), "created");
  // The second chunk sent again (the client lost its answer): nothing kept twice.
  auto resent = put("bytes " + std::to_string(a) + "-" + std::to_string(b - 1) + "/*", file.substr(a, b - a));
  EXPECT_EQ(resent.status, 308) << resent.body;
  EXPECT_EQ(kept(resent), "bytes=0-" + std::to_string(c - 1));
  // The total known, not reached: still 308.
  EXPECT_EQ(put("bytes */" + std::to_string(file.size()), "").status, 308);

  // The last chunk, with the total: 200, and the job is checked.
  auto last = put("bytes " + std::to_string(c) + "-" + std::to_string(file.size() - 1) + "/" + std::to_string(file.size()),
                  file.substr(c));
  ASSERT_EQ(last.status, 200) << last.body;
  // The session now answers as a finished one, and the upload URL takes no second file.
  EXPECT_EQ(put("bytes */*", "").status, 200);
  EXPECT_EQ(s.Request("PUT", upload, "", "12\n", "text/plain").status, 409);

  auto done = WaitForJob(s, keeper, id);
  ASSERT_EQ(Str(done, "status"), "complete") << json::serialize(done);
  auto got = s.Request("GET", PathOf(Str(done, "download_url"), s.port()), "");
  ASSERT_EQ(got.status, 200) << got.body;
  auto lines = Lines(got.body);
  ASSERT_EQ(lines.size(), 1u) << got.body;
  EXPECT_EQ(Str(lines[0], "id"), gone);
  EXPECT_EQ(Str(lines[0], "reason"), "deleted");
  EXPECT_EQ(s.Stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ComplianceJobTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return info.param == Backend::kSqlite ? "Sqlite" : "Postgres"; });

// A users job: a protected account needs action; a public one and an unknown id do not.
TEST(ComplianceJobs, AUsersJobNamesTheProtectedAccount) {
  SluiceServer s;
  ASSERT_TRUE(s.Import(R"({"id":"200","username":"bob","name":"Bob","created_at":"2020-01-01T00:00:00.000Z"})"
                       "\n"
                       R"({"id":"400","username":"dora","name":"Dora","protected":true,"created_at":"2020-02-01T00:00:00.000Z"})"
                       "\n"));
  const std::string token = s.CreateApp("checker", "enterprise");
  s.Start();
  auto job = CreateJob(s, token, R"({"type":"users"})");
  ASSERT_FALSE(job.empty());
  EXPECT_FALSE(job.contains("name"));
  ASSERT_EQ(s.Request("PUT", PathOf(Str(job, "upload_url"), s.port()), "", "200\n400\n777\n", "text/plain").status, 200);
  ASSERT_EQ(Str(WaitForJob(s, token, Str(job, "id")), "status"), "complete");
  auto got = s.Request("GET", PathOf(Str(job, "download_url"), s.port()), "");
  ASSERT_EQ(got.status, 200) << got.body;
  auto lines = Lines(got.body);
  ASSERT_EQ(lines.size(), 1u) << got.body;
  EXPECT_EQ(Str(lines[0], "id"), "400");
  EXPECT_EQ(Str(lines[0], "reason"), "protected");
  EXPECT_EQ(Str(lines[0], "created_at"), "2020-02-01T00:00:00.000Z");
  EXPECT_EQ(s.Stop(), 0);
  auto exported = RunSluice({"ledger", "export", "--data", s.data_dir(), "--app", "0"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find(R"("user_ids":["400"])"), std::string::npos) << exported.out;
  EXPECT_NE(exported.out.find(R"("channel":"job:)" + Str(job, "id") + "\""), std::string::npos) << exported.out;
}

TEST(ComplianceJobs, BadRequestsAreRefusedPrecisely) {
  SluiceServer s(5, 20);
  const std::string token = s.CreateApp("checker", "pro"), basic = s.CreateApp("small", "basic");
  const std::string config = s.data_dir() + "/compliance.toml";
  std::ofstream(config) << "[compliance]\nupload_max_bytes = 2048\n";
  s.Start({"--config", config});
  // The parameter a 400 names (X's invalid-request: errors[0].parameters).
  auto problem = [&](const HttpResponse& r) -> std::string {
    if (r.status != 400) return "status " + std::to_string(r.status) + ": " + r.body;
    const json::value body = r.Json();
    const auto& params = body.at("errors").at(0).at("parameters").as_object();
    return params.empty() ? "" : std::string(params.begin()->key());
  };

  // Bodies of POST /2/compliance/jobs.
  EXPECT_EQ(problem(s.Request("POST", "/2/compliance/jobs", token, R"({"type":"posts"})")), "type");
  EXPECT_EQ(problem(s.Request("POST", "/2/compliance/jobs", token, R"({"name":"x"})")), "type");
  EXPECT_EQ(problem(s.Request("POST", "/2/compliance/jobs", token, R"({"type":"tweets","extra":1})")), "extra");
  EXPECT_EQ(problem(s.Request("POST", "/2/compliance/jobs", token, R"({"type":"tweets","resumable":"yes"})")), "resumable");
  EXPECT_EQ(problem(s.Request("POST", "/2/compliance/jobs", token, "{\"type\":\"tweets\",\"name\":\"" + std::string(65, 'n') + "\"}")), "name");
  EXPECT_EQ(problem(s.Request("POST", "/2/compliance/jobs", token, "[1]")), "body");
  EXPECT_EQ(s.Request("POST", "/2/compliance/jobs", token, R"({"type":"tweets"})", "text/plain").status, 415);
  // The list needs a type; X's statuses only.
  EXPECT_EQ(problem(s.Get("/2/compliance/jobs", token)), "type");
  EXPECT_EQ(problem(s.Get("/2/compliance/jobs?type=tweets&status=expired", token)), "status");
  EXPECT_EQ(problem(s.Get("/2/compliance/jobs?type=tweets&compliance_job.fields=color", token)), "compliance_job.fields");
  EXPECT_EQ(problem(s.Get("/2/compliance/jobs/abc", token)), "id");
  EXPECT_EQ(s.Get("/2/compliance/jobs/123", token).status, 404);
  // A plan without batch compliance (X: Pro and Enterprise).
  auto refused = s.Request("POST", "/2/compliance/jobs", basic, R"({"type":"tweets"})");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(s.Request("POST", "/2/compliance/jobs", "", R"({"type":"tweets"})").status, 401);

  auto job = CreateJob(s, token, R"({"type":"tweets","resumable":true})");
  ASSERT_FALSE(job.empty());
  EXPECT_TRUE(job.at("resumable").as_bool());
  const std::string upload = PathOf(Str(job, "upload_url"), s.port());
  const std::string download = PathOf(Str(job, "download_url"), s.port());
  // Wrong tokens: unknown, or the download token on the upload path (and the other way).
  const std::string upload_token = upload.substr(upload.rfind('/') + 1);
  const std::string download_token = download.substr(download.rfind('/') + 1);
  EXPECT_EQ(s.Request("PUT", "/compliance/upload/sl_nosuchtoken", "", "1\n", "text/plain").status, 404);
  EXPECT_EQ(s.Request("PUT", "/compliance/upload/" + download_token, "", "1\n", "text/plain").status, 404);
  EXPECT_EQ(s.Request("GET", "/compliance/download/" + upload_token, "").status, 404);
  EXPECT_EQ(s.Request("GET", "/compliance/download/nosuch", "").status, 404);
  // Bad files: the line is named, and the job is still waiting for its upload.
  auto bad = s.Request("PUT", upload, "", "12\n12x\n", "text/plain");
  ASSERT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("line 2"), std::string::npos) << bad.body;
  EXPECT_EQ(problem(s.Request("PUT", upload, "", "\n\n", "text/plain")), "ids");
  EXPECT_EQ(problem(s.Request("PUT", upload, "", "0\n", "text/plain")), "ids");
  EXPECT_EQ(problem(s.Request("PUT", upload, "", "99999999999999999999\n", "text/plain")), "ids");
  EXPECT_EQ(s.Request("PUT", upload, "", "12\n", "application/json").status, 415);
  std::string big;
  while (big.size() <= 2048) big += "1460323737035677698\n";
  EXPECT_EQ(s.Request("PUT", upload, "", big, "text/plain").status, 413);
  auto still = s.Get("/2/compliance/jobs/" + Str(job, "id"), token);
  EXPECT_EQ(Str(still.Json().at("data"), "status"), "created") << still.body;
  // Still usable after the refusals.
  EXPECT_EQ(s.Request("PUT", upload, "", "12\n", "text/plain").status, 200);
  EXPECT_EQ(s.Stop(), 0);
}

// The resumable protocol's refusals: each precise, and none leaves anything behind (the bytes
// kept are as before, the job still created).
TEST(ComplianceJobs, AResumableUploadRefusesBadRequestsPrecisely) {
  SluiceServer s(5, 20);
  const std::string token = s.CreateApp("checker", "pro");
  const std::string config = s.data_dir() + "/compliance.toml";
  std::ofstream(config) << "[compliance]\nupload_max_bytes = 2048\n";
  s.Start({"--config", config});
  auto problem = [&](const HttpResponse& r) -> std::string {
    if (r.status != 400) return "status " + std::to_string(r.status) + ": " + r.body;
    const json::value body = r.Json();
    const auto& params = body.at("errors").at(0).at("parameters").as_object();
    return params.empty() ? "" : std::string(params.begin()->key());
  };
  const std::map<std::string, std::string> start_header = {{"x-goog-resumable", "start"}};

  // A job made without resumable takes no session.
  auto plain = CreateJob(s, token, R"({"type":"tweets"})");
  ASSERT_FALSE(plain.empty());
  const std::string plain_upload = PathOf(Str(plain, "upload_url"), s.port());
  auto refused = s.Request("POST", plain_upload, "", "", "text/plain", start_header);
  EXPECT_EQ(problem(refused), "x-goog-resumable");
  EXPECT_NE(refused.body.find("resumable false"), std::string::npos) << refused.body;
  // Nor a Content-Range on its upload URL.
  EXPECT_EQ(problem(s.Request("PUT", plain_upload, "", "12\n", "text/plain", {{"Content-Range", "bytes 0-2/3"}})),
            "Content-Range");

  auto job = CreateJob(s, token, R"({"type":"tweets","resumable":true})");
  ASSERT_FALSE(job.empty());
  const std::string upload = PathOf(Str(job, "upload_url"), s.port());
  EXPECT_EQ(problem(s.Request("POST", upload, "", "", "text/plain")), "x-goog-resumable");
  EXPECT_EQ(problem(s.Request("POST", upload, "", "", "text/plain", {{"x-goog-resumable", "stop"}})), "x-goog-resumable");
  EXPECT_EQ(problem(s.Request("POST", upload, "", "12\n", "text/plain", start_header)), "body");
  EXPECT_EQ(problem(s.Request("POST", upload + "?upload_id=x", "", "", "text/plain", start_header)), "upload_id");
  EXPECT_EQ(s.Request("POST", upload, "", "", "application/json", start_header).status, 415);
  EXPECT_EQ(s.Request("POST", "/compliance/upload/sl_nosuchtoken", "", "", "text/plain", start_header).status, 404);
  auto start = s.Request("POST", upload, "", "", "text/plain", start_header);
  ASSERT_EQ(start.status, 201) << start.body;
  const std::string session = PathOf(start.headers["location"], s.port());
  auto put = [&](const std::string& target, const std::string& range, const std::string& body) {
    return s.Request("PUT", target, "", body, "text/plain", {{"Content-Range", range}});
  };
  std::string first;  // 2,000 bytes of ids
  while (first.size() < 2000) first += "1460323737035677698\n";
  first.resize(2000);
  ASSERT_EQ(put(session, "bytes 0-1999/*", first).status, 308);

  auto kept = [&] { return put(session, "bytes */*", "").headers["range"]; };
  for (const char* bad : {"bytes 2000-1999/*", "bytes=2000-2001/*", "bytes 2000-2001", "2000-2001/*", "bytes 2000-2001/2001"})
    EXPECT_EQ(problem(put(session, bad, "12")), "Content-Range") << bad;
  // A body that is not the size the range names; a body on a status query.
  EXPECT_EQ(problem(put(session, "bytes 2000-2009/*", "12")), "Content-Range");
  EXPECT_EQ(problem(put(session, "bytes */*", "12")), "Content-Range");
  // A total below what is kept.
  EXPECT_EQ(problem(put(session, "bytes */1000", "")), "Content-Range");
  // Past compliance.upload_max_bytes: 413, by the total or by the chunk's end.
  auto large = put(session, "bytes */4096", "");
  EXPECT_EQ(large.status, 413) << large.body;
  EXPECT_NE(large.body.find("2048 bytes"), std::string::npos) << large.body;
  EXPECT_EQ(put(session, "bytes 2000-2099/*", std::string(100, '1')).status, 413);
  // A byte no file of ids holds.
  auto letters = put(session, "bytes 2000-2002/*", "1x\n");
  EXPECT_EQ(problem(letters), "ids");
  EXPECT_NE(letters.body.find("byte 2001 "), std::string::npos) << letters.body;
  // A last chunk that makes a bad file (a line "0", not an id): nothing kept.
  EXPECT_EQ(problem(put(session, "bytes 2000-2001/2002", "0\n")), "ids");
  EXPECT_EQ(kept(), "bytes=0-1999");
  // A session that is not the job's; the header given twice.
  EXPECT_EQ(put(upload + "?upload_id=sl_other", "bytes */*", "").status, 404);
  EXPECT_EQ(problem(s.Request("PUT", session + "&extra=1", "", "", "text/plain", {{"Content-Range", "bytes */*"}})), "extra");
  std::string twice = s.Raw("PUT " + session + " HTTP/1.1\r\nHost: x\r\nContent-Range: bytes */*\r\n"
                            "Content-Range: bytes */*\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(twice.rfind("HTTP/1.1 400 ", 0), 0u) << twice;
  EXPECT_EQ(kept(), "bytes=0-1999");
  auto still = s.Get("/2/compliance/jobs/" + Str(job, "id"), token);
  EXPECT_EQ(Str(still.Json().at("data"), "status"), "created") << still.body;

  // A new session starts empty; the old one is gone.
  auto restart = s.Request("POST", upload, "", "", "", start_header);
  ASSERT_EQ(restart.status, 201) << restart.body;
  const std::string second = PathOf(restart.headers["location"], s.port());
  EXPECT_NE(second, session);
  EXPECT_EQ(put(session, "bytes */*", "").status, 404);
  auto fresh = put(second, "bytes */*", "");
  EXPECT_EQ(fresh.status, 308);
  EXPECT_EQ(fresh.headers.count("range"), 0u);
  // The whole file in one PUT to the session (no Content-Range), as GCS takes it.
  EXPECT_EQ(s.Request("PUT", second, "", "12\n13\n", "text/plain").status, 200);
  EXPECT_EQ(s.Stop(), 0);
}

TEST(ComplianceJobs, AnExpiredUploadUrlIsRefusedAndTheJobShowsExpired) {
  SluiceServer s;
  const std::string token = s.CreateApp("checker", "pro");
  const std::string config = s.data_dir() + "/compliance.toml";
  std::ofstream(config) << "[compliance]\nupload_expiry_ms = 1000\npublic_url = \"https://files.example.com\"\n";
  s.Start({"--config", config});
  auto job = CreateJob(s, token, R"({"type":"tweets"})");
  ASSERT_FALSE(job.empty());
  // The URLs are on the public URL the operator set.
  const std::string base = "https://files.example.com/compliance/upload/";
  ASSERT_EQ(Str(job, "upload_url").rfind(base, 0), 0u) << Str(job, "upload_url");
  const std::string upload = "/compliance/upload/" + Str(job, "upload_url").substr(base.size());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto late = s.Request("PUT", upload, "", "12\n", "text/plain");
  EXPECT_EQ(late.status, 403) << late.body;
  EXPECT_NE(late.body.find("expired"), std::string::npos) << late.body;
  auto seen = s.Get("/2/compliance/jobs/" + Str(job, "id"), token);
  EXPECT_EQ(Str(seen.Json().at("data"), "status"), "expired") << seen.body;
  EXPECT_EQ(s.Stop(), 0);
}

// curl sends `Expect: 100-continue` before a body over 1 MB and waits a second for the
// answer; the server answers 100 at once when the body is within the route's limit, and a
// body past it is refused without being read.
TEST(ComplianceJobs, AnUploadThatAsksToContinueIsToldTo) {
  SluiceServer s;
  const std::string token = s.CreateApp("checker", "pro");
  s.Start();
  auto job = CreateJob(s, token, R"({"type":"tweets"})");
  ASSERT_FALSE(job.empty());
  const std::string upload = PathOf(Str(job, "upload_url"), s.port());
  const std::string body = "12\n13\n";
  std::string out = s.Raw("PUT " + upload + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\n"
                          "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(out.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", 0), 0u) << out;
  // Past compliance.upload_max_bytes (16 MB): 413 from the header alone, no 100.
  std::string big = s.Raw("PUT " + upload + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\n"
                          "Content-Length: 999999999\r\n\r\n");
  EXPECT_EQ(big.rfind("HTTP/1.1 413 ", 0), 0u) << big;
  EXPECT_NE(big.find("16777216 bytes"), std::string::npos) << big;
  // An API route keeps server.body_limit_bytes.
  std::string api = s.Raw("POST /2/compliance/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "Content-Length: 100000\r\n\r\n");
  EXPECT_EQ(api.rfind("HTTP/1.1 413 ", 0), 0u) << api;
  EXPECT_NE(api.find("65536 bytes"), std::string::npos) << api;
  EXPECT_EQ(s.Stop(), 0);
}

// A server that stops mid-check leaves its job in progress with a lease that runs out; the
// next poll of the job (here on the restarted server) takes it over and checks the stored ids
// again. The stopped checker is made by hand in the store: a job in progress whose lease
// ended, as a kill -9 during its check leaves it.
TEST(ComplianceJobs, AJobLeftInProgressByAStoppedServerIsTakenOverAtTheNextPoll) {
  SluiceServer s(5, 50);
  const std::string token = s.CreateApp("checker", "pro");
  const std::string config = s.data_dir() + "/compliance.toml";
  std::ofstream(config) << "[compliance]\ncheck_lease_ms = 1000\n";
  s.Start({"--config", config});
  auto created = s.Request("POST", "/2/tweets", token, R"({"text":"a post the app deletes before its job runs"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string gone = Str(created.Json().at("data"), "id");
  ASSERT_EQ(s.Request("DELETE", "/2/tweets/" + gone, token).status, 200);
  auto job = CreateJob(s, token, R"({"type":"tweets"})");
  ASSERT_FALSE(job.empty());
  const std::string id = Str(job, "id");
  ASSERT_EQ(s.Stop(), 0);
  {
    auto store = OpenStore(StoreOptions{.url = "sqlite", .data_dir = s.data_dir(), .create = false});
    ASSERT_TRUE(store.ok()) << store.status().message();
    auto started = (*store)->StartComplianceJob(std::stoll(id), "12\n" + gone + "\n", /*checking_until=*/1);
    ASSERT_TRUE(started.ok() && *started);
  }
  s.Start({"--config", config});
  auto done = WaitForJob(s, token, id);
  ASSERT_EQ(Str(done, "status"), "complete") << json::serialize(done);
  auto got = s.Request("GET", PathOf(Str(done, "download_url"), s.port()), "");
  ASSERT_EQ(got.status, 200) << got.body;
  auto lines = Lines(got.body);
  ASSERT_EQ(lines.size(), 1u) << got.body;
  EXPECT_EQ(Str(lines[0], "id"), gone);
  EXPECT_EQ(Str(lines[0], "reason"), "deleted");
  EXPECT_EQ(s.Stop(), 0);
}

}  // namespace
}  // namespace sluice::testing
