// CRM contacts (PRODUCT.md §8.1): the model, its vocabularies and tags.
//
// Contract: plain value types. A contact has at least one identifier
// (Telegram user id, username, E.164 phone); identifiers are stored
// normalised (see crm/normalize.hpp). 0 / "" mean "unknown" for identifiers.
// Thread-safety: values only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tglead::crm {

enum class Source { Manual, FileUpload, Crawling, Campaign, Api };
enum class Status { Active, Blocked, Archived };
enum class Priority { High, Medium, Low };

std::string_view source_name(Source s);
std::string_view status_name(Status s);
std::string_view priority_name(Priority p);
std::optional<Source> parse_source(std::string_view text);
std::optional<Status> parse_status(std::string_view text);
std::optional<Priority> parse_priority(std::string_view text);

struct Contact {
  std::int64_t id = 0;
  std::int64_t user_id = 0;      // the account (workspace) owning it
  std::int64_t telegram_id = 0;  // 0 = unknown
  std::string username;          // without '@', case as given; "" = none
  std::string phone;             // E.164 ("+79161234567"); "" = none
  std::string first_name;
  std::string last_name;
  std::string country;   // ISO 3166-1 alpha-2, upper case
  std::string language;  // BCP 47-ish, e.g. "en", "pt-BR"
  std::string group;     // where the contact was found
  Source source = Source::Manual;
  Status status = Status::Active;
  Priority priority = Priority::Medium;
  std::int64_t created_by = 0;  // user id of the creator
  std::int64_t import_id = 0;   // the import that created it, 0 if none
  std::int64_t created = 0;
  std::int64_t updated = 0;
  std::vector<std::string> tags;  // names; filled by reads that return full contacts
  // Custom field values (field id, canonical text); filled like tags.
  std::vector<std::pair<std::int64_t, std::string>> values;

  bool has_identifier() const { return telegram_id != 0 || !username.empty() || !phone.empty(); }
};

struct Tag {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::string colour;  // "#rrggbb"
  std::int64_t contacts = 0;  // filled by listings
};

// One line of a contact's activity timeline. `detail` is a JSON object.
struct HistoryEntry {
  std::int64_t id = 0;
  std::int64_t contact_id = 0;
  std::int64_t user_id = 0;
  std::int64_t time = 0;
  std::string kind;  // created, updated, campaign_start, blocked, unblocked, merged, tagged, untagged, status, conflict
  std::string detail;
};

}  // namespace tglead::crm
