#include "ledger/segment.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

namespace sluice {
namespace {

std::string Payload(uint64_t seq, size_t ids = 10) {
  LedgerRecord r;
  r.seq = seq;
  r.time = 1700000000000 + int64_t(seq);
  r.endpoint = "GET /2/tweets";
  r.status = 200;
  for (size_t i = 0; i < ids; ++i) r.post_ids.push_back(int64_t(1460323737035677698 - seq * 1000 - i));
  return EncodeRecord(r);
}

// A record whose ids are far apart (about 6 bytes each): `ids` of them make a big frame.
std::string BigPayload(uint64_t seq, size_t ids) {
  std::mt19937_64 rng(seq);
  LedgerRecord r;
  r.seq = seq;
  for (size_t i = 0; i < ids; ++i) r.post_ids.push_back(int64_t(rng() >> 20));
  return EncodeRecord(r);
}

class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-segment-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes a segment holding `payloads` (framed) and returns each frame's offset.
  std::vector<uint64_t> Write(uint64_t first_seq, const std::vector<std::string>& payloads) {
    std::string bytes = SegmentHeader();
    std::vector<uint64_t> offsets;
    for (const auto& p : payloads) {
      offsets.push_back(bytes.size());
      AppendFrame(p, &bytes);
    }
    WriteFile(SegmentFileName(first_seq), bytes);
    return offsets;
  }
  void WriteFile(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ + "/" + name, std::ios::binary | std::ios::trunc) << bytes;
  }
  std::string ReadFile(const std::string& name) {
    std::ifstream in(dir_ + "/" + name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::vector<std::string> Payloads(uint64_t first, uint64_t n) {
    std::vector<std::string> out;
    for (uint64_t s = first; s < first + n; ++s) out.push_back(Payload(s));
    return out;
  }
  Result<ScanResult> Scan(bool tail_ok, std::vector<LedgerPosition>* seen = nullptr) {
    return ScanSegments(dir_, tail_ok, [&](const LedgerPosition& at, std::string_view payload) {
      if (seen) seen->push_back(at);
      return Status::Ok();
    });
  }
  std::string ScanError(bool tail_ok) {
    auto r = Scan(tail_ok);
    return r.ok() ? "(ok)" : r.status().message();
  }

  std::string dir_;
  const std::string seg0_ = SegmentFileName(0);
};

TEST(Crc32c, StandardCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32cPortable("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  // 32 zero bytes, from RFC 3720 (iSCSI) appendix B.4.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
}

TEST(Crc32c, HardwareMatchesTableAndChains) {
  std::mt19937_64 rng(1);
  std::string data(4099, '\0');
  for (auto& c : data) c = char(rng());
  for (size_t n : {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099}) {
    std::string_view part(data.data(), n);
    ASSERT_EQ(Crc32c(part), Crc32cPortable(part)) << n;
    size_t half = n / 3;
    EXPECT_EQ(Crc32c(part.substr(half), Crc32c(part.substr(0, half))), Crc32c(part)) << n;
    EXPECT_EQ(Crc32cPortable(part.substr(half), Crc32cPortable(part.substr(0, half))), Crc32c(part)) << n;
  }
}

TEST(LedgerPosition, NamesTheSpot) {
  EXPECT_EQ((LedgerPosition{SegmentFileName(567), 1234, 570}).ToString(),
            "seg-00000000000000000567.log offset 1234 (record 570)");
}

TEST_F(SegmentTest, EmptyDirectoryHasNoRecords) {
  auto r = Scan(false);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 0u);
  EXPECT_FALSE(r->torn);
}

TEST_F(SegmentTest, ScansEveryFrameOfEverySegmentInOrder) {
  auto offsets = Write(0, Payloads(0, 5));
  Write(5, Payloads(5, 3));
  WriteFile("checkpoint.key", "not a segment");
  std::vector<LedgerPosition> seen;
  std::vector<std::string> payloads;
  auto r = ScanSegments(dir_, false, [&](const LedgerPosition& at, std::string_view payload) {
    seen.push_back(at);
    payloads.emplace_back(payload);
    return Status::Ok();
  });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 8u);
  ASSERT_EQ(seen.size(), 8u);
  for (uint64_t i = 0; i < 8; ++i) {
    EXPECT_EQ(seen[i].seq, i);
    EXPECT_EQ(payloads[i], Payload(i));
  }
  EXPECT_EQ(seen[3].segment, seg0_);
  EXPECT_EQ(seen[3].offset, offsets[3]);
  EXPECT_EQ(seen[5].segment, SegmentFileName(5));
  EXPECT_EQ(seen[5].offset, kSegmentHeaderBytes);
  EXPECT_TRUE(VerifySegments(dir_).ok());
}

TEST_F(SegmentTest, FramesLargerThanTheReadBuffer) {
  std::vector<std::string> payloads = {BigPayload(0, 400000), Payload(1), BigPayload(2, 300000)};
  ASSERT_GT(payloads[0].size(), 2u << 20);
  Write(0, payloads);
  size_t i = 0;
  auto r = ScanSegments(dir_, false, [&](const LedgerPosition&, std::string_view payload) {
    EXPECT_EQ(payload, payloads[i++]);
    return Status::Ok();
  });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 3u);
}

TEST_F(SegmentTest, FlippedByteIsACrcErrorNamingThePlace) {
  auto offsets = Write(0, Payloads(0, 5));
  std::string bytes = ReadFile(seg0_);
  bytes[offsets[3] + kFrameHeaderBytes + 5] ^= 0x01;
  WriteFile(seg0_, bytes);
  for (bool tail_ok : {false, true}) {
    std::string error = ScanError(tail_ok);
    EXPECT_NE(error.find(fmt::format("{} offset {} (record 3): CRC mismatch", seg0_, offsets[3])), std::string::npos)
        << error;
  }
}

TEST_F(SegmentTest, FlippedByteInTheLastFrameIsNotATornTail) {
  auto offsets = Write(0, Payloads(0, 5));
  std::string bytes = ReadFile(seg0_);
  bytes.back() ^= 0x40;
  WriteFile(seg0_, bytes);
  std::string error = ScanError(true);
  EXPECT_NE(error.find(fmt::format("offset {} (record 4): CRC mismatch", offsets[4])), std::string::npos) << error;
}

TEST_F(SegmentTest, DroppedRecordIsDetected) {
  auto payloads = Payloads(0, 5);
  payloads.erase(payloads.begin() + 2);
  auto offsets = Write(0, payloads);
  std::string error = ScanError(true);
  EXPECT_NE(error.find(fmt::format("{} offset {} (record 2): the frame holds record 3", seg0_, offsets[2])),
            std::string::npos)
      << error;
}

TEST_F(SegmentTest, ReorderedRecordsAreDetected) {
  auto payloads = Payloads(0, 5);
  std::swap(payloads[1], payloads[2]);
  auto offsets = Write(0, payloads);
  std::string error = ScanError(false);
  EXPECT_NE(error.find(fmt::format("offset {} (record 1): the frame holds record 2", offsets[1])), std::string::npos)
      << error;
}

TEST_F(SegmentTest, MissingSegmentIsDetected) {
  Write(0, Payloads(0, 3));
  Write(5, Payloads(5, 3));  // records 3 and 4 are gone
  std::string error = ScanError(true);
  EXPECT_NE(error.find(SegmentFileName(5) + " offset 0 (record 3): the segment starts at record 5"), std::string::npos)
      << error;
}

TEST_F(SegmentTest, TruncatedMidRecordIsATornTailOnlyWhenAllowed) {
  auto offsets = Write(0, Payloads(0, 5));
  std::string bytes = ReadFile(seg0_);
  size_t cut = offsets[4] + 11;
  WriteFile(seg0_, bytes.substr(0, cut));

  auto r = Scan(true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 4u);
  EXPECT_TRUE(r->torn);
  EXPECT_EQ(r->torn_at.segment, seg0_);
  EXPECT_EQ(r->torn_at.offset, offsets[4]);
  EXPECT_EQ(r->torn_at.seq, 4u);
  EXPECT_EQ(r->torn_bytes, 11u);

  std::string error = ScanError(false);
  EXPECT_NE(error.find(fmt::format("{} offset {} (record 4): the {}-byte frame runs past the end", seg0_, offsets[4],
                                   bytes.size() - offsets[4])),
            std::string::npos)
      << error;
  // A cut inside the frame header, too.
  WriteFile(seg0_, bytes.substr(0, offsets[4] + 3));
  r = Scan(true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->torn_bytes, 3u);
  EXPECT_NE(ScanError(false).find("(record 4): the frame header is cut short"), std::string::npos);
}

TEST_F(SegmentTest, ZeroFilledTailIsTorn) {
  auto offsets = Write(0, Payloads(0, 3));
  std::string bytes = ReadFile(seg0_) + std::string(700, '\0');
  WriteFile(seg0_, bytes);
  auto r = Scan(true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 3u);
  EXPECT_EQ(r->torn_bytes, 700u);
  EXPECT_FALSE(Scan(false).ok());
}

TEST_F(SegmentTest, TornHeaderOfANewLastSegment) {
  Write(0, Payloads(0, 3));
  WriteFile(SegmentFileName(3), "SLUICE");
  auto r = Scan(true);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 3u);
  EXPECT_EQ(r->torn_at.segment, SegmentFileName(3));
  EXPECT_EQ(r->torn_at.offset, 0u);
  EXPECT_EQ(r->torn_bytes, 6u);
}

TEST_F(SegmentTest, TornFrameBeforeTheLastSegmentIsDamage) {
  auto offsets = Write(0, Payloads(0, 3));
  std::string bytes = ReadFile(seg0_);
  WriteFile(seg0_, bytes.substr(0, bytes.size() - 1));
  Write(3, Payloads(3, 2));
  std::string error = ScanError(true);
  EXPECT_NE(error.find(fmt::format("{} offset {} (record 2): the", seg0_, offsets[2])), std::string::npos) << error;
}

TEST_F(SegmentTest, OversizedLengthIsDamage) {
  auto offsets = Write(0, Payloads(0, 3));
  std::string bytes = ReadFile(seg0_);
  bytes[offsets[1] + 3] = 0x7f;
  WriteFile(seg0_, bytes);
  EXPECT_NE(ScanError(true).find("(record 1): frame length"), std::string::npos) << ScanError(true);
}

TEST_F(SegmentTest, VerifyDecodesEveryRecord) {
  // A well-framed payload with the right seq but a bad body: only full decoding sees it.
  std::string bad = Payload(1) + "junk";
  auto offsets = Write(0, {Payload(0), bad, Payload(2)});
  EXPECT_TRUE(Scan(false).ok());
  auto r = VerifySegments(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(fmt::format("offset {} (record 1): ledger record: ", offsets[1])),
            std::string::npos)
      << r.status().message();
}

TEST_F(SegmentTest, VisitErrorStopsTheScan) {
  Write(0, Payloads(0, 5));
  int visits = 0;
  auto r = ScanSegments(dir_, false, [&](const LedgerPosition& at, std::string_view) -> Status {
    ++visits;
    if (at.seq == 2) return InternalError("stop here");
    return Status::Ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "stop here");
  EXPECT_EQ(visits, 3);
}

// A reader that resumes where it stopped (usage snapshots) reads only the records after it,
// across segment boundaries, and is told when the position it kept is not a record's.
TEST_F(SegmentTest, ScanFromAPositionVisitsOnlyTheRecordsAfterItAndSaysWhereItStopped) {
  Write(0, Payloads(0, 5));
  std::vector<uint64_t> second = Write(5, Payloads(5, 5));
  std::vector<uint64_t> seen;
  auto visit = [&](const LedgerPosition& at, std::string_view) {
    seen.push_back(at.seq);
    return Status::Ok();
  };
  // By seq alone: the segment holding record 3 is read from its start.
  auto scan = ScanSegmentsFrom(dir_, {"", 0, 3}, 7, visit);
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  EXPECT_EQ(seen, (std::vector<uint64_t>{3, 4, 5, 6}));
  EXPECT_EQ(scan->records, 7u);
  EXPECT_EQ(scan->end.segment, SegmentFileName(5));
  EXPECT_EQ(scan->end.offset, second[2]);
  EXPECT_EQ(scan->end.seq, 7u);

  // From where it stopped, to the end.
  seen.clear();
  scan = ScanSegmentsFrom(dir_, scan->end, UINT64_MAX, visit);
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  EXPECT_EQ(seen, (std::vector<uint64_t>{7, 8, 9}));
  EXPECT_EQ(scan->records, 10u);

  // The end of a full segment, once the next one exists: continues in the next.
  seen.clear();
  auto first_end = ScanSegmentsFrom(dir_, {"", 0, 0}, 5, [](const LedgerPosition&, std::string_view) { return Status::Ok(); });
  ASSERT_TRUE(first_end.ok());
  EXPECT_EQ(first_end->end.segment, SegmentFileName(0));
  scan = ScanSegmentsFrom(dir_, first_end->end, UINT64_MAX, visit);
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  EXPECT_EQ(seen, (std::vector<uint64_t>{5, 6, 7, 8, 9}));

  // A kept position whose frame holds another record is damage, named.
  scan = ScanSegmentsFrom(dir_, {SegmentFileName(5), second[1], 8}, UINT64_MAX, visit);
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.status().message(),
            fmt::format("ledger damaged at {} offset {} (record 8): the frame holds record 6", SegmentFileName(5), second[1]));
}

}  // namespace
}  // namespace sluice
