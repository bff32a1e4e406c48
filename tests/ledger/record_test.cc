#include "ledger/record.h"

#include <gtest/gtest.h>

#include <limits>

namespace sluice {
namespace {

LedgerRecord Sample() {
  LedgerRecord r;
  r.seq = 42;
  r.time = 1700000000123;
  r.node_id = 7;
  r.app_id = 1460323737035677698;
  r.project_id = 1460323737035677000;
  r.use = "search,display";
  r.endpoint = "GET /2/tweets/search/recent";
  r.status = 200;
  for (int i = 0; i < 100; ++i) r.post_ids.push_back(1460323737035677698 - int64_t(i) * 4194304 * 37);
  r.user_ids = {12, 7, 1460323737035677698, 3};
  r.request_id = "req-0001";
  r.response_bytes = 48213;
  return r;
}

std::string DecodeError(std::string_view bytes) {
  auto r = DecodeRecord(bytes);
  return r.ok() ? "(decoded)" : r.status().message();
}

TEST(LedgerRecord, RoundTripsHundredIds) {
  LedgerRecord r = Sample();
  std::string bytes = EncodeRecord(r);
  EXPECT_EQ(bytes[0], 1);
  auto back = DecodeRecord(bytes);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, r);
  // Sorted snowflakes 37 ms apart: the deltas are small varints, not 9-byte ids.
  EXPECT_LT(bytes.size(), 100u * 6 + 120);
}

TEST(LedgerRecord, RoundTripsEmptyAndExtremeValues) {
  LedgerRecord empty;
  auto back = DecodeRecord(EncodeRecord(empty));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, empty);

  LedgerRecord r;
  r.seq = std::numeric_limits<uint64_t>::max();
  r.time = std::numeric_limits<int64_t>::max();
  r.node_id = std::numeric_limits<uint16_t>::max();
  r.app_id = -1;
  r.project_id = std::numeric_limits<int64_t>::min();
  r.status = std::numeric_limits<uint16_t>::max();
  r.post_ids = {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), 0, -5,
                std::numeric_limits<int64_t>::max()};
  r.user_ids = {std::numeric_limits<int64_t>::min()};
  r.response_bytes = std::numeric_limits<uint64_t>::max();
  back = DecodeRecord(EncodeRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, r);
}

TEST(LedgerRecord, HeadPlusBodyIsTheEncoding) {
  LedgerRecord r = Sample();
  std::string split;
  AppendRecordHead(r.seq, RecordVersion(r), &split);
  AppendRecordBody(r, &split);
  EXPECT_EQ(split, EncodeRecord(r));
  auto seq = PeekRecordSeq(split);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 42u);
}

TEST(LedgerRecord, FixedBytesForASmallRecord) {
  // The format is hashed into the Merkle tree: pin it byte for byte.
  LedgerRecord r;
  r.seq = 300;
  r.time = 5;
  r.node_id = 1;
  r.app_id = 2;
  r.project_id = 3;
  r.use = "u";
  r.endpoint = "GET /x";
  r.status = 200;
  r.post_ids = {10, 8};
  r.user_ids = {};
  r.request_id = "rq";
  r.response_bytes = 128;
  std::string expected("\x01\xac\x02\x05\x01\x02\x03\x01u\x06GET /x\xc8\x01\x02\x14\x03\x00\x02rq\x80\x01", 27);
  EXPECT_EQ(EncodeRecord(r), expected);
}

// Version 2 adds `count` after response_bytes; a record of one request stays version 1.
TEST(LedgerRecord, CountedRecordsAreVersionTwoAndRoundTrip) {
  LedgerRecord one = Sample();
  EXPECT_EQ(RecordVersion(one), 1);
  EXPECT_EQ(EncodeRecord(one)[0], '\x01');
  LedgerRecord counted = Sample();
  counted.count = 2000;
  EXPECT_EQ(RecordVersion(counted), 2);
  std::string bytes = EncodeRecord(counted);
  EXPECT_EQ(bytes[0], '\x02');
  // The version 1 bytes, then the count (2000 = d0 0f).
  std::string v1 = EncodeRecord(one);
  EXPECT_EQ(bytes.substr(1), v1.substr(1) + "\xd0\x0f");
  auto decoded = DecodeRecord(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, counted);
  EXPECT_EQ(DecodeRecord(v1)->count, 1u);
}

TEST(LedgerRecord, RejectsAVersionTwoRecordOfOneRequest) {
  std::string bytes = EncodeRecord(Sample());
  bytes[0] = 2;
  // No count at all, then a count of one or zero: each has (or is not) a version 1 encoding.
  EXPECT_NE(DecodeError(bytes).find("field count"), std::string::npos) << DecodeError(bytes);
  EXPECT_NE(DecodeError(bytes + '\x01').find("field count at byte"), std::string::npos);
  EXPECT_NE(DecodeError(bytes + '\x01').find("1 in a version 2 record"), std::string::npos) << DecodeError(bytes + '\x01');
  EXPECT_NE(DecodeError(bytes + '\x00').find("0 in a version 2 record"), std::string::npos);
  EXPECT_TRUE(DecodeRecord(bytes + '\x02').ok());
}

TEST(LedgerRecord, RejectsWrongVersion) {
  std::string bytes = EncodeRecord(Sample());
  bytes[0] = 3;
  EXPECT_EQ(DecodeError(bytes), "ledger record: field version at byte 0: unknown version 3");
  EXPECT_EQ(DecodeError(""), "ledger record: field version at byte 0: truncated");
}

TEST(LedgerRecord, RejectsEveryTruncation) {
  std::string bytes = EncodeRecord(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string error = DecodeError(std::string_view(bytes).substr(0, n));
    EXPECT_NE(error, "(decoded)") << n;
    EXPECT_TRUE(error.find("truncated") != std::string::npos || error.find("longer than") != std::string::npos ||
                error.find("more than") != std::string::npos)
        << error;
  }
}

TEST(LedgerRecord, RejectsTrailingBytes) {
  std::string bytes = EncodeRecord(Sample()) + "x";
  EXPECT_NE(DecodeError(bytes).find("1 trailing bytes"), std::string::npos) << DecodeError(bytes);
}

TEST(LedgerRecord, RejectsOverlongVarints) {
  // seq as 11 continuation bytes, as a 10-byte varint past 64 bits, and as non-minimal 0x80 0x00.
  std::string eleven = std::string(1, '\x01').append(10, '\x80').append(1, '\x01');
  EXPECT_EQ(DecodeError(eleven), "ledger record: field seq at byte 1: overlong varint");
  std::string too_big = std::string(1, '\x01').append(9, '\xff').append(1, '\x02');
  EXPECT_EQ(DecodeError(too_big), "ledger record: field seq at byte 1: overlong varint");
  std::string non_minimal("\x01\x80\x00", 3);
  EXPECT_EQ(DecodeError(non_minimal), "ledger record: field seq at byte 1: overlong varint");
}

TEST(LedgerRecord, RejectsLengthsPastTheEnd) {
  LedgerRecord r;
  r.use = "abc";
  std::string bytes = EncodeRecord(r);
  // version, seq, time, node, app, project: 6 bytes, then use's length.
  ASSERT_EQ(bytes[6], 3);
  bytes[6] = 100;
  EXPECT_NE(DecodeError(bytes).find("field use at byte 6: length 100 is longer than"), std::string::npos)
      << DecodeError(bytes);

  r.use.clear();
  r.post_ids = {1};
  bytes = EncodeRecord(r);
  // ... use "", endpoint "", status 0, then post_ids' count at byte 9.
  ASSERT_EQ(bytes[9], 1);
  bytes[9] = 0x7f;
  EXPECT_NE(DecodeError(bytes).find("field post_ids at byte 9: count 127 is more than"), std::string::npos)
      << DecodeError(bytes);
}

TEST(LedgerRecord, RejectsOutOfRangeSmallFields) {
  LedgerRecord r;
  std::string bytes = EncodeRecord(r);
  // node_id is byte 3; give it 2^16 (three bytes).
  std::string big = bytes.substr(0, 3) + std::string("\x80\x80\x04", 3) + bytes.substr(4);
  EXPECT_EQ(DecodeError(big), "ledger record: field node_id at byte 3: value 65536 out of range");
}

}  // namespace
}  // namespace sluice
