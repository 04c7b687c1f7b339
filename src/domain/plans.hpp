// Subscription plans and what an account may do on each (PRODUCT.md §7).
//
// Payment state is reduced to one question, plan_access(): given the plan,
// the paid_until timestamp and the current time, which features still work.
// The grace steps after paid_until are cumulative: each level also implies
// the ones before it (AutoPause means the dashboard is cut and the API
// answers `unpaid` too).
//
// Thread-safety: pure functions; safe from any thread.

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tglead::domain {

enum class Plan { Kitten, Kitty, Tiger };

// "kitten", "kitty", "tiger"; ASCII case-insensitive (operators type these on
// the command line). nullopt for anything else.
std::optional<Plan> parse_plan(std::string_view name);

// Lowercase name; "" for a value outside the enum.
std::string_view plan_name(Plan plan);

// Maximum number of active campaigns: 1, 15, or nullopt for unlimited.
std::optional<int> active_campaign_limit(Plan plan);

enum class PlanAccess {
  Full,          // everything works
  DashboardCut,  // past paid_until: the dashboard shows only the plan page
  ApiUnpaid,     // more than 7 days past: the API answers error `unpaid` (402)
  AutoPause,     // more than 14 days past: active campaigns get auto-paused
};

inline constexpr std::int64_t kApiGraceSeconds = 7 * 86'400;
inline constexpr std::int64_t kAutoPauseGraceSeconds = 14 * 86'400;

// Kitten is free and never expires (always Full). For paid plans:
// now <= paid_until -> Full; each later step starts strictly *after* its
// boundary (now > paid_until + 7 days -> ApiUnpaid, so the exact 7-day mark
// is still DashboardCut). A paid plan with paid_until 0 (never paid) is
// therefore AutoPause. Safe for any int64 inputs (no overflow).
PlanAccess plan_access(Plan plan, std::int64_t paid_until, std::int64_t now);

}  // namespace tglead::domain
