// Integration: the full archive (GET /2/tweets/search/all, /2/tweets/counts/all) and users
// search (GET /2/users/search) through the real server: X's window rules, paging, plans
// without the endpoint, and metering and the ledger as for recent search.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "harness.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

constexpr int64_t kSnowflakeEpochMs = 1288834974657;
constexpr int64_t kNov2021 = 1635724800000;  // 2021-11-01T00:00:00Z
constexpr int64_t kDay = 24 * 3600 * 1000;

std::string Snowflake(int64_t t) { return std::to_string((t - kSnowflakeEpochMs) << 22); }

std::string Time(int64_t t) {
  std::time_t s = t / 1000;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&s));
  return buf;
}

class ArchiveTest : public ::testing::Test {
 protected:
  // 25 posts "archived" on 25 days of November 2021 by alice; users for the users search:
  // two Smiths, a protected Smith, and an account whose description names its trade.
  static void SetUpTestSuite() {
    server_ = new SluiceServer();
    std::ostringstream out;
    out << R"({"id":"100","username":"alice","name":"Alice Smith"})" << "\n";
    out << R"({"id":"101","username":"smithy","name":"Sam","description":"Blacksmith"})" << "\n";
    out << R"({"id":"102","username":"jo_smith","name":"Jo"})" << "\n";
    out << R"({"id":"103","username":"hidden","name":"Secret Smith","protected":true})" << "\n";
    out << R"({"id":"104","username":"dana","name":"Dana","description":"Data analyst"})" << "\n";
    for (int i = 0; i < 25; ++i) {
      int64_t t = kNov2021 + i * kDay + 3600 * 1000;
      out << R"({"id":")" << Snowflake(t) << R"(","text":"archived post number )" << i
          << R"(","author_id":"100","created_at":")" << Time(t) << "\"}\n";
    }
    ASSERT_TRUE(server_->Import(out.str()));
    pro_ = server_->CreateApp("pro reader", "pro");
    basic_ = server_->CreateApp("basic reader", "basic");
    server_->Start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpResponse Get(const std::string& target, const std::string& token = pro_) {
    return server_->Get(target, token);
  }
  static std::string Bad(const std::string& target) {
    auto r = Get(target);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    if (r.status != 400) return "";
    return Str(r.Json().at("errors").at(0), "message");
  }
  static SluiceServer* server_;
  static std::string pro_, basic_;
};

SluiceServer* ArchiveTest::server_ = nullptr;
std::string ArchiveTest::pro_, ArchiveTest::basic_;

const std::string kNovember = "start_time=2021-11-01T00:00:00Z&end_time=2021-12-01T00:00:00Z";

TEST_F(ArchiveTest, SearchAllReachesBackPastTheRecentWindow) {
  auto r = Get("/2/tweets/search/all?query=archived&max_results=100&" + kNovember);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.Json();
  EXPECT_EQ(j.at("meta").at("result_count").as_int64(), 25);
  EXPECT_EQ(Str(j.at("data").at(0), "text"), "archived post number 24") << "newest first";
  // The same window is refused by recent search, which may not look back past 7 days.
  auto recent = Get("/2/tweets/search/recent?query=archived&" + kNovember);
  EXPECT_EQ(recent.status, 400) << recent.body;
  // Without start_time the archive looks back 30 days from end_time (from now when there
  // is none): November's posts are out of the default window, a week of them in the last
  // 30 days before 2021-11-08.
  auto recent_default = Get("/2/tweets/search/all?query=archived").Json();
  EXPECT_EQ(recent_default.at("meta").at("result_count").as_int64(), 0);
  auto before = Get("/2/tweets/search/all?query=archived&end_time=2021-11-08T00:00:00Z").Json();
  EXPECT_EQ(before.at("meta").at("result_count").as_int64(), 7);
  // until_id ends the range as end_time does; since_id bounds it alone (no 30-day default).
  const std::string post10 = Snowflake(kNov2021 + 10 * kDay + 3600 * 1000);
  const std::string post20 = Snowflake(kNov2021 + 20 * kDay + 3600 * 1000);
  auto until = Get("/2/tweets/search/all?query=archived&max_results=100&until_id=" + post10).Json();
  EXPECT_EQ(until.at("meta").at("result_count").as_int64(), 10) << "posts 0-9";
  auto since = Get("/2/tweets/search/all?query=archived&max_results=100&since_id=" + post20).Json();
  EXPECT_EQ(since.at("meta").at("result_count").as_int64(), 4) << "posts 21-24";
  auto counted =
      Get("/2/tweets/counts/all?query=archived&granularity=day&end_time=2021-12-01T00:00:00Z&since_id=" + post20).Json();
  EXPECT_EQ(counted.at("meta").at("total_tweet_count").as_int64(), 4);
}

TEST_F(ArchiveTest, SearchAllWindowAndPageRulesAreXs) {
  EXPECT_EQ(Bad("/2/tweets/search/all?query=archived&start_time=2006-03-20T23:59:59Z"),
            "Invalid 'start_time':'2006-03-20T23:59:59.000Z'. 'start_time' must be on or after 2006-03-21T00:00:00.000Z");
  EXPECT_EQ(Get("/2/tweets/search/all?query=archived&start_time=2006-03-21T00:00:00Z").status, 200);
  EXPECT_EQ(Bad("/2/tweets/search/all?query=archived&max_results=501"),
            "The `max_results` query parameter value [501] is not between 10 and 500");
  EXPECT_EQ(Bad("/2/tweets/search/all?query=archived&max_results=9"),
            "The `max_results` query parameter value [9] is not between 10 and 500");
  EXPECT_EQ(Get("/2/tweets/search/all?query=archived&max_results=500&" + kNovember).status, 200);
  EXPECT_EQ(Get("/2/tweets/search/recent?query=archived&max_results=500").status, 400) << "recent stays 10-100";
  // Queries up to 1,024 characters (recent search: 512).
  std::string long_query = "archived";
  while (long_query.size() < 1000) long_query += "%20archived";
  EXPECT_EQ(Get("/2/tweets/search/all?query=" + long_query + "&" + kNovember).status, 200);
  EXPECT_EQ(Get("/2/tweets/search/recent?query=" + long_query).status, 400);
  EXPECT_EQ(Bad("/2/tweets/search/all"), "The `query` query parameter can not be empty");
}

TEST_F(ArchiveTest, SearchAllPagesWithNextTokenVisitingEveryPostOnce) {
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    auto r = Get("/2/tweets/search/all?query=archived&max_results=10&" + kNovember +
                 (token.empty() ? "" : "&next_token=" + token));
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.Json();
    for (const auto& p : j.at("data").as_array()) ids.push_back(Str(p, "id"));
    const auto& meta = j.at("meta").as_object();
    EXPECT_FALSE(meta.contains("previous_token")) << "search offers no previous_token";
    token = meta.contains("next_token") ? Str(meta, "next_token") : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids.size(), 25u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 25u);
}

TEST_F(ArchiveTest, CountsAllCountsTheArchiveAndPagesLongRanges) {
  auto r = Get("/2/tweets/counts/all?query=archived&granularity=day&" + kNovember);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.Json();
  EXPECT_EQ(j.at("data").as_array().size(), 30u);
  EXPECT_EQ(j.at("meta").at("total_tweet_count").as_int64(), 25);
  EXPECT_EQ(j.at("meta").at("total_post_count").as_int64(), 25);
  EXPECT_FALSE(j.at("meta").as_object().contains("next_token"));
  EXPECT_EQ(Bad("/2/tweets/counts/all?query=archived&start_time=2001-01-01T00:00:00Z"),
            "Invalid 'start_time':'2001-01-01T00:00:00.000Z'. 'start_time' must be on or after 2006-03-21T00:00:00.000Z");
  EXPECT_EQ(Bad("/2/tweets/counts/all?query=archived&granularity=week"),
            "The `granularity` query parameter value [week] is not one of [minute,hour,day]");

  // A year by day: pages of 31 days, newest first, every day once, every post counted once.
  int64_t total = 0;
  size_t buckets = 0;
  std::string token, last_start;
  int pages = 0;
  do {
    auto page = Get("/2/tweets/counts/all?query=archived&granularity=day&start_time=2021-01-01T00:00:00Z"
                    "&end_time=2022-01-01T00:00:00Z" +
                    (token.empty() ? "" : "&next_token=" + token));
    ASSERT_EQ(page.status, 200) << page.body;
    auto pj = page.Json();
    const auto& data = pj.at("data").as_array();
    ASSERT_LE(data.size(), 31u);
    if (!last_start.empty()) EXPECT_EQ(Str(data.back(), "end"), last_start) << "pages meet without a gap";
    last_start = Str(data.front(), "start");
    buckets += data.size();
    total += pj.at("meta").at("total_tweet_count").as_int64();
    const auto& meta = pj.at("meta").as_object();
    token = meta.contains("next_token") ? Str(meta, "next_token") : "";
    ++pages;
  } while (!token.empty() && pages < 20);
  EXPECT_EQ(pages, 12);  // 365 days: eleven pages of 31 and one of 24
  EXPECT_EQ(buckets, 365u);
  EXPECT_EQ(total, 25);
  EXPECT_EQ(last_start, "2021-01-01T00:00:00.000Z");
}

TEST_F(ArchiveTest, PlansWithoutTheEndpointsAre403) {
  for (std::string target : {"/2/tweets/search/all?query=archived", "/2/tweets/counts/all?query=archived",
                             "/2/users/search?query=smith"}) {
    auto r = Get(target, basic_);
    EXPECT_EQ(r.status, 403) << target << ": " << r.body;
    if (r.status == 403) EXPECT_EQ(Str(r.Json(), "reason"), "client-not-enrolled");
    auto pro = Get(target);
    EXPECT_EQ(pro.status, 200) << target << ": " << pro.body;
    EXPECT_EQ(pro.headers["x-rate-limit-limit"], "300") << target;
  }
}

TEST_F(ArchiveTest, UsersSearchMatchesUsernamesNamesAndDescriptionsLeavingOutProtectedAccounts) {
  auto ids = [&](const std::string& query) {
    auto r = Get("/2/users/search?query=" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    std::vector<std::string> out;
    auto j = r.Json();
    if (j.as_object().contains("data"))
      for (const auto& u : j.at("data").as_array()) out.push_back(Str(u, "id"));
    return out;
  };
  auto smiths = ids("smith");
  EXPECT_EQ(std::set<std::string>(smiths.begin(), smiths.end()), (std::set<std::string>{"100", "101", "102"}))
      << "the protected account (103) is left out";
  EXPECT_EQ(ids("alice%20smith"), std::vector<std::string>{"100"});
  EXPECT_EQ(ids("analyst"), std::vector<std::string>{"104"});
  EXPECT_EQ(ids("nobody"), std::vector<std::string>{});
  auto none = Get("/2/users/search?query=nobody").Json();
  EXPECT_EQ(none.at("meta").at("result_count").as_int64(), 0);
  EXPECT_FALSE(none.as_object().contains("data"));

  auto fields = Get("/2/users/search?query=dana&user.fields=description,created_at").Json();
  EXPECT_EQ(Str(fields.at("data").at(0), "description"), "Data analyst");

  EXPECT_EQ(Bad("/2/users/search?query=smith%3B"),
            "The `query` query parameter value [smith;] does not match ^[A-Za-z0-9_' ]{1,50}$");
  EXPECT_EQ(Bad("/2/users/search?query=" + std::string(51, 'a')),
            "The `query` query parameter value [" + std::string(51, 'a') + "] does not match ^[A-Za-z0-9_' ]{1,50}$");
  EXPECT_EQ(Bad("/2/users/search"), "The `query` query parameter can not be empty");
  EXPECT_EQ(Bad("/2/users/search?query=smith&max_results=1001"),
            "The `max_results` query parameter value [1001] is not between 1 and 1000");
  EXPECT_EQ(Bad("/2/users/search?query=smith&max_results=0"),
            "The `max_results` query parameter value [0] is not between 1 and 1000");
}

TEST_F(ArchiveTest, UsersSearchPagesWithNextToken) {
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    auto r = Get("/2/users/search?query=smith&max_results=1" + (token.empty() ? "" : "&next_token=" + token));
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.Json();
    for (const auto& u : j.at("data").as_array()) ids.push_back(Str(u, "id"));
    EXPECT_EQ(j.at("meta").at("result_count").as_int64(), 1);
    const auto& meta = j.at("meta").as_object();
    token = meta.contains("next_token") ? Str(meta, "next_token") : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), (std::set<std::string>{"100", "101", "102"}));
  EXPECT_EQ(Bad("/2/users/search?query=smith&next_token=zzz"), "The `next_token` query parameter value [zzz] is not valid");
}

// A fresh server of its own: the usage and ledger counts start at zero.
TEST(ArchiveMetering, SearchAllIsMeteredAndLedgeredAsRecentSearchAndUsersSearchAsUserReads) {
  SluiceServer server;
  std::ostringstream out;
  out << R"({"id":"100","username":"alice","name":"Alice Smith"})" << "\n";
  for (int i = 0; i < 3; ++i) {
    int64_t t = kNov2021 + i * kDay;
    out << R"({"id":")" << Snowflake(t) << R"(","text":"archived )" << i << R"(","author_id":"100","created_at":")"
        << Time(t) << "\"}\n";
  }
  ASSERT_TRUE(server.Import(out.str()));
  std::string token = server.CreateApp("reader", "pro");
  server.Start();
  auto found = server.Get("/2/tweets/search/all?query=archived&" + kNovember, token);
  ASSERT_EQ(found.status, 200) << found.body;
  auto users = server.Get("/2/users/search?query=alice", token);
  ASSERT_EQ(users.status, 200) << users.body;
  auto counts = server.Get("/2/tweets/counts/all?query=archived&" + kNovember, token);
  ASSERT_EQ(counts.status, 200) << counts.body;
  auto usage = server.Get("/2/usage/tweets", token).Json().at("data");
  EXPECT_EQ(Str(usage, "project_usage"), "3") << "three posts read; users and counts are not posts";
  ASSERT_EQ(server.Stop(), 0);

  auto exported = RunSluice({"ledger", "export", "--data", server.data_dir(), "--app", "0"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::vector<json::object> records;
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);) records.push_back(json::parse(line).as_object());
  ASSERT_EQ(records.size(), 2u) << "counts deliver no post: no record";
  EXPECT_EQ(Str(records[0], "endpoint"), "GET /2/tweets/search/all");
  EXPECT_EQ(records[0].at("post_ids").as_array().size(), 3u);
  EXPECT_EQ(Str(records[1], "endpoint"), "GET /2/users/search");
  ASSERT_EQ(records[1].at("user_ids").as_array().size(), 1u);
  EXPECT_EQ(records[1].at("user_ids").at(0).as_string(), "100");
}

// Trap records ride in full-archive pages as in recent ones: only their app can look them up,
// and they are never counted.
TEST(ArchiveTraps, SearchAllPagesCarryTrapsNeverCounted) {
  SluiceServer s(40, 800);
  std::string config = s.data_dir() + "/sluice.toml";
  std::ofstream(config) << "[traps]\nevery_posts = 25\n";
  std::string owner = s.CreateApp("owner", "enterprise"), other = s.CreateApp("other", "enterprise");
  s.Start({"--config", config});
  const std::string base = "/2/tweets/search/all?query=the%20OR%20le%20OR%20de&max_results=100";
  std::vector<std::string> ids;
  std::string target = base;
  for (int pages = 0; pages < 50; ++pages) {
    auto page = s.Get(target, owner);
    ASSERT_EQ(page.status, 200) << page.body;
    auto j = page.Json().as_object();
    if (j.contains("data"))
      for (const auto& p : j.at("data").as_array()) ids.push_back(Str(p, "id"));
    if (!j.at("meta").as_object().contains("next_token")) break;
    target = base + "&next_token=" + Str(j.at("meta"), "next_token");
  }
  size_t traps = 0;
  for (const auto& id : ids)
    if (!s.Get("/2/tweets/" + id, other).Json().as_object().contains("data")) ++traps;
  EXPECT_GE(traps, 3u) << ids.size() << " posts";
  EXPECT_LE(traps, ids.size() / 25 + 1);
  auto usage = s.Get("/2/usage/tweets", owner).Json().at("data");
  EXPECT_EQ(std::stoull(Str(usage, "project_usage")), ids.size() - traps);
}

}  // namespace
}  // namespace sluice::testing
