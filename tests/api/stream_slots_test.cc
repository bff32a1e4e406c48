// StreamSlots (api/stream_slots.h) over a real SQLite store: a start frees the node's slots of
// its previous run, a take past the maximum is refused, its thread renews what is held, a
// release frees soon and the end frees everything.
#include "api/stream_slots.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "api/stream_hub.h"

namespace sluice {
namespace {

class StreamSlotsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-slots-XXXXXX";
    dir_ = mkdtemp(tmpl);
    check_ = Open();
  }
  void TearDown() override {
    check_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<Store> Open() {
    auto s = OpenStore({"", dir_, true, 1});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::unique_ptr<StreamSlots> Start(int node) {
    auto s = StreamSlots::Start(Open(), clock_, {node, kLease});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Whether another node could take app 7's filtered slot now, with a maximum of one (when it
  // can, it holds it until `clock_` + 10 ms).
  bool Free(const std::string& holder) {
    auto t = check_->TakeStreamSlot(7, int(StreamFeed::kFiltered), holder, 1, clock_.NowMs(), clock_.NowMs() + 10);
    EXPECT_TRUE(t.ok()) << t.status().message();
    return t.ok() && *t;
  }
  // Polls `free` for up to 10 s (the slots' thread frees asynchronously).
  bool FreedSoon() {
    for (int i = 0; i < 1000; ++i) {
      auto live = check_->TakeStreamSlot(7, int(StreamFeed::kFiltered), "probe", 1, clock_.NowMs(), clock_.NowMs());
      if (live.ok() && *live) return true;  // until == now: lapsed at once, counts for no one
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  static constexpr TimeMs kLease = 300;
  std::string dir_;
  ManualClock clock_{1'000'000};
  std::unique_ptr<Store> check_;
};

TEST_F(StreamSlotsTest, StartFreesThePreviousRunsSlotsOfItsNodeOnly) {
  ASSERT_TRUE(check_->TakeStreamSlot(7, 0, "3:1:1", 5, clock_.NowMs(), clock_.NowMs() + 60'000).ok());
  ASSERT_TRUE(check_->TakeStreamSlot(7, 0, "4:1:1", 5, clock_.NowMs(), clock_.NowMs() + 60'000).ok());
  auto slots = Start(3);
  ASSERT_TRUE(slots);
  auto store = Open();
  auto a = slots->Take(*store, 7, StreamFeed::kFiltered, 2);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->empty());  // node 4's and this one
  auto b = slots->Take(*store, 7, StreamFeed::kFiltered, 2);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->empty());
  EXPECT_EQ(slots->held(), 1u);
}

TEST_F(StreamSlotsTest, HeldSlotsAreRenewedAndReleasedOnesFreed) {
  auto slots = Start(1);
  ASSERT_TRUE(slots);
  auto store = Open();
  auto held = slots->Take(*store, 7, StreamFeed::kFiltered, 1);
  ASSERT_TRUE(held.ok() && !held->empty());
  // Far past the first lease: renewed (every kLease / 3) from the clock's new time on.
  clock_.Advance(10 * kLease);
  std::this_thread::sleep_for(std::chrono::milliseconds(15 * kLease / 3));
  EXPECT_FALSE(Free("other"));
  slots->Release(*held);
  EXPECT_EQ(slots->held(), 0u);
  EXPECT_TRUE(FreedSoon());
}

TEST_F(StreamSlotsTest, TheEndFreesEverySlotStillHeld) {
  auto slots = Start(1);
  ASSERT_TRUE(slots);
  auto store = Open();
  auto held = slots->Take(*store, 7, StreamFeed::kFiltered, 1);
  ASSERT_TRUE(held.ok() && !held->empty());
  EXPECT_FALSE(Free("other"));
  slots.reset();
  EXPECT_TRUE(Free("other"));
}

}  // namespace
}  // namespace sluice
