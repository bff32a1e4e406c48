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
// that work: each is run here as printed (token, URL) against the demo server.
TEST(Cli, DemoPrintsWorkingCurlLines) {
  SluiceServer s;
  auto lines = s.StartDemo();
  std::vector<std::string> curls;
  for (const auto& l : lines)
    if (l.find("curl ") != std::string::npos) curls.push_back(l);
  ASSERT_EQ(curls.size(), 3u);
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

}  // namespace
}  // namespace sluice::testing
