#include "crm/fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "util/ascii.hpp"
#include "util/csv_reader.hpp"

namespace tglead::crm {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 10> kTypeNames = {"text",        "textarea", "number", "date",  "dropdown",
                                                         "multiselect", "boolean",  "email",  "phone", "url"};

// Contact columns and rule subjects: a custom field of the same name would be ambiguous in
// import headers and segment rules.
constexpr std::array<std::string_view, 22> kReservedNames = {
    "id",       "telegram_id", "telegram_user_id", "user_id",     "username", "telegram_username",
    "phone",    "phone_number", "first_name",      "last_name",   "name",     "country",
    "language", "group",       "source",           "status",      "priority", "tags",
    "tag",      "created",     "updated",          "lead_status"};

constexpr std::size_t kMaxLabel = 100;
constexpr std::size_t kMaxDescription = 1000;
constexpr std::size_t kMaxOptions = 500;
constexpr std::size_t kMaxOption = 100;
constexpr std::size_t kMaxFieldText = 1000;
constexpr std::size_t kMaxTextarea = 10000;
constexpr std::size_t kMaxUrl = 2048;
constexpr std::size_t kMaxEmail = 254;

using util::ascii_iequals;
using util::ascii_lower;

// Counts code points; the input is known to be valid UTF-8.
std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool has_control(std::string_view s, bool allow_newlines) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == '\t' || (allow_newlines && (u == '\n' || u == '\r'))) continue;
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

ParsedValue invalid_value(std::string reason) { return ParsedValue{std::nullopt, std::move(reason)}; }
ParsedValue value(std::string text, std::optional<double> number = std::nullopt) {
  return ParsedValue{FieldValue{std::move(text), number}, ""};
}

std::string format_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) return fmt::format("{}", static_cast<std::int64_t>(v));
  return fmt::format("{}", v);
}

std::optional<double> parse_number(std::string_view s) {
  std::string text(s);
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  // A decimal comma ("1,5") is how half the world writes numbers; thousands separators are not accepted.
  if (text.find('.') == std::string::npos && std::count(text.begin(), text.end(), ',') == 1) {
    std::replace(text.begin(), text.end(), ',', '.');
  }
  if (!text.empty() && text.front() == '+') text.erase(0, 1);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::optional<int> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<std::string> make_date(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

// Howard Hinnant's civil_from_days: days since 1970-01-01 -> y/m/d.
std::optional<std::string> date_from_days(std::int64_t z) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return make_date(static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d));
}

// ISO dates (a time part is ignored), DD.MM.YYYY, and spreadsheet day serials. Slashed dates
// are refused: 03/04/2025 is March or April depending on who wrote it.
std::optional<std::string> parse_date(std::string_view s) {
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') {
    if (s.size() > 10 && s[10] != 'T' && s[10] != ' ') return std::nullopt;
    auto y = digits(s.substr(0, 4)), m = digits(s.substr(5, 2)), d = digits(s.substr(8, 2));
    if (!y || !m || !d) return std::nullopt;
    return make_date(*y, *m, *d);
  }
  if (s.size() == 10 && s[2] == '.' && s[5] == '.') {
    auto d = digits(s.substr(0, 2)), m = digits(s.substr(3, 2)), y = digits(s.substr(6, 4));
    if (!y || !m || !d) return std::nullopt;
    return make_date(*y, *m, *d);
  }
  // Spreadsheets store dates as days since 1899-12-30; five digits covers 1927-2173 and no
  // one types such a number into a date field by hand.
  if (s.size() == 5) {
    if (auto serial = digits(s); serial && *serial >= 10000) return date_from_days(*serial - 25569);
  }
  return std::nullopt;
}

std::optional<bool> parse_boolean(std::string_view s) {
  std::string v = ascii_lower(s);
  for (std::string_view t : {"true", "yes", "y", "1", "on", "да"}) {
    if (v == t) return true;
  }
  for (std::string_view f : {"false", "no", "n", "0", "off", "нет"}) {
    if (v == f) return false;
  }
  return std::nullopt;
}

bool domain_ok(std::string_view domain) {
  if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= domain.size()) {
    std::size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      auto u = static_cast<unsigned char>(c);
      bool ok = u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

ParsedValue parse_email(std::string_view s) {
  auto at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || s.size() > kMaxEmail) {
    return invalid_value("is not an email address");
  }
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  for (char c : local) {
    if (c == ' ' || c == '@' || c == '"' || c == ',' || c == '<' || c == '>') return invalid_value("is not an email address");
  }
  if (!domain_ok(domain)) return invalid_value("is not an email address");
  return value(std::string(local) + "@" + ascii_lower(domain));
}

ParsedValue parse_url(std::string_view s) {
  std::string url(s);
  std::string scheme_end = "://";
  auto sep = url.find(scheme_end);
  if (sep == std::string::npos) {
    // "example.com/page" is what people paste; "javascript:..." or "mailto:..." is another scheme.
    auto colon = url.find(':');
    if (colon != std::string::npos && colon < url.find('/') &&
        (colon + 1 == url.size() || url[colon + 1] < '0' || url[colon + 1] > '9')) {
      return invalid_value("must be an http or https URL");
    }
    url = "https://" + url;
    sep = 5;
  }
  std::string scheme = ascii_lower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") return invalid_value("must be an http or https URL");
  if (url.size() > kMaxUrl) return invalid_value("is longer than 2048 characters");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return invalid_value("is not a URL (spaces or control characters)");
  }
  std::string_view rest = std::string_view(url).substr(sep + 3);
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  if (host.empty() || host.front() == ':') return invalid_value("is not a URL (no host)");
  return value(url);
}

std::vector<std::string> split_choices(std::string_view raw) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    std::string cleaned = clean_text(current);
    if (!cleaned.empty()) out.push_back(std::move(cleaned));
    current.clear();
  };
  for (char c : raw) {
    if (c == ',' || c == ';' || c == '|') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return out;
}

const std::string* find_option(const FieldDefinition& field, std::string_view given) {
  for (const auto& option : field.options) {
    if (ascii_iequals(option, given)) return &option;
  }
  return nullptr;
}

ParsedValue parse_choices(const FieldDefinition& field, const std::vector<std::string>& given) {
  std::set<std::size_t> chosen;
  for (const auto& g : given) {
    const std::string* option = find_option(field, g);
    if (!option) return invalid_value("'" + g + "' is not one of the options");
    chosen.insert(static_cast<std::size_t>(option - field.options.data()));
  }
  if (chosen.empty()) return {};
  json list = json::array();
  for (std::size_t i : chosen) list.push_back(field.options[i]);
  return value(list.dump());
}

}  // namespace

std::string_view field_type_name(FieldType type) { return kTypeNames[static_cast<std::size_t>(type)]; }

std::optional<FieldType> parse_field_type(std::string_view text) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == text) return static_cast<FieldType>(i);
  }
  return std::nullopt;
}

std::string check_field_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return "name must be 1-64 characters";
  if (name.front() < 'a' || name.front() > 'z') return "name must start with a lower-case letter";
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return "name may contain only a-z, 0-9 and _";
    }
  }
  for (auto reserved : kReservedNames) {
    if (name == reserved) return "name '" + std::string(name) + "' is a built-in contact field";
  }
  return "";
}

std::string normalize_definition(FieldDefinition& d) {
  if (std::string error = check_field_name(d.name); !error.empty()) return error;
  d.label = clean_text(d.label);
  if (d.label.empty()) d.label = d.name;
  d.description = clean_text(d.description);
  if (!util::valid_utf8(d.label) || !util::valid_utf8(d.description)) return "label and description must be UTF-8";
  if (utf8_length(d.label) > kMaxLabel || has_control(d.label, false)) {
    return "label must be at most 100 characters on one line";
  }
  if (utf8_length(d.description) > kMaxDescription) return "description must be at most 1000 characters";
  bool choices = d.type == FieldType::Dropdown || d.type == FieldType::Multiselect;
  if (choices) {
    std::vector<std::string> options;
    for (const auto& raw : d.options) {
      std::string o = clean_text(raw);
      if (o.empty()) continue;
      if (!util::valid_utf8(o) || utf8_length(o) > kMaxOption || has_control(o, false)) {
        return "each option must be 1-100 characters on one line";
      }
      // Multiselect values are stored and split as lists; a separator inside an option would split it.
      if (o.find_first_of(",;|") != std::string::npos) return "option '" + o + "' must not contain , ; or |";
      bool repeated = std::any_of(options.begin(), options.end(), [&](const auto& x) { return ascii_iequals(x, o); });
      if (!repeated) options.push_back(std::move(o));
    }
    if (options.empty()) return "a " + std::string(field_type_name(d.type)) + " field needs options";
    if (options.size() > kMaxOptions) return "at most 500 options";
    d.options = std::move(options);
  } else if (!d.options.empty()) {
    return "only dropdown and multiselect fields have options";
  }
  if (d.type == FieldType::Number) {
    if ((d.min && !std::isfinite(*d.min)) || (d.max && !std::isfinite(*d.max))) return "min and max must be numbers";
    if (d.min && d.max && *d.min > *d.max) return "min must not be above max";
  } else if (d.min || d.max) {
    return "only number fields have min and max";
  }
  return "";
}

ParsedValue parse_field_value(const FieldDefinition& field, std::string_view raw, const PhoneNormalizer& phones) {
  if (!util::valid_utf8(raw)) return invalid_value("is not valid UTF-8");
  if (field.type == FieldType::Textarea) {
    std::string text(raw);
    // Keep the author's line breaks but not the spreadsheet's surrounding blanks.
    std::string trimmed = clean_text(text);
    if (trimmed.empty()) return {};
    if (utf8_length(trimmed) > kMaxTextarea) return invalid_value("is longer than 10000 characters");
    if (has_control(trimmed, true)) return invalid_value("contains control characters");
    return value(std::move(trimmed));
  }
  std::string text = clean_text(raw);
  if (text.empty()) return {};
  switch (field.type) {
    case FieldType::Text:
      if (utf8_length(text) > kMaxFieldText) return invalid_value("is longer than 1000 characters");
      if (has_control(text, false)) return invalid_value("must be one line without control characters");
      return value(std::move(text));
    case FieldType::Number: {
      auto n = parse_number(text);
      if (!n) return invalid_value("is not a number");
      if (field.min && *n < *field.min) return invalid_value("is below the minimum " + format_number(*field.min));
      if (field.max && *n > *field.max) return invalid_value("is above the maximum " + format_number(*field.max));
      return value(format_number(*n), *n);
    }
    case FieldType::Date: {
      auto d = parse_date(text);
      if (!d) return invalid_value("is not a date (YYYY-MM-DD or DD.MM.YYYY)");
      return value(std::move(*d));
    }
    case FieldType::Dropdown: {
      const std::string* option = find_option(field, text);
      if (!option) return invalid_value("'" + text + "' is not one of the options");
      return value(*option);
    }
    case FieldType::Multiselect: {
      std::vector<std::string> given;
      if (text.front() == '[') {
        json list = json::parse(text, nullptr, false);
        if (list.is_discarded() || !list.is_array()) return invalid_value("is not a list of options");
        for (const auto& item : list) {
          if (!item.is_string()) return invalid_value("is not a list of options");
          given.push_back(clean_text(item.get<std::string>()));
        }
      } else {
        given = split_choices(text);
      }
      return parse_choices(field, given);
    }
    case FieldType::Boolean: {
      auto b = parse_boolean(text);
      if (!b) return invalid_value("must be true or false");
      return value(*b ? "true" : "false");
    }
    case FieldType::Email:
      return parse_email(text);
    case FieldType::Phone: {
      Normalized n = phones.normalize(text);
      if (!n.ok()) return invalid_value(n.error);
      if (n.value.empty()) return {};
      return value(std::move(n.value));
    }
    case FieldType::Url:
      return parse_url(text);
    case FieldType::Textarea:
      break;
  }
  return invalid_value("has an unknown type");
}

ParsedValue parse_field_json(const FieldDefinition& field, const json& raw, const PhoneNormalizer& phones) {
  if (raw.is_null()) return {};
  if (raw.is_string()) return parse_field_value(field, raw.get_ref<const std::string&>(), phones);
  if (raw.is_boolean()) {
    if (field.type != FieldType::Boolean) return invalid_value("must not be true/false");
    return value(raw.get<bool>() ? "true" : "false");
  }
  if (raw.is_number()) {
    if (field.type == FieldType::Boolean) return invalid_value("must be true or false");
    return parse_field_value(field, raw.dump(), phones);
  }
  if (raw.is_array()) {
    if (field.type != FieldType::Multiselect) return invalid_value("must not be a list");
    std::vector<std::string> given;
    for (const auto& item : raw) {
      if (!item.is_string()) return invalid_value("must be a list of options");
      given.push_back(clean_text(item.get<std::string>()));
    }
    return parse_choices(field, given);
  }
  return invalid_value("has the wrong type");
}

json field_value_json(const FieldDefinition& field, std::string_view stored) {
  switch (field.type) {
    case FieldType::Number:
      if (auto n = parse_number(stored)) {
        if (*n == std::floor(*n) && std::fabs(*n) < 9.007199254740992e15) return static_cast<std::int64_t>(*n);
        return *n;
      }
      break;
    case FieldType::Boolean:
      return stored == "true";
    case FieldType::Multiselect: {
      json list = json::parse(stored, nullptr, false);
      if (list.is_array()) return list;
      break;
    }
    default:
      break;
  }
  return std::string(stored);
}

json field_definition_json(const FieldDefinition& f) {
  return {{"id", f.id},
          {"name", f.name},
          {"label", f.label},
          {"description", f.description},
          {"type", field_type_name(f.type)},
          {"required", f.required},
          {"options", f.options},
          {"min", f.min ? json(*f.min) : json(nullptr)},
          {"max", f.max ? json(*f.max) : json(nullptr)}};
}

}  // namespace tglead::crm
