#include "storage/sqlite/segment_sql.hpp"

#include <stdexcept>

namespace tglead::storage::sqlite {

namespace {

using crm::FieldType;
using crm::RuleOp;
using crm::RuleSubject;
using crm::SegmentRule;

std::string like_pattern(const std::string& text, bool anywhere) {
  std::string out = anywhere ? "%" : "";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

class Builder {
 public:
  explicit Builder(int first_index) : next_(first_index) {}

  std::string param(SqlValue value) {
    filter_.values.push_back(std::move(value));
    return "?" + std::to_string(next_++);
  }

  std::string params(const std::vector<std::string>& values) {
    std::string list;
    for (const auto& v : values) list += (list.empty() ? "" : ",") + param(v);
    return "(" + list + ")";
  }

  void add(const std::string& condition) { filter_.sql += " AND (" + condition + ")"; }
  void scan_table() { filter_.scan_table = true; }
  void drive_by_ids() { filter_.drive_by_ids = true; }

  SqlFilter take() { return std::move(filter_); }

 private:
  int next_;
  SqlFilter filter_;
};

// Columns of the covering index contacts_segment (schema.hpp); rules on others read the rows.
bool indexed_column(const std::string& column) { return column == "country" || column == "language"; }

void text_column(Builder& b, const SegmentRule& r) {
  std::string c = "ct." + r.column;
  if (!indexed_column(r.column)) b.scan_table();
  if (r.column == "country" && r.op == RuleOp::Eq) {
    b.add(c + " = " + b.param(r.value));
    return;
  }
  switch (r.op) {
    case RuleOp::Eq: b.add("lower(" + c + ") = lower(" + b.param(r.value) + ")"); return;
    case RuleOp::Neq: b.add(c + " IS NULL OR lower(" + c + ") <> lower(" + b.param(r.value) + ")"); return;
    case RuleOp::Contains: b.add(c + " LIKE " + b.param(like_pattern(r.value, true)) + " ESCAPE '\\'"); return;
    case RuleOp::NotContains:
      b.add(c + " IS NULL OR " + c + " NOT LIKE " + b.param(like_pattern(r.value, true)) + " ESCAPE '\\'");
      return;
    case RuleOp::StartsWith: b.add(c + " LIKE " + b.param(like_pattern(r.value, false)) + " ESCAPE '\\'"); return;
    case RuleOp::Empty: b.add(c + " IS NULL OR " + c + " = ''"); return;
    case RuleOp::NotEmpty: b.add(c + " IS NOT NULL AND " + c + " <> ''"); return;
    default: break;
  }
  throw std::logic_error("segment rule operator not valid for a text column");
}

// Custom field rules select the matching contact ids from contact_values
// (by field, through its indexes) and SQLite looks those ids up: far cheaper
// than probing contact_values once per contact of a large workspace.
void custom_field(Builder& b, const SegmentRule& r) {
  std::string field = std::to_string(r.field_id);  // an integer from the store, not user text
  auto ids = [&](const std::string& condition) {
    return "SELECT v.contact_id FROM contact_values v WHERE v.field_id = " + field +
           (condition.empty() ? "" : " AND " + condition);
  };
  auto in = [&](const std::string& condition) {
    b.add("ct.id IN (" + ids(condition) + ")");
    b.drive_by_ids();
  };
  // "is not X" includes contacts without a value, as a spreadsheet filter does.
  auto not_in = [&](const std::string& condition) { b.add("ct.id NOT IN (" + ids(condition) + ")"); };
  bool folded = r.field_type == FieldType::Text || r.field_type == FieldType::Textarea ||
                r.field_type == FieldType::Email || r.field_type == FieldType::Url;
  auto equals = [&] {
    if (r.field_type == FieldType::Number) return "v.number = " + b.param(r.number);
    return folded ? "lower(v.value) = lower(" + b.param(r.value) + ")" : "v.value = " + b.param(r.value);
  };
  switch (r.op) {
    case RuleOp::Empty: not_in(""); return;
    case RuleOp::NotEmpty: in(""); return;
    case RuleOp::Eq: in(equals()); return;
    case RuleOp::Neq: not_in(equals()); return;
    case RuleOp::Contains: in("v.value LIKE " + b.param(like_pattern(r.value, true)) + " ESCAPE '\\'"); return;
    case RuleOp::StartsWith: in("v.value LIKE " + b.param(like_pattern(r.value, false)) + " ESCAPE '\\'"); return;
    case RuleOp::In: in("v.value IN " + b.params(r.values)); return;
    case RuleOp::Gt: in("v.number > " + b.param(r.number)); return;
    case RuleOp::Gte: in("v.number >= " + b.param(r.number)); return;
    case RuleOp::Lt: in("v.number < " + b.param(r.number)); return;
    case RuleOp::Lte: in("v.number <= " + b.param(r.number)); return;
    // Dates are stored as YYYY-MM-DD, so text order is date order.
    case RuleOp::Before: in("v.value < " + b.param(r.value)); return;
    case RuleOp::After: in("v.value > " + b.param(r.value)); return;
    case RuleOp::Has:
    case RuleOp::HasNot: {
      std::string listed = "SELECT v.contact_id FROM contact_values v, json_each(v.value) j WHERE v.field_id = " +
                           field + " AND j.value = " + b.param(r.value);
      b.add(std::string(r.op == RuleOp::Has ? "ct.id IN (" : "ct.id NOT IN (") + listed + ")");
      if (r.op == RuleOp::Has) b.drive_by_ids();
      return;
    }
    case RuleOp::IsTrue: in("v.value = 'true'"); return;
    // An unticked box and a box never ticked are the same answer.
    case RuleOp::IsFalse: not_in("v.value = 'true'"); return;
    default: break;
  }
  throw std::logic_error("segment rule operator not valid for a custom field");
}

void compile(Builder& b, const SegmentRule& r) {
  switch (r.subject) {
    case RuleSubject::Text:
      text_column(b, r);
      return;
    case RuleSubject::Enum:
      if (r.op == RuleOp::In) {
        b.add("ct." + r.column + " IN " + b.params(r.values));
      } else {
        b.add("ct." + r.column + (r.op == RuleOp::Eq ? " = " : " <> ") + b.param(r.value));
      }
      return;
    case RuleSubject::TelegramId:
      if (r.op == RuleOp::Empty) {
        b.add("ct.telegram_id IS NULL");
      } else if (r.op == RuleOp::NotEmpty) {
        b.add("ct.telegram_id IS NOT NULL");
      } else {
        b.add("ct.telegram_id = " + b.param(static_cast<std::int64_t>(r.number)));
      }
      return;
    case RuleSubject::Time: {
      bool at_or_after = r.op == RuleOp::After || r.op == RuleOp::LastDays;
      b.add("ct." + r.column + (at_or_after ? " >= " : " < ") + b.param(r.time));
      return;
    }
    case RuleSubject::Tag: {
      std::string tagged = "ct.id IN (SELECT x.contact_id FROM contact_tags x JOIN tags t ON t.id = x.tag_id "
                           "WHERE t.user_id = ?1 AND lower(t.name) = lower(" + b.param(r.value) + "))";
      b.add(r.op == RuleOp::Has ? tagged : "NOT " + tagged);
      if (r.op == RuleOp::Has) b.drive_by_ids();
      return;
    }
    case RuleSubject::LeadStatus: {
      std::string subscribers = "SELECT l.subscriber FROM leads l WHERE l.user_id = ?1 AND l.status = " +
                                b.param(static_cast<std::int64_t>(r.number));
      if (r.campaign_id) subscribers += " AND l.campaign_id = " + b.param(r.campaign_id);
      // A contact without Telegram id has no leads: it is "not in" every status.
      b.add(r.op == RuleOp::Eq ? "ct.telegram_id IN (" + subscribers + ")"
                               : "ct.telegram_id IS NULL OR ct.telegram_id NOT IN (" + subscribers + ")");
      return;
    }
    case RuleSubject::Custom:
      custom_field(b, r);
      return;
  }
}

}  // namespace

SqlFilter compile_rules(const std::vector<crm::SegmentRule>& rules, int first_index) {
  Builder b(first_index);
  for (const auto& r : rules) compile(b, r);
  return b.take();
}

}  // namespace tglead::storage::sqlite
