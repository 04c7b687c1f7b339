#include "domain/lead_status.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <string>

namespace tglead::domain {
namespace {

TEST(DomainLeadStatus, CodesAreTheApiContract) {
  EXPECT_EQ(static_cast<int>(LeadStatus::Wait), 0);
  EXPECT_EQ(static_cast<int>(LeadStatus::Hold), 1);
  EXPECT_EQ(static_cast<int>(LeadStatus::Approve), 2);
  EXPECT_EQ(static_cast<int>(LeadStatus::Cancel), 3);
  EXPECT_EQ(static_cast<int>(LeadStatus::Trash), 4);
  static_assert(status_code(LeadStatus::Trash) == 4);
}

TEST(DomainLeadStatus, AllStatusesInCodeOrder) {
  for (std::size_t i = 0; i < kAllStatuses.size(); ++i) {
    EXPECT_EQ(status_code(kAllStatuses[i]), static_cast<int>(i));
  }
}

TEST(DomainLeadStatus, Names) {
  EXPECT_EQ(status_name(LeadStatus::Wait), "wait");
  EXPECT_EQ(status_name(LeadStatus::Hold), "hold");
  EXPECT_EQ(status_name(LeadStatus::Approve), "approve");
  EXPECT_EQ(status_name(LeadStatus::Cancel), "cancel");
  EXPECT_EQ(status_name(LeadStatus::Trash), "trash");
}

TEST(DomainLeadStatus, OutOfRangeEnumHasEmptyName) {
  EXPECT_EQ(status_name(static_cast<LeadStatus>(5)), "");
  EXPECT_EQ(status_name(static_cast<LeadStatus>(-1)), "");
}

TEST(DomainLeadStatus, NamesRoundTrip) {
  std::set<std::string> seen;
  for (const LeadStatus s : kAllStatuses) {
    EXPECT_EQ(parse_status_name(status_name(s)), s);
    seen.emplace(status_name(s));
  }
  EXPECT_EQ(seen.size(), kAllStatuses.size());
}

TEST(DomainLeadStatus, ParseNameIsCaseInsensitive) {
  EXPECT_EQ(parse_status_name("APPROVE"), LeadStatus::Approve);
  EXPECT_EQ(parse_status_name("Trash"), LeadStatus::Trash);
}

TEST(DomainLeadStatus, ParseNameRejectsOthers) {
  EXPECT_FALSE(parse_status_name(""));
  EXPECT_FALSE(parse_status_name(" wait"));
  EXPECT_FALSE(parse_status_name("wait "));
  EXPECT_FALSE(parse_status_name("wai"));
  EXPECT_FALSE(parse_status_name("waiting"));
  EXPECT_FALSE(parse_status_name("0"));
  EXPECT_FALSE(parse_status_name("approved"));
  EXPECT_FALSE(parse_status_name("new"));
  EXPECT_FALSE(parse_status_name(std::string_view("wait\0", 5)));
}

TEST(DomainLeadStatus, FromCode) {
  for (const LeadStatus s : kAllStatuses) EXPECT_EQ(status_from_code(status_code(s)), s);
  EXPECT_FALSE(status_from_code(-1));
  EXPECT_FALSE(status_from_code(5));
  EXPECT_FALSE(status_from_code(std::numeric_limits<std::int64_t>::min()));
  EXPECT_FALSE(status_from_code(std::numeric_limits<std::int64_t>::max()));
  // Would wrap to 2 if narrowed to int32 first.
  EXPECT_FALSE(status_from_code((std::int64_t{1} << 32) + 2));
}

}  // namespace
}  // namespace tglead::domain
