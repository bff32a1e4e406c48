// `sluice serve --store postgres://...` on a real PostgreSQL of the test's own, stopped and
// started under it: 503 with Retry-After while it is down, the server alive, service resumed
// when it is back; nothing acknowledged lost, nothing refused stored.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <signal.h>

#include "harness.h"
#include "support/postgres_server.h"

namespace sluice::testing {
namespace {

std::string PostBody(const std::string& text) { return "{\"text\":\"" + text + "\"}"; }

size_t Found(SluiceServer& server, const std::string& token, const std::string& query) {
  auto r = server.Get("/2/tweets/search/recent?query=" + query, token);
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return 0;
  auto meta = r.Json().as_object().at("meta").as_object();
  return size_t(meta.at("result_count").as_int64());
}

TEST(PostgresServe, AnOutageIsA503AndServiceResumesWithNothingAcknowledgedLost) {
  char tmpl[] = "/tmp/sluice-pg-serve-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  chmod(dir.c_str(), 0755);  // the postgres user goes through
  auto pg = test::PostgresServer::Start(dir + "/pg");
  ASSERT_TRUE(pg.ok()) << pg.status().message();
  auto url = (*pg)->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  {
    SluiceServer server(*url, 20, 200);
    const std::string token = server.CreateApp("pg-app");
    server.Start();

    auto created = server.Request("POST", "/2/tweets", token, PostBody("pgackedmark before pgoutagemark"));
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(Found(server, token, "pgoutagemark"), 1u);

    ASSERT_TRUE((*pg)->Stop().ok());
    const auto start = std::chrono::steady_clock::now();
    auto read = server.Get("/2/tweets/search/recent?query=pgoutagemark", token);
    EXPECT_EQ(read.status, 503) << read.body;
    EXPECT_EQ(read.headers["retry-after"], "1");
    auto refused = server.Request("POST", "/2/tweets", token, PostBody("pgrefusedmark during the outage"));
    EXPECT_EQ(refused.status, 503) << refused.body;
    // Generous: a dead PostgreSQL is noticed at once (connection refused), never waited on.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(kill(server.pid(), 0), 0);  // still running

    ASSERT_TRUE((*pg)->StartAgain().ok());
    EXPECT_EQ(Found(server, token, "pgoutagemark"), 1u);  // the first request after: served
    EXPECT_EQ(Found(server, token, "pgrefusedmark"), 0u);
    auto after = server.Request("POST", "/2/tweets", token, PostBody("pgackedmark after pgoutagemark"));
    ASSERT_EQ(after.status, 201) << after.body;

    // A crash of PostgreSQL (immediate shutdown) right after: both acknowledged posts remain.
    ASSERT_TRUE((*pg)->Restart().ok());
    EXPECT_EQ(Found(server, token, "pgackedmark"), 2u);
    EXPECT_EQ(server.Stop(), 0);
  }
  pg->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::testing
