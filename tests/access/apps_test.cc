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
  const Plans& plans_ = Plans::Defaults();

  Result<CreatedApp> Create(NewApp app) { return CreateApp(*store_, ids_, clock_, plans_, app); }
  std::string ErrorOf(NewApp app) {
    auto a = Create(std::move(app));
    return a.ok() ? std::string("(created)") : a.status().message();
  }
};

TEST_F(AppsTest, CreatesProjectAccountAndHashedToken) {
  auto a = CreateApp(*store_, ids_, clock_, plans_, NewApp{.name = "My Reader", .plan = "pro"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto found = store_->FindAppByTokenHash(HashToken(a->bearer_token));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, a->app.id);
  EXPECT_EQ((*found)->plan, "pro");
  auto account = store_->GetUsers(std::vector<Id>{a->app.user_id});
  ASSERT_EQ(account->size(), 1u);
  EXPECT_EQ(account->front().username, "My_Reader");
  // A second app of the same name gets the next free username, in the same project.
  auto b = CreateApp(*store_, ids_, clock_, plans_, NewApp{.name = "My Reader", .plan = "pro", .project_id = a->app.project_id});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->app.project_id, a->app.project_id);
  EXPECT_EQ(store_->GetUsers(std::vector<Id>{b->app.user_id})->front().username, "My_Reader1");
  // The token itself is not stored: a wrong token finds nothing.
  EXPECT_FALSE(store_->FindAppByTokenHash(HashToken("sl_wrong"))->has_value());
}

TEST_F(AppsTest, RejectsUnknownPlanUseAndProjectWritingNothing) {
  EXPECT_EQ(ErrorOf({.name = "x", .plan = "gold"}),
            "unknown plan 'gold' (known: basic, enterprise, enterprise-100m, enterprise-200m, enterprise-ai, free, payg, "
            "pro)");
  EXPECT_EQ(ErrorOf({.name = "x", .uses = {"resell"}}),
            "unknown use 'resell' (known: search, display, analytics, ai-input, ai-train)");
  auto missing = CreateApp(*store_, ids_, clock_, plans_, NewApp{.name = "x", .project_id = 999});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "project 999 does not exist");
  EXPECT_EQ(*store_->CountUsers(), 0);
  EXPECT_FALSE(*store_->ProjectExists(1));
}

TEST_F(AppsTest, DefaultUsesAreThePlansWithoutAiUses) {
  auto basic = Create({.name = "a", .plan = "basic"});
  ASSERT_TRUE(basic.ok()) << basic.status().message();
  EXPECT_EQ(basic->app.uses, (std::vector<std::string>{"search", "display", "analytics"}));
  auto ai = Create({.name = "b", .plan = "enterprise-ai"});
  ASSERT_TRUE(ai.ok()) << ai.status().message();
  EXPECT_EQ(ai->app.uses, (std::vector<std::string>{"search", "display", "analytics"}));
  // Stored as resolved.
  auto found = store_->FindAppByTokenHash(HashToken(ai->bearer_token));
  EXPECT_EQ((*found)->uses, (std::vector<std::string>{"search", "display", "analytics"}));
}

TEST_F(AppsTest, DeclaredUsesMustBePermittedByThePlan) {
  EXPECT_EQ(ErrorOf({.name = "x", .plan = "basic", .uses = {"search", "ai-train"}}),
            "plan 'basic' does not permit use 'ai-train' (it permits: search, display, analytics)");
  EXPECT_EQ(ErrorOf({.name = "x", .plan = "enterprise", .uses = {"ai-input"}}),
            "plan 'enterprise' does not permit use 'ai-input' (it permits: search, display, analytics)");
  EXPECT_EQ(*store_->CountUsers(), 0);
  auto ai = Create({.name = "trainer", .plan = "enterprise-ai", .uses = {"ai-input", "ai-train"}});
  ASSERT_TRUE(ai.ok()) << ai.status().message();
  EXPECT_EQ(ai->app.uses, (std::vector<std::string>{"ai-input", "ai-train"}));
}

TEST_F(AppsTest, EnforcesThePlansAppCount) {
  auto first = Create({.name = "one", .plan = "basic"});
  ASSERT_TRUE(first.ok()) << first.status().message();
  Id project = first->app.project_id;
  ASSERT_TRUE(Create({.name = "two", .plan = "basic", .project_id = project}).ok());
  EXPECT_EQ(*store_->CountApps(project), 2);
  int64_t users = *store_->CountUsers();
  EXPECT_EQ(ErrorOf({.name = "three", .plan = "basic", .project_id = project}),
            "project " + std::to_string(project) + " already has 2 apps, the most plan 'basic' allows");
  EXPECT_EQ(*store_->CountUsers(), users);  // the refused app's account was not written
  EXPECT_EQ(*store_->CountApps(project), 2);

  auto free = Create({.name = "solo", .plan = "free"});
  ASSERT_TRUE(free.ok()) << free.status().message();
  EXPECT_EQ(ErrorOf({.name = "duo", .plan = "free", .project_id = free->app.project_id}),
            "project " + std::to_string(free->app.project_id) + " already has 1 app, the most plan 'free' allows");
}

TEST_F(AppsTest, AllAppsOfAProjectShareItsPlan) {
  auto first = Create({.name = "one", .plan = "pro"});
  ASSERT_TRUE(first.ok()) << first.status().message();
  Id project = first->app.project_id;
  EXPECT_EQ(*store_->ProjectPlan(project), std::optional<std::string>("pro"));
  EXPECT_EQ(ErrorOf({.name = "two", .plan = "basic", .project_id = project}),
            "project " + std::to_string(project) + " is on plan 'pro'");
  EXPECT_TRUE(Create({.name = "two", .plan = "pro", .project_id = project}).ok());
  EXPECT_EQ(*store_->ProjectPlan(999), std::nullopt);
  EXPECT_EQ(*store_->CountApps(999), 0);
}

TEST_F(AppsTest, UsesThePlansItIsGiven) {
  auto custom = Plans::Parse(R"(
[plans.lab]
title = "Lab"
monthly_price_usd = "0"
max_apps = 1
uses = ["ai-train"]
)",
                             "lab.toml");
  ASSERT_TRUE(custom.ok()) << custom.status().message();
  auto made = CreateApp(*store_, ids_, clock_, *custom, NewApp{.name = "x", .plan = "lab", .uses = {"ai-train"}});
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_EQ(made->app.plan, "lab");
  // A plan whose every use is an AI use has no default: the app must declare its uses.
  auto undeclared = CreateApp(*store_, ids_, clock_, *custom, NewApp{.name = "y", .plan = "lab"});
  ASSERT_FALSE(undeclared.ok());
  EXPECT_EQ(undeclared.status().message(), "plan 'lab' permits only ai-train: declare them with --use");
  // The defaults' plans are unknown to these plans.
  auto pro = CreateApp(*store_, ids_, clock_, *custom, NewApp{.name = "z", .plan = "pro"});
  ASSERT_FALSE(pro.ok());
  EXPECT_EQ(pro.status().message(), "unknown plan 'pro' (known: lab)");
}

}  // namespace
}  // namespace sluice
