// CRM segments (PRODUCT.md §8.2): dynamic contact lists defined by AND-ed
// rules {field, op, value} over contact columns, dates, tags, custom fields
// and campaign lead statuses.
//
// Contract: `parse_rules` validates rules given as JSON against the
// workspace's custom fields and resolves every name to what the store needs
// (column, field id and type, tag name, lead status), so storage only
// translates resolved rules into its query language and never sees raw
// input. A rule on a custom field that no longer exists is an error; a tag
// that does not exist simply has no members. Saved rules are kept as given
// (`rules_json`) and resolved again at every evaluation, so renamed labels,
// new options and relative dates ("last 7 days") stay current.
// Thread-safety: pure; safe from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/fields.hpp"
#include "domain/lead_status.hpp"

namespace tglead::crm {

enum class RuleOp {
  Eq, Neq, Contains, NotContains, StartsWith, Empty, NotEmpty, In,
  Gt, Gte, Lt, Lte, Before, After, LastDays, OlderDays, Has, HasNot, IsTrue, IsFalse
};

std::string_view rule_op_name(RuleOp op);
std::optional<RuleOp> parse_rule_op(std::string_view text);

// What a rule looks at, once resolved.
enum class RuleSubject {
  Text,        // a text column of contacts (`column`)
  Enum,        // source / status / priority (`column`)
  TelegramId,  // contacts.telegram_id
  Time,        // contacts.created / updated (`column`), Unix seconds
  Tag,         // tag by name (`text`)
  LeadStatus,  // a lead of this contact's Telegram id (`number` = status code, `campaign_id` optional)
  Custom       // custom field `field_id` of `field_type`
};

struct SegmentRule {
  // As given (echoed back and saved).
  std::string field;
  RuleOp op = RuleOp::Eq;
  std::string value;               // scalar operand, canonical for the subject
  std::vector<std::string> values; // `in` operands
  std::int64_t campaign_id = 0;    // lead_status: 0 = any campaign
  // Resolved.
  RuleSubject subject = RuleSubject::Text;
  std::string column;  // SQL-safe column name from a fixed list (never user text)
  std::int64_t field_id = 0;
  FieldType field_type = FieldType::Text;
  double number = 0;         // numeric operand (number fields, telegram id, lead status)
  std::int64_t time = 0;     // Time subjects: the resolved instant (Unix seconds)
  std::int64_t tag_id = 0;   // Tag subjects, resolved by the store when evaluated (0: no such tag)
};

struct RulesResult {
  std::vector<SegmentRule> rules;
  std::string error;  // "" when every rule is valid
  bool ok() const { return error.empty(); }
};

inline constexpr std::size_t kMaxRules = 20;

// `rules` must be a JSON array of objects {field, op, value?, campaign?}; `now` resolves relative dates.
RulesResult parse_rules(const nlohmann::json& rules, const std::vector<FieldDefinition>& fields, std::int64_t now);

// The rules as saved and shown: [{field, op, value[, campaign]}].
nlohmann::json rules_json(const std::vector<SegmentRule>& rules);

// What the segment editor may offer: one entry per rule field with its
// label, value type, operators and (for enums) allowed values.
nlohmann::json rule_catalog(const std::vector<FieldDefinition>& fields);

struct Segment {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::string description;
  std::string rules = "[]";  // JSON as saved
  bool active = true;
  std::int64_t created = 0;
  std::int64_t updated = 0;
};

// Saved rules (`Segment::rules`) with every tag rule on `from` (any case, as tag names are
// unique) pointed at `to`: a renamed tag keeps its segments. nullopt when no rule names it.
std::optional<std::string> rename_tag_in_rules(std::string_view rules, std::string_view from, std::string_view to);

// Segment names: trimmed, 1-100 characters, one line. nullopt = invalid.
std::optional<std::string> clean_segment_name(std::string_view raw);

}  // namespace tglead::crm
