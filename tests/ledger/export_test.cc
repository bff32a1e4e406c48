// `sluice ledger export`: what an app did in an account's name is the records that name the
// account as authorising (record version 3), and --authorized-by selects them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "ledger/ledger.h"
#include "ledger/tools.h"

namespace sluice {
namespace {

TEST(ExportRecords, ByTheAccountThatAuthorisedThem) {
  char tmpl[] = "/tmp/sluice-export-XXXXXX";
  const std::string data = mkdtemp(tmpl);
  ManualClock clock{1700000000000};
  LedgerOptions options;
  options.dir = data + "/ledger";
  options.clock = &clock;
  {
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    for (Id user : {Id(0), Id(42), Id(43), Id(42)}) {
      LedgerRecord r;
      r.time = 1700000000000;
      r.app_id = 7;
      r.endpoint = "POST /2/users/:id/likes";
      r.status = 200;
      r.post_ids = {1000};
      r.user_ids = {user ? user : 9};
      r.authorizing_user_id = user;
      ASSERT_TRUE((*ledger)->Append(r).ok());
    }
    ASSERT_TRUE((*ledger)->Close().ok());
  }
  std::ostringstream all, by42;
  ASSERT_TRUE(ExportRecords(options.dir, 0, std::nullopt, std::nullopt, all, {}).ok());
  ASSERT_TRUE(ExportRecords(options.dir, 0, std::nullopt, std::nullopt, by42, {}, 42).ok());
  std::string lines = all.str();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 4);
  const std::string first = lines.substr(0, lines.find('\n'));
  EXPECT_EQ(first.find("authorizing_user_id"), std::string::npos) << "an app token's record names no account: " << first;
  lines = by42.str();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2);
  EXPECT_NE(lines.find(R"("authorizing_user_id":"42")"), std::string::npos) << lines;
  EXPECT_EQ(lines.find(R"("authorizing_user_id":"43")"), std::string::npos) << lines;
  std::filesystem::remove_all(data);
}

// A compliance notice (record version 4) is exported with its channel; `prove` proves a
// delivery from deliveries only and a notice from notices only.
TEST(ExportRecords, NoticesShowTheirChannelAndAreProvedApartFromDeliveries) {
  char tmpl[] = "/tmp/sluice-export-XXXXXX";
  const std::string data = mkdtemp(tmpl);
  ManualClock clock{1700000000000};
  LedgerOptions options;
  options.dir = data + "/ledger";
  options.clock = &clock;
  {
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    LedgerRecord read;
    read.time = 1700000000000;
    read.app_id = 7;
    read.endpoint = "GET /2/tweets/:id";
    read.status = 200;
    read.post_ids = {1000};
    LedgerRecord notice = read;
    notice.endpoint = "GET /compliance/download/:token";
    notice.post_ids = {1000, 1001};
    notice.channel = "job:55";
    ASSERT_TRUE((*ledger)->Append(read).ok());
    ASSERT_TRUE((*ledger)->Append(notice).ok());
    ASSERT_TRUE((*ledger)->Close().ok());  // signs a checkpoint of both
  }
  std::ostringstream all;
  ASSERT_TRUE(ExportRecords(options.dir, 7, std::nullopt, std::nullopt, all, {}).ok());
  const std::string lines = all.str();
  const std::string first = lines.substr(0, lines.find('\n'));
  EXPECT_EQ(first.find("channel"), std::string::npos) << first;
  EXPECT_NE(lines.find(R"("channel":"job:55")"), std::string::npos) << lines;

  auto delivered = ProveDelivery(options.dir, 7, 1000, nullptr);
  ASSERT_TRUE(delivered.ok()) << delivered.status().message();
  EXPECT_EQ(delivered->find("job:55"), std::string::npos) << *delivered;
  auto told = ProveNotice(options.dir, 7, 1000, nullptr);
  ASSERT_TRUE(told.ok()) << told.status().message();
  EXPECT_NE(told->find(R"("notices":[)"), std::string::npos) << *told;
  EXPECT_NE(told->find("job:55"), std::string::npos) << *told;
  // 1001 was only noticed, never delivered; 1000 was never noticed to app 8.
  auto never = ProveDelivery(options.dir, 7, 1001, nullptr);
  ASSERT_FALSE(never.ok());
  EXPECT_NE(never.status().message().find("never received post 1001"), std::string::npos) << never.status().message();
  auto other = ProveNotice(options.dir, 8, 1000, nullptr);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("was never told of post 1000"), std::string::npos) << other.status().message();
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace sluice
