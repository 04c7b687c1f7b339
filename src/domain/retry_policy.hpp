// When a failed postback delivery is retried (PRODUCT.md §4, "Delivery").
//
// Retryable failures are transport errors (the caller's call: no HTTP code
// at all), 408, 429 and 5xx; any other answer is final. After the n-th failed
// attempt the next one waits the n-th delay of a schedule; once the schedule
// is used up the postback is given up as `failed`. The default schedule is
// §4's roughly 1 min, 5 min, 30 min, 2 h and 6 h (six attempts in all); the
// operator may set another one (`serve --postback-retry-delays`).
//
// Randomness is injected: the caller passes a uniform number in [0, 1), so
// the schedule is deterministic under test while still spreading retries
// (±10 %) to avoid a thundering herd on a tracker that just came back.
//
// Thread-safety: pure functions; safe from any thread.

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace tglead::domain {

// Total attempts with the default schedule, the first one included, before a
// postback becomes `failed`.
inline constexpr int kMaxPostbackAttempts = 6;

// Bounds of an operator's schedule: enough retries to ride out a tracker's
// bad day, none so far apart that a conversion is reported a week late.
inline constexpr std::size_t kMaxRetryDelays = 10;
inline constexpr std::int64_t kMinRetryDelaySeconds = 1;
inline constexpr std::int64_t kMaxRetryDelaySeconds = 7 * 86400;

// 60, 300, 1800, 7200, 21600 seconds.
std::span<const std::int64_t> default_retry_delays();

// "" when `delays` is a usable schedule (1 to kMaxRetryDelays entries, each
// within [kMinRetryDelaySeconds, kMaxRetryDelaySeconds]), else a short reason
// naming the offending entry by its 1-based position.
std::string check_retry_delays(std::span<const std::int64_t> delays);

// 408 Request Timeout, 429 Too Many Requests and every 5xx.
bool is_retryable_http_status(long code);

// Delay before the next attempt after `failed_attempts` failures so far
// (1 after the first failure): delays[failed_attempts - 1] scaled by
// 0.9 + 0.2 * jitter_unit, rounded to whole seconds and never below 1 s.
// jitter_unit is clamped to [0, 1] (NaN counts as 0.5, i.e. no jitter), so a
// sloppy random source can never produce a negative or huge delay.
// failed_attempts > delays.size() -> nullopt: give up.
// failed_attempts < 1 is a caller bug; it is treated as 1 so the postback is
// neither hammered nor dropped.
std::optional<std::int64_t> retry_delay_seconds(std::span<const std::int64_t> delays, int failed_attempts,
                                                double jitter_unit);

// The same with the default schedule.
std::optional<std::int64_t> retry_delay_seconds(int failed_attempts, double jitter_unit);

}  // namespace tglead::domain
