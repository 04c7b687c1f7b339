// Translates resolved segment rules (crm/segments.hpp) into an SQLite filter
// over `contacts ct`, or into the member lists of the in-memory count.
//
// Contract: the SQL text is built only from fixed fragments and the
// whitelisted column names carried by resolved rules; every operand is a
// bound parameter. Parameters are numbered from `first_index`; ?1 must be
// bound to the workspace's user id by the caller (tags and leads are
// scoped by it). Thread-safety: pure.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "crm/segments.hpp"

namespace tglead::storage::sqlite {

using SqlValue = std::variant<std::int64_t, double, std::string>;

struct SqlFilter {
  std::string sql;  // " AND (...)" per rule; empty for no rules
  std::vector<SqlValue> values;  // bound to ?first_index, ?first_index+1, ...
  // A rule reads a wide text column: one pass over the table beats an index
  // walk that fetches every row at random (see contact_from in the store).
  bool scan_table = false;
  // A rule lists its members' ids (a tag, a custom field value): looking those rows up by id
  // beats walking the whole workspace, which SQLite would pick for `user_id =` without
  // statistics (a tag of 100k contacts in 1M: 60 ms instead of 400 ms). The store then keeps
  // user_id out of index selection.
  bool drive_by_ids = false;
};

// A rule on another table (tag, custom field, lead status), as the query listing the ids it
// is decided by: the in-memory count (crm/contact_columns.hpp) reads them and matches the
// contacts itself. ?1 (absent from custom field lists) takes the workspace's user id; `values` to ?2, ?3, ...
struct MemberQuery {
  std::string sql;
  std::vector<SqlValue> values;
  bool negated = false;       // the rule matches contacts not listed
  bool telegram_ids = false;  // lists Telegram ids (subscribers), not contact ids
};

MemberQuery member_query(const crm::SegmentRule& rule);

SqlFilter compile_rules(const std::vector<crm::SegmentRule>& rules, int first_index);

}  // namespace tglead::storage::sqlite
