#include "core/parse.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(ParseInt, ReadsDecimalIntegersInRange) {
  EXPECT_EQ(ParseInt<int>("0").value, 0);
  EXPECT_EQ(ParseInt<int>("42", 1, 100).value, 42);
  EXPECT_EQ(ParseInt<int64_t>("-7").value, -7);
  EXPECT_EQ(ParseInt<int64_t>("007").value, 7);
  EXPECT_EQ(ParseInt<int64_t>("9223372036854775807").value, INT64_MAX);
  EXPECT_EQ(ParseInt<uint64_t>("18446744073709551615").value, UINT64_MAX);
  EXPECT_TRUE(ParseInt<int>("100", 1, 100).ok());
  EXPECT_TRUE(ParseInt<int>("1", 1, 100).ok());
  EXPECT_TRUE(ParseInt<int>("-0").ok());
  EXPECT_TRUE(ParseInt<uint64_t>("-0").ok());  // 0, as for a signed type
  EXPECT_EQ(ParseInt<uint64_t>("-0", 1, 9).error, IntError::kOutOfRange);
}

TEST(ParseInt, AnythingButDigitsIsNotAnInteger) {
  for (const char* text : {"", "-", "+5", " 5", "5 ", "12abc", "1e3", "0x10", "1.5", "abc", "--1", "1,000"})
    EXPECT_EQ(ParseInt<int64_t>(text).error, IntError::kNotAnInteger) << "'" << text << "'";
}

TEST(ParseInt, AnIntegerOutsideTheRangeOrTheTypeIsOutOfRange) {
  EXPECT_EQ(ParseInt<int>("0", 1, 100).error, IntError::kOutOfRange);
  EXPECT_EQ(ParseInt<int>("101", 1, 100).error, IntError::kOutOfRange);
  EXPECT_EQ(ParseInt<int>("-1", 0, 10).error, IntError::kOutOfRange);
  EXPECT_EQ(ParseInt<int>("4294967297").error, IntError::kOutOfRange);  // not wrapped to 1
  EXPECT_EQ(ParseInt<int64_t>("9223372036854775808").error, IntError::kOutOfRange);
  EXPECT_EQ(ParseInt<int64_t>("99999999999999999999999").error, IntError::kOutOfRange);
  EXPECT_EQ(ParseInt<uint64_t>("-1").error, IntError::kOutOfRange);  // not wrapped to 2^64-1
  EXPECT_EQ(ParseInt<uint16_t>("65536").error, IntError::kOutOfRange);
}

TEST(ParseIntSetting, NamesTheSettingTheValueAndTheFault) {
  auto n = ParseIntSetting<int64_t>("--users", "12abc", 1, 10'000'000);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "--users 12abc: not an integer");
  n = ParseIntSetting<int64_t>("--users", "0", 1, 10'000'000);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "--users 0: must be 1..10000000");
  n = ParseIntSetting<int64_t>("--project", "0", 1, INT64_MAX);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "--project 0: must be positive");
  auto seed = ParseIntSetting<uint64_t>("--seed", "-1", 0, UINT64_MAX);
  ASSERT_FALSE(seed.ok());
  EXPECT_EQ(seed.status().message(), "--seed -1: must be 0..18446744073709551615");
  EXPECT_EQ(*ParseIntSetting<int>("--node-id", "1023", 0, 1023), 1023);
}

TEST(RangeText, WordsOpenAndClosedRanges) {
  EXPECT_EQ(RangeText(0, 256), "must be 0..256");
  EXPECT_EQ(RangeText(0, INT64_MAX), "must not be negative");
  EXPECT_EQ(RangeText(1, INT64_MAX), "must be positive");
  EXPECT_EQ(RangeText(1024, INT64_MAX), "must be at least 1024");
}

TEST(SplitCommaList, KeepsEveryItemEmptyOnesIncluded) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(SplitCommaList("a"), V{"a"});
  EXPECT_EQ(SplitCommaList("a,b,c"), (V{"a", "b", "c"}));
  EXPECT_EQ(SplitCommaList(""), V{""});
  EXPECT_EQ(SplitCommaList("a,,b"), (V{"a", "", "b"}));
  EXPECT_EQ(SplitCommaList(",a,"), (V{"", "a", ""}));
  EXPECT_EQ(SplitCommaList(" a , b"), (V{" a ", " b"}));  // no trimming: X does not trim either
}

}  // namespace
}  // namespace sluice
