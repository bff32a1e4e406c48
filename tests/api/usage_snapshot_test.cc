// Usage snapshots with a real ledger and store: what a start restores (the newest valid
// snapshot, then the records after it) is what a replay of every record builds, and the
// snapshot thread writes with the checkpoints it is told of.
#include "api/usage_snapshot.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "access/apps.h"
#include "api/usage.h"
#include "billing/invoice.h"
#include "core/time_format.h"
#include "core/snowflake.h"
#include "ledger/ledger.h"
#include "ledger/snapshot_file.h"

namespace sluice {
namespace {

constexpr TimeMs kT0 = 1700000000000;
constexpr TimeMs kDay = 86'400'000;

// A capped plan and a pay-per-use one; `user_usd` the price of a user read.
Plans TestPlans(const std::string& user_usd) {
  auto plans = Plans::Parse(R"(
[plans.capped]
title = "Capped"
monthly_price_usd = "10.00"
read_cap = 100000
write_cap = 1000
max_apps = 2
uses = ["search", "display", "analytics"]
[plans.capped.limits]
"GET /2/tweets" = "1000/15m"

[plans.meter]
title = "Metered"
monthly_price_usd = "0"
pay_per_use = true
post_read_usd = "0.005"
user_read_usd = ")" + user_usd + R"("
post_create_usd = "0.015"
max_apps = 1
uses = ["search", "display", "analytics"]
[plans.meter.limits]
"GET /2/tweets" = "1000/15m"
)", "plans.toml");
  EXPECT_TRUE(plans.ok()) << plans.status().message();
  return std::move(*plans);
}

class UsageSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-usage-snapshot-XXXXXX";
    data_ = mkdtemp(tmpl);
    ledger_dir_ = data_ + "/ledger";
    store_ = OpenStore({"sqlite", data_, true}).value();
    SnowflakeGenerator ids(clock_, 0);
    for (const char* plan : {"capped", "meter"}) {
      auto app = CreateApp(*store_, ids, clock_, plans_, NewApp{std::string("app-") + plan, plan});
      ASSERT_TRUE(app.ok()) << app.status().message();
      apps_.push_back(app->app);
    }
    snapshots_ = std::make_unique<UsageSnapshots>(UsageSnapshots::Options{ledger_dir_, "sluice.local/ledger", 0, 2, &clock_});
    LedgerOptions o;
    o.dir = ledger_dir_;
    o.clock = &clock_;
    o.checkpoint_every_ms = 3'600'000;  // checkpoints only when asked
    o.on_checkpoint = [this](const Checkpoint& c) { snapshots_->CheckpointWritten(c); };
    ledger_ = Ledger::Open(o).value();
  }
  void TearDown() override {
    if (ledger_) (void)ledger_->Close();
    snapshots_.reset();
    store_.reset();
    std::filesystem::remove_all(data_);
  }
  // `n` deliveries over two days and both projects, some of them writes.
  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      const App& app = apps_[rng_() % 2];
      LedgerRecord r;
      r.time = kT0 + TimeMs(rng_() % (2 * kDay));
      r.app_id = app.id;
      r.project_id = app.project_id;
      r.status = 200;
      if (rng_() % 10 == 0) {
        r.endpoint = "POST /2/tweets";
        r.status = 201;
        r.post_ids = {Id(900000 + i)};
      } else {
        r.endpoint = "GET /2/tweets";
        for (int k = 0; k < 5; ++k) r.post_ids.push_back(Id(1000 + rng_() % 300));
        r.user_ids = {Id(50 + rng_() % 20)};
      }
      auto seq = ledger_->Append(r);
      ASSERT_TRUE(seq.ok());
      if (i + 1 == n) {
        ASSERT_TRUE(ledger_->WaitDurable(*seq).ok());
      }
    }
  }
  // A meter rebuilt from every record, and one restored: the same answers.
  void ExpectRestoredIsTheFullReplay(const UsageMeter& restored) {
    UsageMeter full(clock_);
    ASSERT_TRUE(RebuildUsage(ledger_dir_, *store_, plans_, full, nullptr).ok());
    for (const App& app : apps_) {
      EXPECT_EQ(restored.Days(app.project_id, 0, kT0 + 10 * kDay), full.Days(app.project_id, 0, kT0 + 10 * kDay));
      EXPECT_EQ(restored.AppDays(app.project_id, 0, kT0 + 10 * kDay), full.AppDays(app.project_id, 0, kT0 + 10 * kDay));
      EXPECT_EQ(restored.TotalSpent(app.project_id), full.TotalSpent(app.project_id));
      EXPECT_FALSE(full.Days(app.project_id, 0, kT0 + 10 * kDay).empty());
    }
  }

  std::string data_, ledger_dir_;
  Plans plans_ = TestPlans("0.010");
  ManualClock clock_{kT0 + 3 * kDay};
  std::unique_ptr<Store> store_;
  std::vector<App> apps_;
  std::unique_ptr<UsageSnapshots> snapshots_;
  std::unique_ptr<Ledger> ledger_;
  std::mt19937_64 rng_{3};
};

TEST_F(UsageSnapshotTest, ASnapshotPlusTheRecordsAfterItIsTheFullReplay) {
  Append(500);
  UsageMeter live(clock_);
  auto started = snapshots_->Start(OpenStore({"sqlite", data_, false}).value(), plans_, live);
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_EQ(started->snapshot_size, 0u);  // none yet: every record
  EXPECT_EQ(started->replayed, 500u);
  ASSERT_TRUE(ledger_->Checkpoint().ok());  // the snapshot thread writes its snapshot
  for (int i = 0; i < 1000 && snapshots_->Written() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(snapshots_->Written(), 1u);
  Append(300);
  ASSERT_TRUE(ledger_->Close().ok());
  snapshots_->Stop();  // after Close: the snapshot of every record too
  EXPECT_EQ(ListSnapshots(ledger_dir_), (std::vector<uint64_t>{800, 500}));

  // The newest: nothing after it.
  UsageReplay replay(*store_, plans_);
  UsageMeter restored(clock_);
  auto r = RestoreUsage(ledger_dir_, replay, restored);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->snapshot_size, 800u);
  EXPECT_EQ(r->replayed, 0u);
  ExpectRestoredIsTheFullReplay(restored);

  // Without it (a crash before it was written): the older one and the 300 records after it.
  std::filesystem::remove(fmt::format("{}/{:020}.snap", UsageSnapshotDir(ledger_dir_), 800));
  UsageMeter older(clock_);
  r = RestoreUsage(ledger_dir_, replay, older);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->snapshot_size, 500u);
  EXPECT_EQ(r->replayed, 300u);
  EXPECT_EQ(r->end.seq, 800u);
  ExpectRestoredIsTheFullReplay(older);
}

// A compliance notice (record version 4) names posts the app was told of, not posts it read:
// a replay counts and bills none of them.
TEST_F(UsageSnapshotTest, ANoticeIsNeitherReadNorBilled) {
  for (const App& app : apps_) {
    LedgerRecord r;
    r.time = kT0;
    r.app_id = app.id;
    r.project_id = app.project_id;
    r.endpoint = "GET /compliance/download/:token";
    r.status = 200;
    r.post_ids = {1000, 1001};
    r.user_ids = {50};
    r.channel = "job:9";
    auto seq = ledger_->Append(r);
    ASSERT_TRUE(seq.ok());
    ASSERT_TRUE(ledger_->WaitDurable(*seq).ok());
  }
  UsageMeter full(clock_);
  ASSERT_TRUE(RebuildUsage(ledger_dir_, *store_, plans_, full, nullptr).ok());
  for (const App& app : apps_) {
    EXPECT_TRUE(full.Days(app.project_id, 0, kT0 + 10 * kDay).empty()) << app.name;
    EXPECT_EQ(full.TotalSpent(app.project_id), 0) << app.name;
  }
}

TEST_F(UsageSnapshotTest, ASnapshotPricedByAnotherPlanIsNotUsed) {
  Append(200);
  UsageMeter live(clock_);
  ASSERT_TRUE(snapshots_->Start(OpenStore({"sqlite", data_, false}).value(), plans_, live).ok());
  ASSERT_TRUE(ledger_->Close().ok());
  snapshots_->Stop();
  ASSERT_EQ(ListSnapshots(ledger_dir_), (std::vector<uint64_t>{200}));

  // The same plan names at other prices: the snapshot's money would not be today's replay's.
  Plans repriced = TestPlans("0.011");
  UsageReplay replay(*store_, repriced);
  UsageMeter restored(clock_);
  auto r = RestoreUsage(ledger_dir_, replay, restored);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->snapshot_size, 0u);
  EXPECT_EQ(r->replayed, 200u);
}

// Several nodes' ledgers read as one (in chunks, merged by time) give what one ledger holding
// all their records in time order gives: a post delivered to a project by two nodes on one
// UTC day counts once.
TEST_F(UsageSnapshotTest, SeveralLedgersMergedByTimeAreOneLedger) {
  std::vector<LedgerRecord> records;
  for (int i = 0; i < 30000; ++i) {
    const App& app = apps_[rng_() % 2];
    LedgerRecord r;
    r.time = kT0 + TimeMs(i) * 6000;  // about two days
    r.app_id = app.id;
    r.project_id = app.project_id;
    r.endpoint = "GET /2/tweets";
    r.status = 200;
    for (int k = 0; k < 3; ++k) r.post_ids.push_back(Id(1000 + rng_() % 5000));
    records.push_back(r);
  }
  auto write = [&](const std::string& dir, auto keep) {
    LedgerOptions o;
    o.dir = dir;
    o.segment_bytes = 1 << 18;  // several segments, and chunks that end inside them
    auto ledger = Ledger::Open(o);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    for (size_t i = 0; i < records.size(); ++i)
      if (keep(i)) {
        ASSERT_TRUE((*ledger)->Append(records[i]).ok());
      }
    ASSERT_TRUE((*ledger)->Close().ok());
  };
  write(data_ + "/one/ledger", [](size_t) { return true; });
  write(data_ + "/a/ledger", [](size_t i) { return i % 3 != 0; });
  write(data_ + "/b/ledger", [](size_t i) { return i % 3 == 0; });
  UsageMeter one(clock_), merged(clock_), a_alone(clock_);
  ASSERT_TRUE(RebuildUsage(std::vector<std::string>{data_ + "/one/ledger"}, *store_, plans_, one, nullptr).ok());
  ASSERT_TRUE(RebuildUsage(std::vector<std::string>{data_ + "/a/ledger", data_ + "/b/ledger"}, *store_, plans_, merged,
                           nullptr)
                  .ok());
  ASSERT_TRUE(RebuildUsage(data_ + "/a/ledger", *store_, plans_, a_alone, nullptr).ok());
  for (const App& app : apps_) {
    EXPECT_EQ(merged.Days(app.project_id, 0, kT0 + 10 * kDay), one.Days(app.project_id, 0, kT0 + 10 * kDay));
    EXPECT_EQ(merged.AppDays(app.project_id, 0, kT0 + 10 * kDay), one.AppDays(app.project_id, 0, kT0 + 10 * kDay));
    EXPECT_EQ(merged.TotalSpent(app.project_id), one.TotalSpent(app.project_id));
    EXPECT_LT(a_alone.CycleTotals(app.project_id, 0).posts_read, merged.CycleTotals(app.project_id, 0).posts_read);
  }
}

// An invoice of a month long before the project's latest day: the server's meter keeps 100
// days, so a rebuild into it had dropped that month's days (`sluice invoice` and the admin
// API billed it as empty, and counted its spending as credit still available). BillingUsage
// keeps every day.
TEST_F(UsageSnapshotTest, AMonthLongAgoIsBilledFromItsOwnDays) {
  const App& payg = apps_[1];  // "meter": pay-per-use
  auto read = [&](TimeMs at, std::vector<Id> posts) {
    LedgerRecord r;
    r.time = at;
    r.app_id = payg.id;
    r.project_id = payg.project_id;
    r.status = 200;
    r.endpoint = "GET /2/tweets";
    r.post_ids = std::move(posts);
    auto seq = ledger_->Append(r);
    ASSERT_TRUE(seq.ok());
    ASSERT_TRUE(ledger_->WaitDurable(*seq).ok());
  };
  read(kT0, {1, 2, 3, 4, 5});                 // 2023-11-14
  read(kT0 + 200 * kDay, {1, 2, 3});          // 2024-06-01: the project's latest day
  // $0.02 of credit, before both: November's 5 posts at $0.005 spend it all.
  ASSERT_TRUE(store_->AddCredits(payg.project_id, 20'000, kT0 - kDay).ok());
  const std::string month = FormatDate(kT0).substr(0, 7);
  ASSERT_EQ(month, "2023-11");
  const Plan& plan = *plans_.Find("meter");

  UsageMeter server(clock_);  // what the rebuild used before
  ASSERT_TRUE(RebuildUsage(ledger_dir_, *store_, plans_, server, nullptr).ok());
  EXPECT_TRUE(server.Days(payg.project_id, 0, kT0 + kDay).empty());

  auto billing = BillingUsage({ledger_dir_}, *store_, plans_, clock_, nullptr);
  ASSERT_TRUE(billing.ok()) << billing.status().message();
  auto days = (*billing)->Days(payg.project_id, 0, kT0 + kDay);
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].posts_read, 5);
  auto old = ProjectInvoice(*store_, **billing, plan, payg.project_id, month);
  ASSERT_TRUE(old.ok()) << old.status().message();
  ASSERT_FALSE(old->lines.empty());
  EXPECT_EQ(old->lines[0].item, "posts-read");
  EXPECT_EQ(old->lines[0].quantity, 5);
  EXPECT_EQ(old->lines.back().item, "credits");
  EXPECT_EQ(old->lines.back().amount_cents, -2);  // all $0.02 of it
  // June: nothing left to apply (without November's days the credit looked unspent).
  auto june = ProjectInvoice(*store_, **billing, plan, payg.project_id, "2024-06");
  ASSERT_TRUE(june.ok());
  EXPECT_EQ(june->lines[0].quantity, 3);
  EXPECT_NE(june->lines.back().item, "credits");
}

// A snapshot that cannot be written (here: `usage` is a file, not a directory) is logged and
// retried a second later, not in a loop.
TEST_F(UsageSnapshotTest, AFailedWriteIsRetriedLaterNotInALoop) {
  Append(50);
  std::ofstream(UsageSnapshotDir(ledger_dir_)) << "in the way";
  UsageMeter live(clock_);
  ASSERT_TRUE(snapshots_->Start(OpenStore({"sqlite", data_, false}).value(), plans_, live).ok());
  ASSERT_TRUE(ledger_->Checkpoint().ok());
  for (int i = 0; i < 1000 && snapshots_->Failed() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(snapshots_->Failed(), 1u);
  EXPECT_EQ(snapshots_->Written(), 0u);
  std::filesystem::remove(UsageSnapshotDir(ledger_dir_));
  clock_.Advance(1000);
  for (int i = 0; i < 1000 && snapshots_->Written() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(snapshots_->Written(), 1u);  // the retry, a second later
}

}  // namespace
}  // namespace sluice
