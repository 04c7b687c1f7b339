#include "util/time_format.hpp"

#include <chrono>
#include <ctime>
#include <limits>

namespace tglead::util {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// 0000-01-01 00:00:00 and 9999-12-31 23:59:59 UTC. Clamping to this window
// keeps std::chrono::year (a 16-bit value) from overflowing and keeps the
// output width fixed.
constexpr std::int64_t kMinSeconds = -62'167'219'200;
constexpr std::int64_t kMaxSeconds = 253'402'300'799;

std::int64_t clamp_seconds(std::int64_t s) {
  if (s < kMinSeconds) return kMinSeconds;
  if (s > kMaxSeconds) return kMaxSeconds;
  return s;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Writes "YYYY-MM-DD" into out[0..9]; returns seconds into the day.
std::int64_t put_date(char* out, std::int64_t clamped_seconds) {
  const std::int64_t day = floor_div(clamped_seconds, kSecondsPerDay);
  const year_month_day ymd{sys_days{days{day}}};
  put_digits(out, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  out[4] = '-';
  put_digits(out + 5, static_cast<unsigned>(ymd.month()), 2);
  out[7] = '-';
  put_digits(out + 8, static_cast<unsigned>(ymd.day()), 2);
  return clamped_seconds - day * kSecondsPerDay;
}

}  // namespace

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string format_datetime(std::int64_t unix_seconds) {
  if (unix_seconds <= 0) return std::string(kUnsetDateTime);
  std::string out(19, ' ');
  const auto tod = static_cast<unsigned>(put_date(out.data(), clamp_seconds(unix_seconds)));
  put_digits(out.data() + 11, tod / 3600, 2);
  out[13] = ':';
  put_digits(out.data() + 14, tod / 60 % 60, 2);
  out[16] = ':';
  put_digits(out.data() + 17, tod % 60, 2);
  return out;
}

std::string format_date(std::int64_t unix_seconds) {
  std::string out(10, ' ');
  put_date(out.data(), clamp_seconds(unix_seconds));
  return out;
}

std::int64_t utc_day_start(std::int64_t unix_seconds) {
  constexpr std::int64_t kLowest =
      std::numeric_limits<std::int64_t>::min() / kSecondsPerDay * kSecondsPerDay;
  if (unix_seconds < kLowest) return kLowest;
  return floor_div(unix_seconds, kSecondsPerDay) * kSecondsPerDay;
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t len) -> std::optional<unsigned> {
    unsigned v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      const char c = text[i];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
  };
  const auto y = number(0, 4);
  const auto m = number(5, 2);
  const auto d = number(8, 2);
  if (!y || !m || !d) return std::nullopt;
  const year_month_day ymd{std::chrono::year{static_cast<int>(*y)}, std::chrono::month{*m},
                           std::chrono::day{*d}};
  // ok() rejects month 0/13 and days past the month's end, leap years included.
  if (!ymd.ok()) return std::nullopt;
  return static_cast<std::int64_t>(sys_days{ymd}.time_since_epoch().count()) * kSecondsPerDay;
}

}  // namespace tglead::util
