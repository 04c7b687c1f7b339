#include "crm/matching.hpp"

namespace tglead::crm {

namespace {

std::string describe(const std::string& field, const Identity& incoming) {
  if (field == "telegram_id") return "Telegram id " + std::to_string(incoming.telegram_id);
  if (field == "username") return "username @" + incoming.username;
  return "phone " + incoming.phone;
}

}  // namespace

MatchResult match(const Identity& incoming, const Lookups& found) {
  struct Hit {
    const char* field;
    const Candidate* candidate;
  };
  std::vector<Hit> hits;
  if (found.by_telegram_id) hits.push_back({"telegram_id", &*found.by_telegram_id});
  if (found.by_username) hits.push_back({"username", &*found.by_username});
  if (found.by_phone) hits.push_back({"phone", &*found.by_phone});

  MatchResult result;
  if (hits.empty()) return result;
  const Candidate& primary = *hits.front().candidate;
  result.contact_id = primary.id;
  result.matched_on = hits.front().field;

  // A username or phone hit on a contact that belongs to another Telegram account.
  if (incoming.telegram_id != 0 && primary.identity.telegram_id != 0 &&
      primary.identity.telegram_id != incoming.telegram_id) {
    result.conflicts.push_back(
        {result.matched_on, primary.id,
         describe(result.matched_on, incoming) + " belongs to contact " + std::to_string(primary.id) +
             " with Telegram id " + std::to_string(primary.identity.telegram_id)});
  }
  for (std::size_t i = 1; i < hits.size(); ++i) {
    const Candidate& other = *hits[i].candidate;
    if (other.id == primary.id) continue;
    result.conflicts.push_back({hits[i].field, other.id,
                                describe(hits[i].field, incoming) + " belongs to contact " + std::to_string(other.id) +
                                    ", but " + describe(result.matched_on, incoming) + " to contact " +
                                    std::to_string(primary.id)});
  }
  result.kind = result.conflicts.empty() ? MatchKind::Match : MatchKind::Conflict;
  return result;
}

}  // namespace tglead::crm
