#include "api/authenticate.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "access/apps.h"
#include "access/plans.h"

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
  ApiContext ctx() { return ApiContext{*store_, clock_, ids_, config_}; }
  // As Dispatch runs the stage: at the request's time, read once.
  Result<App> Auth(ApiContext& c, std::string_view header) {
    c.now = clock_.NowMs();
    return AuthenticateCached(c, header);
  }
};

TEST_F(AuthenticateCachedTest, FindsTheAppAndCachesItByHash) {
  ApiContext c = ctx();
  auto first = Auth(c, header_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->id, app_.id);
  EXPECT_EQ(first->plan, "pro");
  ASSERT_EQ(c.app_cache.size(), 1u);
  EXPECT_EQ(c.app_cache.begin()->first.size(), 32u);  // a SHA-256, never the token
  auto again = Auth(c, header_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, app_.id);
  EXPECT_EQ(again->uses, first->uses);
}

TEST_F(AuthenticateCachedTest, RefusesWhatTheStoreRefusesAndCachesNoRefusal) {
  ApiContext c = ctx();
  for (std::string_view bad : {"", "Basic abc", "Bearer ", "Bearer sl_not_a_token_of_any_app"}) {
    auto r = Auth(c, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.problem().status, 401) << bad;
  }
  EXPECT_TRUE(c.app_cache.empty());
}

TEST_F(AuthenticateCachedTest, ARevokedAppIsRefusedOnceTheEntryIsASecondOld) {
  ApiContext c = ctx();
  ASSERT_TRUE(Auth(c, header_).ok());
  RevokeAll();
  clock_.Advance(ApiContext::kAppCacheMs - 1);
  EXPECT_TRUE(Auth(c, header_).ok());  // still within the second
  clock_.Advance(1);
  auto r = Auth(c, header_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problem().status, 401);
  EXPECT_TRUE(c.app_cache.empty());
}

TEST_F(AuthenticateCachedTest, AClockThatGoesBackRereads) {
  ApiContext c = ctx();
  ASSERT_TRUE(Auth(c, header_).ok());
  RevokeAll();
  clock_.Advance(-1);
  EXPECT_FALSE(Auth(c, header_).ok());
}

}  // namespace
}  // namespace sluice
