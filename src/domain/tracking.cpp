#include "domain/tracking.hpp"

namespace tglead::domain {

namespace {

std::string pause_reason(const CampaignRules& rules) { return rules.active ? std::string() : std::string("paused"); }

void enter(std::vector<Entered>& out, Lead& lead, const CampaignRules& rules, LeadStatus status, std::int64_t date,
           bool reconciled = false) {
  lead.status = status;
  lead.updated = date;
  out.push_back(Entered{status, date, false, reconciled, pause_reason(rules)});
}

}  // namespace

std::vector<Entered> start_new_lead(Lead& lead, std::string_view click, std::int64_t date) {
  lead.click = std::string(click);
  lead.status = LeadStatus::Wait;
  lead.start_time = date;
  lead.updated = date;
  return {Entered{LeadStatus::Wait, date, true, false, {}}};
}

std::vector<Entered> restart_lead(Lead& lead, const CampaignRules& rules, std::string_view click, std::int64_t date) {
  std::vector<Entered> out;
  if (click.empty() || click == lead.click) return out;
  lead.click = std::string(click);
  lead.updated = date;
  LeadStatus status = lead.status;
  if (status == LeadStatus::Cancel || status == LeadStatus::Trash) status = LeadStatus::Wait;
  // The wait postback carries the new click even when the status stays (hold/approve).
  enter(out, lead, rules, status, date);
  out.back().status = LeadStatus::Wait;
  return out;
}

std::vector<Entered> request_join(Lead& lead, const CampaignRules& rules, std::int64_t date) {
  std::vector<Entered> out;
  if (lead.status == LeadStatus::Hold || lead.status == LeadStatus::Approve) return out;
  enter(out, lead, rules, LeadStatus::Hold, date);
  return out;
}

// Telegram retries can deliver a user's updates out of order; an event dated
// before the lead's latest opposite transition is history, not news.
bool stale_join(const Lead& lead, std::int64_t date) {
  return (lead.status == LeadStatus::Cancel || lead.status == LeadStatus::Trash) && date < lead.leave_time;
}

bool stale_leave(const Lead& lead, std::int64_t date) {
  if (lead.status == LeadStatus::Approve) return date < lead.join_time;
  if (lead.status == LeadStatus::Cancel || lead.status == LeadStatus::Trash) return date < lead.leave_time;
  return false;
}

std::vector<Entered> join(Lead& lead, const CampaignRules& rules, std::int64_t date) {
  std::vector<Entered> out;
  if (stale_join(lead, date)) return out;
  lead.join_time = date;
  lead.updated = date;
  if (lead.status == LeadStatus::Approve) return out;
  enter(out, lead, rules, LeadStatus::Approve, date);
  return out;
}

std::vector<Entered> leave(Lead& lead, const CampaignRules& rules, std::int64_t date, bool kicked) {
  std::vector<Entered> out;
  if (stale_leave(lead, date)) return out;
  if (lead.status != LeadStatus::Approve) {
    lead.join_time = date;
    lead.reconciled = true;
    enter(out, lead, rules, LeadStatus::Approve, date, true);
  }
  lead.leave_time = date;
  enter(out, lead, rules, kicked ? LeadStatus::Trash : LeadStatus::Cancel, date);
  bool outside_window = rules.unsub_window > 0 && lead.leave_time - lead.join_time > rules.unsub_window;
  if (outside_window && out.back().skip_reason.empty()) out.back().skip_reason = "window";
  return out;
}

std::vector<Entered> reconcile(Lead& lead, const CampaignRules& rules, const MemberSnapshot& now_member,
                               std::int64_t check_time) {
  std::vector<Entered> out;
  bool member = is_member(now_member);
  if (member && (lead.status == LeadStatus::Wait || lead.status == LeadStatus::Hold)) {
    out = join(lead, rules, check_time);
  } else if (!member && lead.status == LeadStatus::Approve &&
             (now_member.status == "left" || now_member.status == "kicked" || now_member.status == "restricted")) {
    out = leave(lead, rules, check_time, now_member.status == "kicked");
  }
  if (!out.empty()) lead.reconciled = true;
  for (auto& e : out) e.reconciled = true;
  return out;
}

bool is_member(const MemberSnapshot& member) {
  const std::string& s = member.status;
  if (s == "member" || s == "administrator" || s == "creator") return true;
  return s == "restricted" && member.is_member;
}

MemberChange classify_member_change(const MemberSnapshot& before, const MemberSnapshot& after, std::int64_t actor_id,
                                    std::int64_t subject_id) {
  bool was = is_member(before);
  bool now = is_member(after);
  if (!was && now) return MemberChange::Join;
  if (was && !now) {
    if (after.status == "kicked") return MemberChange::Kick;
    return actor_id == subject_id ? MemberChange::Leave : MemberChange::Kick;
  }
  return MemberChange::None;
}

JournalAction join_journal_action(bool via_join_request, bool link_creates_join_request, bool lead_was_hold) {
  return (via_join_request || link_creates_join_request || lead_was_hold) ? JournalAction::Approve
                                                                          : JournalAction::Join;
}

}  // namespace tglead::domain
