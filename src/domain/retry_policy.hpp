// When a failed postback delivery is retried (PRODUCT.md §4, "Delivery").
//
// Retryable failures are transport errors (the caller's call: no HTTP code
// at all), 408, 429 and 5xx; any other answer is final. After the n-th failed
// attempt the next one is scheduled roughly 1 min, 5 min, 30 min, 2 h and 6 h
// later; after the sixth failure the postback is given up as `failed`.
//
// Randomness is injected: the caller passes a uniform number in [0, 1), so
// the schedule is deterministic under test while still spreading retries
// (±10 %) to avoid a thundering herd on a tracker that just came back.
//
// Thread-safety: pure functions; safe from any thread.

#pragma once

#include <cstdint>
#include <optional>

namespace tglead::domain {

// Total attempts, the first one included, before a postback becomes `failed`.
inline constexpr int kMaxPostbackAttempts = 6;

// 408 Request Timeout, 429 Too Many Requests and every 5xx.
bool is_retryable_http_status(long code);

// Delay before the next attempt after `failed_attempts` failures so far
// (1 after the first failure). Base delays 60, 300, 1800, 7200, 21600 s,
// scaled by 0.9 + 0.2 * jitter_unit and rounded to whole seconds.
// jitter_unit is clamped to [0, 1] (NaN counts as 0.5, i.e. no jitter), so a
// sloppy random source can never produce a negative or huge delay.
// failed_attempts >= kMaxPostbackAttempts -> nullopt: give up.
// failed_attempts < 1 is a caller bug; it is treated as 1 so the postback is
// neither hammered nor dropped.
std::optional<std::int64_t> retry_delay_seconds(int failed_attempts, double jitter_unit);

}  // namespace tglead::domain
