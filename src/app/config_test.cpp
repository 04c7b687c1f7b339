#include "app/config.hpp"

#include <gtest/gtest.h>

namespace tglead::app {
namespace {

std::optional<std::vector<std::int64_t>> delays(const std::string& text) {
  std::string error;
  auto out = parse_retry_delays(text, error);
  EXPECT_EQ(out.has_value(), error.empty()) << text << ": " << error;
  return out;
}

std::string error_of(const std::string& text) {
  std::string error;
  EXPECT_FALSE(parse_retry_delays(text, error).has_value()) << text;
  return error;
}

TEST(AppConfigRetryDelays, DefaultIsTheSpecSchedule) {
  EXPECT_EQ(delays(ServeConfig{}.postback_retry_delays), (std::vector<std::int64_t>{60, 300, 1800, 7200, 21600}));
}

TEST(AppConfigRetryDelays, Forms) {
  EXPECT_EQ(delays("1s"), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(delays("1s,1s"), (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(delays("90, 2m ,1h"), (std::vector<std::int64_t>{90, 120, 3600}));
  EXPECT_EQ(delays("168h"), (std::vector<std::int64_t>{7 * 86400}));
  EXPECT_EQ(delays("1s,1s,1s,1s,1s,1s,1s,1s,1s,1s")->size(), 10u);
}

TEST(AppConfigRetryDelays, BadInputNamesTheProblem) {
  EXPECT_NE(error_of("").find("entry 1"), std::string::npos);
  EXPECT_NE(error_of("1m,,5m").find("entry 2"), std::string::npos);
  EXPECT_NE(error_of("1m,5x").find("'5x'"), std::string::npos);
  EXPECT_NE(error_of("1m,5m,").find("entry 3"), std::string::npos);
  EXPECT_NE(error_of("2d").find("'2d'"), std::string::npos);
  EXPECT_NE(error_of("-5s").find("'-5s'"), std::string::npos);
  EXPECT_NE(error_of("1.5m").find("'1.5m'"), std::string::npos);
  EXPECT_NE(error_of("0s").find("delay 1"), std::string::npos);
  EXPECT_NE(error_of("1m,169h").find("delay 2"), std::string::npos);
  EXPECT_NE(error_of("1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s").find("at most 10"), std::string::npos);
}

}  // namespace
}  // namespace tglead::app
