// The admin API's projects in both stores (store.h): a project made with its plan and console
// key, the key replaced (the old one finds nothing), the plan kept until its first app, and a
// project's apps listed with when they were revoked and their client id.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

class StoreProjectsTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-projects-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Apply({{User{.id = 10, .username = "poster", .name = "P"}}, {}}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

const std::string kKey1(32, '\x01'), kKey2(32, '\x02');

TEST_P(StoreProjectsTest, AProjectKeepsItsPlanAndConsoleKey) {
  // 2026-12-07: the cycle resets on the 7th.
  auto id = store_->CreateProjectWithKey("acme", "pro", kKey1, 1796601600000);
  ASSERT_TRUE(id.ok()) << id.status().message();
  auto p = store_->GetProject(*id);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->name, "acme");
  EXPECT_EQ((*p)->plan, "pro");  // no app yet: the project's own
  EXPECT_EQ((*p)->cap_reset_day, 7);
  EXPECT_EQ(*store_->ConsoleKeyHash(*id), std::optional<std::string>(kKey1));
  EXPECT_EQ(*store_->FindProjectByConsoleKey(kKey1), std::optional<Id>(*id));
  auto listed = store_->ListProjects();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).plan, "pro");
}

TEST_P(StoreProjectsTest, ARotatedKeyReplacesTheOld) {
  auto id = store_->CreateProjectWithKey("acme", "basic", kKey1, 1);
  ASSERT_TRUE(id.ok());
  auto set = store_->SetConsoleKey(*id, kKey2);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(*set);
  EXPECT_EQ(*store_->FindProjectByConsoleKey(kKey1), std::nullopt);
  EXPECT_EQ(*store_->FindProjectByConsoleKey(kKey2), std::optional<Id>(*id));
  EXPECT_EQ(*store_->ConsoleKeyHash(*id), std::optional<std::string>(kKey2));
  EXPECT_FALSE(*store_->SetConsoleKey(*id + 1000, kKey1));  // no such project: nothing written
  EXPECT_EQ(*store_->FindProjectByConsoleKey(kKey1), std::nullopt);
  EXPECT_EQ(*store_->ConsoleKeyHash(*id + 1000), std::nullopt);
  // A project made before console keys (CreateProject) has none.
  auto old = store_->CreateProject("old", 1);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(*store_->ConsoleKeyHash(*old), std::optional<std::string>(""));
  EXPECT_EQ((*store_->GetProject(*old))->plan, "");
}

TEST_P(StoreProjectsTest, AProjectsAppsAreListedRevokedOnesToo) {
  auto id = store_->CreateProjectWithKey("acme", "basic", kKey1, 1);
  auto other = store_->CreateProjectWithKey("other", "basic", kKey2, 1);
  ASSERT_TRUE(id.ok() && other.ok());
  ASSERT_TRUE(store_->InsertApp(App{101, *id, "a", "basic", {"search"}, 10, 5}, std::string(32, 'a')).ok());
  ASSERT_TRUE(store_->InsertApp(App{102, *id, "b", "basic", {"search", "display"}, 10, 6}, std::string(32, 'b')).ok());
  ASSERT_TRUE(store_->InsertApp(App{103, *other, "c", "basic", {"search"}, 10, 7}, std::string(32, 'c')).ok());
  ASSERT_TRUE(*store_->RevokeApp(101, 99));
  auto client = store_->SetAppClientSecret(102, "client-102", std::string(32, 's'));
  ASSERT_TRUE(client.ok() && client->has_value());
  auto apps = store_->ListProjectApps(*id);
  ASSERT_TRUE(apps.ok()) << apps.status().message();
  ASSERT_EQ(apps->size(), 2u);
  EXPECT_EQ(apps->at(0).app.id, 101);
  EXPECT_EQ(apps->at(0).revoked_at, std::optional<TimeMs>(99));
  EXPECT_EQ(apps->at(0).client_id, "");
  EXPECT_EQ(apps->at(1).app.id, 102);
  EXPECT_EQ(apps->at(1).app.uses, (std::vector<std::string>{"search", "display"}));
  EXPECT_EQ(apps->at(1).revoked_at, std::nullopt);
  EXPECT_EQ(apps->at(1).client_id, "client-102");
  EXPECT_TRUE(store_->ListProjectApps(999)->empty());
  // One app by id, revoked or not, as the list has it.
  auto revoked = store_->GetProjectApp(101);
  ASSERT_TRUE(revoked.ok()) << revoked.status().message();
  ASSERT_TRUE(revoked->has_value());
  EXPECT_EQ((*revoked)->app.project_id, *id);
  EXPECT_EQ((*revoked)->revoked_at, std::optional<TimeMs>(99));
  auto live = store_->GetProjectApp(102);
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->app.uses, (std::vector<std::string>{"search", "display"}));
  EXPECT_EQ((*live)->client_id, "client-102");
  EXPECT_EQ(store_->GetProjectApp(999)->has_value(), false);
  // The live app's plan is the project's now.
  EXPECT_EQ((*store_->GetProject(*id))->plan, "basic");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreProjectsTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
