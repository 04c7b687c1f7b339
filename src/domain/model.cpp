#include "domain/model.hpp"

namespace tglead::domain {

std::string_view journal_action_name(JournalAction action) {
  switch (action) {
    case JournalAction::Join: return "join";
    case JournalAction::Leave: return "leave";
    case JournalAction::Ban: return "ban";
    case JournalAction::Request: return "request";
    case JournalAction::Approve: return "approve";
  }
  return "join";
}

std::string_view postback_state_name(PostbackState state) {
  switch (state) {
    case PostbackState::Pending: return "pending";
    // A postback being delivered is still pending from the user's point of view.
    case PostbackState::Sending: return "pending";
    case PostbackState::Sent: return "sent";
    case PostbackState::Failed: return "failed";
    case PostbackState::Skipped: return "skipped";
  }
  return "pending";
}

}  // namespace tglead::domain
