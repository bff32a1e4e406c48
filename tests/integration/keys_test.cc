// `sluice keys revoke|rotate` against a running server: the old token is refused by every
// worker as soon as the command returns (before, each worker's app cache served it up to 1 s).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "harness.h"

namespace sluice::testing {
namespace {

struct CreatedApp {
  std::string id;
  std::string token;
};

CreatedApp Create(const SluiceServer& s, const std::string& name) {
  auto r = RunSluice({"apps", "create", "--data", s.data_dir(), "--name", name, "--plan", "pro"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto json = boost::json::parse(r.out);
  return {Str(json, "app_id"), Str(json, "bearer_token")};
}

// Four workers and eight connections: the server hands connections to its workers in turn,
// so each worker answers two of them.
void StartWithWorkers(SluiceServer& s) {
  std::string config = s.data_dir() + "/keys.toml";
  std::ofstream(config) << "[server]\nworkers = 4\n";
  s.Start({"--config", config});
}

constexpr int kConnections = 8;
const std::string kTarget = "/2/users/by/username/nobody_here";

std::vector<std::unique_ptr<KeepAliveClient>> Connect(const SluiceServer& s) {
  std::vector<std::unique_ptr<KeepAliveClient>> out;
  for (int i = 0; i < kConnections; ++i) out.push_back(std::make_unique<KeepAliveClient>(s.port()));
  return out;
}

TEST(Keys, ARevokedTokenIsRefusedOnEveryWorkerAsSoonAsTheCommandReturns) {
  SluiceServer s(5, 20);
  StartWithWorkers(s);
  auto connections = Connect(s);
  std::set<std::string> workers;  // x-request-id: 12 hex digits of start time, then the worker's 2
  for (auto& c : connections) workers.insert(c->Get("/healthz", "").headers.at("x-request-id").substr(12, 2));
  ASSERT_EQ(workers.size(), 4u) << "the connections must be served by all four workers";
  for (int round = 0; round < 20; ++round) {
    CreatedApp app = Create(s, "revoked " + std::to_string(round));
    for (auto& c : connections) ASSERT_NE(c->Get(kTarget, app.token).status, 401);  // cached by every worker
    auto revoke = RunSluice({"keys", "revoke", "--data", s.data_dir(), "--app", app.id});
    ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
    for (size_t i = 0; i < connections.size(); ++i)
      EXPECT_EQ(connections[i]->Get(kTarget, app.token).status, 401) << "round " << round << ", connection " << i;
  }
}

TEST(Keys, ARotatedTokenIsRefusedAndTheNewOneServedOnEveryWorker) {
  SluiceServer s(5, 20);
  StartWithWorkers(s);
  auto connections = Connect(s);
  CreatedApp app = Create(s, "rotated");
  for (auto& c : connections) ASSERT_NE(c->Get(kTarget, app.token).status, 401);
  auto rotate = RunSluice({"keys", "rotate", "--data", s.data_dir(), "--app", app.id});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.err;
  auto json = boost::json::parse(rotate.out);
  EXPECT_EQ(Str(json, "app_id"), app.id);
  EXPECT_EQ(Str(json, "plan"), "pro");
  std::string fresh = Str(json, "bearer_token");
  EXPECT_NE(fresh, app.token);
  for (auto& c : connections) {
    EXPECT_EQ(c->Get(kTarget, app.token).status, 401);
    EXPECT_EQ(c->Get(kTarget, fresh).status, 200);  // X answers an unknown username with 200 and errors[]
  }
}

TEST(Keys, AnUnknownOrRevokedAppIsOneClearLine) {
  SluiceServer s;
  auto unknown = RunSluice({"keys", "revoke", "--data", s.data_dir(), "--app", "42"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_EQ(unknown.err, "sluice: app 42 does not exist\n");
  CreatedApp app = Create(s, "gone");
  ASSERT_EQ(RunSluice({"keys", "revoke", "--data", s.data_dir(), "--app", app.id}).exit_code, 0);
  auto again = RunSluice({"keys", "rotate", "--data", s.data_dir(), "--app", app.id});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_EQ(again.err, "sluice: app " + app.id + " is revoked\n");
  EXPECT_EQ(again.out, "");
}

// Two credentials: which one names the client is not guessed (the first used to win).
TEST(Keys, TwoAuthorizationHeadersAreA400) {
  SluiceServer s(5, 20);
  s.Start();
  CreatedApp app = Create(s, "twice");
  std::string reply = s.Raw("GET " + kTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + app.token +
                            "\r\nAuthorization: Bearer sl_someone_else\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  auto body = boost::json::parse(reply.substr(reply.find("\r\n\r\n") + 4));
  EXPECT_EQ(Str(body, "type"), "https://api.x.com/2/problems/invalid-request");
  EXPECT_EQ(body.at("errors").at(0).at("message").as_string(), "The request has more than one Authorization header");
  EXPECT_EQ(s.Get(kTarget, app.token).status, 200);  // one header: served
}

}  // namespace
}  // namespace sluice::testing
