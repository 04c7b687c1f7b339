// UTC date/time formatting and parsing for API answers, CSV exports and
// statistics. Every function is pure and works on Unix seconds; UTC is the only
// time zone this module knows (per-user zones are applied by callers, if ever).
//
// The civil-calendar conversion is done arithmetically through std::chrono
// (days_from_civil) instead of gmtime()/timegm(), which are not thread-safe
// (gmtime) or not portable (timegm) and are much slower.
//
// Output is always fixed-width: years are clamped to 0000..9999 so a bogus
// timestamp can never produce a malformed field.
//
// Thread-safety: all functions are stateless and may be called concurrently.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tglead::util {

inline constexpr std::int64_t kSecondsPerDay = 86'400;

// The spec's representation of "no date" (e.g. a lead that never joined).
inline constexpr std::string_view kUnsetDateTime = "0000-00-00 00:00:00";

// "YYYY-MM-DD HH:MM:SS" in UTC. 0 and negative values mean "unset" (times are
// stored as 0 when absent) and give kUnsetDateTime. Times after
// 9999-12-31 23:59:59 are clamped to it.
// The system clock in whole seconds: what services use as their clock.
std::int64_t unix_now();

std::string format_datetime(std::int64_t unix_seconds);

// "YYYY-MM-DD" in UTC. Unlike format_datetime, 0 is a real day (1970-01-01)
// and negative values are formatted as real pre-1970 days; the result is
// clamped to 0000-01-01..9999-12-31.
std::string format_date(std::int64_t unix_seconds);

// Floors to the UTC midnight at or before `unix_seconds` (correct for negative
// values, where plain integer division would round towards zero). The few
// values below the earliest representable midnight give that midnight.
std::int64_t utc_day_start(std::int64_t unix_seconds);

// Parses exactly "YYYY-MM-DD" (no surrounding whitespace, no time part) into
// the Unix time of that day's UTC midnight. Rejects impossible dates such as
// 2023-02-29 or 2024-13-01.
std::optional<std::int64_t> parse_date(std::string_view text);

}  // namespace tglead::util
