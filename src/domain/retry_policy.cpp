#include "domain/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace tglead::domain {

namespace {

constexpr std::array<std::int64_t, kMaxPostbackAttempts - 1> kDefaultDelays = {60, 300, 1800, 7200, 21600};

}  // namespace

std::span<const std::int64_t> default_retry_delays() { return kDefaultDelays; }

std::string check_retry_delays(std::span<const std::int64_t> delays) {
  if (delays.empty()) return "no delays given";
  if (delays.size() > kMaxRetryDelays) {
    return "at most " + std::to_string(kMaxRetryDelays) + " delays, got " + std::to_string(delays.size());
  }
  for (std::size_t i = 0; i < delays.size(); ++i) {
    if (delays[i] < kMinRetryDelaySeconds || delays[i] > kMaxRetryDelaySeconds) {
      return "delay " + std::to_string(i + 1) + " is " + std::to_string(delays[i]) + " s, not within 1 s to 7 days";
    }
  }
  return "";
}

bool is_retryable_http_status(long code) {
  return code == 408 || code == 429 || (code >= 500 && code <= 599);
}

std::optional<std::int64_t> retry_delay_seconds(std::span<const std::int64_t> delays, int failed_attempts,
                                                double jitter_unit) {
  if (failed_attempts < 1) failed_attempts = 1;
  if (static_cast<std::size_t>(failed_attempts) > delays.size()) return std::nullopt;
  if (std::isnan(jitter_unit)) jitter_unit = 0.5;
  jitter_unit = std::clamp(jitter_unit, 0.0, 1.0);
  const double factor = 0.9 + 0.2 * jitter_unit;
  const auto base = static_cast<double>(delays[static_cast<std::size_t>(failed_attempts - 1)]);
  return std::max<std::int64_t>(std::llround(base * factor), 1);
}

std::optional<std::int64_t> retry_delay_seconds(int failed_attempts, double jitter_unit) {
  return retry_delay_seconds(kDefaultDelays, failed_attempts, jitter_unit);
}

}  // namespace tglead::domain
