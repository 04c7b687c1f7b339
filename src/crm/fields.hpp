// CRM custom fields (PRODUCT.md §8.2): typed definitions per workspace and
// the validation of every value written through any path (API, dashboard,
// import).
//
// Contract: pure functions over values. A definition's `name` is its stable
// key (never changes after creation); everything else is editable. Values are
// stored in one canonical text form per type, so equal values compare equal
// in SQL and exports round-trip:
//   number       shortest decimal ("42", "-1.5"), also kept as a double
//   date         YYYY-MM-DD (a real calendar date)
//   boolean      "true" / "false"
//   dropdown     the option as defined (input matched case-insensitively)
//   multiselect  JSON array of options in definition order, no repeats
//   email        local@domain with the domain lower-cased
//   phone        E.164 (libphonenumber, through PhoneNormalizer)
//   url          http(s)://host/... as given
//   text         trimmed single line; textarea keeps newlines
// Thread-safety: pure; safe from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/normalize.hpp"

namespace tglead::crm {

enum class FieldType { Text, Textarea, Number, Date, Dropdown, Multiselect, Boolean, Email, Phone, Url };

std::string_view field_type_name(FieldType type);
std::optional<FieldType> parse_field_type(std::string_view text);

struct FieldDefinition {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;   // internal key: [a-z][a-z0-9_]{0,63}
  std::string label;  // shown to people
  std::string description;
  FieldType type = FieldType::Text;
  bool required = false;
  std::vector<std::string> options;  // dropdown, multiselect
  std::optional<double> min, max;    // number
  std::int64_t created = 0;
  std::int64_t updated = 0;
};

// "" when `name` may name a new field; otherwise why not (format, or a built-in contact column).
std::string check_field_name(std::string_view name);

// Trims label/description/options, drops repeated options, and checks the
// rest of a definition (options only and always for choice types, min/max
// only for numbers and min <= max). Returns "" or the first problem.
std::string normalize_definition(FieldDefinition& definition);

struct FieldValue {
  std::string text;               // canonical form
  std::optional<double> number;   // numbers only
  bool operator==(const FieldValue&) const = default;
};

struct ParsedValue {
  std::optional<FieldValue> value;  // nullopt with no error: blank input, i.e. "clear"
  std::string error;                // why the input is not a valid value of the field
  bool ok() const { return error.empty(); }
};

// Parses text from a form or a file cell into the canonical value.
ParsedValue parse_field_value(const FieldDefinition& field, std::string_view raw, const PhoneNormalizer& phones);
// The same from a JSON value (API bodies): numbers, booleans, arrays (multiselect) and strings.
ParsedValue parse_field_json(const FieldDefinition& field, const nlohmann::json& raw, const PhoneNormalizer& phones);

// The stored text as a typed JSON value (number, boolean, array or string).
nlohmann::json field_value_json(const FieldDefinition& field, std::string_view stored);

// A definition as the API shows it.
nlohmann::json field_definition_json(const FieldDefinition& field);

// One value to write onto a contact; `value` nullopt clears it.
struct FieldAssignment {
  std::int64_t field_id = 0;
  std::string name;
  std::optional<FieldValue> value;
};

}  // namespace tglead::crm
