// Integration: the sluice command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

namespace sluice::testing {
namespace {

TEST(Cli, EveryCommandHasHelp) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--help"}, {"serve", "--help"}, {"demo", "--help"}, {"seed", "--help"}, {"import", "--help"}, {"apps", "create", "--help"}}) {
    auto r = RunSluice(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << args[0];
  }
}

TEST(Cli, AppsCreatePrintsOneJsonObjectAndRejectsUnknownPlan) {
  SluiceServer s;
  auto r = RunSluice({"apps", "create", "--data", s.data_dir(), "--name", "reader", "--plan", "basic", "--use", "search,display"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = boost::json::parse(r.out).as_object();
  for (auto key : {"app_id", "project_id", "plan", "uses", "bearer_token"}) EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j.at("plan").as_string(), "basic");
  EXPECT_EQ(j.at("uses").as_array().size(), 2u);

  auto second = RunSluice({"apps", "create", "--data", s.data_dir(), "--name", "reader 2", "--project",
                           boost::json::value_to<std::string>(j.at("project_id"))});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(boost::json::parse(second.out).at("project_id"), j.at("project_id"));

  auto bad = RunSluice({"apps", "create", "--data", s.data_dir(), "--name", "x", "--plan", "platinum"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("unknown plan 'platinum'"), std::string::npos) << bad.err;
  auto bad_use = RunSluice({"apps", "create", "--data", s.data_dir(), "--name", "x", "--use", "resell"});
  EXPECT_NE(bad_use.exit_code, 0);
  EXPECT_NE(bad_use.err.find("unknown use 'resell'"), std::string::npos) << bad_use.err;
}

TEST(Cli, ImportIsAllOrNothingAndNamesTheBadLine) {
  SluiceServer s;
  std::string file = s.data_dir() + "/in.jsonl";
  {
    std::ofstream out(file);
    out << R"({"id":"2244994945","username":"XDevelopers","name":"Developers"})" << "\n";
    out << R"({"id":"1460323737035677698","text":"Hello #world","author_id":"2244994945","created_at":"2021-11-15T19:08:05.069Z","lang":"en"})" << "\n";
    out << R"({"id":"oops","text":"bad id"})" << "\n";
  }
  auto r = RunSluice({"import", "--data", s.data_dir(), file});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(":3:"), std::string::npos) << r.err;

  // Nothing was imported: fixing the file imports both lines, with no conflict.
  {
    std::ofstream out(file);
    out << R"({"id":"2244994945","username":"XDevelopers","name":"Developers"})" << "\n";
    out << R"({"id":"1460323737035677698","text":"Hello #world","author_id":"2244994945","created_at":"2021-11-15T19:08:05.069Z","lang":"en"})" << "\n";
  }
  auto ok = RunSluice({"import", "--data", s.data_dir(), file});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  std::string token = s.CreateApp("importer");
  s.Start();
  auto got = s.Get("/2/tweets/1460323737035677698?tweet.fields=created_at,author_id,entities&expansions=author_id", token);
  ASSERT_EQ(got.status, 200) << got.body;
  auto j = got.Json();
  EXPECT_EQ(j.at("data").at("created_at").as_string(), "2021-11-15T19:08:05.069Z");
  EXPECT_EQ(j.at("includes").at("users").at(0).at("username").as_string(), "XDevelopers");
  EXPECT_EQ(j.at("data").at("entities").at("hashtags").at(0).at("tag").as_string(), "world");
}

// `sluice demo` on an empty data dir seeds, serves, and prints a token and three curl lines
// that work, and the admin API's (with the admin token): each is run here as printed (token,
// URL) against the demo server. The console key it prints signs in to the portal.
TEST(Cli, DemoPrintsWorkingCurlLines) {
  SluiceServer s;
  auto lines = s.StartDemo();
  std::vector<std::string> curls;
  for (const auto& l : lines)
    if (l.find("curl ") != std::string::npos) curls.push_back(l);
  ASSERT_EQ(curls.size(), 4u);
  std::string console_key;
  for (const auto& l : lines)
    if (size_t k = l.find("sluice_console_"); k != std::string::npos) console_key = l.substr(k);
  auto session = s.Request("POST", "/admin/v1/session", "", "{\"console_key\":\"" + console_key + "\"}");
  EXPECT_EQ(session.status, 200) << session.body;
  EXPECT_EQ(session.Json().at("data").at("role").as_string(), "project");
  for (const auto& c : curls) {
    size_t t = c.find("Bearer ") + 7;
    std::string token = c.substr(t, c.find('\'', t) - t);
    size_t u = c.find("'http://");
    std::string url = c.substr(u + 1, c.rfind('\'') - u - 1);
    std::string target = url.substr(url.find('/', 8));
    auto r = s.Get(target, token);
    EXPECT_EQ(r.status, 200) << c << "\n" << r.body;
    EXPECT_GT(r.Json().at("data").is_array() ? r.Json().at("data").as_array().size() : 1u, 0u) << c;
  }
}

TEST(Cli, BadStoreUrlFailsWithOneLine) {
  auto r = RunSluice({"seed", "--data", "/tmp/x", "--store", "mysql://nope", "--users", "1", "--posts", "1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unknown store URL"), std::string::npos) << r.err;
}

// --listen is checked before anything starts: `127.0.0.1:abc` used to bind a random port (atoi
// read "abc" as 0) and serve there.
TEST(Cli, BadListenAddressFailsWithOneLineNamingIt) {
  SluiceServer s;
  for (const auto& [listen, reason] : std::vector<std::pair<std::string, std::string>>{
           {"127.0.0.1:abc", "the port 'abc' is not an integer"},
           {"127.0.0.1:", "expected IPv4:PORT or [IPv6]:PORT (no port)"},
           {":80", "expected IPv4:PORT or [IPv6]:PORT (no host)"},
           {"127.0.0.1:70000", "the port must be 0..65535"},
           {"localhost:8080", "'localhost' is not an IP address (IPv4, or IPv6 in brackets; host names are not accepted)"}}) {
    auto r = RunSluice({"serve", "--data", s.data_dir(), "--listen", listen});
    EXPECT_EQ(r.exit_code, 1) << listen;
    EXPECT_EQ(r.err, "sluice: --listen " + listen + ": " + reason + "\n") << listen;
    EXPECT_EQ(r.out, "") << listen;
  }
  // The same check on server.listen in a config file names the file and the key.
  const std::string config = s.data_dir() + "/sluice.toml";
  std::ofstream(config) << "[server]\nlisten = \"127.0.0.1:abc\"\n";
  auto r = RunSluice({"serve", "--data", s.data_dir(), "--config", config});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "sluice: " + config + ": key 'server.listen' is \"127.0.0.1:abc\": the port 'abc' is not an integer\n");
}

// Integer flags are read as ParseInt reads them: CLI11 alone took " 5" and "0x10" (as 16),
// wrapped "--seed -1", and called "12abc" out of range.
TEST(Cli, IntegerFlagsAreDecimalIntegersInRange) {
  SluiceServer s;
  auto run = [&](std::vector<std::string> flags) {
    std::vector<std::string> args = {"seed", "--data", s.data_dir(), "--posts", "0"};
    args.insert(args.end(), flags.begin(), flags.end());
    return RunSluice(args);
  };
  auto r = run({"--users", "12abc"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--users: Value 12abc is not an integer"), std::string::npos) << r.err;
  r = run({"--users", "0x10"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--users: Value 0x10 is not an integer"), std::string::npos) << r.err;
  r = run({"--users", " 5"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("is not an integer"), std::string::npos) << r.err;
  r = run({"--users", "0"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--users: Value 0 not in range 1 to 10000000"), std::string::npos) << r.err;
  r = run({"--users", "1", "--seed", "-1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--seed: Value -1 not in range 0 to 18446744073709551615"), std::string::npos) << r.err;
  r = run({"--users", "2", "--seed", "18446744073709551615"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "seeded 2 users and 0 posts into " + s.data_dir() + "\n");

  auto project = RunSluice({"apps", "create", "--data", s.data_dir(), "--name", "x", "--project", "12abc"});
  EXPECT_EQ(project.exit_code, 1);
  EXPECT_EQ(project.err, "sluice: --project 12abc: not an integer\n");
  project = RunSluice({"apps", "create", "--data", s.data_dir(), "--name", "x", "--project", "0"});
  EXPECT_EQ(project.exit_code, 1);
  EXPECT_EQ(project.err, "sluice: --project 0: must be positive\n");
}

}  // namespace
}  // namespace sluice::testing
