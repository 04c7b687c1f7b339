// Lead lifecycle rules of PRODUCT.md §3.3–§3.9 (pure functions).
#include "domain/tracking.hpp"

#include <gtest/gtest.h>

namespace tglead::domain {
namespace {

constexpr std::int64_t T0 = 1763740800;  // 2025-11-21 16:00:00 UTC

const CampaignRules kActive{true, 0};
const CampaignRules kPaused{false, 0};

Lead lead_in(LeadStatus status, std::string click = "c1") {
  Lead lead;
  lead.id = 7;
  lead.click = std::move(click);
  lead.status = status;
  lead.start_time = T0;
  lead.updated = T0;
  if (status == LeadStatus::Approve || status == LeadStatus::Cancel || status == LeadStatus::Trash) {
    lead.join_time = T0 + 10;
  }
  if (status == LeadStatus::Cancel || status == LeadStatus::Trash) lead.leave_time = T0 + 20;
  return lead;
}

// ---- Rule 3: new lead ------------------------------------------------------

TEST(DomainTracking, NewLeadEntersWaitAsAStart) {
  Lead lead;
  auto entered = start_new_lead(lead, "abc-1_x", T0);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].status, LeadStatus::Wait);
  EXPECT_EQ(entered[0].time, T0);
  EXPECT_TRUE(entered[0].first);
  EXPECT_FALSE(entered[0].reconciled);
  EXPECT_EQ(entered[0].skip_reason, "");
  EXPECT_EQ(lead.status, LeadStatus::Wait);
  EXPECT_EQ(lead.start_time, T0);
  EXPECT_EQ(lead.click, "abc-1_x");
  EXPECT_EQ(lead.join_time, 0);
  EXPECT_EQ(lead.leave_time, 0);
}

TEST(DomainTracking, NewLeadWithEmptyClick) {
  Lead lead;
  auto entered = start_new_lead(lead, "", T0);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_TRUE(entered[0].first);
  EXPECT_EQ(lead.click, "");
  EXPECT_EQ(lead.status, LeadStatus::Wait);
}

// ---- Rule 4: restart -------------------------------------------------------

TEST(DomainTracking, RestartWithSameClickDoesNothing) {
  for (auto status : {LeadStatus::Wait, LeadStatus::Hold, LeadStatus::Approve, LeadStatus::Cancel,
                      LeadStatus::Trash}) {
    Lead lead = lead_in(status);
    Lead before = lead;
    auto entered = restart_lead(lead, kActive, "c1", T0 + 100);
    EXPECT_TRUE(entered.empty()) << status_name(status);
    EXPECT_EQ(lead.status, before.status);
    EXPECT_EQ(lead.click, "c1");
    EXPECT_EQ(lead.updated, before.updated);
  }
}

TEST(DomainTracking, RestartWithEmptyClickDoesNothing) {
  for (auto status : {LeadStatus::Wait, LeadStatus::Approve, LeadStatus::Cancel}) {
    Lead lead = lead_in(status);
    auto entered = restart_lead(lead, kActive, "", T0 + 100);
    EXPECT_TRUE(entered.empty());
    EXPECT_EQ(lead.click, "c1");
    EXPECT_EQ(lead.status, status);
    EXPECT_EQ(lead.updated, T0);
  }
}

TEST(DomainTracking, RestartWithNewClickInWaitFiresWaitAgain) {
  Lead lead = lead_in(LeadStatus::Wait);
  auto entered = restart_lead(lead, kActive, "c2", T0 + 100);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].status, LeadStatus::Wait);
  EXPECT_EQ(entered[0].time, T0 + 100);
  EXPECT_FALSE(entered[0].first);
  EXPECT_EQ(entered[0].skip_reason, "");
  EXPECT_EQ(lead.click, "c2");
  EXPECT_EQ(lead.updated, T0 + 100);
  EXPECT_EQ(lead.status, LeadStatus::Wait);
  EXPECT_EQ(lead.start_time, T0);  // start_time is the first /start
}

TEST(DomainTracking, RestartWithNewClickKeepsHoldAndApprove) {
  for (auto status : {LeadStatus::Hold, LeadStatus::Approve}) {
    Lead lead = lead_in(status);
    std::int64_t join_time = lead.join_time;
    auto entered = restart_lead(lead, kActive, "c2", T0 + 100);
    ASSERT_EQ(entered.size(), 1u) << status_name(status);
    EXPECT_EQ(entered[0].status, LeadStatus::Wait);  // the wait postback carries the new click
    EXPECT_FALSE(entered[0].first);
    EXPECT_EQ(entered[0].skip_reason, "");
    EXPECT_EQ(lead.status, status);
    EXPECT_EQ(lead.click, "c2");
    EXPECT_EQ(lead.updated, T0 + 100);
    EXPECT_EQ(lead.join_time, join_time);
  }
}

TEST(DomainTracking, RestartWithNewClickReturnsCancelAndTrashToWait) {
  for (auto status : {LeadStatus::Cancel, LeadStatus::Trash}) {
    Lead lead = lead_in(status);
    auto entered = restart_lead(lead, kActive, "c2", T0 + 100);
    ASSERT_EQ(entered.size(), 1u) << status_name(status);
    EXPECT_EQ(entered[0].status, LeadStatus::Wait);
    EXPECT_EQ(entered[0].skip_reason, "");
    EXPECT_EQ(lead.status, LeadStatus::Wait);
    EXPECT_EQ(lead.click, "c2");
    EXPECT_EQ(lead.updated, T0 + 100);
  }
}

TEST(DomainTracking, RestartOnPausedCampaignIsRecordedButSkipped) {
  Lead lead = lead_in(LeadStatus::Cancel);
  auto entered = restart_lead(lead, kPaused, "c2", T0 + 100);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].skip_reason, "paused");
  EXPECT_EQ(lead.status, LeadStatus::Wait);  // transitions of existing leads are still recorded
  EXPECT_EQ(lead.click, "c2");
}

// ---- Rule 5: join request --------------------------------------------------

TEST(DomainTracking, JoinRequestFromWaitEntersHold) {
  Lead lead = lead_in(LeadStatus::Wait);
  auto entered = request_join(lead, kActive, T0 + 50);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].status, LeadStatus::Hold);
  EXPECT_EQ(entered[0].time, T0 + 50);
  EXPECT_FALSE(entered[0].first);
  EXPECT_FALSE(entered[0].reconciled);
  EXPECT_EQ(entered[0].skip_reason, "");
  EXPECT_EQ(lead.status, LeadStatus::Hold);
  EXPECT_EQ(lead.updated, T0 + 50);
}

TEST(DomainTracking, JoinRequestWhenAlreadyHoldOrApproveDoesNothing) {
  for (auto status : {LeadStatus::Hold, LeadStatus::Approve}) {
    Lead lead = lead_in(status);
    Lead before = lead;
    auto entered = request_join(lead, kActive, T0 + 50);
    EXPECT_TRUE(entered.empty()) << status_name(status);
    EXPECT_EQ(lead.status, status);
    EXPECT_EQ(lead.updated, before.updated);
  }
}

TEST(DomainTracking, JoinRequestAfterCancelEntersHold) {
  Lead lead = lead_in(LeadStatus::Cancel);
  auto entered = request_join(lead, kActive, T0 + 50);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].status, LeadStatus::Hold);
  EXPECT_EQ(lead.status, LeadStatus::Hold);
}

TEST(DomainTracking, JoinRequestOnPausedCampaignSkipped) {
  Lead lead = lead_in(LeadStatus::Wait);
  auto entered = request_join(lead, kPaused, T0 + 50);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].skip_reason, "paused");
  EXPECT_EQ(lead.status, LeadStatus::Hold);
}

// ---- Rules 6 and 9: join ---------------------------------------------------

TEST(DomainTracking, JoinFromWaitAndHoldApproves) {
  for (auto status : {LeadStatus::Wait, LeadStatus::Hold}) {
    Lead lead = lead_in(status);
    auto entered = join(lead, kActive, T0 + 60);
    ASSERT_EQ(entered.size(), 1u) << status_name(status);
    EXPECT_EQ(entered[0].status, LeadStatus::Approve);
    EXPECT_EQ(entered[0].time, T0 + 60);
    EXPECT_FALSE(entered[0].first);
    EXPECT_FALSE(entered[0].reconciled);
    EXPECT_EQ(entered[0].skip_reason, "");
    EXPECT_EQ(lead.status, LeadStatus::Approve);
    EXPECT_EQ(lead.join_time, T0 + 60);
    EXPECT_FALSE(lead.reconciled);
  }
}

TEST(DomainTracking, JoinWhenAlreadyApproveFiresNothingButOverwritesJoinTime) {
  Lead lead = lead_in(LeadStatus::Approve);
  auto entered = join(lead, kActive, T0 + 500);
  EXPECT_TRUE(entered.empty());
  EXPECT_EQ(lead.status, LeadStatus::Approve);
  EXPECT_EQ(lead.join_time, T0 + 500);
}

TEST(DomainTracking, RejoinAfterCancelOrTrashApprovesAgain) {
  for (auto status : {LeadStatus::Cancel, LeadStatus::Trash}) {
    Lead lead = lead_in(status);
    auto entered = join(lead, kActive, T0 + 900);
    ASSERT_EQ(entered.size(), 1u) << status_name(status);
    EXPECT_EQ(entered[0].status, LeadStatus::Approve);
    EXPECT_EQ(entered[0].skip_reason, "");
    EXPECT_EQ(lead.status, LeadStatus::Approve);
    EXPECT_EQ(lead.join_time, T0 + 900);
    EXPECT_EQ(lead.id, 7);  // same lead, never a second one
  }
}

TEST(DomainTracking, JoinOnPausedCampaignRecordedButSkipped) {
  Lead lead = lead_in(LeadStatus::Wait);
  auto entered = join(lead, kPaused, T0 + 60);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].skip_reason, "paused");
  EXPECT_EQ(lead.status, LeadStatus::Approve);
  EXPECT_EQ(lead.join_time, T0 + 60);
}

// ---- Rules 7 and 8: leave / kick -------------------------------------------

TEST(DomainTracking, LeaveFromApproveCancels) {
  Lead lead = lead_in(LeadStatus::Approve);
  auto entered = leave(lead, kActive, T0 + 70, /*kicked=*/false);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].status, LeadStatus::Cancel);
  EXPECT_EQ(entered[0].time, T0 + 70);
  EXPECT_FALSE(entered[0].reconciled);
  EXPECT_EQ(entered[0].skip_reason, "");
  EXPECT_EQ(lead.status, LeadStatus::Cancel);
  EXPECT_EQ(lead.leave_time, T0 + 70);
  EXPECT_EQ(lead.join_time, T0 + 10);
}

TEST(DomainTracking, KickFromApproveTrashes) {
  Lead lead = lead_in(LeadStatus::Approve);
  auto entered = leave(lead, kActive, T0 + 70, /*kicked=*/true);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].status, LeadStatus::Trash);
  EXPECT_EQ(lead.status, LeadStatus::Trash);
  EXPECT_EQ(lead.leave_time, T0 + 70);
}

TEST(DomainTracking, LeaveFromWaitOrHoldAppliesTheMissedJoinFirst) {
  for (auto status : {LeadStatus::Wait, LeadStatus::Hold}) {
    for (bool kicked : {false, true}) {
      Lead lead = lead_in(status);
      auto entered = leave(lead, kActive, T0 + 80, kicked);
      ASSERT_EQ(entered.size(), 2u) << status_name(status) << kicked;
      EXPECT_EQ(entered[0].status, LeadStatus::Approve);
      EXPECT_EQ(entered[0].time, T0 + 80);
      EXPECT_TRUE(entered[0].reconciled);
      EXPECT_EQ(entered[0].skip_reason, "");
      EXPECT_EQ(entered[1].status, kicked ? LeadStatus::Trash : LeadStatus::Cancel);
      EXPECT_EQ(entered[1].time, T0 + 80);
      EXPECT_EQ(entered[1].skip_reason, "");  // 0 seconds in the chat is inside any window
      EXPECT_EQ(lead.status, kicked ? LeadStatus::Trash : LeadStatus::Cancel);
      EXPECT_EQ(lead.join_time, T0 + 80);
      EXPECT_EQ(lead.leave_time, T0 + 80);
      EXPECT_TRUE(lead.reconciled);
    }
  }
}

TEST(DomainTracking, MissedJoinWithAWindowStillFiresTheLeave) {
  Lead lead = lead_in(LeadStatus::Wait);
  auto entered = leave(lead, CampaignRules{true, 60}, T0 + 10'000, false);
  ASSERT_EQ(entered.size(), 2u);
  EXPECT_EQ(entered[1].skip_reason, "");
}

TEST(DomainTracking, UnsubWindowOutsideIsSkipped) {
  Lead lead = lead_in(LeadStatus::Approve);  // joined at T0 + 10
  auto entered = leave(lead, CampaignRules{true, 3600}, T0 + 10 + 3601, false);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].status, LeadStatus::Cancel);
  EXPECT_EQ(entered[0].skip_reason, "window");
  EXPECT_EQ(lead.status, LeadStatus::Cancel);  // the status still changes
  EXPECT_EQ(lead.leave_time, T0 + 10 + 3601);
}

TEST(DomainTracking, UnsubWindowKickOutsideIsSkipped) {
  Lead lead = lead_in(LeadStatus::Approve);
  auto entered = leave(lead, CampaignRules{true, 3600}, T0 + 10 + 7200, true);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].status, LeadStatus::Trash);
  EXPECT_EQ(entered[0].skip_reason, "window");
  EXPECT_EQ(lead.status, LeadStatus::Trash);
}

TEST(DomainTracking, UnsubWindowExactBoundaryFires) {
  Lead lead = lead_in(LeadStatus::Approve);
  auto entered = leave(lead, CampaignRules{true, 3600}, T0 + 10 + 3600, false);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].skip_reason, "");
}

TEST(DomainTracking, UnsubWindowInsideFires) {
  Lead lead = lead_in(LeadStatus::Approve);
  auto entered = leave(lead, CampaignRules{true, 3600}, T0 + 10 + 1, true);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].skip_reason, "");
}

TEST(DomainTracking, UnsubWindowZeroIsInfinite) {
  Lead lead = lead_in(LeadStatus::Approve);
  auto entered = leave(lead, CampaignRules{true, 0}, T0 + 10 + 10LL * 365 * 86400, false);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].skip_reason, "");
}

TEST(DomainTracking, UnsubWindowUsesTheLatestJoin) {
  Lead lead = lead_in(LeadStatus::Cancel);  // joined T0+10, left T0+20
  CampaignRules rules{true, 100};
  auto rejoin = join(lead, rules, T0 + 5000);
  ASSERT_EQ(rejoin.size(), 1u);
  auto entered = leave(lead, rules, T0 + 5050, false);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].skip_reason, "");  // 50 s after the latest join
}

TEST(DomainTracking, LeaveOnPausedCampaignIsPaused) {
  Lead lead = lead_in(LeadStatus::Approve);
  auto entered = leave(lead, CampaignRules{false, 3600}, T0 + 10 + 7200, false);
  ASSERT_EQ(entered.size(), 1u);
  EXPECT_EQ(entered[0].skip_reason, "paused");
  EXPECT_EQ(lead.status, LeadStatus::Cancel);
}

TEST(DomainTracking, MissedJoinOnPausedCampaignSkipsBoth) {
  Lead lead = lead_in(LeadStatus::Hold);
  auto entered = leave(lead, kPaused, T0 + 80, true);
  ASSERT_EQ(entered.size(), 2u);
  EXPECT_EQ(entered[0].skip_reason, "paused");
  EXPECT_EQ(entered[1].skip_reason, "paused");
  EXPECT_EQ(lead.status, LeadStatus::Trash);
}

TEST(DomainTracking, FullStoryStartJoinLeaveRejoin) {
  Lead lead;
  start_new_lead(lead, "k1", T0);
  EXPECT_EQ(request_join(lead, kActive, T0 + 1).size(), 1u);
  EXPECT_EQ(join(lead, kActive, T0 + 2).size(), 1u);
  EXPECT_EQ(leave(lead, kActive, T0 + 3, false).size(), 1u);
  EXPECT_EQ(lead.status, LeadStatus::Cancel);
  auto again = join(lead, kActive, T0 + 4);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].status, LeadStatus::Approve);
  EXPECT_EQ(lead.join_time, T0 + 4);
  EXPECT_EQ(lead.start_time, T0);
}

// ---- classify_member_change ------------------------------------------------

constexpr std::int64_t kSubject = 5318008421;
constexpr std::int64_t kAdmin = 287654193;

MemberSnapshot m(std::string status, bool is_member = false) { return MemberSnapshot{std::move(status), is_member}; }

TEST(DomainTracking, IsMember) {
  EXPECT_TRUE(is_member(m("member")));
  EXPECT_TRUE(is_member(m("administrator")));
  EXPECT_TRUE(is_member(m("creator")));
  EXPECT_TRUE(is_member(m("restricted", true)));
  EXPECT_FALSE(is_member(m("restricted", false)));
  EXPECT_FALSE(is_member(m("left")));
  EXPECT_FALSE(is_member(m("kicked")));
  EXPECT_FALSE(is_member(m("")));
  EXPECT_FALSE(is_member(m("left", true)));  // is_member only counts for restricted
}

TEST(DomainTracking, ClassifyJoins) {
  for (const auto& before : {m("left"), m("kicked"), m("restricted", false)}) {
    for (const auto& after : {m("member"), m("administrator"), m("creator"), m("restricted", true)}) {
      EXPECT_EQ(classify_member_change(before, after, kSubject, kSubject), MemberChange::Join)
          << before.status << "->" << after.status;
      EXPECT_EQ(classify_member_change(before, after, kAdmin, kSubject), MemberChange::Join)
          << before.status << "->" << after.status << " (approved by admin)";
    }
  }
}

TEST(DomainTracking, ClassifyLeaveBySelf) {
  for (const auto& before : {m("member"), m("administrator"), m("creator"), m("restricted", true)}) {
    EXPECT_EQ(classify_member_change(before, m("left"), kSubject, kSubject), MemberChange::Leave) << before.status;
  }
}

TEST(DomainTracking, ClassifyLeftByAdminIsKick) {
  for (const auto& before : {m("member"), m("administrator"), m("restricted", true)}) {
    EXPECT_EQ(classify_member_change(before, m("left"), kAdmin, kSubject), MemberChange::Kick) << before.status;
  }
}

TEST(DomainTracking, ClassifyKickedIsKickWhoeverActs) {
  for (const auto& before : {m("member"), m("administrator"), m("restricted", true)}) {
    EXPECT_EQ(classify_member_change(before, m("kicked"), kAdmin, kSubject), MemberChange::Kick) << before.status;
    EXPECT_EQ(classify_member_change(before, m("kicked"), kSubject, kSubject), MemberChange::Kick) << before.status;
  }
}

TEST(DomainTracking, ClassifyRestrictedWithoutMembershipIsAnExit) {
  // A member restricted while not a member any more: left by self or removed by an admin.
  EXPECT_EQ(classify_member_change(m("member"), m("restricted", false), kSubject, kSubject), MemberChange::Leave);
  EXPECT_EQ(classify_member_change(m("member"), m("restricted", false), kAdmin, kSubject), MemberChange::Kick);
}

TEST(DomainTracking, ClassifyNoMembershipChangeIsNone) {
  // member <-> restricted(is_member) <-> administrator: still in the chat (fixture #08 and promotions).
  EXPECT_EQ(classify_member_change(m("member"), m("restricted", true), kAdmin, kSubject), MemberChange::None);
  EXPECT_EQ(classify_member_change(m("restricted", true), m("member"), kAdmin, kSubject), MemberChange::None);
  EXPECT_EQ(classify_member_change(m("member"), m("administrator"), kAdmin, kSubject), MemberChange::None);
  EXPECT_EQ(classify_member_change(m("administrator"), m("member"), kAdmin, kSubject), MemberChange::None);
  EXPECT_EQ(classify_member_change(m("creator"), m("administrator"), kAdmin, kSubject), MemberChange::None);
  EXPECT_EQ(classify_member_change(m("member"), m("member"), kSubject, kSubject), MemberChange::None);
  // Out -> out: unban, ban of a non-member, restriction of a non-member.
  EXPECT_EQ(classify_member_change(m("kicked"), m("left"), kAdmin, kSubject), MemberChange::None);
  EXPECT_EQ(classify_member_change(m("left"), m("kicked"), kAdmin, kSubject), MemberChange::None);
  EXPECT_EQ(classify_member_change(m("left"), m("restricted", false), kAdmin, kSubject), MemberChange::None);
  EXPECT_EQ(classify_member_change(m("left"), m("left"), kSubject, kSubject), MemberChange::None);
}

// ---- join_journal_action ---------------------------------------------------

TEST(DomainTracking, JoinJournalAction) {
  EXPECT_EQ(join_journal_action(false, false, false), JournalAction::Join);
  EXPECT_EQ(join_journal_action(true, false, false), JournalAction::Approve);
  EXPECT_EQ(join_journal_action(false, true, false), JournalAction::Approve);
  EXPECT_EQ(join_journal_action(false, false, true), JournalAction::Approve);
  EXPECT_EQ(join_journal_action(true, true, true), JournalAction::Approve);
}

}  // namespace
}  // namespace tglead::domain

namespace tglead::domain {
namespace {

// Telegram re-delivery can swap a user's updates: events dated before the
// lead's latest opposite transition change nothing.
TEST(DomainTrackingOutOfOrder, LateJoinAfterLeaveIsIgnored) {
  Lead lead;
  start_new_lead(lead, "c", 1000);
  leave(lead, CampaignRules{}, 1020, false);  // join missed, applied at 1020, then cancel
  ASSERT_EQ(lead.status, LeadStatus::Cancel);
  EXPECT_TRUE(join(lead, CampaignRules{}, 1010).empty());
  EXPECT_EQ(lead.status, LeadStatus::Cancel);
  EXPECT_EQ(lead.join_time, 1020);
  // A real re-join, dated after the leave, still counts (rule 9).
  auto rejoin = join(lead, CampaignRules{}, 1030);
  ASSERT_EQ(rejoin.size(), 1u);
  EXPECT_EQ(lead.status, LeadStatus::Approve);
}

TEST(DomainTrackingOutOfOrder, LateLeaveBeforeTheLatestJoinIsIgnored) {
  Lead lead;
  start_new_lead(lead, "c", 1000);
  join(lead, CampaignRules{}, 1050);
  EXPECT_TRUE(leave(lead, CampaignRules{}, 1040, true).empty());
  EXPECT_EQ(lead.status, LeadStatus::Approve);
  EXPECT_EQ(leave(lead, CampaignRules{}, 1050, false).size(), 1u);  // same second: applied in arrival order
  EXPECT_EQ(lead.status, LeadStatus::Cancel);
}

}  // namespace
}  // namespace tglead::domain
