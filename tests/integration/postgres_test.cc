// sluice on PostgreSQL: `serve --store postgres://...` on a PostgreSQL of the test's own,
// stopped and started under it (503 with Retry-After while it is down, the server alive,
// service resumed when it is back; nothing acknowledged lost, nothing refused stored), and
// every command against it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <signal.h>

#include <atomic>
#include <thread>

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

// [store] pool_size bounds the connections a server keeps: 4 workers answering 8 concurrent
// clients through a pool of 2 never hold more than 2 (PostgreSQL's own count says so).
TEST(PostgresServe, KeepsNoMoreConnectionsThanItsPoolSize) {
  auto url = test::SharedPostgres::NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  SluiceServer server(*url, 20, 200);
  const std::string token = server.CreateApp("pool-app");
  const std::string config = server.data_dir() + "/pool.toml";
  std::ofstream(config) << "[server]\nworkers = 4\n[store]\npool_size = 2\n";
  server.Start({"--config", config});
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&] {
      for (int j = 0; j < 10; ++j)
        if (server.Get("/2/tweets/search/recent?query=the&max_results=100", token).status == 200) ++ok;
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 80);
  // Counted while the server still holds its pool open.
  FILE* psql = popen(("psql '" + *url + "' -Atc \"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                      " AND pid <> pg_backend_pid()\" 2>&1").c_str(), "r");
  ASSERT_NE(psql, nullptr);
  char line[128] = {};
  const bool read = fgets(line, sizeof line, psql) != nullptr;
  pclose(psql);
  ASSERT_TRUE(read);
  const int held = std::atoi(line);
  EXPECT_GE(held, 1) << line;
  EXPECT_LE(held, 3) << line;  // the pool's 2, and the change feed's LISTEN session (pg_listener.h)
  EXPECT_EQ(server.Stop(), 0);
}

// The commands against PostgreSQL: seed, import, apps, keys, credits, then serve, and usage,
// invoice and trace over what it delivered.
TEST(PostgresCommands, EveryCommandWorksAgainstPostgres) {
  auto url = test::SharedPostgres::NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  SluiceServer server(*url, 30, 300);
  const std::string& data = server.data_dir();
  ASSERT_TRUE(server.Import(
      R"({"id":"900001","username":"importer","name":"Importer","created_at":"2020-01-01T00:00:00.000Z"})"
      "\n"
      R"({"id":"1800000000000000001","text":"imported pgimportmark","author_id":"900001","created_at":"2024-01-01T00:00:00.000Z"})"
      "\n"));
  auto created = RunSluice({"apps", "create", "--data", data, "--store", *url, "--name", "payer", "--plan", "payg"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const auto app = boost::json::parse(created.out).as_object();
  const std::string project(app.at("project_id").as_string());
  auto credits = RunSluice({"credits", "add", "--data", data, "--store", *url, "--project", project, "--usd", "5"});
  ASSERT_EQ(credits.exit_code, 0) << credits.err;
  auto rotated = RunSluice({"keys", "rotate", "--data", data, "--store", *url, "--app", std::string(app.at("app_id").as_string())});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  const std::string token(boost::json::parse(rotated.out).at("bearer_token").as_string());

  server.Start();
  auto lookup = server.Get("/2/tweets?ids=1800000000000000001", token);
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  auto search = server.Get("/2/tweets/search/recent?query=the&max_results=50", token);
  ASSERT_EQ(search.status, 200) << search.body;
  ASSERT_EQ(server.Stop(), 0);

  auto usage = RunSluice({"usage", "--data", data, "--store", *url, "--project", project});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  EXPECT_GT(boost::json::parse(usage.out).at("posts_read").as_int64(), 1);
  auto invoice = RunSluice({"invoice", "--data", data, "--store", *url, "--project", project, "--month",
                            boost::json::parse(usage.out).at("month").as_string().c_str()});
  ASSERT_EQ(invoice.exit_code, 0) << invoice.err;
  EXPECT_NE(invoice.out.find("total_usd"), std::string::npos);
  const std::string dataset = data + "/dataset.json";
  std::ofstream(dataset) << search.body;
  auto trace = RunSluice({"trace", "--data", data, "--store", *url, "--json", dataset});
  ASSERT_EQ(trace.exit_code, 0) << trace.err;
  EXPECT_NE(trace.out.find(std::string(app.at("app_id").as_string())), std::string::npos);  // the app is named
}

}  // namespace
}  // namespace sluice::testing
