#include "core/time_format.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(TimeFormat, FormatsWithMillisecondsAndZ) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(1637001568418), "2021-11-15T18:39:28.418Z");
  EXPECT_EQ(FormatDate(1637001568418), "2021-11-15");
}

TEST(TimeFormat, PadsEveryFieldAndKeepsYearsOutsideFourDigits) {
  EXPECT_EQ(FormatTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTime(-62135596800000), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(-30610310400000 + 3723004), "0999-12-31T01:02:03.004Z");
  EXPECT_EQ(FormatTime(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTime(253402300800000), "10000-01-01T00:00:00.000Z");
  std::string out = "at ";
  AppendTime(out, 1637001568418);
  EXPECT_EQ(out, "at 2021-11-15T18:39:28.418Z");
}

TEST(TimeFormat, ParsesWhatXAccepts) {
  EXPECT_EQ(ParseTime("2021-11-15T18:39:28Z"), 1637001568000);
  EXPECT_EQ(ParseTime("2021-11-15T18:39:28.418Z"), 1637001568418);
  EXPECT_EQ(ParseTime("2021-11-15T18:39:28.4Z"), 1637001568400);
  EXPECT_EQ(ParseTime("2021-11-15T18:39:28.418123456Z"), 1637001568418);
  EXPECT_EQ(ParseTime("2021-11-15T20:39:28+02:00"), 1637001568000);
  EXPECT_EQ(ParseTime("2024-02-29T00:00:00Z"), 1709164800000);
}

TEST(TimeFormat, RejectsMalformedAndImpossible) {
  for (const char* s : {"", "2021-11-15", "2021-11-15T18:39:28", "2021-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                        "2021-11-15T24:00:00Z", "2021-11-15T18:39:28.Z", "2021-11-15T18:39:28ZZ", "yesterday",
                        "2021-11-15T18:39:28+2:00"})
    EXPECT_FALSE(ParseTime(s).has_value()) << s;
}

TEST(TimeFormat, RoundTrips) {
  for (TimeMs t : {TimeMs(1), TimeMs(951782400000), TimeMs(1700000000999), TimeMs(4102444800000)})
    EXPECT_EQ(ParseTime(FormatTime(t)), t);
}

}  // namespace
}  // namespace sluice
