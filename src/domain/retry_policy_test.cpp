#include "domain/retry_policy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace tglead::domain {
namespace {

TEST(DomainRetryPolicy, RetryableStatuses) {
  EXPECT_TRUE(is_retryable_http_status(408));
  EXPECT_TRUE(is_retryable_http_status(429));
  EXPECT_TRUE(is_retryable_http_status(500));
  EXPECT_TRUE(is_retryable_http_status(502));
  EXPECT_TRUE(is_retryable_http_status(503));
  EXPECT_TRUE(is_retryable_http_status(504));
  EXPECT_TRUE(is_retryable_http_status(599));
}

TEST(DomainRetryPolicy, FinalStatuses) {
  for (const long code : {0L, -1L, 100L, 200L, 204L, 301L, 302L, 400L, 401L, 403L, 404L, 407L,
                          409L, 410L, 428L, 430L, 499L, 600L, 999L}) {
    EXPECT_FALSE(is_retryable_http_status(code)) << code;
  }
}

TEST(DomainRetryPolicy, ScheduleWithoutJitter) {
  EXPECT_EQ(retry_delay_seconds(1, 0.5), 60);
  EXPECT_EQ(retry_delay_seconds(2, 0.5), 300);
  EXPECT_EQ(retry_delay_seconds(3, 0.5), 1800);
  EXPECT_EQ(retry_delay_seconds(4, 0.5), 7200);
  EXPECT_EQ(retry_delay_seconds(5, 0.5), 21600);
}

TEST(DomainRetryPolicy, GivesUpAfterSixFailures) {
  EXPECT_EQ(kMaxPostbackAttempts, 6);
  EXPECT_EQ(retry_delay_seconds(6, 0.5), std::nullopt);
  EXPECT_EQ(retry_delay_seconds(7, 0.0), std::nullopt);
  EXPECT_EQ(retry_delay_seconds(std::numeric_limits<int>::max(), 0.5), std::nullopt);
}

TEST(DomainRetryPolicy, JitterBounds) {
  EXPECT_EQ(retry_delay_seconds(1, 0.0), 54);
  EXPECT_EQ(retry_delay_seconds(1, 1.0), 66);
  EXPECT_EQ(retry_delay_seconds(5, 0.0), 19440);
  EXPECT_EQ(retry_delay_seconds(5, 1.0), 23760);
  EXPECT_EQ(retry_delay_seconds(5, std::nextafter(1.0, 0.0)), 23760);
}

TEST(DomainRetryPolicy, JitterIsMonotonicAndWithinTenPercent) {
  for (int attempt = 1; attempt < kMaxPostbackAttempts; ++attempt) {
    const std::int64_t base = *retry_delay_seconds(attempt, 0.5);
    std::int64_t previous = 0;
    for (int i = 0; i < 1000; ++i) {
      const std::int64_t d = *retry_delay_seconds(attempt, i / 1000.0);
      ASSERT_GE(d, previous);
      ASSERT_GE(d * 10, base * 9);
      ASSERT_LE(d * 10, base * 11);
      previous = d;
    }
  }
}

TEST(DomainRetryPolicy, DelaysGrow) {
  for (int attempt = 1; attempt + 1 < kMaxPostbackAttempts; ++attempt) {
    // Even worst-case jitter keeps the schedule increasing.
    EXPECT_LT(*retry_delay_seconds(attempt, 1.0), *retry_delay_seconds(attempt + 1, 0.0));
  }
}

TEST(DomainRetryPolicy, BadJitterIsClamped) {
  EXPECT_EQ(retry_delay_seconds(2, -5.0), 270);
  EXPECT_EQ(retry_delay_seconds(2, 42.0), 330);
  EXPECT_EQ(retry_delay_seconds(2, std::numeric_limits<double>::infinity()), 330);
  EXPECT_EQ(retry_delay_seconds(2, -std::numeric_limits<double>::infinity()), 270);
  EXPECT_EQ(retry_delay_seconds(2, std::nan("")), 300);
}

TEST(DomainRetryPolicy, NonPositiveAttemptsTreatedAsFirst) {
  EXPECT_EQ(retry_delay_seconds(0, 0.5), 60);
  EXPECT_EQ(retry_delay_seconds(-3, 0.5), 60);
  EXPECT_EQ(retry_delay_seconds(std::numeric_limits<int>::min(), 0.5), 60);
}

TEST(DomainRetryPolicy, DefaultScheduleIsTheSpecOne) {
  const auto d = default_retry_delays();
  EXPECT_EQ(std::vector<std::int64_t>(d.begin(), d.end()), (std::vector<std::int64_t>{60, 300, 1800, 7200, 21600}));
  EXPECT_EQ(static_cast<int>(d.size()) + 1, kMaxPostbackAttempts);
  EXPECT_EQ(check_retry_delays(d), "");
}

TEST(DomainRetryPolicy, CustomScheduleAndGivingUp) {
  const std::vector<std::int64_t> delays = {1, 1};
  EXPECT_EQ(retry_delay_seconds(delays, 1, 0.5), 1);
  EXPECT_EQ(retry_delay_seconds(delays, 2, 0.5), 1);
  EXPECT_EQ(retry_delay_seconds(delays, 3, 0.5), std::nullopt);
  const std::vector<std::int64_t> one = {30};
  EXPECT_EQ(retry_delay_seconds(one, 1, 0.0), 27);
  EXPECT_EQ(retry_delay_seconds(one, 1, 1.0), 33);
  EXPECT_EQ(retry_delay_seconds(one, 2, 0.5), std::nullopt);
  EXPECT_EQ(retry_delay_seconds(one, 0, 0.5), 30);
  EXPECT_EQ(retry_delay_seconds(std::span<const std::int64_t>{}, 1, 0.5), std::nullopt);
}

TEST(DomainRetryPolicy, JitterNeverGoesBelowOneSecond) {
  const std::vector<std::int64_t> delays = {1};
  for (int i = 0; i <= 100; ++i) EXPECT_EQ(retry_delay_seconds(delays, 1, i / 100.0), 1) << i;
}

TEST(DomainRetryPolicy, ScheduleBounds) {
  EXPECT_EQ(check_retry_delays(std::vector<std::int64_t>{1}), "");
  EXPECT_EQ(check_retry_delays(std::vector<std::int64_t>{kMaxRetryDelaySeconds}), "");
  EXPECT_EQ(check_retry_delays(std::vector<std::int64_t>(kMaxRetryDelays, 60)), "");
  EXPECT_NE(check_retry_delays(std::vector<std::int64_t>{}), "");
  EXPECT_NE(check_retry_delays(std::vector<std::int64_t>(kMaxRetryDelays + 1, 60)), "");
  EXPECT_NE(check_retry_delays(std::vector<std::int64_t>{60, 0}), "");
  EXPECT_NE(check_retry_delays(std::vector<std::int64_t>{-5}), "");
  EXPECT_NE(check_retry_delays(std::vector<std::int64_t>{kMaxRetryDelaySeconds + 1}), "");
  EXPECT_NE(check_retry_delays(std::vector<std::int64_t>{60, 0}).find("delay 2"), std::string::npos);
}

}  // namespace
}  // namespace tglead::domain
