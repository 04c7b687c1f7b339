#include "crm/segments.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "crm/contact.hpp"
#include "crm/contacts.hpp"
#include "util/ascii.hpp"
#include "util/csv_reader.hpp"

namespace tglead::crm {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 20> kOpNames = {
    "eq",  "neq", "contains", "not_contains", "starts_with", "empty",     "not_empty", "in",  "gt",      "gte",
    "lt",  "lte", "before",   "after",        "last_days",   "older_days", "has",      "has_not", "is_true", "is_false"};

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMaxDays = 36500;
constexpr std::size_t kMaxOperand = 200;
constexpr std::size_t kMaxInValues = 50;

using Ops = std::vector<RuleOp>;
const Ops kTextOps = {RuleOp::Eq,         RuleOp::Neq,   RuleOp::Contains, RuleOp::NotContains,
                      RuleOp::StartsWith, RuleOp::Empty, RuleOp::NotEmpty};
const Ops kEnumOps = {RuleOp::Eq, RuleOp::Neq, RuleOp::In};
const Ops kTelegramOps = {RuleOp::Eq, RuleOp::Empty, RuleOp::NotEmpty};
const Ops kTimeOps = {RuleOp::Before, RuleOp::After, RuleOp::LastDays, RuleOp::OlderDays};
const Ops kTagOps = {RuleOp::Has, RuleOp::HasNot};
const Ops kLeadOps = {RuleOp::Eq, RuleOp::Neq};
const Ops kNumberOps = {RuleOp::Eq, RuleOp::Neq, RuleOp::Gt,    RuleOp::Gte,
                        RuleOp::Lt, RuleOp::Lte, RuleOp::Empty, RuleOp::NotEmpty};
const Ops kCustomTextOps = {RuleOp::Eq,    RuleOp::Neq,     RuleOp::Contains,
                            RuleOp::StartsWith, RuleOp::Empty, RuleOp::NotEmpty};
const Ops kDateOps = {RuleOp::Before, RuleOp::After, RuleOp::Eq, RuleOp::Empty, RuleOp::NotEmpty};
const Ops kDropdownOps = {RuleOp::Eq, RuleOp::Neq, RuleOp::In, RuleOp::Empty, RuleOp::NotEmpty};
const Ops kMultiOps = {RuleOp::Has, RuleOp::HasNot, RuleOp::Empty, RuleOp::NotEmpty};
const Ops kBoolOps = {RuleOp::IsTrue, RuleOp::IsFalse};

struct Builtin {
  std::string_view field, label, type, column;
  RuleSubject subject;
  const Ops* ops;
};

const std::array<Builtin, 15> kBuiltins = {{
    {"first_name", "First name", "text", "first_name", RuleSubject::Text, &kTextOps},
    {"last_name", "Last name", "text", "last_name", RuleSubject::Text, &kTextOps},
    {"username", "Username", "text", "username", RuleSubject::Text, &kTextOps},
    {"phone", "Phone", "text", "phone", RuleSubject::Text, &kTextOps},
    {"telegram_id", "Telegram id", "number", "telegram_id", RuleSubject::TelegramId, &kTelegramOps},
    {"country", "Country", "text", "country", RuleSubject::Text, &kTextOps},
    {"language", "Language", "text", "language", RuleSubject::Text, &kTextOps},
    {"group", "Group", "text", "group_name", RuleSubject::Text, &kTextOps},
    {"source", "Source", "enum", "source", RuleSubject::Enum, &kEnumOps},
    {"status", "Status", "enum", "status", RuleSubject::Enum, &kEnumOps},
    {"priority", "Priority", "enum", "priority", RuleSubject::Enum, &kEnumOps},
    {"created", "Created", "date", "created", RuleSubject::Time, &kTimeOps},
    {"updated", "Updated", "date", "updated", RuleSubject::Time, &kTimeOps},
    {"tag", "Tag", "tag", "", RuleSubject::Tag, &kTagOps},
    {"lead_status", "Lead status", "enum", "", RuleSubject::LeadStatus, &kLeadOps},
}};

std::vector<std::string> enum_values(std::string_view field) {
  if (field == "source") return {"manual", "file_upload", "crawling", "campaign", "api"};
  if (field == "status") return {"active", "blocked", "archived"};
  if (field == "priority") return {"high", "medium", "low"};
  if (field == "lead_status") return {"wait", "hold", "approve", "cancel", "trash"};
  return {};
}

const Ops& custom_ops(FieldType type) {
  switch (type) {
    case FieldType::Number: return kNumberOps;
    case FieldType::Date: return kDateOps;
    case FieldType::Dropdown: return kDropdownOps;
    case FieldType::Multiselect: return kMultiOps;
    case FieldType::Boolean: return kBoolOps;
    default: return kCustomTextOps;
  }
}

bool needs_operand(RuleOp op) {
  return op != RuleOp::Empty && op != RuleOp::NotEmpty && op != RuleOp::IsTrue && op != RuleOp::IsFalse;
}

bool allowed(const Ops& ops, RuleOp op) {
  for (RuleOp o : ops) {
    if (o == op) return true;
  }
  return false;
}

std::string ops_text(const Ops& ops) {
  std::string out;
  for (RuleOp o : ops) out += (out.empty() ? "" : ", ") + std::string(rule_op_name(o));
  return out;
}

// A scalar operand as text; nullopt for objects, arrays and nulls.
std::optional<std::string> scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer() || v.is_number_unsigned() || v.is_number_float()) return v.dump();
  return std::nullopt;
}

std::optional<std::int64_t> day_start(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  for (std::size_t i : {0, 1, 2, 3}) y = y * 10 + (date[i] - '0');
  for (std::size_t i : {5, 6}) m = m * 10 + (date[i] - '0');
  for (std::size_t i : {8, 9}) d = d * 10 + (date[i] - '0');
  // days_from_civil (Howard Hinnant)
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (static_cast<std::int64_t>(era) * 146097 + doe - 719468) * kDay;
}

struct RuleError {
  std::string message;
};

[[noreturn]] void bad(std::size_t index, const std::string& field, const std::string& message) {
  throw RuleError{"rule " + std::to_string(index + 1) + " (" + field + "): " + message};
}

// Date operands go through the date field parser so "31.12.2025" and spreadsheet serials work here too.
std::string date_operand(std::size_t index, const std::string& field, const std::string& raw) {
  static const auto phones = make_phone_normalizer("");
  FieldDefinition date_field;
  date_field.type = FieldType::Date;
  ParsedValue parsed = parse_field_value(date_field, raw, *phones);
  if (!parsed.ok() || !parsed.value) bad(index, field, "value must be a date (YYYY-MM-DD)");
  return parsed.value->text;
}

std::int64_t day_count(std::size_t index, const std::string& field, const std::string& raw) {
  std::int64_t n = 0;
  if (raw.empty() || raw.size() > 6) bad(index, field, "value must be a number of days (1-36500)");
  for (char c : raw) {
    if (c < '0' || c > '9') bad(index, field, "value must be a number of days (1-36500)");
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > kMaxDays) bad(index, field, "value must be a number of days (1-36500)");
  return n;
}

void resolve_builtin(std::size_t index, const Builtin& b, SegmentRule& r, const json& operand, std::int64_t now) {
  r.subject = b.subject;
  r.column = std::string(b.column);
  if (!allowed(*b.ops, r.op)) bad(index, r.field, "operator must be one of " + ops_text(*b.ops));
  if (r.op == RuleOp::In) {
    if (!operand.is_array() || operand.empty() || operand.size() > kMaxInValues) {
      bad(index, r.field, "value must be a list of 1-50 values");
    }
    for (const auto& v : operand) {
      auto text = scalar(v);
      auto allowed_values = enum_values(r.field);
      if (!text || std::find(allowed_values.begin(), allowed_values.end(), *text) == allowed_values.end()) {
        bad(index, r.field, "values must be among the listed ones");
      }
      r.values.push_back(*text);
    }
    return;
  }
  if (!needs_operand(r.op)) return;
  auto text = scalar(operand);
  if (!text || text->empty()) bad(index, r.field, "value is required");
  if (text->size() > kMaxOperand || !util::valid_utf8(*text)) bad(index, r.field, "value must be up to 200 characters of UTF-8");
  switch (b.subject) {
    case RuleSubject::Text:
      r.value = clean_text(*text);
      if (r.value.empty()) bad(index, r.field, "value is required");
      if (r.field == "username" && r.value.front() == '@') r.value.erase(0, 1);
      // Countries are stored upper-case on every path, so an exact comparison can use the index.
      if (r.field == "country") {
        for (char& c : r.value) c = util::ascii_upper(c);
      }
      return;
    case RuleSubject::Enum: {
      auto values = enum_values(r.field);
      if (std::find(values.begin(), values.end(), *text) == values.end()) bad(index, r.field, "unknown value '" + *text + "'");
      r.value = *text;
      return;
    }
    case RuleSubject::TelegramId: {
      std::int64_t id = 0;
      auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), id);
      if (ec != std::errc() || end != text->data() + text->size() || id <= 0) bad(index, r.field, "value must be a Telegram user id");
      r.value = *text;
      r.number = static_cast<double>(id);
      return;
    }
    case RuleSubject::Time:
      if (r.op == RuleOp::LastDays || r.op == RuleOp::OlderDays) {
        r.value = std::to_string(day_count(index, r.field, *text));
        r.time = now - std::stoll(r.value) * kDay;
      } else {
        r.value = date_operand(index, r.field, *text);
        r.time = *day_start(r.value) + (r.op == RuleOp::After ? kDay : 0);
      }
      return;
    case RuleSubject::Tag: {
      auto name = clean_tag_name(*text);
      if (!name) bad(index, r.field, "value must be a tag name");
      r.value = *name;
      return;
    }
    case RuleSubject::LeadStatus: {
      auto status = domain::parse_status_name(*text);
      if (!status) bad(index, r.field, "value must be wait, hold, approve, cancel or trash");
      r.value = *text;
      r.number = domain::status_code(*status);
      return;
    }
    case RuleSubject::Custom:
      break;
  }
}

void resolve_custom(std::size_t index, const FieldDefinition& f, SegmentRule& r, const json& operand) {
  r.subject = RuleSubject::Custom;
  r.field_id = f.id;
  r.field_type = f.type;
  const Ops& ops = custom_ops(f.type);
  if (!allowed(ops, r.op)) bad(index, r.field, "operator must be one of " + ops_text(ops));
  if (!needs_operand(r.op)) return;
  static const auto phones = make_phone_normalizer("");
  // Operands are compared with stored values, so they get the same canonical form; bounds of the
  // field do not apply to a question like "above 0".
  FieldDefinition operand_field = f;
  operand_field.min.reset();
  operand_field.max.reset();
  if (f.type == FieldType::Multiselect) operand_field.type = FieldType::Dropdown;
  auto canonical = [&](const json& raw) {
    ParsedValue parsed = parse_field_json(operand_field, raw, *phones);
    if (!parsed.ok()) bad(index, r.field, "value " + parsed.error);
    if (!parsed.value) bad(index, r.field, "value is required");
    return *parsed.value;
  };
  if (r.op == RuleOp::In) {
    if (!operand.is_array() || operand.empty() || operand.size() > kMaxInValues) {
      bad(index, r.field, "value must be a list of 1-50 options");
    }
    for (const auto& v : operand) r.values.push_back(canonical(v).text);
    return;
  }
  bool free_text = r.op == RuleOp::Contains || r.op == RuleOp::StartsWith;
  if (free_text) {
    auto text = scalar(operand);
    if (!text || clean_text(*text).empty()) bad(index, r.field, "value is required");
    if (text->size() > kMaxOperand || !util::valid_utf8(*text)) bad(index, r.field, "value must be up to 200 characters of UTF-8");
    r.value = clean_text(*text);
    return;
  }
  FieldValue v = canonical(operand);
  r.value = v.text;
  r.number = v.number.value_or(0);
}

}  // namespace

std::string_view rule_op_name(RuleOp op) { return kOpNames[static_cast<std::size_t>(op)]; }

std::optional<RuleOp> parse_rule_op(std::string_view text) {
  for (std::size_t i = 0; i < kOpNames.size(); ++i) {
    if (kOpNames[i] == text) return static_cast<RuleOp>(i);
  }
  return std::nullopt;
}

RulesResult parse_rules(const json& rules, const std::vector<FieldDefinition>& fields, std::int64_t now) {
  RulesResult out;
  if (!rules.is_array()) return RulesResult{{}, "rules must be a JSON array of {field, op, value}"};
  if (rules.size() > kMaxRules) return RulesResult{{}, "at most 20 rules"};
  try {
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const json& item = rules[i];
      if (!item.is_object() || !item.contains("field") || !item["field"].is_string() || !item.contains("op") ||
          !item["op"].is_string()) {
        bad(i, "?", "must be an object with field and op");
      }
      SegmentRule r;
      r.field = item["field"].get<std::string>();
      auto op = parse_rule_op(item["op"].get<std::string>());
      if (!op) bad(i, r.field, "unknown operator '" + item["op"].get<std::string>() + "'");
      r.op = *op;
      const json operand = item.contains("value") ? item["value"] : json();
      if (item.contains("campaign") && !item["campaign"].is_null()) {
        if (r.field != "lead_status") bad(i, r.field, "only lead_status rules take a campaign");
        const json& c = item["campaign"];
        if (c.is_number_integer() && c.get<std::int64_t>() > 0) {
          r.campaign_id = c.get<std::int64_t>();
        } else if (c.is_string() && !c.get<std::string>().empty()) {
          const auto& s = c.get_ref<const std::string&>();
          auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), r.campaign_id);
          if (ec != std::errc() || end != s.data() + s.size() || r.campaign_id <= 0) bad(i, r.field, "campaign must be a campaign id");
        } else {
          bad(i, r.field, "campaign must be a campaign id");
        }
      }
      if (r.field.rfind("field:", 0) == 0) {
        std::string name = r.field.substr(6);
        auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.name == name; });
        if (it == fields.end()) bad(i, r.field, "no custom field named '" + name + "'");
        resolve_custom(i, *it, r, operand);
      } else {
        auto it = std::find_if(kBuiltins.begin(), kBuiltins.end(), [&](const auto& b) { return b.field == r.field; });
        if (it == kBuiltins.end()) bad(i, r.field, "unknown field");
        resolve_builtin(i, *it, r, operand, now);
      }
      out.rules.push_back(std::move(r));
    }
  } catch (const RuleError& e) {
    return RulesResult{{}, e.message};
  }
  return out;
}

json rules_json(const std::vector<SegmentRule>& rules) {
  json out = json::array();
  for (const auto& r : rules) {
    json item{{"field", r.field}, {"op", rule_op_name(r.op)}};
    if (r.op == RuleOp::In) {
      item["value"] = r.values;
    } else if (needs_operand(r.op)) {
      item["value"] = r.value;
    }
    if (r.campaign_id) item["campaign"] = r.campaign_id;
    out.push_back(std::move(item));
  }
  return out;
}

std::optional<std::string> rename_tag_in_rules(std::string_view rules, std::string_view from, std::string_view to) {
  json saved = json::parse(rules, nullptr, false);
  if (!saved.is_array()) return std::nullopt;
  bool renamed = false;
  for (auto& rule : saved) {
    if (!rule.is_object() || rule.value("field", "") != "tag") continue;
    auto value = rule.find("value");
    if (value == rule.end() || !value->is_string() || !util::ascii_iequals(value->get<std::string>(), from)) continue;
    *value = to;
    renamed = true;
  }
  if (!renamed) return std::nullopt;
  return saved.dump();
}

json rule_catalog(const std::vector<FieldDefinition>& fields) {
  auto op_names = [](const Ops& ops) {
    json names = json::array();
    for (RuleOp o : ops) names.push_back(rule_op_name(o));
    return names;
  };
  json out = json::array();
  for (const auto& b : kBuiltins) {
    json entry{{"field", b.field}, {"label", b.label}, {"type", b.type}, {"ops", op_names(*b.ops)}};
    if (auto values = enum_values(b.field); !values.empty()) entry["values"] = values;
    out.push_back(std::move(entry));
  }
  for (const auto& f : fields) {
    json entry{{"field", "field:" + f.name},
               {"label", f.label},
               {"type", field_type_name(f.type)},
               {"ops", op_names(custom_ops(f.type))}};
    if (!f.options.empty()) entry["values"] = f.options;
    out.push_back(std::move(entry));
  }
  return out;
}

std::optional<std::string> clean_segment_name(std::string_view raw) {
  std::string name = clean_text(raw);
  if (name.empty() || !util::valid_utf8(name) || name.size() > 400) return std::nullopt;
  std::size_t chars = 0;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return std::nullopt;
    if ((u & 0xC0) != 0x80) ++chars;
  }
  if (chars > 100) return std::nullopt;
  return name;
}

}  // namespace tglead::crm
