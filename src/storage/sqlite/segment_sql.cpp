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

void text_column(Builder& b, const SegmentRule& r) {
  std::string c = "ct." + r.column;
  b.scan_table();
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

// Rules on other tables select the matching ids there (a custom field through its
// indexes, a tag through its links, a lead status through the workspace's leads), and the
// contact is in or out by whether it is listed: far cheaper than probing those tables once per
// contact of a large workspace.
struct MemberSelect {
  std::string sql;
  bool negated = false;       // the rule matches contacts not listed
  bool telegram_ids = false;  // lists subscribers, not contact ids
};

MemberSelect custom_field(Builder& b, const SegmentRule& r) {
  std::string field = std::to_string(r.field_id);  // an integer from the store, not user text
  auto ids = [&](const std::string& condition) {
    return "SELECT v.contact_id FROM contact_values v WHERE v.field_id = " + field +
           (condition.empty() ? "" : " AND " + condition);
  };
  auto in = [&](const std::string& condition) { return MemberSelect{ids(condition)}; };
  // "is not X" includes contacts without a value, as a spreadsheet filter does.
  auto not_in = [&](const std::string& condition) { return MemberSelect{ids(condition), true}; };
  bool folded = r.field_type == FieldType::Text || r.field_type == FieldType::Textarea ||
                r.field_type == FieldType::Email || r.field_type == FieldType::Url;
  auto equals = [&] {
    if (r.field_type == FieldType::Number) return "v.number = " + b.param(r.number);
    return folded ? "lower(v.value) = lower(" + b.param(r.value) + ")" : "v.value = " + b.param(r.value);
  };
  switch (r.op) {
    case RuleOp::Empty: return not_in("");
    case RuleOp::NotEmpty: return in("");
    case RuleOp::Eq: return in(equals());
    case RuleOp::Neq: return not_in(equals());
    case RuleOp::Contains: return in("v.value LIKE " + b.param(like_pattern(r.value, true)) + " ESCAPE '\\'");
    case RuleOp::StartsWith: return in("v.value LIKE " + b.param(like_pattern(r.value, false)) + " ESCAPE '\\'");
    case RuleOp::In: return in("v.value IN " + b.params(r.values));
    case RuleOp::Gt: return in("v.number > " + b.param(r.number));
    case RuleOp::Gte: return in("v.number >= " + b.param(r.number));
    case RuleOp::Lt: return in("v.number < " + b.param(r.number));
    case RuleOp::Lte: return in("v.number <= " + b.param(r.number));
    // Dates are stored as YYYY-MM-DD, so text order is date order.
    case RuleOp::Before: return in("v.value < " + b.param(r.value));
    case RuleOp::After: return in("v.value > " + b.param(r.value));
    case RuleOp::Has:
    case RuleOp::HasNot:
      return MemberSelect{"SELECT v.contact_id FROM contact_values v, json_each(v.value) j WHERE v.field_id = " +
                              field + " AND j.value = " + b.param(r.value),
                          r.op == RuleOp::HasNot};
    case RuleOp::IsTrue: return in("v.value = 'true'");
    // An unticked box and a box never ticked are the same answer.
    case RuleOp::IsFalse: return not_in("v.value = 'true'");
    default: break;
  }
  throw std::logic_error("segment rule operator not valid for a custom field");
}

MemberSelect member_select(Builder& b, const SegmentRule& r) {
  switch (r.subject) {
    case RuleSubject::Tag:
      return MemberSelect{"SELECT x.contact_id FROM contact_tags x JOIN tags t ON t.id = x.tag_id "
                          "WHERE t.user_id = ?1 AND lower(t.name) = lower(" + b.param(r.value) + ")",
                          r.op == RuleOp::HasNot};
    case RuleSubject::LeadStatus: {
      std::string subscribers = "SELECT l.subscriber FROM leads l WHERE l.user_id = ?1 AND l.status = " +
                                b.param(static_cast<std::int64_t>(r.number));
      if (r.campaign_id) subscribers += " AND l.campaign_id = " + b.param(r.campaign_id);
      return MemberSelect{subscribers, r.op == RuleOp::Neq, true};
    }
    case RuleSubject::Custom: return custom_field(b, r);
    default: break;
  }
  throw std::logic_error("segment rule reads contact columns, not member lists");
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
    case RuleSubject::Tag:
    case RuleSubject::LeadStatus:
    case RuleSubject::Custom: {
      MemberSelect m = member_select(b, r);
      if (m.telegram_ids) {
        // A contact without Telegram id has no leads: it is "not in" every status.
        b.add(m.negated ? "ct.telegram_id IS NULL OR ct.telegram_id NOT IN (" + m.sql + ")"
                        : "ct.telegram_id IN (" + m.sql + ")");
        return;
      }
      b.add(std::string(m.negated ? "ct.id NOT IN (" : "ct.id IN (") + m.sql + ")");
      if (!m.negated) b.drive_by_ids();
      return;
    }
  }
}

}  // namespace

MemberQuery member_query(const crm::SegmentRule& rule) {
  Builder b(2);
  MemberSelect m = member_select(b, rule);
  return MemberQuery{std::move(m.sql), b.take().values, m.negated, m.telegram_ids};
}

SqlFilter compile_rules(const std::vector<crm::SegmentRule>& rules, int first_index) {
  Builder b(first_index);
  for (const auto& r : rules) compile(b, r);
  return b.take();
}

}  // namespace tglead::storage::sqlite
