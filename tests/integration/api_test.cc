// Integration: the real sluice binary on a loopback port, spoken to over HTTP.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SluiceServer(300, 6000);
    token_ = server_->CreateApp("tester", "enterprise");
    other_token_ = server_->CreateApp("other app", "basic");
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpResponse Get(const std::string& target) { return server_->Get(target, token_); }
  // The username of the most prolific author (Zipf: the head of the distribution).
  static std::string TopAuthorId() {
    auto r = Get("/2/tweets/search/recent?query=the%20OR%20le%20OR%20de&max_results=100&tweet.fields=author_id");
    auto j = r.Json();  // keep the document alive while iterating over it
    std::map<std::string, int> counts;
    for (const auto& p : j.at("data").as_array()) ++counts[Str(p, "author_id")];
    EXPECT_FALSE(counts.empty());
    return std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
  }

  static SluiceServer* server_;
  static std::string token_;
  static std::string other_token_;
};

SluiceServer* ApiTest::server_ = nullptr;
std::string ApiTest::token_;
std::string ApiTest::other_token_;

TEST_F(ApiTest, HealthAndReadiness) {
  EXPECT_EQ(server_->Get("/healthz", "").status, 200);
  EXPECT_EQ(server_->Get("/readyz", "").status, 200);
}

TEST_F(ApiTest, MissingOrWrongTokenIs401InXShape) {
  for (const std::string& token : {std::string(), std::string("not-a-token")}) {
    auto r = server_->Get("/2/users/by/username/whoever", token);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.headers["content-type"], "application/problem+json");
    auto j = r.Json();
    EXPECT_EQ(Str(j, "title"), "Unauthorized");
    EXPECT_EQ(Str(j, "type"), "about:blank");
    EXPECT_EQ(j.at("status").as_int64(), 401);
  }
}

TEST_F(ApiTest, CreateLookupDeleteRoundTrip) {
  auto created = server_->Request("POST", "/2/tweets", token_, R"({"text":"Bonjour #sluice @nobody_here https://example.com/a"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = Str(created.Json().at("data"), "id");

  auto got = Get("/2/tweets/" + id);
  ASSERT_EQ(got.status, 200);
  auto data = got.Json().at("data").as_object();
  // X's default fields, exactly.
  EXPECT_EQ(data.size(), 3u);
  EXPECT_EQ(Str(data, "id"), id);
  EXPECT_EQ(Str(data, "text"), "Bonjour #sluice @nobody_here https://example.com/a");
  EXPECT_EQ(data.at("edit_history_tweet_ids").as_array().at(0).as_string(), id);

  auto full = Get("/2/tweets/" + id + "?tweet.fields=created_at,entities,author_id,lang,public_metrics,conversation_id");
  auto f = full.Json().at("data");
  EXPECT_EQ(Str(f, "conversation_id"), id);
  EXPECT_EQ(Str(f, "created_at").size(), 24u);
  EXPECT_EQ(Str(f, "created_at").back(), 'Z');
  EXPECT_EQ(Str(f.at("entities").at("hashtags").at(0), "tag"), "sluice");
  EXPECT_EQ(f.at("entities").at("hashtags").at(0).at("start").as_int64(), 8);
  EXPECT_EQ(Str(f.at("entities").at("urls").at(0), "expanded_url"), "https://example.com/a");
  // X's pages' name and its OpenAPI document's, same value.
  EXPECT_EQ(f.at("public_metrics").at("repost_count"), f.at("public_metrics").at("retweet_count"));

  // Found by search at once.
  auto found = Get("/2/tweets/search/recent?query=%23sluice");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(Str(found.Json().at("data").at(0), "id"), id);

  // Only the author's app may delete.
  EXPECT_EQ(server_->Request("DELETE", "/2/tweets/" + id, other_token_).status, 403);
  auto deleted = server_->Request("DELETE", "/2/tweets/" + id, token_);
  ASSERT_EQ(deleted.status, 200);
  EXPECT_TRUE(deleted.Json().at("data").at("deleted").as_bool());
  EXPECT_EQ(server_->Request("DELETE", "/2/tweets/" + id, token_).status, 404);

  auto gone = Get("/2/tweets/" + id);
  EXPECT_EQ(gone.status, 200);
  auto gj = gone.Json().as_object();
  EXPECT_FALSE(gj.contains("data"));
  EXPECT_EQ(Str(gj.at("errors").at(0), "type"), "https://api.x.com/2/problems/resource-not-found");
  EXPECT_EQ(Get("/2/tweets/search/recent?query=%23sluice").Json().at("meta").at("result_count").as_int64(), 0);
}

TEST_F(ApiTest, MultiLookupReportsMissingIdsAsPartialErrors) {
  auto first = Get("/2/tweets/search/recent?query=the&max_results=10").Json().at("data").at(0);
  std::string id = Str(first, "id");
  auto r = Get("/2/tweets?ids=" + id + ",1");
  ASSERT_EQ(r.status, 200);
  auto j = r.Json();
  EXPECT_EQ(j.at("data").as_array().size(), 1u);
  auto e = j.at("errors").at(0);
  EXPECT_EQ(Str(e, "resource_id"), "1");
  EXPECT_EQ(Str(e, "parameter"), "ids");
  EXPECT_EQ(Str(e, "resource_type"), "tweet");
  EXPECT_EQ(Str(e, "title"), "Not Found Error");
}

TEST_F(ApiTest, UsersByIdAndUsernameAgree) {
  std::string id = TopAuthorId();
  auto by_id = Get("/2/users/" + id + "?user.fields=created_at,verified_type,public_metrics,labels,protected");
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  auto u = by_id.Json().at("data");
  std::string username = Str(u, "username");
  EXPECT_GT(u.at("public_metrics").at("tweet_count").as_int64(), 0);
  EXPECT_EQ(u.at("public_metrics").at("post_count"), u.at("public_metrics").at("tweet_count"));
  auto by_name = Get("/2/users/by/username/" + username);
  EXPECT_EQ(Str(by_name.Json().at("data"), "id"), id);
  EXPECT_EQ(by_name.Json().at("data").as_object().size(), 3u);  // id, name, username
  auto many = Get("/2/users/by?usernames=" + username + ",no_such_user_x");
  EXPECT_EQ(many.Json().at("data").as_array().size(), 1u);
  EXPECT_EQ(Str(many.Json().at("errors").at(0), "value"), "no_such_user_x");
  auto ids = Get("/2/users?ids=" + id);
  EXPECT_EQ(Str(ids.Json().at("data").at(0), "username"), username);
}

// Walks a list endpoint to its end with `page_param`; returns ids in order.
std::vector<std::string> Walk(const SluiceServer& s, const std::string& token, const std::string& base,
                              const std::string& page_param) {
  std::vector<std::string> ids;
  std::string target = base;
  for (int pages = 0; pages < 1000; ++pages) {
    auto r = s.Get(target, token);
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = r.Json().as_object();
    auto& meta = j.at("meta").as_object();
    int64_t count = meta.at("result_count").as_int64();
    if (count > 0) {
      auto& data = j.at("data").as_array();
      EXPECT_EQ(int64_t(data.size()), count);
      EXPECT_EQ(Str(data.front(), "id"), Str(meta, "newest_id"));
      EXPECT_EQ(Str(data.back(), "id"), Str(meta, "oldest_id"));
      for (const auto& p : data) ids.push_back(Str(p, "id"));
    }
    if (!meta.contains("next_token")) break;
    target = base + "&" + page_param + "=" + Str(meta, "next_token");
  }
  return ids;
}

void ExpectStrictlyDescending(const std::vector<std::string>& ids) {
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(std::stoull(ids[i - 1]), std::stoull(ids[i]));
}

TEST_F(ApiTest, TimelinePaginationHasNoGapAndNoDuplicate) {
  std::string id = TopAuthorId();
  auto small = Walk(*server_, token_, "/2/users/" + id + "/tweets?max_results=5", "pagination_token");
  auto large = Walk(*server_, token_, "/2/users/" + id + "/tweets?max_results=100", "pagination_token");
  ASSERT_GT(small.size(), 10u);
  EXPECT_EQ(small, large);
  ExpectStrictlyDescending(small);
  EXPECT_EQ(std::set<std::string>(small.begin(), small.end()).size(), small.size());

  // previous_token leads back to the first page.
  auto first = Get("/2/users/" + id + "/tweets?max_results=5").Json();
  auto second = Get("/2/users/" + id + "/tweets?max_results=5&pagination_token=" + Str(first.at("meta"), "next_token")).Json();
  auto back = Get("/2/users/" + id + "/tweets?max_results=5&pagination_token=" + Str(second.at("meta"), "previous_token")).Json();
  EXPECT_EQ(json::serialize(back.at("data")), json::serialize(first.at("data")));
}

TEST_F(ApiTest, SearchPaginationMatchesTimeline) {
  std::string id = TopAuthorId();
  auto user = Get("/2/users/" + id).Json().at("data");
  auto searched = Walk(*server_, token_, "/2/tweets/search/recent?query=from:" + Str(user, "username") + "&max_results=10",
                       "next_token");
  auto timeline = Walk(*server_, token_, "/2/users/" + id + "/tweets?max_results=100&start_time=" +
                                             Str(Get("/2/tweets/" + searched.back() + "?tweet.fields=created_at").Json().at("data"), "created_at"),
                       "pagination_token");
  ASSERT_FALSE(searched.empty());
  EXPECT_EQ(searched, timeline);
  ExpectStrictlyDescending(searched);
}

TEST_F(ApiTest, CountsSumToSearchResults) {
  // The walk first: a trap record it delivers is one of the app's posts, which its counts then
  // count too (docs/trace.md).
  auto ids = Walk(*server_, token_, "/2/tweets/search/recent?query=le&max_results=100", "next_token");
  auto counts = Get("/2/tweets/counts/recent?query=le&granularity=day");
  ASSERT_EQ(counts.status, 200) << counts.body;
  auto j = counts.Json();
  int64_t total = 0;
  for (const auto& b : j.at("data").as_array()) {
    total += b.at("tweet_count").as_int64();
    EXPECT_EQ(b.at("post_count"), b.at("tweet_count"));  // X's document's name, same value
  }
  EXPECT_EQ(total, j.at("meta").at("total_tweet_count").as_int64());
  EXPECT_EQ(total, j.at("meta").at("total_post_count").as_int64());
  EXPECT_EQ(int64_t(ids.size()), total);
}

TEST_F(ApiTest, ExpansionsFillIncludes) {
  auto r = Get("/2/tweets/search/recent?query=is:reply%20the&max_results=10&expansions=author_id,referenced_tweets.id,"
               "in_reply_to_user_id&tweet.fields=author_id,referenced_tweets,in_reply_to_user_id");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.Json();
  std::set<std::string> users, tweets;
  for (const auto& u : j.at("includes").at("users").as_array()) users.insert(Str(u, "id"));
  if (j.at("includes").as_object().contains("tweets"))
    for (const auto& t : j.at("includes").at("tweets").as_array()) tweets.insert(Str(t, "id"));
  // A reply to a protected account's post: its parent is X's authorization error in errors[],
  // not in includes (the seed replies to protected accounts too).
  std::set<std::string> refused;
  if (j.as_object().contains("errors"))
    for (const auto& e : j.at("errors").as_array())
      if (Str(e, "title") == "Authorization Error" && Str(e, "parameter") == "referenced_tweets.id") refused.insert(Str(e, "value"));
  for (const auto& p : j.at("data").as_array()) {
    EXPECT_TRUE(users.count(Str(p, "author_id")));
    EXPECT_TRUE(users.count(Str(p, "in_reply_to_user_id")));
    EXPECT_EQ(Str(p.at("referenced_tweets").at(0), "type"), "replied_to");
    const std::string parent = Str(p.at("referenced_tweets").at(0), "id");
    EXPECT_TRUE(tweets.count(parent) || refused.count(parent)) << parent << ": " << r.body;
  }
}

TEST_F(ApiTest, MentionsAndQuotePostsWithTheirExpansions) {
  // Write a post that mentions a seeded user and quotes a seeded post, then find it both ways.
  std::string author = TopAuthorId();
  std::string username = Str(Get("/2/users/" + author).Json().at("data"), "username");
  std::string quoted = Str(Get("/2/users/" + author + "/tweets?max_results=5").Json().at("data").at(0), "id");
  auto created = server_->Request("POST", "/2/tweets", token_,
                                  "{\"text\":\"hello @" + username + " see this\",\"quote_tweet_id\":\"" + quoted + "\"}");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = Str(created.Json().at("data"), "id");

  auto mentions = Get("/2/users/" + author + "/mentions?max_results=5&expansions=entities.mentions.username&tweet.fields=entities");
  ASSERT_EQ(mentions.status, 200) << mentions.body;
  auto m = mentions.Json();
  EXPECT_EQ(Str(m.at("data").at(0), "id"), id);  // newest first
  bool mentioned_included = false;
  for (const auto& u : m.at("includes").at("users").as_array()) mentioned_included |= Str(u, "id") == author;
  EXPECT_TRUE(mentioned_included);
  EXPECT_EQ(Str(m.at("data").at(0).at("entities").at("mentions").at(0), "id"), author);

  auto quotes = Get("/2/tweets/" + quoted + "/quote_tweets?expansions=referenced_tweets.id.author_id&tweet.fields=referenced_tweets");
  ASSERT_EQ(quotes.status, 200) << quotes.body;
  auto q = quotes.Json();
  EXPECT_EQ(Str(q.at("data").at(0), "id"), id);
  EXPECT_EQ(Str(q.at("data").at(0).at("referenced_tweets").at(0), "type"), "quoted");
  EXPECT_EQ(Str(q.at("includes").at("users").at(0), "id"), author);  // the quoted post's author
  EXPECT_FALSE(q.at("includes").as_object().contains("tweets"));     // only its author was asked for

  // exclude=replies on a timeline drops every reply.
  auto no_replies = Get("/2/users/" + author + "/tweets?max_results=100&exclude=replies&tweet.fields=referenced_tweets").Json();
  for (const auto& p : no_replies.at("data").as_array()) {
    if (!p.as_object().contains("referenced_tweets")) continue;
    for (const auto& r : p.at("referenced_tweets").as_array()) EXPECT_NE(Str(r, "type"), "replied_to");
  }
}

TEST_F(ApiTest, BadParametersAre400InvalidRequest) {
  struct Case {
    std::string target;
    std::string parameter;
  };
  for (const auto& c : std::vector<Case>{
           {"/2/tweets/search/recent?query=the&max_results=5", "max_results"},
           {"/2/tweets/search/recent?query=(the", "query"},
           {"/2/tweets/search/recent?query=is:retweet", "query"},
           {"/2/tweets/search/recent", "query"},
           {"/2/tweets/abc", "id"},
           {"/2/tweets?ids=", "ids"},
           {"/2/tweets/1?tweet.fields=bogus", "tweet.fields"},
           {"/2/tweets/1?expansions=bogus", "expansions"},
           {"/2/tweets/1?foo=bar", "foo"},
           {"/2/users/1/tweets?pagination_token=zzz", "pagination_token"},
           {"/2/users/1/tweets?start_time=yesterday", "start_time"},
           {"/2/tweets/search/recent?query=the&start_time=2001-01-01T00:00:00Z", "start_time"},
           {"/2/tweets/counts/recent?query=the&granularity=week", "granularity"},
           {"/2/users/by/username/bad-name!", "username"},
       }) {
    auto r = Get(c.target);
    EXPECT_EQ(r.status, 400) << c.target << " " << r.body;
    auto j = r.Json();
    EXPECT_EQ(Str(j, "title"), "Invalid Request") << c.target;
    EXPECT_EQ(Str(j, "type"), "https://api.x.com/2/problems/invalid-request");
    EXPECT_TRUE(j.at("errors").at(0).at("parameters").as_object().contains(c.parameter)) << c.target << " " << r.body;
  }
  auto q = Get("/2/tweets/search/recent?query=the%20(cat").Json();
  EXPECT_NE(Str(q.at("errors").at(0), "message").find("position"), std::string::npos);
}

TEST_F(ApiTest, RouteAndMethodAndBodyErrors) {
  EXPECT_EQ(Get("/2/nothing").status, 404);
  auto m = server_->Request("PUT", "/2/tweets", token_, "{}");
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.headers["allow"], "GET, POST");
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token_, "text=hi", "application/x-www-form-urlencoded").status, 415);
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token_, "{not json").status, 400);
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token_, R"({"text":""})").status, 400);
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token_, R"({"text":")" + std::string(281, 'a') + "\"}").status, 400);
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token_, R"({"text":"hi","poll":{}})").status, 400);
  EXPECT_EQ(server_->Request("POST", "/2/tweets", token_, R"({"text":"hi","reply":{"in_reply_to_tweet_id":"1"}})").status, 400);
  auto big = server_->Request("POST", "/2/tweets", token_, std::string(70 * 1024, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.headers["content-type"], "application/problem+json");
  std::string huge_header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  EXPECT_NE(server_->Raw(huge_header).find("HTTP/1.1 431"), std::string::npos);
  EXPECT_NE(server_->Raw("BLAH\r\n\r\n").find("HTTP/1.1 400"), std::string::npos);
  // None of these wrote anything and the server still answers.
  EXPECT_EQ(server_->Get("/healthz", "").status, 200);
}

TEST_F(ApiTest, MetricsCountRoutesStatusesAndLedger) {
  Get("/2/users/by/username/no_such_user_x");
  server_->Get("/2/users/by/username/no_such_user_x", "");
  auto m = server_->Get("/metrics", "");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.headers["content-type"], "text/plain; version=0.0.4");
  EXPECT_NE(m.body.find("sluice_requests_total{route=\"GET /2/users/by/username/:username\",status=\"200\"} "), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("sluice_requests_total{route=\"GET /2/users/by/username/:username\",status=\"401\"} "), std::string::npos);
  EXPECT_NE(m.body.find("sluice_refused_total{reason=\"rate\"} 0"), std::string::npos);
  EXPECT_NE(m.body.find("sluice_ledger_lag_records "), std::string::npos);
}

TEST_F(ApiTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string out = server_->Raw(req + req + req, 1000);
  size_t n = 0;
  for (size_t p = out.find("HTTP/1.1 200"); p != std::string::npos; p = out.find("HTTP/1.1 200", p + 1)) ++n;
  EXPECT_EQ(n, 3u);
}

// x-request-id: 20 lowercase hex digits (the start time's 12, the worker's 2, then a count of
// its requests), so the requests of one connection (one worker) count up by one.
TEST_F(ApiTest, RequestIdsAreHexAndCountUpOnAWorker) {
  std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string out = server_->Raw(req + req + req, 1000);
  std::regex id_header("x-request-id: ([0-9a-f]*)\r\n", std::regex::icase);
  std::vector<std::string> ids;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), id_header); it != std::sregex_iterator(); ++it)
    ids.push_back((*it)[1]);
  ASSERT_EQ(ids.size(), 3u) << out;
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_EQ(ids[i].size(), 20u) << ids[i];
    EXPECT_EQ(ids[i].find_first_not_of("0123456789abcdef"), std::string::npos) << ids[i];
    EXPECT_EQ(ids[i].substr(0, 14), ids[0].substr(0, 14));
    EXPECT_EQ(std::stoull(ids[i].substr(14), nullptr, 16), std::stoull(ids[0].substr(14), nullptr, 16) + i);
  }
}

// The bytes on the wire, as a client that is not Beast would read them: each response of a
// pipelined series is a status line, headers, a blank line and exactly Content-Length bytes.
TEST_F(ApiTest, PipelinedResponsesAreFramedByContentLength) {
  std::string id = Str(Get("/2/tweets/search/recent?query=the&max_results=10").Json().at("data").at(0), "id");
  std::string get = "GET /2/tweets/" + id + "?expansions=author_id HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                    "\r\n\r\n";
  std::string missing = "GET /2/nothing HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string last = get.substr(0, get.size() - 2) + "Connection: close\r\n\r\n";  // then the server closes
  std::string out = server_->Raw(get + get + missing + last, 3000);
  std::vector<int> statuses;
  size_t at = 0;
  while (at < out.size()) {
    size_t head_end = out.find("\r\n\r\n", at);
    ASSERT_NE(head_end, std::string::npos) << out.substr(at);
    std::string head = out.substr(at, head_end - at);
    ASSERT_EQ(head.rfind("HTTP/1.1 ", 0), 0u) << head;
    statuses.push_back(std::stoi(head.substr(9, 3)));
    std::string lower = head;
    for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    size_t cl = lower.find("\r\ncontent-length: ");
    ASSERT_NE(cl, std::string::npos) << head;
    size_t length = std::stoul(head.substr(cl + 18));
    std::string body = out.substr(head_end + 4, length);
    ASSERT_EQ(body.size(), length);
    EXPECT_NO_THROW(json::parse(body)) << body;
    EXPECT_NE(lower.find("\r\nx-request-id: "), std::string::npos) << head;
    EXPECT_NE(lower.find("\r\ncontent-type: application/"), std::string::npos) << head;
    at = head_end + 4 + length;
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 404, 200}));
}

TEST(ServerLifecycle, SigtermDrainsAndExitsZero) {
  SluiceServer server;
  server.Start();
  EXPECT_EQ(server.Get("/healthz", "").status, 200);
  EXPECT_EQ(server.Stop(), 0);
}

// SIGTERM the moment the server says it listens: it drains and exits 0, never dies of the signal.
TEST(ServerLifecycle, RepeatedSigtermsWhileStoppingStillExitZero) {
  // Draining, then closing the ledger: a SIGTERM in between must not kill the process.
  for (int i = 0; i < 3; ++i) {
    SluiceServer server(20, 100);
    std::string token = server.CreateApp("reader");
    server.Start();
    ASSERT_EQ(server.Get("/2/users/by/username/nobody", token).status, 200);  // something in the ledger
    EXPECT_EQ(server.StopRepeatedly(200), 0) << "attempt " << i;
  }
}

TEST(ServerLifecycle, SigtermRightAfterStartExitsZero) {
  SluiceServer server;
  for (int i = 0; i < 20; ++i) {
    server.Start();
    ASSERT_EQ(server.Stop(), 0) << "round " << i;
  }
}

// A request in flight when SIGTERM arrives is still answered; idle keep-alive connections
// are closed; then the server exits 0.
TEST(ServerLifecycle, SigtermFinishesInFlightRequestThenExitsZero) {
  SluiceServer server(20, 100);
  std::string token = server.CreateApp("drainer");
  server.Start();
  RawConnection idle(server.port());
  idle.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(idle.ReadAll(300).find("HTTP/1.1 200"), std::string::npos);

  std::string body = R"({"text":"written while draining"})";
  RawConnection busy(server.port());
  busy.Send("POST /2/tweets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
            body.substr(0, 5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server.Terminate();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(idle.ReadAll(1000), "");  // closed by the drain, nothing more sent
  busy.Send(body.substr(5));
  std::string answer = busy.ReadAll(3000);
  EXPECT_NE(answer.find("HTTP/1.1 201"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace sluice::testing
