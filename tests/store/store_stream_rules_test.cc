// Filtered-stream rules in both stores (store.h, AddStreamRules and the rest): per app,
// duplicates by value, the cap, dry runs that write nothing, deletion by id or value, the
// version every rule write moves, and the cap holding when two connections add at once.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

class StoreStreamRulesTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-rules-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(options_ = test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Apply({{User{.id = 10, .username = "owner", .name = "O"}}, {}}).ok());
    auto project = store_->CreateProject("p", 1);
    ASSERT_TRUE(project.ok());
    project_ = *project;
    for (Id id : {kApp, kOther})
      ASSERT_TRUE(store_->InsertApp(App{id, project_, "app", "pro", {"search"}, 10, 1}, std::string(32, char(id))).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static StreamRule R(Id id, std::string value, std::string tag = "") {
    return StreamRule{id, kApp, std::move(value), std::move(tag), 1000 + id};
  }
  std::vector<std::string> Values(Id app) {
    auto rules = store_->StreamRules(app);
    EXPECT_TRUE(rules.ok());
    std::vector<std::string> out;
    for (const auto& r : *rules) out.push_back(r.value);
    return out;
  }
  int64_t Version() {
    auto v = store_->StreamRulesVersion();
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? *v : -1;
  }

  static constexpr Id kApp = 51, kOther = 52;
  std::string dir_;
  StoreOptions options_;
  Id project_ = 0;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreStreamRulesTest, AddedPerAppReadBackByIdWithTagAndTime) {
  const std::vector<StreamRule> rules = {R(3, "cat has:media", "cats"), R(1, "dog")};
  auto add = store_->AddStreamRules(kApp, rules, 10, true);
  ASSERT_TRUE(add.ok()) << add.status().message();
  EXPECT_EQ(add->added.size(), 2u);
  EXPECT_TRUE(add->duplicates.empty());
  EXPECT_FALSE(add->over_cap);
  EXPECT_EQ(add->held, 0);
  auto back = store_->StreamRules(kApp);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].id, 1);
  EXPECT_EQ((*back)[1].value, "cat has:media");
  EXPECT_EQ((*back)[1].tag, "cats");
  EXPECT_EQ((*back)[1].created_at, 1003);
  EXPECT_TRUE(Values(kOther).empty());
  auto counts = store_->StreamRuleCounts(project_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(*counts, (std::vector<std::pair<Id, int64_t>>{{kApp, 2}, {kOther, 0}}));
}

TEST_P(StoreStreamRulesTest, ADuplicateValueIsNotAddedAndNamesTheRuleHoldingIt) {
  ASSERT_TRUE(store_->AddStreamRules(kApp, std::vector<StreamRule>{R(1, "dog")}, 10, true).ok());
  auto add = store_->AddStreamRules(kApp, std::vector<StreamRule>{R(2, "dog"), R(3, "cat"), R(4, "cat")}, 10, true);
  ASSERT_TRUE(add.ok());
  ASSERT_EQ(add->added.size(), 1u);
  EXPECT_EQ(add->added[0].id, 3);
  ASSERT_EQ(add->duplicates.size(), 2u);
  EXPECT_EQ(add->duplicates[0].id, 1);  // held
  EXPECT_EQ(add->duplicates[1].id, 3);  // given earlier in the same call
  EXPECT_EQ(Values(kApp), (std::vector<std::string>{"dog", "cat"}));
  // Another app may hold the same value.
  StreamRule other = R(5, "dog");
  other.app_id = kOther;
  ASSERT_TRUE(store_->AddStreamRules(kOther, std::vector<StreamRule>{other}, 10, true).ok());
  EXPECT_EQ(Values(kOther), (std::vector<std::string>{"dog"}));
}

TEST_P(StoreStreamRulesTest, PastTheCapNothingIsWritten) {
  ASSERT_TRUE(store_->AddStreamRules(kApp, std::vector<StreamRule>{R(1, "a"), R(2, "b")}, 3, true).ok());
  const int64_t version = Version();
  auto add = store_->AddStreamRules(kApp, std::vector<StreamRule>{R(3, "c"), R(4, "d")}, 3, true);
  ASSERT_TRUE(add.ok()) << add.status().message();
  EXPECT_TRUE(add->over_cap);
  EXPECT_EQ(add->held, 2);
  EXPECT_EQ(Values(kApp), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Version(), version);
  // Duplicates alone add nothing, so they never pass the cap.
  auto dup = store_->AddStreamRules(kApp, std::vector<StreamRule>{R(5, "a")}, 2, true);
  ASSERT_TRUE(dup.ok());
  EXPECT_FALSE(dup->over_cap);
}

TEST_P(StoreStreamRulesTest, ADryRunAnswersAndWritesNothing) {
  const int64_t version = Version();
  auto add = store_->AddStreamRules(kApp, std::vector<StreamRule>{R(1, "a")}, 3, false);
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(add->added.size(), 1u);
  EXPECT_TRUE(Values(kApp).empty());
  ASSERT_TRUE(store_->AddStreamRules(kApp, std::vector<StreamRule>{R(1, "a")}, 3, true).ok());
  auto del = store_->DeleteStreamRules(kApp, std::vector<Id>{1}, {}, false);
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->size(), 1u);
  EXPECT_EQ(Values(kApp), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Version(), version + 1);  // the one real add
}

TEST_P(StoreStreamRulesTest, DeletedByIdOrValueOnlyTheAppsOwn) {
  ASSERT_TRUE(store_->AddStreamRules(kApp, std::vector<StreamRule>{R(1, "a"), R(2, "b"), R(3, "c")}, 10, true).ok());
  const int64_t version = Version();
  // Another app cannot delete them, by id or by value.
  auto other = store_->DeleteStreamRules(kOther, std::vector<Id>{1}, std::vector<std::string>{"b"}, true);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
  EXPECT_EQ(Version(), version);
  auto del = store_->DeleteStreamRules(kApp, std::vector<Id>{1, 99}, std::vector<std::string>{"c", "zz"}, true);
  ASSERT_TRUE(del.ok()) << del.status().message();
  ASSERT_EQ(del->size(), 2u);
  EXPECT_EQ((*del)[0].value, "a");
  EXPECT_EQ((*del)[1].value, "c");
  EXPECT_EQ(Values(kApp), (std::vector<std::string>{"b"}));
  EXPECT_GT(Version(), version);
}

TEST_P(StoreStreamRulesTest, AllRulesOfAllAppsAndTheVersionSeenByAnotherConnection) {
  ASSERT_TRUE(store_->AddStreamRules(kApp, std::vector<StreamRule>{R(2, "b"), R(1, "a")}, 10, true).ok());
  StreamRule o = R(3, "x");
  o.app_id = kOther;
  ASSERT_TRUE(store_->AddStreamRules(kOther, std::vector<StreamRule>{o}, 10, true).ok());
  auto second = OpenStore(options_);
  ASSERT_TRUE(second.ok());
  auto all = (*second)->AllStreamRules();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, 1);
  EXPECT_EQ((*all)[2].app_id, kOther);
  auto seen = (*second)->StreamRulesVersion();
  ASSERT_TRUE(seen.ok());
  ASSERT_TRUE(store_->DeleteStreamRules(kApp, std::vector<Id>{2}, {}, true).ok());
  auto after = (*second)->StreamRulesVersion();
  ASSERT_TRUE(after.ok());
  EXPECT_GT(*after, *seen);
}

// Two connections adding at once never take the app past its cap together.
TEST_P(StoreStreamRulesTest, ConcurrentAddsKeepTheCap) {
  constexpr int kCap = 10;
  auto a = OpenStore(options_);
  auto b = OpenStore(options_);
  ASSERT_TRUE(a.ok() && b.ok());
  std::atomic<int> added{0};
  auto run = [&](Store& store, Id first) {
    for (Id i = 0; i < 8; ++i) {
      StreamRule r = R(first + i, "rule " + std::to_string(first + i));
      auto add = store.AddStreamRules(kApp, std::vector<StreamRule>{r}, kCap, true);
      ASSERT_TRUE(add.ok()) << add.status().message();
      if (!add->over_cap) added += int(add->added.size());
    }
  };
  std::thread t1([&] { run(**a, 100); });
  std::thread t2([&] { run(**b, 200); });
  t1.join();
  t2.join();
  EXPECT_EQ(added.load(), kCap);
  EXPECT_EQ(Values(kApp).size(), size_t(kCap));
}

// Stream connection slots: counted per app and feed while live (until > now); a lapsed one
// no longer counts; renewing moves until; releasing (by holder or by prefix) frees.
TEST_P(StoreStreamRulesTest, StreamSlotsCountLiveOnesPerAppAndFeed) {
  auto take = [&](Id app, int feed, std::string holder, int max, TimeMs now) {
    auto t = store_->TakeStreamSlot(app, feed, holder, max, now, now + 1000);
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t.ok() && *t;
  };
  EXPECT_TRUE(take(kApp, 0, "1:5:1", 2, 10'000));
  EXPECT_TRUE(take(kApp, 0, "1:5:2", 2, 10'000));
  EXPECT_FALSE(take(kApp, 0, "1:5:3", 2, 10'500));  // two live
  EXPECT_TRUE(take(kApp, 1, "1:5:4", 2, 10'500));   // another feed
  EXPECT_TRUE(take(kOther, 0, "1:5:5", 2, 10'500)); // another app
  // 1:5:1 renewed, 1:5:2 not: at 11,000 the second lapsed.
  ASSERT_TRUE(store_->RenewStreamSlots(std::vector<std::string>{"1:5:1", "gone"}, 12'000).ok());
  EXPECT_TRUE(take(kApp, 0, "2:7:1", 2, 11'000));
  EXPECT_FALSE(take(kApp, 0, "2:7:2", 2, 11'000));
  ASSERT_TRUE(store_->ReleaseStreamSlots(std::vector<std::string>{"2:7:1"}).ok());
  EXPECT_TRUE(take(kApp, 0, "2:7:3", 2, 11'000));
  // Node 1's previous run: every slot of "1:" freed, node 2's kept.
  ASSERT_TRUE(store_->ReleaseStreamSlots({}, "1:").ok());
  EXPECT_TRUE(take(kApp, 0, "2:7:4", 2, 11'000));
  EXPECT_FALSE(take(kApp, 0, "2:7:5", 2, 11'000));
  EXPECT_TRUE(take(kApp, 1, "2:7:6", 1, 11'000));  // 1:5:4 was freed
}

// Two connections taking at once never hold more than the maximum together.
TEST_P(StoreStreamRulesTest, ConcurrentSlotTakesKeepTheMaximum) {
  constexpr int kMax = 3;
  auto a = OpenStore(options_);
  auto b = OpenStore(options_);
  ASSERT_TRUE(a.ok() && b.ok());
  std::atomic<int> taken{0};
  auto run = [&](Store& store, std::string node) {
    for (int i = 0; i < 10; ++i) {
      auto t = store.TakeStreamSlot(kApp, 0, node + std::to_string(i), kMax, 1000, 60'000);
      ASSERT_TRUE(t.ok()) << t.status().message();
      if (*t) ++taken;
    }
  };
  std::thread t1([&] { run(**a, "1:1:"); });
  std::thread t2([&] { run(**b, "2:1:"); });
  t1.join();
  t2.join();
  EXPECT_EQ(taken.load(), kMax);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreStreamRulesTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
