// Apps as OAuth 2.0 clients through the real binary (issue 15): `apps create --redirect-uri`,
// `apps create --public-client`, `apps redirect-uris`, `keys rotate --client-secret`, on SQLite
// and on PostgreSQL.
#include <gtest/gtest.h>

#include "harness.h"
#include "support/postgres_server.h"

namespace sluice::testing {
namespace {

std::vector<std::string> Strings(const boost::json::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

// Every step of an app's client, with `store` ("" for the data dir's SQLite); returns the app's
// bearer token, still valid after the client secret was rotated.
std::string ExerciseClients(const std::string& data, const std::string& store) {
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 2, {"--data", data});
    if (!store.empty()) args.insert(args.end(), {"--store", store});
    return RunSluice(args);
  };
  auto created = run({"apps", "create", "--name", "client app", "--redirect-uri", "https://app.example/callback",
                      "--redirect-uri", "http://127.0.0.1:8765/cb"});
  EXPECT_EQ(created.exit_code, 0) << created.err;
  auto app = boost::json::parse(created.out).as_object();
  const std::string id(app.at("app_id").as_string());
  const std::string client_id(app.at("client_id").as_string());
  EXPECT_EQ(client_id.size(), 34u);
  EXPECT_EQ(app.at("client_secret").as_string().size(), 50u);
  EXPECT_EQ(Strings(app.at("redirect_uris")),
            (std::vector<std::string>{"https://app.example/callback", "http://127.0.0.1:8765/cb"}));

  auto plain = run({"apps", "create", "--name", "no uris"});  // a client with or without redirect URIs
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  auto plain_app = boost::json::parse(plain.out).as_object();
  EXPECT_TRUE(plain_app.at("redirect_uris").as_array().empty());
  EXPECT_NE(plain_app.at("client_id").as_string(), client_id);

  // A public client (a native or single-page app): a client id and no secret, to rotate neither.
  auto native = run({"apps", "create", "--name", "native app", "--public-client", "--redirect-uri",
                     "http://127.0.0.1:8765/cb"});
  EXPECT_EQ(native.exit_code, 0) << native.err;
  auto native_app = boost::json::parse(native.out).as_object();
  EXPECT_EQ(native_app.at("client_id").as_string().size(), 34u);
  EXPECT_EQ(native_app.at("client_type").as_string(), "public");
  EXPECT_FALSE(native_app.contains("client_secret"));
  const std::string native_id(native_app.at("app_id").as_string());
  auto no_secret = run({"keys", "rotate", "--app", native_id, "--client-secret"});
  EXPECT_EQ(no_secret.exit_code, 1);
  EXPECT_EQ(no_secret.err, "sluice: app " + native_id + " is a public client: it has no secret\n");

  auto refused = run({"apps", "create", "--name", "bad", "--redirect-uri", "http://app.example/cb"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("only https:// is allowed, except for the loopback hosts"), std::string::npos) << refused.err;
  auto fragment = run({"apps", "create", "--name", "bad", "--redirect-uri", "https://app.example/cb#x"});
  EXPECT_EQ(fragment.exit_code, 1);
  EXPECT_NE(fragment.err.find("has a fragment"), std::string::npos) << fragment.err;

  auto listed = run({"apps", "redirect-uris", "--app", id});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(Strings(boost::json::parse(listed.out).at("redirect_uris")).size(), 2u);
  auto changed = run({"apps", "redirect-uris", "--app", id, "--remove", "http://127.0.0.1:8765/cb", "--add",
                      "https://app.example/other"});
  EXPECT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(Strings(boost::json::parse(changed.out).at("redirect_uris")),
            (std::vector<std::string>{"https://app.example/callback", "https://app.example/other"}));
  auto duplicate = run({"apps", "redirect-uris", "--app", id, "--add", "https://app.example/other"});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_EQ(duplicate.err, "sluice: redirect URI 'https://app.example/other' is already registered for app " + id + "\n");

  auto rotated = run({"keys", "rotate", "--app", id, "--client-secret"});
  EXPECT_EQ(rotated.exit_code, 0) << rotated.err;
  auto secret = boost::json::parse(rotated.out).as_object();
  EXPECT_EQ(secret.at("client_id").as_string(), client_id);  // the id stays
  EXPECT_NE(secret.at("client_secret").as_string(), app.at("client_secret").as_string());
  EXPECT_FALSE(secret.contains("bearer_token"));  // the bearer token is left as it was
  auto unknown = run({"keys", "rotate", "--app", "12345", "--client-secret"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "sluice: app 12345 does not exist\n");
  return std::string(app.at("bearer_token").as_string());
}

TEST(Clients, AppsAreOAuthClientsOnSqlite) {
  SluiceServer s(5, 20);
  std::string token = ExerciseClients(s.data_dir(), "");
  s.Start();
  EXPECT_NE(s.Get("/2/users/by/username/nobody_here", token).status, 401);  // the bearer token still serves
  EXPECT_EQ(s.Stop(), 0);
}

TEST(Clients, AppsAreOAuthClientsOnPostgres) {
  auto url = test::SharedPostgres::NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().message();
  SluiceServer s(*url, 5, 20);
  std::string token = ExerciseClients(s.data_dir(), *url);
  s.Start();
  EXPECT_NE(s.Get("/2/users/by/username/nobody_here", token).status, 401);
  EXPECT_EQ(s.Stop(), 0);
}

}  // namespace
}  // namespace sluice::testing
