// Operator compliance events over HTTP against the real binary (issue 16): `sluice users
// suspend` and `sluice posts withhold`, run while a server serves the same data, reach the
// users and tweets compliance streams in the subject's partition only, each line a notice in
// the ledger, never counted; a suspended account's lookup answers X's error.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/mix.h"
#include "harness.h"
#include "stream_client.h"
#include "support/postgres_server.h"

namespace sluice::testing {
namespace {

namespace json = boost::json;

std::string Str(const json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }

// The compliance streams' partition (api/stream_hub.h CompliancePartition), written again.
int Partition(uint64_t id) { return int(Mix64(id ^ 0x9E3779B97F4A7C15ULL) % 4) + 1; }

// The next data line (keep-alives skipped), or nullopt when none came within `timeout`.
std::optional<json::value> NextEvent(StreamClient& s, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = s.NextLine(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!line) return std::nullopt;
    if (!line->empty()) return json::parse(*line);
  }
  return std::nullopt;
}

class ComplianceEventsTest : public ::testing::Test {
 protected:
  // A post by the writer app's account, and that account's id.
  std::pair<std::string, std::string> Post(const std::string& writer) {
    auto r = server_.Request("POST", "/2/tweets", writer, R"({"text":"to be judged"})");
    EXPECT_EQ(r.status, 201) << r.body;
    const std::string id = Str(r.Json().at("data"), "id");
    auto got = server_.Get("/2/tweets/" + id + "?tweet.fields=author_id", writer);
    EXPECT_EQ(got.status, 200) << got.body;
    return {id, Str(got.Json().at("data"), "author_id")};
  }

  SluiceServer server_{5, 5};
};

TEST_F(ComplianceEventsTest, ASuspensionByTheCliReachesTheUsersStreamOfItsPartitionOnlyAsALedgeredNotice) {
  const std::string reader = server_.CreateApp("compliance", "enterprise");
  const std::string writer = server_.CreateApp("writer");
  server_.Start();
  const auto [post, user] = Post(writer);
  const int mine = Partition(std::stoull(user));
  StreamClient missing(server_.port(), "/2/users/compliance/stream", reader);
  EXPECT_EQ(missing.status(), 400) << "partition is required";
  StreamClient stream(server_.port(), "/2/users/compliance/stream?partition=" + std::to_string(mine), reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  StreamClient other(server_.port(), "/2/users/compliance/stream?partition=" + std::to_string(mine % 4 + 1), reader);
  ASSERT_EQ(other.status(), 200) << other.body();
  StreamClient tweets(server_.port(), "/2/tweets/compliance/stream?partition=" + std::to_string(mine), reader);
  ASSERT_EQ(tweets.status(), 200) << tweets.body();

  auto suspended = RunSluice({"users", "suspend", "--data", server_.data_dir(), "--id", user});
  ASSERT_EQ(suspended.exit_code, 0) << suspended.err;
  EXPECT_EQ(json::parse(suspended.out).at("changed").as_bool(), true);
  auto again = RunSluice({"users", "suspend", "--data", server_.data_dir(), "--id", user});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out).at("changed").as_bool(), false) << "suspended already: no second event";

  auto event = NextEvent(stream, std::chrono::seconds(10));
  ASSERT_TRUE(event.has_value()) << "no user_suspend within 10 s";
  const json::value& e = event->at("data").at("user_suspend");
  EXPECT_EQ(Str(e.at("user"), "id"), user);
  EXPECT_FALSE(Str(e, "event_at").empty());
  auto none = NextEvent(stream, std::chrono::milliseconds(600));
  EXPECT_FALSE(none.has_value()) << "one event per change: " << json::serialize(*none);
  auto elsewhere = NextEvent(other, std::chrono::milliseconds(300));
  EXPECT_FALSE(elsewhere.has_value()) << "another partition got " << json::serialize(*elsewhere);
  auto on_tweets = NextEvent(tweets, std::chrono::milliseconds(300));
  EXPECT_FALSE(on_tweets.has_value()) << "the tweets stream got " << json::serialize(*on_tweets);

  // X's answer for a suspended account; the lookup still answers 200 with the error.
  auto looked = server_.Get("/2/users/" + user, reader);
  ASSERT_EQ(looked.status, 200) << looked.body;
  const json::value doc = looked.Json();
  const json::value& error = doc.at("errors").at(0);
  EXPECT_EQ(Str(error, "title"), "Forbidden");
  EXPECT_EQ(Str(error, "detail"), "User has been suspended: [" + user + "].");
  EXPECT_EQ(Str(error, "resource_id"), user);
  EXPECT_FALSE(doc.as_object().contains("data"));

  // A notice, not a delivery: the reader's usage does not count it.
  auto usage = server_.Get("/2/usage/tweets", reader);
  ASSERT_EQ(usage.status, 200) << usage.body;
  EXPECT_EQ(Str(usage.Json().at("data"), "project_usage"), "0");
  stream.Close();
  other.Close();
  tweets.Close();
  EXPECT_EQ(server_.Stop(), 0);
  auto exported = RunSluice({"ledger", "export", "--data", server_.data_dir(), "--app", "0"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find("stream:users/compliance/partition/" + std::to_string(mine)), std::string::npos)
      << exported.out.substr(0, 2000);
  EXPECT_EQ(exported.out.find("stream:users/compliance/partition/" + std::to_string(mine % 4 + 1)), std::string::npos);
}

TEST_F(ComplianceEventsTest, AWithheldPostReachesTheTweetsStreamOfItsPartition) {
  const std::string reader = server_.CreateApp("compliance", "enterprise");
  const std::string writer = server_.CreateApp("writer");
  server_.Start();
  const auto [post, user] = Post(writer);
  const int mine = Partition(std::stoull(post));
  StreamClient stream(server_.port(), "/2/tweets/compliance/stream?partition=" + std::to_string(mine), reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  StreamClient other(server_.port(), "/2/tweets/compliance/stream?partition=" + std::to_string(mine % 4 + 1), reader);
  ASSERT_EQ(other.status(), 200) << other.body();
  auto bad = RunSluice({"posts", "withhold", "--data", server_.data_dir(), "--id", post, "--countries", "DE,XYZ"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("XYZ"), std::string::npos) << bad.err;
  auto unknown = RunSluice({"posts", "withhold", "--data", server_.data_dir(), "--id", "12345", "--countries", "DE"});
  EXPECT_EQ(unknown.exit_code, 1);
  auto withheld = RunSluice({"posts", "withhold", "--data", server_.data_dir(), "--id", post, "--countries", "de,FR"});
  ASSERT_EQ(withheld.exit_code, 0) << withheld.err;
  auto event = NextEvent(stream, std::chrono::seconds(10));
  ASSERT_TRUE(event.has_value()) << "no withheld event within 10 s";
  const json::value& e = event->at("data").at("withheld");
  EXPECT_EQ(Str(e.at("tweet"), "id"), post);
  EXPECT_EQ(Str(e.at("tweet"), "author_id"), user);
  EXPECT_EQ(json::serialize(e.at("withheld_in_countries")), R"(["DE","FR"])");
  auto elsewhere = NextEvent(other, std::chrono::milliseconds(300));
  EXPECT_FALSE(elsewhere.has_value()) << "another partition got " << json::serialize(*elsewhere);
  stream.Close();
  other.Close();
  EXPECT_EQ(server_.Stop(), 0);
  auto exported = RunSluice({"ledger", "export", "--data", server_.data_dir(), "--app", "0"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_NE(exported.out.find("stream:tweets/compliance/partition/" + std::to_string(mine)), std::string::npos);
}

TEST_F(ComplianceEventsTest, TheCommandsRefuseWhatTheyCannotApplyWithOneLineAndWriteNothing) {
  auto help = RunSluice({"users", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* name : {"suspend", "unsuspend", "delete", "undelete", "protect", "unprotect", "withhold", "scrub-geo"})
    EXPECT_NE(help.out.find(name), std::string::npos) << name;
  auto nobody = RunSluice({"users", "suspend", "--data", server_.data_dir(), "--username", "nobody_here"});
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_EQ(nobody.err, "sluice: no account named 'nobody_here'\n");
  auto no_subject = RunSluice({"users", "suspend", "--data", server_.data_dir()});
  EXPECT_NE(no_subject.exit_code, 0);
  auto both = RunSluice({"users", "suspend", "--data", server_.data_dir(), "--username", "a", "--id", "1"});
  EXPECT_NE(both.exit_code, 0);
  auto no_up_to = RunSluice({"users", "scrub-geo", "--data", server_.data_dir(), "--id", "1"});
  EXPECT_NE(no_up_to.exit_code, 0);
  auto no_countries = RunSluice({"posts", "withhold", "--data", server_.data_dir(), "--id", "1"});
  EXPECT_NE(no_countries.exit_code, 0);
}

// On PostgreSQL: the command, run with the servers' --store, reaches a server's stream through
// the shared outbox (the same path another node's or process's event takes).
TEST(ComplianceEventsPostgres, AnAccountDeletedThroughTheSharedStoreReachesTheUsersStream) {
  auto url = test::SharedPostgres::NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  SluiceServer server(*url, 5, 5);
  const std::string reader = server.CreateApp("compliance", "enterprise");
  server.Start();
  auto found = server.Get("/2/tweets/search/recent?query=a%20OR%20the%20OR%20de%20OR%20le&expansions=author_id", reader);
  ASSERT_EQ(found.status, 200) << found.body;
  const json::value doc = found.Json();
  ASSERT_TRUE(doc.as_object().contains("includes")) << found.body;
  const std::string user = Str(doc.at("includes").at("users").at(0), "id");
  StreamClient stream(server.port(), "/2/users/compliance/stream?partition=" + std::to_string(Partition(std::stoull(user))),
                      reader);
  ASSERT_EQ(stream.status(), 200) << stream.body();
  auto deleted = RunSluice({"users", "delete", "--data", server.data_dir(), "--store", *url, "--id", user});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  auto event = NextEvent(stream, std::chrono::seconds(10));
  ASSERT_TRUE(event.has_value()) << "no user_delete within 10 s";
  EXPECT_EQ(Str(event->at("data").at("user_delete").at("user"), "id"), user);
  auto looked = server.Get("/2/users/" + user, reader);
  ASSERT_EQ(looked.status, 200) << looked.body;
  EXPECT_EQ(Str(looked.Json().at("errors").at(0), "title"), "Not Found Error") << "a deleted account is not found";
  stream.Close();
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace sluice::testing
