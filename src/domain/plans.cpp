#include "domain/plans.hpp"

#include <array>

#include "util/ascii.hpp"

namespace tglead::domain {

namespace {

constexpr std::array<std::string_view, 3> kPlanNames = {"kitten", "kitty", "tiger"};

}  // namespace

std::optional<Plan> parse_plan(std::string_view name) {
  for (std::size_t i = 0; i < kPlanNames.size(); ++i) {
    if (util::ascii_iequals(name, kPlanNames[i])) return static_cast<Plan>(i);
  }
  return std::nullopt;
}

std::string_view plan_name(Plan plan) {
  const auto i = static_cast<std::size_t>(plan);
  return i < kPlanNames.size() ? kPlanNames[i] : std::string_view{};
}

std::optional<int> active_campaign_limit(Plan plan) {
  switch (plan) {
    case Plan::Kitten:
      return 1;
    case Plan::Kitty:
      return 15;
    case Plan::Tiger:
      return std::nullopt;
  }
  // An out-of-range value is a bug upstream; grant the least.
  return 1;
}

PlanAccess plan_access(Plan plan, std::int64_t paid_until, std::int64_t now) {
  if (plan == Plan::Kitten) return PlanAccess::Full;
  if (now <= paid_until) return PlanAccess::Full;
  // now > paid_until, so the difference is positive and fits in uint64 even
  // when the signed subtraction would overflow.
  const std::uint64_t overdue = static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(paid_until);
  if (overdue > static_cast<std::uint64_t>(kAutoPauseGraceSeconds)) return PlanAccess::AutoPause;
  if (overdue > static_cast<std::uint64_t>(kApiGraceSeconds)) return PlanAccess::ApiUnpaid;
  return PlanAccess::DashboardCut;
}

}  // namespace tglead::domain
