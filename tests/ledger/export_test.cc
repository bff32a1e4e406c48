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

}  // namespace
}  // namespace sluice
