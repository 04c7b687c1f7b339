#include "util/time_format.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace tglead::util {
namespace {

constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();

TEST(UtilTimeFormatDateTime, KnownInstants) {
  EXPECT_EQ(format_datetime(1), "1970-01-01 00:00:01");
  EXPECT_EQ(format_datetime(1700000000), "2023-11-14 22:13:20");
  EXPECT_EQ(format_datetime(951782400), "2000-02-29 00:00:00");
  EXPECT_EQ(format_datetime(1709164799), "2024-02-28 23:59:59");
  EXPECT_EQ(format_datetime(4102444800), "2100-01-01 00:00:00");
}

TEST(UtilTimeFormatDateTime, Past32BitRollover) {
  EXPECT_EQ(format_datetime(2147483647), "2038-01-19 03:14:07");
  EXPECT_EQ(format_datetime(2147483648), "2038-01-19 03:14:08");
}

TEST(UtilTimeFormatDateTime, ZeroAndNegativeAreUnset) {
  EXPECT_EQ(format_datetime(0), "0000-00-00 00:00:00");
  EXPECT_EQ(format_datetime(-1), "0000-00-00 00:00:00");
  EXPECT_EQ(format_datetime(-86400), "0000-00-00 00:00:00");
  EXPECT_EQ(format_datetime(kI64Min), "0000-00-00 00:00:00");
  EXPECT_EQ(format_datetime(0), kUnsetDateTime);
}

TEST(UtilTimeFormatDateTime, FarFutureIsClampedNotMalformed) {
  EXPECT_EQ(format_datetime(253402300799), "9999-12-31 23:59:59");
  EXPECT_EQ(format_datetime(253402300800), "9999-12-31 23:59:59");
  EXPECT_EQ(format_datetime(kI64Max), "9999-12-31 23:59:59");
}

TEST(UtilTimeFormatDateTime, DayBoundaries) {
  EXPECT_EQ(format_datetime(86399), "1970-01-01 23:59:59");
  EXPECT_EQ(format_datetime(86400), "1970-01-02 00:00:00");
}

TEST(UtilTimeFormatDate, ZeroIsARealDay) {
  EXPECT_EQ(format_date(0), "1970-01-01");
  EXPECT_EQ(format_date(1700000000), "2023-11-14");
  EXPECT_EQ(format_date(951782400), "2000-02-29");
}

TEST(UtilTimeFormatDate, NegativeFloorsToThePreviousDay) {
  EXPECT_EQ(format_date(-1), "1969-12-31");
  EXPECT_EQ(format_date(-86400), "1969-12-31");
  EXPECT_EQ(format_date(-86401), "1969-12-30");
  EXPECT_EQ(format_date(-2203891200), "1900-03-01");
}

TEST(UtilTimeFormatDate, ClampedToFourDigitYears) {
  EXPECT_EQ(format_date(kI64Min), "0000-01-01");
  EXPECT_EQ(format_date(kI64Max), "9999-12-31");
}

TEST(UtilTimeFormatDayStart, FloorsPositive) {
  EXPECT_EQ(utc_day_start(0), 0);
  EXPECT_EQ(utc_day_start(1), 0);
  EXPECT_EQ(utc_day_start(86399), 0);
  EXPECT_EQ(utc_day_start(86400), 86400);
  EXPECT_EQ(utc_day_start(1700000000), 1699920000);
}

TEST(UtilTimeFormatDayStart, FloorsNegativeTowardsMinusInfinity) {
  EXPECT_EQ(utc_day_start(-1), -86400);
  EXPECT_EQ(utc_day_start(-86399), -86400);
  EXPECT_EQ(utc_day_start(-86400), -86400);
  EXPECT_EQ(utc_day_start(-86401), -172800);
}

TEST(UtilTimeFormatDayStart, ExtremesDoNotOverflow) {
  const std::int64_t lowest = utc_day_start(kI64Min);
  EXPECT_EQ(lowest % kSecondsPerDay, 0);
  EXPECT_EQ(lowest, -106751991167300LL * 86400);
  EXPECT_EQ(utc_day_start(lowest), lowest);
  const std::int64_t highest = utc_day_start(kI64Max);
  EXPECT_EQ(highest % kSecondsPerDay, 0);
  EXPECT_LE(highest, kI64Max);
  EXPECT_GT(highest, kI64Max - kSecondsPerDay);
}

TEST(UtilTimeFormatParseDate, Valid) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(parse_date("2024-02-29"), 1709164800);
  EXPECT_EQ(parse_date("2000-02-29"), 951782400);
  EXPECT_EQ(parse_date("1969-12-31"), -86400);
  EXPECT_EQ(parse_date("1900-03-01"), -2203891200);
  EXPECT_EQ(parse_date("0000-01-01"), -62167219200);
  EXPECT_EQ(parse_date("9999-12-31"), 253402300800 - 86400);
}

TEST(UtilTimeFormatParseDate, ImpossibleDates) {
  EXPECT_FALSE(parse_date("2023-02-29"));  // not a leap year
  EXPECT_FALSE(parse_date("2100-02-29"));  // century rule
  EXPECT_FALSE(parse_date("2024-04-31"));
  EXPECT_FALSE(parse_date("2024-01-32"));
  EXPECT_FALSE(parse_date("2024-00-10"));
  EXPECT_FALSE(parse_date("2024-13-01"));
  EXPECT_FALSE(parse_date("2024-01-00"));
  EXPECT_FALSE(parse_date("0000-00-00"));  // the "unset" date is not a day
}

TEST(UtilTimeFormatParseDate, MalformedText) {
  EXPECT_FALSE(parse_date(""));
  EXPECT_FALSE(parse_date("2024-2-29"));
  EXPECT_FALSE(parse_date("2024-02-9"));
  EXPECT_FALSE(parse_date(" 2024-02-29"));
  EXPECT_FALSE(parse_date("2024-02-29 "));
  EXPECT_FALSE(parse_date("2024-02-29 00:00:00"));
  EXPECT_FALSE(parse_date("2024/02/29"));
  EXPECT_FALSE(parse_date("+024-02-29"));
  EXPECT_FALSE(parse_date("-024-02-29"));
  EXPECT_FALSE(parse_date("2024-+2-29"));
  EXPECT_FALSE(parse_date("20a4-02-29"));
  EXPECT_FALSE(parse_date("1709164800"));
  EXPECT_FALSE(parse_date(std::string_view("2024-02-2\0", 10)));
}

TEST(UtilTimeFormatParseDate, RoundTripsEveryDayOverFourHundredYears) {
  // A full Gregorian cycle exercises every leap-year rule.
  const std::int64_t start = *parse_date("1900-01-01");
  for (std::int64_t day = 0; day < 146097; ++day) {
    const std::int64_t t = start + day * kSecondsPerDay;
    const std::string text = format_date(t);
    ASSERT_EQ(parse_date(text), t) << text;
    ASSERT_EQ(format_date(t + kSecondsPerDay - 1), text);
    ASSERT_EQ(utc_day_start(t + 12345), t);
  }
}

}  // namespace
}  // namespace tglead::util
