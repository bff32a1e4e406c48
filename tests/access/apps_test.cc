#include "access/apps.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "access/tokens.h"

namespace sluice {
namespace {

class AppsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-apps-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(*OpenStore({"sqlite", dir_, true}));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{1700000000000};
  SnowflakeGenerator ids_{clock_, 1};
};

TEST_F(AppsTest, CreatesProjectAccountAndHashedToken) {
  auto a = CreateApp(*store_, ids_, clock_, NewApp{.name = "My Reader", .plan = "pro"});
  ASSERT_TRUE(a.ok()) << a.problem().detail;
  auto found = store_->FindAppByTokenHash(HashToken(a->bearer_token));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, a->app.id);
  EXPECT_EQ((*found)->plan, "pro");
  auto account = store_->GetUsers(std::vector<Id>{a->app.user_id});
  ASSERT_EQ(account->size(), 1u);
  EXPECT_EQ(account->front().username, "My_Reader");
  // A second app of the same name gets the next free username, in the same project.
  auto b = CreateApp(*store_, ids_, clock_, NewApp{.name = "My Reader", .project_id = a->app.project_id});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->app.project_id, a->app.project_id);
  EXPECT_EQ(store_->GetUsers(std::vector<Id>{b->app.user_id})->front().username, "My_Reader1");
  // The token itself is not stored: a wrong token finds nothing.
  EXPECT_FALSE(store_->FindAppByTokenHash(HashToken("sl_wrong"))->has_value());
}

TEST_F(AppsTest, RejectsUnknownPlanUseAndProjectWritingNothing) {
  EXPECT_FALSE(CreateApp(*store_, ids_, clock_, NewApp{.name = "x", .plan = "gold"}).ok());
  EXPECT_FALSE(CreateApp(*store_, ids_, clock_, NewApp{.name = "x", .uses = {"resell"}}).ok());
  auto missing = CreateApp(*store_, ids_, clock_, NewApp{.name = "x", .project_id = 999});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.problem().detail, "project 999 does not exist");
  EXPECT_EQ(*store_->CountUsers(), 0);
  EXPECT_FALSE(*store_->ProjectExists(1));
}

}  // namespace
}  // namespace sluice
