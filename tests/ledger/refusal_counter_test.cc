#include "ledger/refusal_counter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "ledger/ledger.h"
#include "ledger/segment.h"

namespace sluice {
namespace {

LedgerRecord Refusal(TimeMs time, std::string endpoint, uint16_t status, std::string request_id) {
  LedgerRecord r;
  r.time = time;
  r.node_id = 2;
  r.endpoint = std::move(endpoint);
  r.status = status;
  r.request_id = std::move(request_id);
  r.response_bytes = 100;
  return r;
}

TEST(RefusalCounter, CountsPerSecondEndpointAndStatus) {
  RefusalCounter counter;
  counter.Add(Refusal(5000, "GET /2/tweets/:id", 401, "a"));
  counter.Add(Refusal(5999, "GET /2/tweets/:id", 401, "b"));
  counter.Add(Refusal(5500, "GET /2/tweets/:id", 403, "c"));
  counter.Add(Refusal(5100, "POST /2/tweets", 401, "d"));
  counter.Add(Refusal(6000, "GET /2/tweets/:id", 401, "e"));
  EXPECT_TRUE(counter.TakeEnded(5999).empty());  // the second 5000..5999 has not ended
  auto ended = counter.TakeEnded(6000);
  ASSERT_EQ(ended.size(), 3u);
  EXPECT_EQ(ended[0].endpoint, "GET /2/tweets/:id");
  EXPECT_EQ(ended[0].status, 401);
  EXPECT_EQ(ended[0].count, 2u);
  EXPECT_EQ(ended[0].time, 5000);
  EXPECT_EQ(ended[0].response_bytes, 200u);
  EXPECT_EQ(ended[0].request_id, "a");
  EXPECT_EQ(ended[0].node_id, 2);
  EXPECT_EQ(ended[1].status, 403);
  EXPECT_EQ(ended[1].count, 1u);
  EXPECT_EQ(ended[2].endpoint, "POST /2/tweets");
  EXPECT_FALSE(counter.empty());
  auto rest = counter.TakeEnded(std::numeric_limits<TimeMs>::max());
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].request_id, "e");
  EXPECT_TRUE(counter.empty());
}

TEST(RefusalCounter, TheLedgerAppendsOneRecordASecondAndTheRestAtClose) {
  char tmpl[] = "/tmp/sluice-refusals-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  ManualClock clock(1700000000000);
  LedgerOptions options;
  options.dir = dir + "/ledger";
  options.clock = &clock;
  auto ledger = std::move(*Ledger::Open(options));
  for (int i = 0; i < 2000; ++i)
    ASSERT_TRUE(ledger->Count(Refusal(clock.NowMs(), "GET /2/tweets/:id", 401, std::to_string(i))).ok());
  EXPECT_EQ(ledger->AppendedSize(), 0u);
  clock.Advance(1000);  // the second has ended: the sync thread appends its count
  for (int i = 0; i < 500 && ledger->DurableSize() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(ledger->DurableSize(), 1u);
  ASSERT_TRUE(ledger->Count(Refusal(clock.NowMs(), "GET /2/tweets/:id", 401, "late")).ok());
  ASSERT_TRUE(ledger->Close().ok());
  EXPECT_FALSE(ledger->Count(Refusal(clock.NowMs(), "GET /2/tweets/:id", 401, "closed")).ok());

  std::vector<LedgerRecord> records;
  auto scan = ScanSegments(options.dir, false, [&](const LedgerPosition&, std::string_view payload) {
    records.push_back(*DecodeRecord(payload));
    EXPECT_EQ(uint8_t(payload[0]), records.back().count > 1 ? 2 : 1);
    return Status::Ok();
  });
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].count, 2000u);
  EXPECT_EQ(records[0].request_id, "0");
  EXPECT_EQ(records[1].count, 1u);  // flushed at Close
  EXPECT_EQ(records[1].request_id, "late");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
