// Streams over HTTP against the real binary: the sample stream's posts (which, in what order,
// as what lines), metering and the cap inside a stream, the connection limit, keep-alive.
// (Filtered-stream rules: stream_rules_test.cc; many streams and nodes: stream_scale_test.cc.)
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "core/mix.h"
#include "harness.h"
#include "stream_client.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// The sample stream's choice (api/stream_hub.h InSample), written again: the test states
// which posts X-compatible clients must see, not how the server computes it.
bool Sampled(uint64_t id) { return Mix64(id) % 100 == 0; }

std::string Str(const json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }

// A plan with the streams and a read cap of `cap` posts.
std::string PlansWithCap(int cap) {
  return R"(
[plans.streamer]
title = "Streamer"
monthly_price_usd = "1.00"
read_cap = )" + std::to_string(cap) + R"(
write_cap = 1000000
max_apps = 1
uses = ["search", "display"]
[plans.streamer.limits]
"POST /2/tweets" = "100000/15m"
"GET /2/tweets/sample/stream" = "100000/15m"
"GET /2/usage/tweets" = "100000/15m"
)";
}

class StreamsTest : public ::testing::Test {
 protected:
  // Posts `n` posts as the writer; their ids in order.
  std::vector<std::string> PostMany(int n, const std::string& writer) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      auto r = server_.Request("POST", "/2/tweets", writer, R"({"text":"stream post )" + std::to_string(i) + R"("})");
      EXPECT_EQ(r.status, 201) << r.body;
      if (r.status == 201) ids.push_back(Str(r.Json().at("data"), "id"));
    }
    return ids;
  }
  // Reads data lines until `want` arrived (keep-alives skipped) or the stream ends or stalls.
  static std::vector<json::value> ReadLines(StreamClient& s, size_t want) {
    std::vector<json::value> out;
    while (out.size() < want) {
      auto line = s.NextLine(std::chrono::seconds(10));
      if (!line) break;
      if (line->empty()) continue;
      out.push_back(json::parse(*line));
    }
    return out;
  }

  SluiceServer server_{20, 50};
};

TEST_F(StreamsTest, TheSampleStreamDeliversExactlyTheSampledPostsInOrderAndCountsThem) {
  const std::string reader = server_.CreateApp("sampler", "enterprise");
  const std::string writer = server_.CreateApp("writer");
  server_.Start();
  StreamClient stream(server_.port(), "/2/tweets/sample/stream?tweet.fields=author_id,created_at&expansions=author_id",
                      reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  EXPECT_EQ(stream.headers().at("transfer-encoding"), "chunked");
  EXPECT_EQ(stream.headers().count("x-rate-limit-remaining"), 1u);
  // Posts until three are in the 1 % sample (ids are the server's, so how many that takes varies).
  std::vector<std::string> expected;
  for (int batch = 0; expected.size() < 3 && batch < 50; ++batch)
    for (const std::string& id : PostMany(100, writer))
      if (Sampled(std::stoull(id))) expected.push_back(id);
  ASSERT_GE(expected.size(), 3u) << "5,000 posts, fewer than 3 sampled";
  auto lines = ReadLines(stream, expected.size());
  ASSERT_EQ(lines.size(), expected.size());
  std::set<std::string> users;
  for (size_t i = 0; i < lines.size(); ++i) {
    const json::value& data = lines[i].at("data");
    EXPECT_EQ(Str(data, "id"), expected[i]);
    EXPECT_NE(Str(data, "text").find("stream post"), std::string::npos);
    EXPECT_FALSE(Str(data, "created_at").empty());
    EXPECT_EQ(Str(lines[i].at("includes").at("users").at(0), "id"), Str(data, "author_id"));
    EXPECT_FALSE(lines[i].as_object().contains("matching_rules")) << "the sample stream has no rules";
  }
  // No line beyond them: the other posts are not in the sample.
  auto more = stream.NextLine(std::chrono::milliseconds(300));
  EXPECT_TRUE(!more || more->empty()) << *more;
  // Every streamed post counts against the reader's cap, as a search result does.
  auto usage = server_.Get("/2/usage/tweets", reader);
  ASSERT_EQ(usage.status, 200) << usage.body;
  EXPECT_EQ(Str(usage.Json().at("data"), "project_usage"), std::to_string(expected.size()));
  // In the metrics, the streamed posts as such, not as requests of their own.
  const std::string metrics = server_.Get("/metrics", "").body;
  EXPECT_NE(metrics.find("\nsluice_stream_posts_total " + std::to_string(expected.size()) + "\n"), std::string::npos)
      << metrics;
  stream.Close();
  EXPECT_EQ(server_.Stop(), 0);
}

TEST_F(StreamsTest, ASecondConnectionPastThePlansLimitIsRefusedWithXsConnectionException) {
  const std::string reader = server_.CreateApp("pro-reader");  // Pro: one filtered stream at once
  server_.Start();
  StreamClient first(server_.port(), "/2/tweets/search/stream", reader);
  ASSERT_EQ(first.status(), 200);
  StreamClient second(server_.port(), "/2/tweets/search/stream", reader);
  EXPECT_EQ(second.status(), 429);
  auto body = json::parse(second.body());
  EXPECT_EQ(Str(body, "title"), "ConnectionException");
  EXPECT_EQ(Str(body, "connection_issue"), "TooManyConnections");
  EXPECT_EQ(Str(body, "type"), "https://api.twitter.com/2/problems/streaming-connection");
  // Once the first goes, a new connection is taken (the server notices the close).
  first.Close();
  bool reconnected = false;
  for (int i = 0; i < 50 && !reconnected; ++i) {
    StreamClient again(server_.port(), "/2/tweets/search/stream", reader);
    reconnected = again.status() == 200;
    if (!reconnected) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(reconnected);
  EXPECT_EQ(server_.Stop(), 0);
}

TEST_F(StreamsTest, AnIdleStreamSendsKeepAlivesAndABadParameterIsA400) {
  const std::string reader = server_.CreateApp("sampler", "enterprise");
  const std::string config = server_.data_dir() + "/keepalive.toml";
  std::ofstream(config) << "[server]\nstream_keepalive_ms = 200\n";
  server_.Start({"--config", config});
  StreamClient bad(server_.port(), "/2/tweets/sample/stream?backfill_minutes=6", reader);
  EXPECT_EQ(bad.status(), 400) << bad.body();
  // HTTP/1.0 has no chunked body: a stream asked for so is a 400 problem, not a broken stream.
  const std::string old = server_.Raw("GET /2/tweets/sample/stream HTTP/1.0\r\nHost: x\r\nAuthorization: Bearer " +
                                      reader + "\r\n\r\n");
  EXPECT_EQ(old.substr(0, old.find("\r\n")).substr(8), " 400 Bad Request") << old;
  EXPECT_NE(old.find("Streams are served over HTTP/1.1"), std::string::npos) << old;
  StreamClient stream(server_.port(), "/2/tweets/sample/stream", reader);
  ASSERT_EQ(stream.status(), 200);
  for (int i = 0; i < 3; ++i) {
    auto line = stream.NextLine(std::chrono::seconds(5));
    ASSERT_TRUE(line.has_value()) << "no keep-alive within 5 s";
    EXPECT_EQ(*line, "");
  }
  EXPECT_EQ(server_.Stop(), 0);
}

TEST_F(StreamsTest, AStreamThatReachesTheCapEndsWithXsUsageCapProblem) {
  const std::string plans = server_.data_dir() + "/plans.toml";
  const std::string config = server_.data_dir() + "/capped.toml";
  std::ofstream(plans) << PlansWithCap(2);
  std::ofstream(config) << "[plans]\nfile = \"" << plans << "\"\n";
  auto created = RunSluice({"apps", "create", "--data", server_.data_dir(), "--config", config, "--name", "capped",
                            "--plan", "streamer"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string reader = Str(json::parse(created.out), "bearer_token");
  auto w = RunSluice({"apps", "create", "--data", server_.data_dir(), "--config", config, "--name", "w", "--plan",
                      "streamer"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const std::string writer = Str(json::parse(w.out), "bearer_token");
  server_.Start({"--config", config});
  StreamClient stream(server_.port(), "/2/tweets/sample/stream", reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  size_t sampled = 0;
  for (int batch = 0; sampled < 3 && batch < 50; ++batch)
    for (const std::string& id : PostMany(100, writer)) sampled += Sampled(std::stoull(id));
  ASSERT_GE(sampled, 3u);
  auto lines = ReadLines(stream, 3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[0].as_object().contains("data"));
  EXPECT_TRUE(lines[1].as_object().contains("data"));
  const json::value& error = lines[2].at("errors").at(0);
  EXPECT_EQ(Str(error, "title"), "UsageCapExceeded");
  EXPECT_FALSE(stream.NextLine(std::chrono::seconds(5)).has_value());
  EXPECT_TRUE(stream.ended()) << "the stream ends after the cap's problem";
  EXPECT_EQ(server_.Stop(), 0);
}

// The compliance streams' partition (api/stream_hub.h CompliancePartition), written again.
int Partition(uint64_t id) { return int(Mix64(id ^ 0x9E3779B97F4A7C15ULL) % 4) + 1; }

TEST_F(StreamsTest, TheComplianceStreamTellsEachDeletionInItsPartitionAndLedgersTheNotice) {
  const std::string reader = server_.CreateApp("compliance", "enterprise");
  const std::string writer = server_.CreateApp("writer");
  server_.Start();
  StreamClient missing(server_.port(), "/2/tweets/compliance/stream", reader);
  EXPECT_EQ(missing.status(), 400) << "partition is required";
  const std::string id = PostMany(1, writer).at(0);
  const int mine = Partition(std::stoull(id));
  StreamClient stream(server_.port(), "/2/tweets/compliance/stream?partition=" + std::to_string(mine), reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  StreamClient other(server_.port(), "/2/tweets/compliance/stream?partition=" + std::to_string(mine % 4 + 1), reader);
  ASSERT_EQ(other.status(), 200) << other.body();
  auto deleted = server_.Request("DELETE", "/2/tweets/" + id, writer);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  auto lines = ReadLines(stream, 1);
  ASSERT_EQ(lines.size(), 1u);
  const json::value& event = lines[0].at("data").at("delete");
  EXPECT_EQ(Str(event.at("tweet"), "id"), id);
  EXPECT_FALSE(Str(event.at("tweet"), "author_id").empty());
  EXPECT_FALSE(Str(event, "event_at").empty());
  auto elsewhere = other.NextLine(std::chrono::milliseconds(300));
  EXPECT_TRUE(!elsewhere || elsewhere->empty()) << "another partition got " << *elsewhere;
  // A notice, not a delivery: the reader's usage does not count it.
  auto usage = server_.Get("/2/usage/tweets", reader);
  ASSERT_EQ(usage.status, 200) << usage.body;
  EXPECT_EQ(Str(usage.Json().at("data"), "project_usage"), "0");
  stream.Close();
  other.Close();
  EXPECT_EQ(server_.Stop(), 0);
  auto exported = RunSluice({"ledger", "export", "--data", server_.data_dir(), "--app", "0"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find("stream:tweets/compliance/partition/" + std::to_string(mine)), std::string::npos);
}

// The evidence a compliance stream gives: an app that read a post, was told on its compliance
// stream that the post was deleted, and kept it (the leak holds it) is named by `sluice trace`
// with the stream's notice, and the notice's proof checks with the public key alone.
TEST(ComplianceStreamEvidence, TraceNamesTheAppToldOnItsStreamWithTheNoticesProof) {
  SluiceServer s(40, 800);
  const std::string keeper = s.CreateApp("keeper", "enterprise");
  const std::string writer = s.CreateApp("writer");
  s.Start();
  auto page = s.Get("/2/tweets/search/recent?query=the%20OR%20le%20OR%20de&max_results=100", keeper);
  ASSERT_EQ(page.status, 200) << page.body;
  std::vector<std::string> texts;
  const json::value found = page.Json();
  for (const auto& p : found.at("data").as_array()) texts.push_back(Str(p, "text"));
  ASSERT_GE(texts.size(), 30u);
  const std::string gone_text = "Le rapport trimestriel du flux de conformite sort jeudi avec tous les chiffres detailles";
  auto created = s.Request("POST", "/2/tweets", writer, "{\"text\":" + json::serialize(json::value(gone_text)) + "}");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string gone = Str(created.Json().at("data"), "id");
  ASSERT_EQ(s.Get("/2/tweets/" + gone, keeper).status, 200);  // delivered to keeper
  const std::string channel = "stream:tweets/compliance/partition/" + std::to_string(Partition(std::stoull(gone)));
  StreamClient stream(s.port(), "/2/tweets/compliance/stream?partition=" + std::to_string(Partition(std::stoull(gone))),
                      keeper);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  ASSERT_EQ(s.Request("DELETE", "/2/tweets/" + gone, writer).status, 200);
  std::optional<std::string> line;
  while ((line = stream.NextLine(std::chrono::seconds(10))) && line->empty()) {
  }
  ASSERT_TRUE(line.has_value()) << "no delete event";
  EXPECT_EQ(Str(json::parse(*line).at("data").at("delete").at("tweet"), "id"), gone);
  stream.Close();
  EXPECT_EQ(s.Stop(), 0);

  const std::string leak = s.data_dir() + "/leak.jsonl";
  {
    std::ofstream out(leak);
    for (const auto& t : texts) out << "{\"text\":" << json::serialize(json::value(t)) << "}\n";
    out << "{\"text\":" << json::serialize(json::value(gone_text)) << "}\n";
  }
  auto traced = RunSluice({"trace", "--data", s.data_dir(), "--json", "--quiet", leak});
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
  EXPECT_EQ(Str(told.at(0), "channel"), channel);
  ASSERT_FALSE(finding->at("notice_evidence").as_array().empty());
  const auto& notice = finding->at("notice_evidence").at(0);
  EXPECT_EQ(Str(notice, "post_id"), gone);
  EXPECT_EQ(Str(notice.at("notices").at(0), "channel"), channel);
  std::string key = RunSluice({"ledger", "pubkey", "--data", s.data_dir()}).out;
  key.pop_back();
  const std::string path = s.data_dir() + "/proof.json";
  std::ofstream(path) << json::serialize(notice);
  auto check = RunSluice({"ledger", "check-proof", path, "--pubkey", key});
  EXPECT_EQ(check.exit_code, 0) << check.err << check.out;
}

}  // namespace
}  // namespace sluice::testing
