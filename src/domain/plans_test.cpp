#include "domain/plans.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace tglead::domain {
namespace {

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kPaid = 1'700'000'000;
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();

TEST(DomainPlans, Names) {
  EXPECT_EQ(plan_name(Plan::Kitten), "kitten");
  EXPECT_EQ(plan_name(Plan::Kitty), "kitty");
  EXPECT_EQ(plan_name(Plan::Tiger), "tiger");
  EXPECT_EQ(plan_name(static_cast<Plan>(7)), "");
}

TEST(DomainPlans, ParseRoundTripsAndIgnoresCase) {
  for (const Plan p : {Plan::Kitten, Plan::Kitty, Plan::Tiger}) EXPECT_EQ(parse_plan(plan_name(p)), p);
  EXPECT_EQ(parse_plan("TIGER"), Plan::Tiger);
  EXPECT_EQ(parse_plan("Kitty"), Plan::Kitty);
}

TEST(DomainPlans, ParseRejectsOthers) {
  EXPECT_FALSE(parse_plan(""));
  EXPECT_FALSE(parse_plan("kit"));
  EXPECT_FALSE(parse_plan("kittens"));
  EXPECT_FALSE(parse_plan(" tiger"));
  EXPECT_FALSE(parse_plan("tiger "));
  EXPECT_FALSE(parse_plan("free"));
  EXPECT_FALSE(parse_plan("1"));
}

TEST(DomainPlans, CampaignLimits) {
  EXPECT_EQ(active_campaign_limit(Plan::Kitten), 1);
  EXPECT_EQ(active_campaign_limit(Plan::Kitty), 15);
  EXPECT_EQ(active_campaign_limit(Plan::Tiger), std::nullopt);
}

TEST(DomainPlans, KittenNeverExpires) {
  EXPECT_EQ(plan_access(Plan::Kitten, 0, kPaid), PlanAccess::Full);
  EXPECT_EQ(plan_access(Plan::Kitten, kPaid, kPaid + 365 * kDay), PlanAccess::Full);
  EXPECT_EQ(plan_access(Plan::Kitten, kI64Min, kI64Max), PlanAccess::Full);
}

TEST(DomainPlans, PaidPlanBoundaries) {
  for (const Plan p : {Plan::Kitty, Plan::Tiger}) {
    EXPECT_EQ(plan_access(p, kPaid, kPaid - kDay), PlanAccess::Full);
    EXPECT_EQ(plan_access(p, kPaid, kPaid), PlanAccess::Full);
    EXPECT_EQ(plan_access(p, kPaid, kPaid + 1), PlanAccess::DashboardCut);
    EXPECT_EQ(plan_access(p, kPaid, kPaid + 7 * kDay), PlanAccess::DashboardCut);
    EXPECT_EQ(plan_access(p, kPaid, kPaid + 7 * kDay + 1), PlanAccess::ApiUnpaid);
    EXPECT_EQ(plan_access(p, kPaid, kPaid + 14 * kDay), PlanAccess::ApiUnpaid);
    EXPECT_EQ(plan_access(p, kPaid, kPaid + 14 * kDay + 1), PlanAccess::AutoPause);
    EXPECT_EQ(plan_access(p, kPaid, kPaid + 400 * kDay), PlanAccess::AutoPause);
  }
}

TEST(DomainPlans, NeverPaidIsLongOverdue) {
  EXPECT_EQ(plan_access(Plan::Kitty, 0, kPaid), PlanAccess::AutoPause);
}

TEST(DomainPlans, ExtremeValuesDoNotOverflow) {
  EXPECT_EQ(plan_access(Plan::Tiger, kI64Min, kI64Max), PlanAccess::AutoPause);
  EXPECT_EQ(plan_access(Plan::Tiger, kI64Max, kI64Min), PlanAccess::Full);
  EXPECT_EQ(plan_access(Plan::Tiger, kI64Max, kI64Max), PlanAccess::Full);
  EXPECT_EQ(plan_access(Plan::Tiger, kI64Max - 1, kI64Max), PlanAccess::DashboardCut);
  EXPECT_EQ(plan_access(Plan::Tiger, kI64Min, kI64Min + 8 * kDay), PlanAccess::ApiUnpaid);
}

}  // namespace
}  // namespace tglead::domain
