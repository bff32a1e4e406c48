#include "api/authenticate.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "access/apps.h"
#include "access/keys.h"
#include "access/oauth_tokens.h"
#include "access/plans.h"
#include "access/revocations.h"
#include "api/executor.h"
#include "api/metrics.h"

namespace sluice {
namespace {

class AuthenticateCachedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-auth-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(*OpenStore({"sqlite", dir_, true}));
    NewApp request;
    request.name = "cached";
    request.plan = "pro";
    auto created = CreateApp(*store_, ids_, clock_, Plans::Defaults(), request);
    ASSERT_TRUE(created.ok());
    app_ = created->app;
    header_ = "Bearer " + created->bearer_token;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Revokes every app behind the store's back, as another process would.
  void RevokeAll() {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ + "/sluice.db").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, "UPDATE apps SET revoked_at = 1", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }

  std::string dir_;
  ManualClock clock_{1'700'000'000'000};
  SnowflakeGenerator ids_{clock_, 1};
  Config config_;
  std::unique_ptr<Store> store_;
  App app_;
  std::string header_;
  Metrics metrics_;
  QueueExecutor executor_;
  Services services_{clock_, ids_, config_, Plans::Defaults(), metrics_};
  // A worker of its own per test: its cache starts empty.
  WorkerState Worker() { return WorkerState(*store_, executor_); }
  // As the stage runs it: at the request's time, read once. nullopt: refused (401).
  std::optional<App> Auth(WorkerState& w, std::string_view header, const Services* services = nullptr) {
    auto found = AuthenticateCached(services ? *services : services_, w, clock_.NowMs(), header);
    EXPECT_TRUE(found.ok()) << "the store failed";
    if (!found.ok() || !*found) return std::nullopt;
    EXPECT_FALSE((*found)->user) << "an app token names no user";
    return (*found)->app;
  }
};

TEST_F(AuthenticateCachedTest, FindsTheAppAndCachesItByHash) {
  WorkerState c = Worker();
  auto first = Auth(c, header_);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id, app_.id);
  EXPECT_EQ(first->plan, "pro");
  ASSERT_EQ(c.app_cache.size(), 1u);
  EXPECT_EQ(c.app_cache.begin()->first.size(), 32u);  // a SHA-256, never the token
  auto again = Auth(c, header_);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id, app_.id);
  EXPECT_EQ(again->uses, first->uses);
}

TEST_F(AuthenticateCachedTest, RefusesWhatTheStoreRefusesAndCachesNoRefusal) {
  WorkerState c = Worker();
  for (std::string_view bad : {"", "Basic abc", "Bearer ", "Bearer sl_not_a_token_of_any_app"}) {
    auto r = Auth(c, bad);
    ASSERT_FALSE(r.has_value()) << bad;
  }
  EXPECT_TRUE(c.app_cache.empty());
}

TEST_F(AuthenticateCachedTest, ARevokedAppIsRefusedOnceTheEntryIsASecondOld) {
  WorkerState c = Worker();
  ASSERT_TRUE(Auth(c, header_).has_value());
  RevokeAll();
  clock_.Advance(WorkerState::kAppCacheMs - 1);
  EXPECT_TRUE(Auth(c, header_).has_value());  // still within the second
  clock_.Advance(1);
  auto r = Auth(c, header_);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(c.app_cache.empty());
}

// Another node's revocation moves no generation here: a user access token's entry is re-read
// after kUserTokenCacheMs, so an account revoking an app on any node holds on this one within a
// second.
TEST_F(AuthenticateCachedTest, ARevokedUserTokenIsRefusedOnceTheEntryIsHalfASecondOld) {
  WriteBatch users;
  users.users = {User{.id = 20, .username = "alice", .name = "Alice"}};
  ASSERT_TRUE(store_->Apply(users).ok());
  const std::string verifier(43, 'v');
  CodeGrantRequest grant{.app_id = app_.id, .user_id = 20, .scopes = *ParseScopes("tweet.read users.read"),
                         .redirect_uri = "https://app.example/cb", .method = PkceMethod::kPlain, .code_challenge = verifier};
  auto code = IssueCode(*store_, grant, clock_.NowMs());
  ASSERT_TRUE(code.ok()) << code.status().message();
  auto exchanged = ExchangeCode(*store_, nullptr, app_, *code, grant.redirect_uri, verifier, clock_.NowMs());
  ASSERT_TRUE(exchanged.ok() && exchanged->tokens) << exchanged.status().message();
  const std::string header = "Bearer " + exchanged->tokens->access_token;
  WorkerState c = Worker();
  auto first = AuthenticateCached(services_, c, clock_.NowMs(), header);
  ASSERT_TRUE(first.ok() && *first && (*first)->user);
  EXPECT_EQ((*first)->user->user_id, 20);
  ASSERT_TRUE(RevokeAppForUser(*store_, nullptr, 20, app_.id, clock_.NowMs()).ok());
  clock_.Advance(kUserTokenCacheMs - 1);
  auto cached = AuthenticateCached(services_, c, clock_.NowMs(), header);
  EXPECT_TRUE(cached.ok() && *cached);  // still within its half second
  clock_.Advance(1);
  auto reread = AuthenticateCached(services_, c, clock_.NowMs(), header);
  ASSERT_TRUE(reread.ok());
  EXPECT_FALSE(*reread);
  EXPECT_LT(kUserTokenCacheMs, WorkerState::kAppCacheMs);
}

TEST_F(AuthenticateCachedTest, AClockThatGoesBackRereads) {
  WorkerState c = Worker();
  ASSERT_TRUE(Auth(c, header_).has_value());
  RevokeAll();
  clock_.Advance(-1);
  EXPECT_FALSE(Auth(c, header_).has_value());
}

// `sluice keys revoke|rotate` bump the data dir's generation after their commit; a worker that
// sees it moved drops its cache, so the change holds from the next request on, with no wait.
TEST_F(AuthenticateCachedTest, ARevocationThatBumpedTheGenerationHoldsFromTheNextRequest) {
  auto generation = RevocationGeneration::Open(dir_);
  ASSERT_TRUE(generation.ok());
  WorkerState c = Worker();
  Services services = services_;
  services.revocations = generation->get();
  ASSERT_TRUE(Auth(c, header_, &services));
  // Another process's handle on the same file, as the command's is.
  auto command = RevocationGeneration::Open(dir_);
  ASSERT_TRUE(command.ok());
  auto other_store = OpenStore({"sqlite", dir_, false});
  ASSERT_TRUE(other_store.ok());
  ASSERT_TRUE(RevokeKey(**other_store, **command, clock_, app_.id).ok());
  EXPECT_EQ((*generation)->Load(), (*command)->Load());
  auto r = Auth(c, header_, &services);  // same instant: within kAppCacheMs of the cached entry
  ASSERT_FALSE(r.has_value());
}

TEST_F(AuthenticateCachedTest, ARotatedTokenIsRefusedAndTheNewOneServedAtOnce) {
  auto generation = RevocationGeneration::Open(dir_);
  ASSERT_TRUE(generation.ok());
  WorkerState c = Worker();
  Services services = services_;
  services.revocations = generation->get();
  ASSERT_TRUE(Auth(c, header_, &services));
  auto token = RotateKey(*store_, **generation, app_.id);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_FALSE(Auth(c, header_, &services).has_value());
  auto fresh = Auth(c, "Bearer " + *token, &services);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->id, app_.id);
}

TEST_F(AuthenticateCachedTest, KeysOfAnUnknownOrRevokedAppAreRefusedByName) {
  auto generation = RevocationGeneration::Open(dir_);
  ASSERT_TRUE(generation.ok());
  uint64_t before = (*generation)->Load();
  auto unknown = RotateKey(*store_, **generation, 12345);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "app 12345 does not exist");
  ASSERT_TRUE(RevokeKey(*store_, **generation, clock_, app_.id).ok());
  Status again = RevokeKey(*store_, **generation, clock_, app_.id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.message(), "app " + std::to_string(app_.id) + " is revoked");
  auto rotated = RotateKey(*store_, **generation, app_.id);
  ASSERT_FALSE(rotated.ok());
  EXPECT_EQ(rotated.status().message(), "app " + std::to_string(app_.id) + " is revoked");
  EXPECT_EQ((*generation)->Load(), before + 1);  // only the revocation that happened moved it
  auto apps = store_->ListApps();  // kept for evidence
  ASSERT_TRUE(apps.ok());
  EXPECT_EQ(apps->size(), 1u);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

UserAccess UserWith(std::string_view scopes) {
  UserAccess u;
  u.user_id = 9;
  u.scopes = *ParseScopes(scopes);
  return u;
}

TEST(CheckTokenKind, UserTokensNeedEveryScopeXRequires) {
  EXPECT_TRUE(CheckTokenKind(RouteId::kGetPost, UserWith("tweet.read users.read"), false).ok());
  Status s = CheckTokenKind(RouteId::kGetPost, UserWith("tweet.read"), false);
  EXPECT_EQ(s.code(), StatusCode::kMissingScope);
  EXPECT_NE(s.message().find("lacks users.read"), std::string::npos) << s.message();
  EXPECT_EQ(CheckTokenKind(RouteId::kCreatePost, UserWith("tweet.read users.read"), false).code(), StatusCode::kMissingScope);
  EXPECT_TRUE(CheckTokenKind(RouteId::kCreatePost, UserWith("tweet.read tweet.write users.read"), false).ok());
  EXPECT_TRUE(CheckTokenKind(RouteId::kGetMe, UserWith("tweet.read users.read"), false).ok());
}

TEST(CheckTokenKind, UserTokensAreRefusedWhereXTakesAppTokensOnly) {
  for (RouteId r : {RouteId::kGetUsage, RouteId::kSearchAll, RouteId::kCountAll})
    EXPECT_EQ(CheckTokenKind(r, UserWith("tweet.read users.read offline.access"), false).code(),
              StatusCode::kUnsupportedAuthentication)
        << EndpointName(r);
}

TEST(CheckTokenKind, AppTokensWriteOnlyWhenTheOperatorAllowsIt) {
  for (RouteId r : {RouteId::kCreatePost, RouteId::kDeletePost}) {
    EXPECT_EQ(CheckTokenKind(r, std::nullopt, false).code(), StatusCode::kUnsupportedAuthentication);
    EXPECT_TRUE(CheckTokenKind(r, std::nullopt, true).ok());
  }
  // users/me names no account for an app token, whatever the config.
  EXPECT_EQ(CheckTokenKind(RouteId::kGetMe, std::nullopt, true).code(), StatusCode::kUnsupportedAuthentication);
  // Reads stay open to app tokens, the user-context-only ones on X included (docs/api.md).
  for (RouteId r : {RouteId::kGetPost, RouteId::kSearchUsers, RouteId::kGetLikingUsers, RouteId::kGetUsage})
    EXPECT_TRUE(CheckTokenKind(r, std::nullopt, false).ok()) << EndpointName(r);
}

}  // namespace
}  // namespace sluice
