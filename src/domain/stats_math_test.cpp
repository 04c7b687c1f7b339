#include "domain/stats_math.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

namespace tglead::domain {
namespace {

// Exact equality on purpose: each expected literal is the double nearest to
// the one-decimal value, which is what conversion_rate() promises.
TEST(DomainStatsMath, ExamplesFromTheContract) {
  EXPECT_EQ(conversion_rate(1, 8), 12.5);
  EXPECT_EQ(conversion_rate(2, 3), 66.7);
  EXPECT_EQ(conversion_rate(1, 6), 16.7);
  EXPECT_EQ(conversion_rate(5, 4), 125.0);
}

TEST(DomainStatsMath, HalvesRoundUp) {
  EXPECT_EQ(conversion_rate(1, 16), 6.3);    // 6.25
  EXPECT_EQ(conversion_rate(3, 16), 18.8);   // 18.75
  EXPECT_EQ(conversion_rate(1, 80), 1.3);    // 1.25
  EXPECT_EQ(conversion_rate(1, 400), 0.3);   // 0.25
  EXPECT_EQ(conversion_rate(1, 2000), 0.1);  // 0.05
  EXPECT_EQ(conversion_rate(1, 2001), 0.0);  // 0.0499...
  EXPECT_EQ(conversion_rate(7, 16), 43.8);   // 43.75
  EXPECT_EQ(conversion_rate(29, 1000), 2.9);
  EXPECT_EQ(conversion_rate(1005, 10000), 10.1);  // 10.05 (float: 10.049999...)
  EXPECT_EQ(conversion_rate(1015, 10000), 10.2);  // 10.15
}

TEST(DomainStatsMath, BelowHalfRoundsDown) {
  EXPECT_EQ(conversion_rate(1, 3), 33.3);
  EXPECT_EQ(conversion_rate(1, 7), 14.3);    // 14.2857
  EXPECT_EQ(conversion_rate(1, 9), 11.1);
  EXPECT_EQ(conversion_rate(124, 10000), 1.2);  // 1.24
}

TEST(DomainStatsMath, WholeValues) {
  EXPECT_EQ(conversion_rate(0, 10), 0.0);
  EXPECT_EQ(conversion_rate(10, 10), 100.0);
  EXPECT_EQ(conversion_rate(1, 1), 100.0);
  EXPECT_EQ(conversion_rate(3, 1), 300.0);
  EXPECT_EQ(conversion_rate(1, 1000), 0.1);
}

TEST(DomainStatsMath, NoStartsMeansZero) {
  EXPECT_EQ(conversion_rate(0, 0), 0.0);
  EXPECT_EQ(conversion_rate(5, 0), 0.0);
  EXPECT_EQ(conversion_rate(5, -1), 0.0);
  EXPECT_EQ(conversion_rate(-5, 10), 0.0);
}

TEST(DomainStatsMath, NoOverflowAtExtremes) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(conversion_rate(kMax, kMax), 100.0);
  EXPECT_EQ(conversion_rate(kMax / 2, kMax), 50.0);
  EXPECT_EQ(conversion_rate(kMax, 1), static_cast<double>(kMax) * 100.0);
  EXPECT_EQ(conversion_rate(1, kMax), 0.0);
}

TEST(DomainStatsMath, PropertiesOverASweep) {
  // For every ratio: the result has one decimal, is within half a tenth of the
  // exact value, and an exact tie went up.
  for (std::int64_t s = 1; s <= 300; ++s) {
    for (std::int64_t c = 0; c <= s + 10; ++c) {
      const double cr = conversion_rate(c, s);
      const auto t = static_cast<std::int64_t>(std::llround(cr * 10));
      ASSERT_EQ(cr, static_cast<double>(t) / 10.0) << c << "/" << s;
      const std::int64_t diff = t * s - c * 1000;  // (rounded - exact) * s, in tenths
      ASSERT_LE(2 * diff, s) << c << "/" << s;
      ASSERT_GT(2 * diff, -s) << c << "/" << s;  // a tie (2*diff == -s) would mean rounding down
    }
  }
}

}  // namespace
}  // namespace tglead::domain
