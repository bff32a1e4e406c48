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
  bytes[0] = 5;
  EXPECT_EQ(DecodeError(bytes), "ledger record: field version at byte 0: unknown version 5");
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


// Records written before version 3 existed decode as they did: the bytes of a version 1 and a
// version 2 record, pinned, give the same fields, no authorizing user, and encode back alike.
TEST(LedgerRecord, RecordsFromBeforeVersionThreeDecodeUnchanged) {
  const std::string v1("\x01\xac\x02\x05\x01\x02\x03\x01u\x06GET /x\xc8\x01\x02\x14\x03\x00\x02rq\x80\x01", 27);
  auto one = DecodeRecord(v1);
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(one->seq, 300u);
  EXPECT_EQ(one->endpoint, "GET /x");
  EXPECT_EQ(one->post_ids, (std::vector<Id>{10, 8}));
  EXPECT_EQ(one->count, 1u);
  EXPECT_EQ(one->authorizing_user_id, 0);
  EXPECT_EQ(EncodeRecord(*one), v1);
  // The same record counted twice (version 2: count 2 at the end).
  std::string v2 = v1 + '\x02';
  v2[0] = 2;
  auto two = DecodeRecord(v2);
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(two->count, 2u);
  EXPECT_EQ(two->authorizing_user_id, 0);
  EXPECT_EQ(EncodeRecord(*two), v2);
}

// Version 3: a record of a request made with a user access token names the account that
// authorised it, after count; its bytes are pinned like version 1's.
TEST(LedgerRecord, AuthorizedRecordsAreVersionThreeAndRoundTrip) {
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
  r.request_id = "rq";
  r.response_bytes = 128;
  r.authorizing_user_id = 300;
  EXPECT_EQ(RecordVersion(r), 3);
  std::string expected("\x03\xac\x02\x05\x01\x02\x03\x01u\x06GET /x\xc8\x01\x02\x14\x03\x00\x02rq\x80\x01\x01\xac\x02", 30);
  EXPECT_EQ(EncodeRecord(r), expected);
  auto back = DecodeRecord(expected);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, r);
  // With a count above one, too.
  r.count = 7;
  back = DecodeRecord(EncodeRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, r);
  // Head plus body is still the encoding.
  std::string split;
  AppendRecordHead(r.seq, RecordVersion(r), &split);
  AppendRecordBody(r, &split);
  EXPECT_EQ(split, EncodeRecord(r));
}

TEST(LedgerRecord, RejectsAVersionThreeRecordWithoutAnAuthorizingUser) {
  LedgerRecord r = Sample();
  std::string bytes = EncodeRecord(r);
  bytes[0] = 3;
  // count 1, then user 0: that record is version 1. count 0 is no record.
  EXPECT_NE(DecodeError(bytes + std::string("\x01\x00", 2)).find("field authorizing_user_id"), std::string::npos) << DecodeError(bytes + std::string("\x01\x00", 2));
  EXPECT_NE(DecodeError(bytes + std::string("\x00\x05", 2)).find("0 in a version 3 record"), std::string::npos);
  EXPECT_NE(DecodeError(bytes + "\x01").find("field authorizing_user_id"), std::string::npos);
  EXPECT_TRUE(DecodeRecord(bytes + "\x01\x05").ok());
}

// Version 4: a compliance notice names its channel after count and the authorizing user
// (which may be 0: batch jobs are app-only). Its bytes are pinned like version 3's.
TEST(LedgerRecord, NoticesAreVersionFourAndRoundTrip) {
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
  r.request_id = "rq";
  r.response_bytes = 128;
  r.channel = "job:9";
  EXPECT_EQ(RecordVersion(r), 4);
  std::string expected(
      "\x04\xac\x02\x05\x01\x02\x03\x01u\x06GET /x\xc8\x01\x02\x14\x03\x00\x02rq\x80\x01\x01\x00\x05job:9", 35);
  EXPECT_EQ(EncodeRecord(r), expected);
  auto back = DecodeRecord(expected);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, r);
  // With an authorizing user and a count, and the ids long.
  LedgerRecord big = Sample();
  big.channel = "stream:tweets:1";
  big.count = 3;
  big.authorizing_user_id = 77;
  back = DecodeRecord(EncodeRecord(big));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, big);
  std::string split;
  AppendRecordHead(big.seq, RecordVersion(big), &split);
  AppendRecordBody(big, &split);
  EXPECT_EQ(split, EncodeRecord(big));
  // The records of the older versions are untouched by the new field.
  EXPECT_EQ(RecordVersion(Sample()), 1);
}

TEST(LedgerRecord, RejectsAVersionFourRecordWithoutAChannelOrCount) {
  LedgerRecord r = Sample();
  std::string bytes = EncodeRecord(r);
  bytes[0] = 4;
  EXPECT_NE(DecodeError(bytes + std::string("\x01\x00\x00", 3)).find("field channel"), std::string::npos)
      << DecodeError(bytes + std::string("\x01\x00\x00", 3));
  EXPECT_NE(DecodeError(bytes + std::string("\x00\x00\x01j", 4)).find("0 in a version 4 record"), std::string::npos);
  EXPECT_NE(DecodeError(bytes + std::string("\x01\x00\x05job", 5)).find("field channel"), std::string::npos);
  EXPECT_NE(DecodeError(bytes + std::string("\x01\x00\x01jx", 5)).find("trailing"), std::string::npos);
  EXPECT_TRUE(DecodeRecord(bytes + std::string("\x01\x00\x01j", 4)).ok());
}

}  // namespace
}  // namespace sluice
