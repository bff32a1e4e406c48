// Operator-set states and the compliance-events outbox in both stores (store.h,
// ApplyComplianceEvent; issue 16): each change is applied to its user or post and noted, in
// the same transaction, as an outbox row with a growing seq; an unknown subject or a state
// already held writes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "core/snowflake.h"
#include "store/store.h"
#include "store/store_backends.h"

namespace sluice {
namespace {

using K = ComplianceEvent::Kind;
constexpr TimeMs kT0 = 1'700'000'000'000;

class StoreComplianceEventsTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-store-cevents-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto s = OpenStore(options_ = test::NewStoreOptions(GetParam(), dir_));
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(*s);
    WriteBatch batch;
    for (Id id = 1; id <= 3; ++id)
      batch.users.push_back(User{.id = id, .username = "user" + std::to_string(id), .name = "U", .created_at = kT0});
    batch.users[2].synthetic = true;  // user 3: a trap record's author
    Post p;
    p.id = post_ = MakeSnowflake(kT0 + 60000, 0, 0);
    p.author_id = 2;
    p.text = "a post";
    p.created_at = kT0 + 60000;
    p.conversation_id = p.id;
    p.edit_history = {p.id};
    batch.posts.push_back(p);
    ASSERT_TRUE(store_->Apply(batch).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ComplianceApply Apply(ComplianceEvent e) {
    auto r = store_->ApplyComplianceEvent(e);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : ComplianceApply::kUnknown;
  }
  User GetUser(Id id) {
    auto users = store_->GetUsers(std::span<const Id>(&id, 1));
    EXPECT_TRUE(users.ok() && users->size() == 1);
    return users.ok() && !users->empty() ? users->front() : User{};
  }
  std::vector<StoredComplianceEvent> Outbox(int64_t after = 0) {
    auto events = store_->ComplianceEventsAfter(after, 100);
    EXPECT_TRUE(events.ok()) << events.status().message();
    return events.ok() ? *events : std::vector<StoredComplianceEvent>{};
  }

  std::string dir_;
  StoreOptions options_;
  Id post_ = 0;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreComplianceEventsTest, SuspendAndUnsuspendSetTheUserAndNoteOneEventEach) {
  EXPECT_EQ(*store_->LastComplianceEventSeq(), 0);
  EXPECT_EQ(Apply({.kind = K::kUserSuspend, .user_id = 1, .event_at = kT0 + 5}), ComplianceApply::kApplied);
  EXPECT_EQ(GetUser(1).suspended_at, kT0 + 5);
  EXPECT_EQ(Apply({.kind = K::kUserSuspend, .user_id = 1, .event_at = kT0 + 6}), ComplianceApply::kUnchanged);
  EXPECT_EQ(GetUser(1).suspended_at, kT0 + 5);
  EXPECT_EQ(Apply({.kind = K::kUserUnsuspend, .user_id = 1, .event_at = kT0 + 7}), ComplianceApply::kApplied);
  EXPECT_EQ(GetUser(1).suspended_at, std::nullopt);
  EXPECT_EQ(Apply({.kind = K::kUserUnsuspend, .user_id = 1, .event_at = kT0 + 8}), ComplianceApply::kUnchanged);
  auto events = Outbox();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].seq, 1);
  EXPECT_EQ(events[0].event, (ComplianceEvent{.kind = K::kUserSuspend, .user_id = 1, .event_at = kT0 + 5}));
  EXPECT_EQ(events[1].seq, 2);
  EXPECT_EQ(events[1].event, (ComplianceEvent{.kind = K::kUserUnsuspend, .user_id = 1, .event_at = kT0 + 7}));
  EXPECT_EQ(*store_->LastComplianceEventSeq(), 2);
  EXPECT_EQ(Outbox(1).size(), 1u);
  EXPECT_EQ(Outbox(2).size(), 0u);
}

TEST_P(StoreComplianceEventsTest, DeleteProtectWithholdAndScrubGeoSetTheirStates) {
  EXPECT_EQ(Apply({.kind = K::kUserDelete, .user_id = 2, .event_at = kT0 + 1}), ComplianceApply::kApplied);
  EXPECT_EQ(Apply({.kind = K::kUserProtect, .user_id = 2, .event_at = kT0 + 2}), ComplianceApply::kApplied);
  EXPECT_EQ(Apply({.kind = K::kUserWithheld, .user_id = 2, .event_at = kT0 + 3, .withheld_in_countries = {"DE", "FR"}}),
            ComplianceApply::kApplied);
  EXPECT_EQ(Apply({.kind = K::kUserWithheld, .user_id = 2, .event_at = kT0 + 3, .withheld_in_countries = {"DE", "FR"}}),
            ComplianceApply::kUnchanged);
  EXPECT_EQ(Apply({.kind = K::kScrubGeo, .post_id = post_, .user_id = 2, .event_at = kT0 + 4}), ComplianceApply::kApplied);
  EXPECT_EQ(Apply({.kind = K::kScrubGeo, .post_id = post_ - 1, .user_id = 2, .event_at = kT0 + 5}),
            ComplianceApply::kUnchanged);  // scrubbed further already
  User u = GetUser(2);
  EXPECT_EQ(u.deactivated_at, kT0 + 1);
  EXPECT_TRUE(u.is_protected);
  EXPECT_EQ(u.withheld_in_countries, (std::vector<std::string>{"DE", "FR"}));
  EXPECT_EQ(u.geo_scrubbed_up_to, post_);
  EXPECT_EQ(Apply({.kind = K::kUserUndelete, .user_id = 2, .event_at = kT0 + 6}), ComplianceApply::kApplied);
  EXPECT_EQ(Apply({.kind = K::kUserUnprotect, .user_id = 2, .event_at = kT0 + 7}), ComplianceApply::kApplied);
  u = GetUser(2);
  EXPECT_EQ(u.deactivated_at, std::nullopt);
  EXPECT_FALSE(u.is_protected);
  auto events = Outbox();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[2].event.withheld_in_countries, (std::vector<std::string>{"DE", "FR"}));
  EXPECT_EQ(events[3].event, (ComplianceEvent{.kind = K::kScrubGeo, .post_id = post_, .user_id = 2, .event_at = kT0 + 4}));
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq, int64_t(i) + 1);
}

TEST_P(StoreComplianceEventsTest, AWithheldPostNamesItsAuthorAndReadsBackWithItsCountries) {
  ComplianceEvent e{.kind = K::kWithheld, .post_id = post_, .event_at = kT0 + 9, .withheld_in_countries = {"IN"}};
  auto r = store_->ApplyComplianceEvent(e);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, ComplianceApply::kApplied);
  EXPECT_EQ(e.user_id, 2);  // the author, set by the store
  auto posts = store_->GetPosts(std::span<const Id>(&post_, 1));
  ASSERT_TRUE(posts.ok() && posts->size() == 1);
  EXPECT_EQ(posts->front().post.withheld_in_countries, (std::vector<std::string>{"IN"}));
  auto events = Outbox();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, (ComplianceEvent{.kind = K::kWithheld, .post_id = post_, .user_id = 2, .event_at = kT0 + 9,
                                              .withheld_in_countries = {"IN"}}));
}

TEST_P(StoreComplianceEventsTest, UnknownSubjectsAndBadEventsWriteNothing) {
  EXPECT_EQ(Apply({.kind = K::kUserSuspend, .user_id = 99, .event_at = kT0}), ComplianceApply::kUnknown);
  EXPECT_EQ(Apply({.kind = K::kUserSuspend, .user_id = 3, .event_at = kT0}), ComplianceApply::kUnknown);  // synthetic
  EXPECT_EQ(Apply({.kind = K::kWithheld, .post_id = 12345, .event_at = kT0, .withheld_in_countries = {"DE"}}),
            ComplianceApply::kUnknown);
  ComplianceEvent bad[] = {
      {.kind = K::kDelete, .post_id = post_, .user_id = 2},
      {.kind = K::kUserWithheld, .user_id = 1},                                      // no country
      {.kind = K::kUserWithheld, .user_id = 1, .withheld_in_countries = {"de"}},     // not a code
      {.kind = K::kUserWithheld, .user_id = 1, .withheld_in_countries = {"DEU"}},
      {.kind = K::kScrubGeo, .user_id = 1},                                          // no up_to id
  };
  for (ComplianceEvent& e : bad) {
    auto r = store_->ApplyComplianceEvent(e);
    EXPECT_FALSE(r.ok()) << ComplianceEventName(e.kind);
  }
  EXPECT_TRUE(Outbox().empty());
  EXPECT_EQ(*store_->LastComplianceEventSeq(), 0);
  EXPECT_EQ(GetUser(1).suspended_at, std::nullopt);
  // The head moved by the refused applies was rolled back with them: the next event is seq 1.
  EXPECT_EQ(Apply({.kind = K::kUserSuspend, .user_id = 1, .event_at = kT0}), ComplianceApply::kApplied);
  ASSERT_EQ(Outbox().size(), 1u);
  EXPECT_EQ(Outbox()[0].seq, 1);
}

TEST_P(StoreComplianceEventsTest, TwoConnectionsApplyingAtOnceGetDistinctGrowingSeqs) {
  auto other = OpenStore({options_.url, dir_, false});  // the same store, another connection
  ASSERT_TRUE(other.ok()) << other.status().message();
  std::thread t([&] {
    for (int i = 0; i < 20; ++i) {
      ComplianceEvent e{.kind = i % 2 ? K::kUserUnsuspend : K::kUserSuspend, .user_id = 2, .event_at = kT0 + i};
      auto r = (*other)->ApplyComplianceEvent(e);
      EXPECT_TRUE(r.ok()) << r.status().message();
    }
  });
  for (int i = 0; i < 20; ++i) {
    ComplianceEvent e{.kind = i % 2 ? K::kUserUndelete : K::kUserDelete, .user_id = 1, .event_at = kT0 + i};
    auto r = store_->ApplyComplianceEvent(e);
    EXPECT_TRUE(r.ok()) << r.status().message();
  }
  t.join();
  auto events = Outbox();
  ASSERT_EQ(events.size(), 40u);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq, int64_t(i) + 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreComplianceEventsTest, SLUICE_STORE_BACKENDS);

}  // namespace
}  // namespace sluice
