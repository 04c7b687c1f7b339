// The lead lifecycle rules of §3 as pure functions.
//
// Contract: every function takes the lead's current record and one observed
// event, updates the record in place and returns the statuses the lead
// entered, in order, each with whether its postback fires. Nothing here does
// I/O; callers persist the lead, the transitions and the postbacks atomically.
// Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.hpp"

namespace tglead::domain {

struct CampaignRules {
  bool active = true;
  std::int64_t unsub_window = 0;  // seconds; 0 = infinite
};

// One status the lead entered because of an event.
struct Entered {
  LeadStatus status = LeadStatus::Wait;
  std::int64_t time = 0;
  bool first = false;        // the lead was created by this transition (a "start")
  bool reconciled = false;   // inferred, not observed (a missed join)
  std::string skip_reason;   // "" = fire the postback; "window" / "paused" = record as skipped
};

// Rule 3: a subscriber's first /start in a campaign. The caller checked the campaign is active.
std::vector<Entered> start_new_lead(Lead& lead, std::string_view click, std::int64_t date);

// Rule 4: a later /start. A different non-empty click is news; anything else changes nothing.
std::vector<Entered> restart_lead(Lead& lead, const CampaignRules& rules, std::string_view click, std::int64_t date);

// Rule 5.
std::vector<Entered> request_join(Lead& lead, const CampaignRules& rules, std::int64_t date);

// Rules 6 and 9. A join dated before the lead's latest leave arrived late
// (Telegram re-delivery) and changes nothing; the same holds for a leave dated
// before the latest join.
std::vector<Entered> join(Lead& lead, const CampaignRules& rules, std::int64_t date);

// Rules 7 and 8: `kicked` distinguishes trash from cancel. A lead that is not
// in approve had its join missed; the join is applied first, at the leave's date.
std::vector<Entered> leave(Lead& lead, const CampaignRules& rules, std::int64_t date, bool kicked);

struct MemberSnapshot;

// Rule 14: what getChatMember says now, applied to a lead in wait/hold/approve.
// A member whose lead is in wait/hold joined; an approve lead that is no longer
// a member left (or was kicked). Every status entered is marked reconciled.
std::vector<Entered> reconcile(Lead& lead, const CampaignRules& rules, const MemberSnapshot& now_member,
                               std::int64_t check_time);

// What a chat_member update means for its subject.
enum class MemberChange { None, Join, Leave, Kick };

struct MemberSnapshot {
  std::string status;      // creator / administrator / member / restricted / left / kicked
  bool is_member = false;  // only meaningful for restricted
};

bool is_member(const MemberSnapshot& member);
MemberChange classify_member_change(const MemberSnapshot& before, const MemberSnapshot& after,
                                    std::int64_t actor_id, std::int64_t subject_id);

// Rule 6: the journal calls a join "approve" when it came from an approved request.
JournalAction join_journal_action(bool via_join_request, bool link_creates_join_request, bool lead_was_hold);

}  // namespace tglead::domain
