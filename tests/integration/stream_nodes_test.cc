// The filtered stream end to end: rules added over HTTP, posts written over HTTP, the lines on
// the stream with their matching_rules; a rule change applying to the next post; a post written
// on one node reaching a stream held on another (PostgreSQL's change feed); backfill_minutes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <algorithm>
#include <memory>
#include <chrono>
#include <thread>

#include "cluster.h"
#include "stream_client.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

std::string S(const json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }

// Adds `value` (tagged `tag`) to the token's app; the rule's id.
std::string AddRule(SluiceServer& s, const std::string& token, const std::string& value, const std::string& tag) {
  auto r = s.Request("POST", "/2/tweets/search/stream/rules", token,
                     R"({"add":[{"value":")" + value + R"(","tag":")" + tag + R"("}]})");
  EXPECT_EQ(r.status, 200) << r.body;  // X's document: 200 for rules added
  if (r.status != 200) return "";
  return S(r.Json().at("data").at(0), "id");
}

std::string Post(SluiceServer& s, const std::string& token, const std::string& text) {
  auto r = s.Request("POST", "/2/tweets", token, R"({"text":")" + text + R"("})");
  EXPECT_EQ(r.status, 201) << r.body;
  return r.status == 201 ? S(r.Json().at("data"), "id") : "";
}

// The next line with data (keep-alives skipped); null when the stream ends or stalls 10 s.
json::value NextPost(StreamClient& stream) {
  for (;;) {
    auto line = stream.NextLine(std::chrono::seconds(10));
    if (!line) return nullptr;
    if (!line->empty()) return json::parse(*line);
  }
}

std::vector<std::string> RuleIds(const json::value& line) {
  std::vector<std::string> ids;
  for (const auto& r : line.at("matching_rules").as_array()) ids.push_back(S(r, "id"));
  return ids;
}

TEST(FilteredStream, DeliversWhatTheRulesMatchWithTheirIdsAndTagsAndFollowsRuleChanges) {
  SluiceServer server(10, 20);
  const std::string reader = server.CreateApp("reader");
  const std::string writer = server.CreateApp("writer");
  server.Start();
  const std::string coffee = AddRule(server, reader, "coffee -decaf", "drinks");
  const std::string tea = AddRule(server, reader, "tea OR coffee", "hot");
  StreamClient stream(server.port(), "/2/tweets/search/stream?tweet.fields=author_id", reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  Post(server, writer, "nothing to see here");
  Post(server, writer, "decaf coffee please");
  const std::string both = Post(server, writer, "strong coffee today");
  json::value first = NextPost(stream);
  ASSERT_FALSE(first.is_null());
  EXPECT_EQ(S(first.at("data"), "text"), "decaf coffee please");
  EXPECT_EQ(RuleIds(first), (std::vector<std::string>{tea}));
  json::value second = NextPost(stream);
  ASSERT_FALSE(second.is_null());
  EXPECT_EQ(S(second.at("data"), "id"), both);
  EXPECT_EQ(RuleIds(second), (std::vector<std::string>{coffee, tea}));
  EXPECT_EQ(S(second.at("matching_rules").at(0), "tag"), "drinks");
  EXPECT_FALSE(S(second.at("data"), "author_id").empty());
  // The rule deleted: the next post matches only what is left.
  auto del = server.Request("POST", "/2/tweets/search/stream/rules", reader, R"({"delete":{"ids":[")" + tea + R"("]}})");
  ASSERT_EQ(del.status, 200) << del.body;
  Post(server, writer, "green tea");
  const std::string last = Post(server, writer, "black coffee");
  json::value third = NextPost(stream);
  ASSERT_FALSE(third.is_null());
  EXPECT_EQ(S(third.at("data"), "id"), last);
  EXPECT_EQ(RuleIds(third), (std::vector<std::string>{coffee}));
  stream.Close();
  EXPECT_EQ(server.Stop(), 0);
}

TEST(FilteredStream, AReconnectWithBackfillGetsThePostsItMissed) {
  SluiceServer server(10, 20);
  const std::string reader = server.CreateApp("reader");
  const std::string writer = server.CreateApp("writer");
  server.Start();
  const std::string rule = AddRule(server, reader, "missed", "m");
  const std::string one = Post(server, writer, "missed one");
  Post(server, writer, "other");
  const std::string two = Post(server, writer, "missed two");
  StreamClient stream(server.port(), "/2/tweets/search/stream?backfill_minutes=2", reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  json::value a = NextPost(stream), b = NextPost(stream);
  ASSERT_FALSE(a.is_null());
  ASSERT_FALSE(b.is_null());
  EXPECT_EQ(S(a.at("data"), "id"), one) << "oldest first";
  EXPECT_EQ(S(b.at("data"), "id"), two);
  EXPECT_EQ(RuleIds(a), (std::vector<std::string>{rule}));
  const std::string live = Post(server, writer, "missed three");
  json::value c = NextPost(stream);
  ASSERT_FALSE(c.is_null());
  EXPECT_EQ(S(c.at("data"), "id"), live);
  stream.Close();
  EXPECT_EQ(server.Stop(), 0);
}

class StreamNodesTest : public ClusterTest {};

TEST_F(StreamNodesTest, APostWrittenOnOneNodeReachesAStreamHeldOnTheOther) {
  StartAll();
  SluiceServer& a = node(0);
  SluiceServer& b = node(1);
  const std::string reader = nodes_[0]->CreateApp("stream reader");
  // The rule is added through A; the stream is held on B; posts are written on A.
  const std::string rule = AddRule(a, reader, "crossnode", "x");
  StreamClient stream(b.port(), "/2/tweets/search/stream", reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  std::vector<std::string> written;
  for (int i = 0; i < 5; ++i) written.push_back(Post(a, pro_, "crossnode post " + std::to_string(i)));
  for (const std::string& id : written) {
    json::value line = NextPost(stream);
    ASSERT_FALSE(line.is_null()) << "post " << id << " never reached the stream on the other node";
    EXPECT_EQ(S(line.at("data"), "id"), id);
    EXPECT_EQ(RuleIds(line), (std::vector<std::string>{rule}));
  }
  // Each exactly once: nothing more comes.
  auto more = stream.NextLine(std::chrono::milliseconds(500));
  EXPECT_TRUE(!more || more->empty()) << *more;
  // A rule added on B applies to posts written on A, within the hub's rule poll.
  const std::string later = AddRule(b, reader, "laterrule", "l");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const std::string id = Post(a, pro_, "laterrule here");
  json::value line = NextPost(stream);
  ASSERT_FALSE(line.is_null());
  EXPECT_EQ(S(line.at("data"), "id"), id);
  EXPECT_EQ(RuleIds(line), (std::vector<std::string>{later}));
}

// The change feed survives its connection's loss: each node's LISTEN connection is cut
// (pg_terminate_backend); each node opens another, and a post written on A reaches B's stream.
TEST_F(StreamNodesTest, AStreamKeepsItsPostsAfterTheChangeFeedsConnectionIsCut) {
  StartNode(0);
  StartNode(1);
  SluiceServer& a = node(0);
  SluiceServer& b = node(1);
  const std::string reader = nodes_[0]->CreateApp("stream reader");
  const std::string rule = AddRule(a, reader, "cutfeed", "c");
  StreamClient stream(b.port(), "/2/tweets/search/stream", reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  const std::string listeners = "SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity"
                                " WHERE datname = current_database() AND query LIKE 'LISTEN%'";
  const std::string before = Psql(url_, listeners);
  ASSERT_EQ(std::count(before.begin(), before.end(), ',') + 1, 2) << before;  // one per node
  ASSERT_EQ(Psql(url_, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND query LIKE 'LISTEN%'"),
            "2");
  // Both nodes listen again, on new connections (the listener retries every second).
  std::string after;
  for (int i = 0; i < 100; ++i) {
    after = Psql(url_, listeners);
    bool fresh = std::count(after.begin(), after.end(), ',') == 1;
    for (size_t at = 0; fresh && at < before.size();) {
      size_t end = before.find(',', at);
      if (end == std::string::npos) end = before.size();
      fresh = ("," + after + ",").find("," + before.substr(at, end - at) + ",") == std::string::npos;
      at = end + 1;
    }
    if (fresh) break;
    after.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(after.empty()) << "the nodes never listened again: " << Psql(url_, listeners);
  const std::string id = Post(a, pro_, "cutfeed after the cut");
  json::value line = NextPost(stream);
  ASSERT_FALSE(line.is_null()) << "the post never reached the stream after the feed's connection was cut";
  EXPECT_EQ(S(line.at("data"), "id"), id);
  EXPECT_EQ(RuleIds(line), (std::vector<std::string>{rule}));
}

// Opens the filtered stream of `token` on `s` until one is taken (up to 10 s): true then.
bool OpensWithin(SluiceServer& s, const std::string& token, std::unique_ptr<StreamClient>& out) {
  for (int i = 0; i < 100; ++i) {
    out = std::make_unique<StreamClient>(s.port(), "/2/tweets/search/stream", token);
    if (out->status() == 200) return true;
    EXPECT_EQ(out->status(), 429) << out->body();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The plan's connections (Pro: one filtered stream) count across nodes: with a stream open on
// A, B refuses a second with X's ConnectionException; once A's closes, B takes one; once the
// node holding it is killed, its slot lapses (stream_slot_lease_ms) and A takes one again.
TEST_F(StreamNodesTest, ThePlansConnectionLimitHoldsAcrossNodesAndAKilledNodesSlotLapses) {
  const std::string lease = "[server]\nstream_slot_lease_ms = 1500\n";
  StartNode(0, lease);
  StartNode(1, lease);
  SluiceServer& a = node(0);
  SluiceServer& b = node(1);
  const std::string reader = nodes_[0]->CreateApp("stream reader");
  StreamClient first(a.port(), "/2/tweets/search/stream", reader);
  ASSERT_EQ(first.status(), 200) << first.body();
  StreamClient second(b.port(), "/2/tweets/search/stream", reader);
  EXPECT_EQ(second.status(), 429);
  EXPECT_EQ(S(json::parse(second.body()), "title"), "ConnectionException");
  first.Close();
  std::unique_ptr<StreamClient> on_b;
  ASSERT_TRUE(OpensWithin(b, reader, on_b)) << "the slot freed on A never reached B";
  StreamClient refused(a.port(), "/2/tweets/search/stream", reader);
  EXPECT_EQ(refused.status(), 429);
  // B dies with its stream open: nothing frees its slot but the lease's end.
  b.Kill();
  const auto killed = std::chrono::steady_clock::now();
  std::unique_ptr<StreamClient> on_a;
  ASSERT_TRUE(OpensWithin(a, reader, on_a)) << "a killed node's slot never lapsed";
  EXPECT_GE(std::chrono::steady_clock::now() - killed, std::chrono::milliseconds(500));
  // The stream taken works: a post written on A reaches it.
  ASSERT_EQ(on_a->status(), 200);
  AddRule(a, reader, "afterkill", "k");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const std::string id = Post(a, pro_, "afterkill post");
  json::value line = NextPost(*on_a);
  ASSERT_FALSE(line.is_null());
  EXPECT_EQ(S(line.at("data"), "id"), id);
}

}  // namespace
}  // namespace sluice::testing
