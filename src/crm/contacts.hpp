// Contact writes with dedup on every path (PRODUCT.md §8.1): manual/API adds,
// imports, campaign starts, blocks, merges and tags.
//
// Contract: every function runs inside a caller's storage write unit (one
// WriteTx), so a match-and-update or a merge is atomic. Identifiers are
// matched Telegram id, then username (case-insensitive), then E.164 phone
// (crm/matching.hpp); a match is updated, never duplicated; identifiers that
// point at different contacts are reported as a conflict and nothing is
// written. Updates only fill or change the fields given (empty = keep), and
// add tags (never remove them); each change is written to the contact's history.
// Thread-safety: as the WriteTx (the store's single writer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crm/contact.hpp"
#include "crm/fields.hpp"
#include "crm/matching.hpp"
#include "crm/normalize.hpp"
#include "storage/store.hpp"

namespace tglead::crm {

// One contact as given by a person or a file: raw text, "" = not given.
// Bytes a contact's text detail (name, group, ...) may hold.
inline constexpr std::size_t kMaxContactText = 256;

struct ContactInput {
  std::string telegram_id, username, phone, first_name, last_name, country, language, group;
  std::vector<std::string> tags;
  std::optional<Status> status;
  std::optional<Priority> priority;
};

// Normalised input: `fields` holds only what was given; errors list every bad field.
struct PreparedContact {
  Contact fields;
  std::vector<std::string> tags;  // valid tag names, deduplicated case-insensitively
  std::optional<Status> status;
  std::optional<Priority> priority;
  // Custom field values to write, already validated (crm/fields.hpp); a blank cell is simply absent.
  std::vector<FieldAssignment> values;
  // Edits only: details given empty, to be cleared (telegram_id, username, phone, first_name,
  // last_name, country, language, group). Identifiers may go as long as one remains.
  std::vector<std::string> cleared;
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

// `require_identifier`: false for edits, which may change details only.
PreparedContact prepare_contact(const ContactInput& input, const PhoneNormalizer& phones,
                                bool require_identifier = true);

// A tag name: trimmed, 1-64 characters, no control characters or commas. nullopt = invalid.
std::optional<std::string> clean_tag_name(std::string_view raw);
// "#rrggbb" (case folded to lower); nullopt = invalid.
std::optional<std::string> clean_colour(std::string_view raw);
// A stable default colour for a new tag.
std::string default_tag_colour(std::string_view name);

enum class Mode { Create, CreateUpdate, Update };
std::optional<Mode> parse_mode(std::string_view text);  // create, create_update, update
std::string_view mode_name(Mode mode);

enum class Outcome { Created, Updated, Unchanged, Skipped, Conflict, Invalid };
std::string_view outcome_name(Outcome outcome);

struct UpsertResult {
  Outcome outcome = Outcome::Skipped;
  std::int64_t contact_id = 0;  // created/updated/unchanged, or the existing one for Create-mode skips
  std::string matched_on;
  std::string reason;  // for Skipped / Conflict / Invalid
  std::vector<MatchConflict> conflicts;
};

struct UpsertContext {
  std::int64_t user_id = 0;  // the workspace
  std::int64_t actor = 0;    // who does it (created_by)
  Source source = Source::Manual;
  Mode mode = Mode::CreateUpdate;
  std::int64_t now = 0;
  std::int64_t import_id = 0;
  bool history_on_create = true;  // imports skip it: the row's source/import_id say it all
  // Labels of required custom fields the input lacks: creating a contact without them is
  // Invalid (people filling a form must give them; automatic captures leave this empty).
  std::vector<std::string> required_missing;
  // Tag ids by lower-case name, valid within one write unit (imports reuse it across rows).
  std::unordered_map<std::string, std::int64_t>* tag_cache = nullptr;
  // Set: the tag links of created contacts are collected here as (contact id, tag id) instead of
  // written one statement each; the caller writes them (WriteTx::link_tags) before anything in
  // the unit reads those contacts' tags.
  std::vector<std::pair<std::int64_t, std::int64_t>>* new_tag_links = nullptr;
  // Set: create_if_new already refused this input in this write unit (an identifier was held), so
  // upsert_contact looks the holders up first and tries the insert again only if none is left.
  bool create_refused = false;
};

UpsertResult upsert_contact(storage::WriteTx& tx, const UpsertContext& context, const PreparedContact& input);

// upsert_contact's first step: when `input` would create a contact if nothing matched, the insert is
// tried and the store tells whether anything matches (WriteTx::insert_contact_if_new), so a new
// contact costs no lookups of whole contacts. nullopt: nothing was written and upsert_contact's
// lookups decide.
std::optional<UpsertResult> create_if_new(storage::WriteTx& tx, const UpsertContext& context,
                                          const PreparedContact& input);

// create_if_new for many inputs at once (imports): created[i] tells whether inputs[i] became a
// contact. Every input must have context.required_missing empty. An input not created had an
// identifier held by a stored contact or an earlier input: upsert_contact with create_refused
// matches it (or creates it, if the holder let go in between).
std::vector<bool> create_all_if_new(storage::WriteTx& tx, const UpsertContext& context,
                                    const std::vector<const PreparedContact*>& inputs);

// Applies `input` (details and, when given, identifiers) onto contact `id`;
// an identifier already used by another contact is a conflict.
UpsertResult edit_contact(storage::WriteTx& tx, const UpsertContext& context, std::int64_t id,
                          const PreparedContact& input);

// A Telegram user who pressed Start on a campaign link: becomes or updates a
// contact. Telegram's user id is authoritative: a username now held by this
// user is taken off a contact of another Telegram id (recorded in both
// histories); a clash with a contact that has no Telegram id is recorded as a
// conflict on this one and not merged. Returns the contact id.
struct TelegramUser {
  std::int64_t id = 0;
  std::string username, first_name, last_name, language;
};
std::int64_t record_telegram_user(storage::WriteTx& tx, std::int64_t user_id, const TelegramUser& user,
                                  Source source, const std::string& history_kind, const std::string& history_detail,
                                  std::int64_t now);

// The user blocked (true) or unblocked the bot: active <-> blocked; archived stays archived.
void set_telegram_blocked(storage::WriteTx& tx, std::int64_t user_id, std::int64_t telegram_id, bool blocked,
                          std::int64_t now);

// Moves tags, history and missing fields of `secondary` onto `primary` and
// deletes `secondary`. Returns an error message ("" on success).
std::string merge_contacts(storage::WriteTx& tx, std::int64_t user_id, std::int64_t primary, std::int64_t secondary,
                           std::int64_t now);

// Links tags by name (creating missing tags with a default colour); returns how many were newly linked.
int add_tags(storage::WriteTx& tx, std::int64_t user_id, std::int64_t contact_id, const std::vector<std::string>& names,
             std::int64_t now, bool record_history = true,
             std::unordered_map<std::string, std::int64_t>* tag_cache = nullptr);
int remove_tags(storage::WriteTx& tx, std::int64_t user_id, std::int64_t contact_id,
                const std::vector<std::string>& names, std::int64_t now);

}  // namespace tglead::crm
