// Dedup matching of an incoming contact against existing ones (PRODUCT.md §8.1).
//
// Contract: pure. The caller looks the incoming identifiers up (Telegram id,
// username case-insensitively, E.164 phone) and passes what each found; match()
// decides:
// * nothing found                  -> None (create);
// * every hit is the same contact  -> Match (update it), unless that contact
//   carries a *different* Telegram id than the incoming one (usernames and
//   phones get reassigned: that is a conflict, crm.md §14.1);
// * hits on different contacts     -> Conflict, listing each, never merged.
// The primary candidate is the first hit in the order Telegram id, username, phone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tglead::crm {

struct Identity {
  std::int64_t telegram_id = 0;
  std::string username;  // normalised, any case
  std::string phone;     // E.164
};

// The identifiers of an existing contact found by a lookup.
struct Candidate {
  std::int64_t id = 0;
  Identity identity;
};

struct Lookups {
  std::optional<Candidate> by_telegram_id;
  std::optional<Candidate> by_username;
  std::optional<Candidate> by_phone;
};

struct MatchConflict {
  std::string field;  // telegram_id, username or phone: the incoming identifier that points elsewhere
  std::int64_t contact_id = 0;
  std::string reason;
};

enum class MatchKind { None, Match, Conflict };

struct MatchResult {
  MatchKind kind = MatchKind::None;
  std::int64_t contact_id = 0;  // Match: the contact to update; Conflict: the primary candidate
  std::string matched_on;       // telegram_id, username or phone
  std::vector<MatchConflict> conflicts;
};

MatchResult match(const Identity& incoming, const Lookups& found);

}  // namespace tglead::crm
