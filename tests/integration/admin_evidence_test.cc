// Integration: the admin API's evidence routes on the real server (docs/admin-api.md,
// "Evidence: ledger and trace runs"): the ledger's status, a verify while requests go on, a
// checkpoint signed now (which `sluice ledger verify` accepts after the server stops), trace
// runs by upload and by path that name the leaking app, their states and progress, the
// evidence bundle that checks with the public key alone, and bad input refused with nothing
// left behind.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string JsonString(const std::string& s) { return json::serialize(json::value(s)); }

// The operator's admin token (DATA/admin.token, made at the server's first start).
std::string AdminToken(const SluiceServer& s) {
  std::ifstream in(s.data_dir() + "/admin.token");
  std::string token;
  std::getline(in, token);
  return token;
}

std::string PublicKey(const SluiceServer& s) {
  std::string key = RunSluice({"ledger", "pubkey", "--data", s.data_dir()}).out;
  if (!key.empty()) key.pop_back();
  return key;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls GET /admin/v1/traces/:id until the run is done or failed; the states seen, in order.
json::value WaitForRun(const SluiceServer& s, const std::string& admin, const std::string& id,
                       std::vector<std::string>* states = nullptr) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = s.Get("/admin/v1/traces/" + id, admin);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    json::value run = r.Json().at("data");
    std::string state(run.at("state").as_string());
    if (states && (states->empty() || states->back() != state)) states->push_back(state);
    if (state == "done" || state == "failed") return run;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "trace run " << id << " did not end";
  return {};
}

// The one named app of a report, or null.
const json::object* NamedApp(const json::value& report) {
  const json::object* named = nullptr;
  for (const auto& f : report.at("apps").as_array())
    if (f.at("named").as_bool()) {
      if (named) return nullptr;
      named = &f.as_object();
    }
  return named;
}

TEST(AdminEvidence, LedgerStatusVerifyWhileServingAndACheckpointSignedNow) {
  SluiceServer s(60, 600);
  std::string app = s.CreateApp("reader", "pro");
  // No checkpoint but the ones asked for (and those of start and stop).
  std::string config = s.data_dir() + "/rare-checkpoints.toml";
  std::ofstream(config) << "[ledger]\ncheckpoint_every_ms = 3600000\ncheckpoint_every_records = 100000000\n";
  s.Start({"--config", config});
  const std::string admin = AdminToken(s);

  auto status = s.Get("/admin/v1/ledger", admin);
  ASSERT_EQ(status.status, 200) << status.body;
  auto data = status.Json().at("data");
  EXPECT_EQ(std::string(data.at("public_key").as_string()), PublicKey(s));
  EXPECT_NE(std::string(data.at("origin").as_string()).find("sluice.local/ledger"), std::string::npos) << data;
  EXPECT_TRUE(data.at("last_verify").is_null());
  ASSERT_TRUE(data.at("latest_checkpoint").is_object()) << data;  // the one signed at start
  EXPECT_EQ(data.at("latest_checkpoint").at("root").as_string().size(), 64u);

  // Requests go on while the ledger is verified and a checkpoint signed.
  std::atomic<bool> stop{false};
  std::atomic<int> served{0};
  std::thread reader([&] {
    KeepAliveClient client(s.port());
    while (!stop) {
      auto r = client.Get("/2/tweets/search/recent?query=the%20OR%20le&max_results=10", app);
      if (r.status == 200) ++served;
    }
  });
  while (served < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // Their records are durable with the next group commit (a loaded machine's fdatasync may take
  // a while): the status says when.
  int64_t last_records = 0;
  for (int i = 0; i < 1000 && last_records == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    last_records = s.Get("/admin/v1/ledger", admin).Json().at("data").at("records").as_int64();
  }
  ASSERT_GT(last_records, 0);
  for (int i = 0; i < 5; ++i) {
    auto v = s.Request("POST", "/admin/v1/ledger/verify", admin, "");
    ASSERT_EQ(v.status, 200) << v.body;
    auto verify = v.Json().at("data");
    EXPECT_TRUE(verify.at("ok").as_bool()) << verify;
    EXPECT_TRUE(verify.at("problems").as_array().empty()) << verify;
    EXPECT_GE(verify.at("records").as_int64(), last_records);
    EXPECT_GE(verify.at("checkpoints").as_int64(), 1);
    EXPECT_EQ(verify.at("checked_at").as_string().size(), 24u);  // 2026-12-07T00:00:00.000Z
    last_records = verify.at("records").as_int64();
  }
  EXPECT_GT(last_records, 0);
  auto signed_now = s.Request("POST", "/admin/v1/ledger/checkpoints", admin, "");
  ASSERT_EQ(signed_now.status, 201) << signed_now.body;
  auto cp = signed_now.Json().at("data");
  const int64_t tree_size = cp.at("tree_size").as_int64();
  EXPECT_GE(tree_size, last_records);
  EXPECT_EQ(cp.at("root").as_string().size(), 64u);
  EXPECT_EQ(cp.at("signed_at").as_string().size(), 24u);
  stop = true;
  reader.join();

  status = s.Get("/admin/v1/ledger", admin);
  ASSERT_EQ(status.status, 200) << status.body;
  data = status.Json().at("data");
  EXPECT_GE(data.at("latest_checkpoint").at("tree_size").as_int64(), tree_size);
  EXPECT_GE(data.at("records").as_int64(), tree_size);
  EXPECT_GT(data.at("size_bytes").as_int64(), 0);
  ASSERT_TRUE(data.at("last_verify").is_object());
  EXPECT_TRUE(data.at("last_verify").at("ok").as_bool());

  ASSERT_EQ(s.Stop(), 0);
  // The checkpoint signed through the API is in the ledger, and verifies with the rest.
  char name[32];
  std::snprintf(name, sizeof name, "%020lld.note", static_cast<long long>(tree_size));
  EXPECT_TRUE(fs::exists(s.data_dir() + "/ledger/checkpoints/" + name)) << name;
  auto verified = RunSluice({"ledger", "verify", "--data", s.data_dir()});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find("ledger OK"), std::string::npos) << verified.out;
}

TEST(AdminEvidence, TraceRunsByUploadAndByPathNameTheLeakerWithEvidence) {
  SluiceServer s(100, 1500);
  std::string leaker = s.CreateApp("leaker", "pro");
  s.CreateApp("honest", "pro");
  std::string config = s.data_dir() + "/rare-checkpoints.toml";
  std::ofstream(config) << "[ledger]\ncheckpoint_every_ms = 3600000\ncheckpoint_every_records = 100000000\n";
  s.Start({"--config", config});
  const std::string admin = AdminToken(s);
  auto page = s.Get("/2/tweets/search/recent?query=the%20OR%20le%20OR%20de&max_results=100", leaker);
  ASSERT_EQ(page.status, 200) << page.body;
  // The leak: what the leaker read, one post a line. No checkpoint covers its delivery yet:
  // the run signs one before it reads the ledger.
  std::string leak = s.data_dir() + "/leak.jsonl", jsonl;
  const json::value posts = page.Json();
  for (const auto& p : posts.at("data").as_array())
    jsonl += "{\"text\":" + JsonString(std::string(p.at("text").as_string())) + "}\n";
  std::ofstream(leak) << jsonl;

  auto uploaded = s.Request("POST", "/admin/v1/traces?name=leak.jsonl", admin, jsonl, "application/octet-stream");
  ASSERT_EQ(uploaded.status, 202) << uploaded.body;
  auto run = uploaded.Json().at("data");
  const std::string upload_id(run.at("id").as_string());
  EXPECT_EQ(run.at("name").as_string(), "leak.jsonl");
  EXPECT_TRUE(run.at("state") == "queued" || run.at("state") == "running") << run;
  EXPECT_EQ(run.at("progress").at("bytes_total").as_int64(), int64_t(jsonl.size()));
  EXPECT_TRUE(run.at("report").is_null());
  EXPECT_EQ(Slurp(s.data_dir() + "/traces/" + upload_id + "/dataset/leak.jsonl"), jsonl);

  auto by_path = s.Request("POST", "/admin/v1/traces", admin, "{\"path\":" + JsonString(leak) + "}");
  ASSERT_EQ(by_path.status, 202) << by_path.body;
  const std::string path_id(by_path.Json().at("data").at("id").as_string());
  EXPECT_EQ(by_path.Json().at("data").at("path").as_string(), leak);

  std::vector<std::string> states;
  for (const std::string& id : {upload_id, path_id}) {
    states.clear();
    json::value done = WaitForRun(s, admin, id, &states);
    ASSERT_TRUE(done.is_object());
    ASSERT_EQ(done.at("state"), "done") << done;
    ASSERT_TRUE(done.at("report").is_object()) << done;
    // Never back: queued, running, done (a state may pass between two polls).
    const std::vector<std::string> order = {"queued", "running", "done"};
    size_t at = 0;
    for (const auto& st : states) {
      auto it = std::find(order.begin() + at, order.end(), st);
      ASSERT_NE(it, order.end()) << st;
      at = size_t(it - order.begin());
    }
    EXPECT_EQ(done.at("progress").at("bytes_read"), done.at("progress").at("bytes_total"));
    EXPECT_EQ(done.at("progress").at("bytes_total").as_int64(), int64_t(jsonl.size()));
    EXPECT_EQ(done.at("finished_at").as_string().size(), 24u);
    const json::object* named = NamedApp(done.at("report"));
    ASSERT_NE(named, nullptr) << json::serialize(done).substr(0, 2000);
    EXPECT_EQ(named->at("app_name"), "leaker");
    EXPECT_FALSE(named->at("evidence").as_array().empty()) << json::serialize(*named).substr(0, 2000);
    EXPECT_FALSE(named->contains("evidence_missing")) << json::serialize(*named).substr(0, 2000);

    // The evidence bundle to download checks with the public key alone.
    const std::string app_id(named->at("app_id").as_string());
    auto evidence = s.Get("/admin/v1/traces/" + id + "/evidence/" + app_id, admin);
    ASSERT_EQ(evidence.status, 200) << evidence.body.substr(0, 2000);
    EXPECT_EQ(evidence.headers["content-disposition"],
              "attachment; filename=\"sluice-evidence-" + id + "-app-" + app_id + ".json\"");
    auto bundle = evidence.Json();
    EXPECT_EQ(bundle.at("app_id").as_string(), app_id);
    EXPECT_EQ(bundle.at("trace_id").as_string(), id);
    EXPECT_EQ(std::string(bundle.at("verifier_key").as_string()), PublicKey(s));
    EXPECT_GE(bundle.at("proved_post_ids").as_array().size(), named->at("matched_posts_received").as_int64() * 9 / 10);
    const std::string file = s.data_dir() + "/evidence-" + id + ".json";
    std::ofstream(file) << evidence.body;
    auto check = RunSluice({"ledger", "check-proof", file, "--pubkey", PublicKey(s)});
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_EQ(check.out.rfind("OK: ", 0), 0u) << check.out;
  }
  // Newest first, without their reports.
  auto list = s.Get("/admin/v1/traces", admin);
  ASSERT_EQ(list.status, 200) << list.body;
  auto runs = list.Json().at("data").as_array();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].at("id").as_string(), path_id);
  EXPECT_EQ(runs[1].at("id").as_string(), upload_id);

  // A restart keeps the finished runs, their reports and evidence.
  ASSERT_EQ(s.Stop(), 0);
  s.Start({"--config", config});
  auto kept = s.Get("/admin/v1/traces/" + upload_id, admin);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(kept.Json().at("data").at("state"), "done");
  EXPECT_NE(NamedApp(kept.Json().at("data").at("report")), nullptr);
  EXPECT_EQ(s.Get("/admin/v1/traces", admin).Json().at("data").as_array().size(), 2u);
}

TEST(AdminEvidence, ARunWaitsItsTurnAndShowsItsProgress) {
  SluiceServer s(40, 400);
  s.Start();
  const std::string admin = AdminToken(s);
  // A dataset of some MB, so that a second run is submitted while the first one reads.
  std::string big = s.data_dir() + "/big.txt";
  {
    std::ofstream out(big);
    for (int i = 0; i < 400000; ++i) out << "line " << i << " of a corpus that holds none of our posts at all\n";
  }
  const auto size = int64_t(fs::file_size(big));
  auto first = s.Request("POST", "/admin/v1/traces", admin, "{\"path\":" + JsonString(big) + "}");
  ASSERT_EQ(first.status, 202) << first.body;
  auto second = s.Request("POST", "/admin/v1/traces?name=small.txt", admin, "hello world\n", "text/plain");
  ASSERT_EQ(second.status, 202) << second.body;
  const std::string first_id(first.Json().at("data").at("id").as_string());
  const std::string second_id(second.Json().at("data").at("id").as_string());
  // Progress moves up to the size, never past it.
  int64_t last = 0;
  for (;;) {
    auto r = s.Get("/admin/v1/traces/" + first_id, admin);
    ASSERT_EQ(r.status, 200);
    auto run = r.Json().at("data");
    const int64_t read = run.at("progress").at("bytes_read").as_int64();
    EXPECT_GE(read, last);
    EXPECT_LE(read, size);
    EXPECT_EQ(run.at("progress").at("bytes_total").as_int64(), size);
    last = read;
    if (run.at("state") == "done" || run.at("state") == "failed") break;
    // One at a time: the second waits while the first has not ended.
    auto waiting = s.Get("/admin/v1/traces/" + second_id, admin).Json().at("data");
    auto first_now = s.Get("/admin/v1/traces/" + first_id, admin).Json().at("data");
    if (first_now.at("state") == "running") EXPECT_EQ(waiting.at("state"), "queued") << waiting;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(last, size);
  auto done = WaitForRun(s, admin, first_id);
  EXPECT_EQ(done.at("state"), "done");
  EXPECT_EQ(done.at("report").at("posts_matched").as_int64(), 0);
  EXPECT_EQ(done.at("report").at("corpus").at("documents").as_int64(), 400000);
  auto small = WaitForRun(s, admin, second_id);
  EXPECT_EQ(small.at("state"), "done");
  EXPECT_EQ(small.at("report").at("corpus").at("documents").as_int64(), 1);
}

TEST(AdminEvidence, BadInputGetsAPreciseProblemAndLeavesNothingBehind) {
  SluiceServer s(20, 100);
  std::string config = s.data_dir() + "/small-uploads.toml";
  std::ofstream(config) << "[traces]\nupload_max_bytes = 2048\n";
  s.Start({"--config", config});
  const std::string admin = AdminToken(s);
  auto problem = [&](const HttpResponse& r, int status, const std::string& text) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.headers.at("content-type"), "application/problem+json") << r.body;
    EXPECT_NE(r.body.find(text), std::string::npos) << r.body;
  };
  auto post_json = [&](const std::string& body) { return s.Request("POST", "/admin/v1/traces", admin, body); };
  problem(post_json("{\"path\":\"relative/file.jsonl\"}"), 400, "absolute path");
  problem(post_json("{\"path\":\"/no/such/file.jsonl\"}"), 400, "No file at /no/such/file.jsonl");
  problem(post_json("{\"path\":" + JsonString(s.data_dir()) + "}"), 400, "is not a regular file");
  problem(post_json("{\"path\":\"/etc/passwd\",\"extra\":1}"), 400, "Unknown member [extra]");
  problem(post_json("{\"file\":\"/etc/passwd\"}"), 400, "Unknown member [file]");
  problem(post_json("{}"), 400, "`path`");
  problem(post_json("{\"path\":17}"), 400, "`path`");
  problem(post_json("not json"), 400, "JSON object");
  auto upload = [&](const std::string& target, const std::string& body) {
    return s.Request("POST", target, admin, body, "application/octet-stream");
  };
  problem(upload("/admin/v1/traces?name=leak.jsonl", ""), 400, "The dataset is empty");
  problem(upload("/admin/v1/traces?name=..%2Fescape.jsonl", "x\n"), 400, "name");
  problem(upload("/admin/v1/traces?name=.hidden", "x\n"), 400, "name");
  problem(upload("/admin/v1/traces?other=1", "x\n"), 400, "other");
  problem(upload("/admin/v1/traces?name=big.txt", std::string(4096, 'x')), 413, "2048 bytes");
  problem(s.Get("/admin/v1/traces/123", admin), 404, "No trace run with id 123");
  problem(s.Get("/admin/v1/traces/abc", admin), 400, "decimal id");
  problem(s.Get("/admin/v1/traces/123/evidence/5", admin), 404, "No trace run with id 123");
  problem(s.Get("/admin/v1/traces/123/evidence/x5", admin), 400, "app_id");
  problem(s.Request("PUT", "/admin/v1/ledger", admin, ""), 405, "");
  // The operator's only: no token, a client's token or a wrong one is 401, before anything is read.
  std::string client = s.CreateApp("client", "pro");
  problem(s.Get("/admin/v1/ledger", ""), 401, "");
  problem(s.Get("/admin/v1/ledger", client), 401, "");
  problem(s.Request("POST", "/admin/v1/ledger/verify", admin + "x", ""), 401, "");
  problem(s.Request("POST", "/admin/v1/traces?name=a.txt", client, "x\n", "application/octet-stream"), 401, "");
  // With an admin portal session, a POST needs the session's CSRF token; a GET does not.
  auto signed_in = s.Request("POST", "/admin/v1/session", "", "{\"admin_token\":\"" + admin + "\"}");
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string set_cookie = signed_in.headers["set-cookie"];
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string csrf(signed_in.Json().at("data").at("csrf_token").as_string());
  EXPECT_EQ(s.Request("GET", "/admin/v1/ledger", "", "", "application/json", {{"Cookie", cookie}}).status, 200);
  problem(s.Request("POST", "/admin/v1/ledger/checkpoints", "", "", "application/json", {{"Cookie", cookie}}), 403,
          "X-CSRF-Token");
  EXPECT_EQ(s.Request("POST", "/admin/v1/ledger/checkpoints", "", "", "application/json",
                      {{"Cookie", cookie}, {"X-CSRF-Token", csrf}})
                .status,
            201);
  // A page of another site may not drive it from the operator's browser.
  problem(s.Request("POST", "/admin/v1/ledger/checkpoints", admin, "", "application/json",
                    {{"Origin", "https://evil.example"}}),
          403, "Origin");
  // Nothing was kept.
  std::error_code ec;
  EXPECT_TRUE(fs::is_empty(s.data_dir() + "/traces", ec)) << ec.message();
  auto list = s.Get("/admin/v1/traces", admin);
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(list.Json().at("data").as_array().empty());

  // A run that is not done has no evidence yet; an app the report does not list has none.
  std::string text = s.data_dir() + "/plain.txt";
  std::ofstream(text) << "nothing of ours\n";
  auto run = post_json("{\"path\":" + JsonString(text) + "}");
  ASSERT_EQ(run.status, 202) << run.body;
  const std::string id(run.Json().at("data").at("id").as_string());
  auto early = s.Get("/admin/v1/traces/" + id + "/evidence/5", admin);
  if (early.status != 404) problem(early, 409, "evidence comes with its report");
  ASSERT_EQ(WaitForRun(s, admin, id).at("state"), "done");
  problem(s.Get("/admin/v1/traces/" + id + "/evidence/5", admin), 404, "App 5 received none of the posts");
}

}  // namespace
}  // namespace sluice::testing
