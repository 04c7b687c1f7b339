#include "domain/retry_policy.hpp"

#include <array>
#include <cmath>

namespace tglead::domain {

namespace {

constexpr std::array<std::int64_t, kMaxPostbackAttempts - 1> kBaseDelays = {60, 300, 1800, 7200,
                                                                              21600};

}  // namespace

bool is_retryable_http_status(long code) {
  return code == 408 || code == 429 || (code >= 500 && code <= 599);
}

std::optional<std::int64_t> retry_delay_seconds(int failed_attempts, double jitter_unit) {
  if (failed_attempts >= kMaxPostbackAttempts) return std::nullopt;
  if (failed_attempts < 1) failed_attempts = 1;
  if (std::isnan(jitter_unit)) jitter_unit = 0.5;
  if (jitter_unit < 0.0) jitter_unit = 0.0;
  if (jitter_unit > 1.0) jitter_unit = 1.0;
  const double factor = 0.9 + 0.2 * jitter_unit;
  const auto base = static_cast<double>(kBaseDelays[static_cast<std::size_t>(failed_attempts - 1)]);
  return static_cast<std::int64_t>(std::llround(base * factor));
}

}  // namespace tglead::domain
