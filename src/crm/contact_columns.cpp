#include "crm/contact_columns.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "util/ascii.hpp"

namespace tglead::crm {

namespace {

// 0 .. rows-1: what a column compacting its own garbage keeps.
std::vector<std::uint32_t> every_row(std::size_t rows) {
  std::vector<std::uint32_t> out(rows);
  std::iota(out.begin(), out.end(), std::uint32_t{0});
  return out;
}

template <typename T>
void keep_rows(std::vector<T>& column, const std::vector<std::uint32_t>& rows) {
  std::vector<T> kept;
  kept.reserve(rows.size());
  for (std::uint32_t row : rows) kept.push_back(column[row]);
  column = std::move(kept);
}

template <typename T>
void insert_at(std::vector<T>& column, std::size_t row, T value) {
  column.insert(column.begin() + static_cast<std::ptrdiff_t>(row), value);
}

// SQL: lower(c) = lower(?), c LIKE '%?%', ...; both sides already ASCII-lower-cased.
bool lowered_text_matches(RuleOp op, std::string_view value, std::string_view operand) {
  switch (op) {
    case RuleOp::Eq: return value == operand;
    case RuleOp::Neq: return value != operand;
    case RuleOp::Contains: return value.find(operand) != std::string_view::npos;
    case RuleOp::NotContains: return value.find(operand) == std::string_view::npos;
    case RuleOp::StartsWith: return value.starts_with(operand);
    case RuleOp::Empty: return value.empty();
    case RuleOp::NotEmpty: return !value.empty();
    default: break;
  }
  throw std::logic_error("segment rule operator not valid for a text column");
}

std::uint8_t enum_code(const SegmentRule& rule, std::string_view name) {
  if (rule.column == "source") return static_cast<std::uint8_t>(parse_source(name).value_or(Source::Manual));
  if (rule.column == "status") return static_cast<std::uint8_t>(parse_status(name).value_or(Status::Active));
  return static_cast<std::uint8_t>(parse_priority(name).value_or(Priority::Medium));
}

// Open addressing over positive ids: membership of 1M Telegram ids in ~10 ns, where a sorted
// list's binary search misses the cache ~17 times a lookup.
class IdSet {
 public:
  explicit IdSet(const std::vector<std::int64_t>& ids) {
    std::size_t capacity = 16;
    while (capacity < ids.size() * 2) capacity *= 2;
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    for (std::int64_t id : ids) {
      if (id <= 0) continue;
      std::size_t i = slot(id);
      while (slots_[i] != 0 && slots_[i] != id) i = (i + 1) & mask_;
      slots_[i] = id;
    }
  }
  bool contains(std::int64_t id) const {
    for (std::size_t i = slot(id);; i = (i + 1) & mask_) {
      if (slots_[i] == id) return true;
      if (slots_[i] == 0) return false;
    }
  }

 private:
  std::size_t slot(std::int64_t id) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ULL) >> 17) & mask_;
  }
  std::vector<std::int64_t> slots_;
  std::size_t mask_ = 0;
};

}  // namespace

bool rule_reads_columns(const SegmentRule& rule) {
  return rule.subject == RuleSubject::Text || rule.subject == RuleSubject::Enum ||
         rule.subject == RuleSubject::TelegramId || rule.subject == RuleSubject::Time ||
         rule.subject == RuleSubject::Tag;
}

std::uint32_t ContactColumns::TextColumn::append(std::string_view text) {
  if (bytes_.size() + text.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("contact columns: text buffer full");
  }
  auto begin = static_cast<std::uint32_t>(bytes_.size());
  bytes_.append(text);
  for (auto it = bytes_.begin() + begin; it != bytes_.end(); ++it) *it = util::ascii_lower(*it);
  return begin;
}

void ContactColumns::TextColumn::insert_empty(std::size_t row) {
  insert_at(begin_, row, static_cast<std::uint32_t>(bytes_.size()));
  insert_at(size_, row, std::uint32_t{0});
}

void ContactColumns::TextColumn::set(std::size_t row, std::string_view text) {
  if (util::ascii_iequals(text, at(row))) return;  // held lower-cased: same text, no garbage
  garbage_ += size_[row];
  begin_[row] = append(text);
  size_[row] = static_cast<std::uint32_t>(text.size());
  // Replaced text is dropped once it is half the buffer, so edits cannot grow it without bound.
  if (garbage_ > (std::size_t{1} << 20) && 2 * garbage_ > bytes_.size()) {
    keep(every_row(begin_.size()));
  }
}

void ContactColumns::TextColumn::keep(const std::vector<std::uint32_t>& rows) {
  std::string bytes;
  std::vector<std::uint32_t> begin, size;
  begin.reserve(rows.size());
  size.reserve(rows.size());
  for (std::uint32_t row : rows) {
    begin.push_back(static_cast<std::uint32_t>(bytes.size()));
    size.push_back(size_[row]);
    bytes += at(row);
  }
  bytes_ = std::move(bytes);
  begin_ = std::move(begin);
  size_ = std::move(size);
  garbage_ = 0;
}

void ContactColumns::TextColumn::reserve(std::size_t rows) {
  begin_.reserve(rows);
  size_.reserve(rows);
}

std::size_t ContactColumns::TextColumn::memory_bytes() const {
  return bytes_.capacity() + (begin_.capacity() + size_.capacity()) * sizeof(std::uint32_t);
}

std::uint32_t ContactColumns::CodedColumn::code_of(const std::string& text) {
  auto [it, added] = codes_.try_emplace(text, static_cast<std::uint32_t>(values_.size()));
  if (added) values_.push_back(text);
  return it->second;
}

void ContactColumns::CodedColumn::insert_empty(std::size_t row) { insert_at(rows_, row, code_of("")); }

void ContactColumns::CodedColumn::set(std::size_t row, const std::string& text) { rows_[row] = code_of(text); }

void ContactColumns::CodedColumn::keep(const std::vector<std::uint32_t>& rows) { keep_rows(rows_, rows); }

std::size_t ContactColumns::CodedColumn::memory_bytes() const {
  std::size_t bytes = rows_.capacity() * sizeof(std::uint32_t);
  for (const auto& v : values_) bytes += 2 * (sizeof(std::string) + v.capacity()) + 16;
  return bytes;
}

void ContactColumns::TagColumn::insert_empty(std::size_t row) { insert_at(at_, row, std::uint32_t{0}); }

void ContactColumns::TagColumn::set(std::size_t row, const std::vector<std::int64_t>& tag_ids) {
  if (at_[row] != 0) garbage_ += 1 + pool_[at_[row]];
  at_[row] = 0;
  if (tag_ids.empty()) return;
  if (pool_.size() + 1 + tag_ids.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("contact columns: tag pool full");
  }
  at_[row] = static_cast<std::uint32_t>(pool_.size());
  pool_.push_back(static_cast<std::uint32_t>(tag_ids.size()));
  for (std::int64_t id : tag_ids) {
    auto [it, added] = codes_.try_emplace(id, static_cast<std::uint32_t>(codes_.size()));
    pool_.push_back(it->second);
  }
  if (garbage_ > (std::size_t{1} << 20) && 2 * garbage_ > pool_.size()) {
    keep(every_row(at_.size()));
  }
}

bool ContactColumns::TagColumn::has(std::size_t row, std::uint32_t code) const {
  const std::uint32_t* list = pool_.data() + at_[row];
  for (std::uint32_t i = 1; i <= list[0]; ++i) {
    if (list[i] == code) return true;
  }
  return false;
}

const std::uint32_t* ContactColumns::TagColumn::code(std::int64_t tag_id) const {
  auto it = codes_.find(tag_id);
  return it == codes_.end() ? nullptr : &it->second;
}

void ContactColumns::TagColumn::keep(const std::vector<std::uint32_t>& rows) {
  std::vector<std::uint32_t> pool{0}, at;
  at.reserve(rows.size());
  for (std::uint32_t row : rows) {
    const std::uint32_t begin = at_[row];
    at.push_back(begin == 0 ? 0 : static_cast<std::uint32_t>(pool.size()));
    if (begin != 0) pool.insert(pool.end(), pool_.begin() + begin, pool_.begin() + begin + 1 + pool_[begin]);
  }
  pool_ = std::move(pool);
  at_ = std::move(at);
  garbage_ = 0;
}

std::size_t ContactColumns::TagColumn::memory_bytes() const {
  return (pool_.capacity() + at_.capacity()) * sizeof(std::uint32_t) + codes_.size() * 32;
}

void ContactColumns::write_row(std::size_t row, const Contact& c, bool inserted) {
  if (inserted) {
    for (auto* column : {&ids_, &telegram_id_, &created_, &updated_}) insert_at(*column, row, std::int64_t{0});
    for (auto* column : {&alive_, &source_, &status_, &priority_}) insert_at(*column, row, std::uint8_t{0});
    for (TextColumn* column : {&username_, &phone_, &first_name_, &last_name_}) column->insert_empty(row);
    for (CodedColumn* column : {&country_, &language_, &group_}) column->insert_empty(row);
    tags_.insert_empty(row);
    ids_[row] = c.id;
  } else {
    tags_.set(row, {});
  }
  alive_[row] = 1;
  telegram_id_[row] = c.telegram_id;
  created_[row] = c.created;
  updated_[row] = c.updated;
  source_[row] = static_cast<std::uint8_t>(c.source);
  status_[row] = static_cast<std::uint8_t>(c.status);
  priority_[row] = static_cast<std::uint8_t>(c.priority);
  username_.set(row, c.username);
  phone_.set(row, c.phone);
  first_name_.set(row, c.first_name);
  last_name_.set(row, c.last_name);
  country_.set(row, c.country);
  language_.set(row, c.language);
  group_.set(row, c.group);
}

void ContactColumns::reserve(std::size_t contacts) {
  for (auto* column : {&ids_, &telegram_id_, &created_, &updated_}) column->reserve(contacts);
  for (auto* column : {&alive_, &source_, &status_, &priority_}) column->reserve(contacts);
  for (TextColumn* c : {&username_, &phone_, &first_name_, &last_name_}) c->reserve(contacts);
  for (CodedColumn* c : {&country_, &language_, &group_}) c->reserve(contacts);
  tags_.reserve(contacts);
}

void ContactColumns::upsert(const Contact& contact) {
  auto it = std::lower_bound(ids_.begin(), ids_.end(), contact.id);
  auto row = static_cast<std::size_t>(it - ids_.begin());
  bool held = it != ids_.end() && *it == contact.id;
  if (!held || !alive_[row]) ++live_;
  write_row(row, contact, !held);
}

void ContactColumns::set_tags(std::int64_t id, const std::vector<std::int64_t>& tag_ids) {
  auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
  if (it == ids_.end() || *it != id) return;
  tags_.set(static_cast<std::size_t>(it - ids_.begin()), tag_ids);
}

void ContactColumns::erase(std::int64_t id) {
  auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
  if (it == ids_.end() || *it != id) return;
  auto row = static_cast<std::size_t>(it - ids_.begin());
  if (!alive_[row]) return;
  alive_[row] = 0;
  --live_;
  // Deleted rows stay as holes (a revert can delete a million) until they dominate.
  if (ids_.size() - live_ > std::max<std::size_t>(live_, 4096)) compact();
}

void ContactColumns::compact() {
  std::vector<std::uint32_t> rows;
  rows.reserve(live_);
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (alive_[i]) rows.push_back(static_cast<std::uint32_t>(i));
  }
  keep_rows(ids_, rows);
  keep_rows(alive_, rows);
  keep_rows(telegram_id_, rows);
  keep_rows(created_, rows);
  keep_rows(updated_, rows);
  keep_rows(source_, rows);
  keep_rows(status_, rows);
  keep_rows(priority_, rows);
  for (TextColumn* c : {&username_, &phone_, &first_name_, &last_name_}) c->keep(rows);
  for (CodedColumn* c : {&country_, &language_, &group_}) c->keep(rows);
  tags_.keep(rows);
}

std::size_t ContactColumns::memory_bytes() const {
  std::size_t bytes = (ids_.capacity() + telegram_id_.capacity() + created_.capacity() + updated_.capacity()) * 8 +
                      alive_.capacity() + source_.capacity() + status_.capacity() + priority_.capacity();
  for (const TextColumn* c : {&username_, &phone_, &first_name_, &last_name_}) bytes += c->memory_bytes();
  for (const CodedColumn* c : {&country_, &language_, &group_}) bytes += c->memory_bytes();
  return bytes + tags_.memory_bytes();
}

const ContactColumns::TextColumn& ContactColumns::text_column(const std::string& name) const {
  if (name == "username") return username_;
  if (name == "phone") return phone_;
  if (name == "first_name") return first_name_;
  if (name == "last_name") return last_name_;
  throw std::logic_error("segment rule on an unknown text column: " + name);
}

const ContactColumns::CodedColumn& ContactColumns::coded_column(const std::string& name) const {
  if (name == "country") return country_;
  if (name == "language") return language_;
  if (name == "group_name") return group_;
  throw std::logic_error("segment rule on an unknown coded column: " + name);
}

void ContactColumns::apply_rule(const SegmentRule& r, std::vector<std::uint8_t>& pass) const {
  const std::size_t rows = ids_.size();
  auto narrow = [&](auto&& matches) {
    for (std::size_t i = 0; i < rows; ++i) pass[i] = pass[i] && matches(i);
  };
  switch (r.subject) {
    case RuleSubject::Text: {
      const std::string operand = util::ascii_lower(r.value);
      if (r.column == "country" || r.column == "language" || r.column == "group_name") {
        const CodedColumn& column = coded_column(r.column);
        std::vector<std::uint8_t> value_matches;
        for (const auto& value : column.values()) {
          // Countries are compared as stored (upper case everywhere), as the SQL does.
          bool exact = r.column == "country" && r.op == RuleOp::Eq;
          value_matches.push_back(exact ? value == r.value : lowered_text_matches(r.op, util::ascii_lower(value), operand));
        }
        narrow([&](std::size_t i) { return value_matches[column.code(i)] != 0; });
        return;
      }
      const TextColumn& column = text_column(r.column);
      narrow([&](std::size_t i) { return lowered_text_matches(r.op, column.at(i), operand); });
      return;
    }
    case RuleSubject::Enum: {
      const std::vector<std::uint8_t>& column =
          r.column == "source" ? source_ : r.column == "status" ? status_ : priority_;
      std::array<bool, 256> wanted{};
      if (r.op == RuleOp::In) {
        for (const auto& v : r.values) wanted[enum_code(r, v)] = true;
      } else {
        wanted[enum_code(r, r.value)] = true;
        if (r.op == RuleOp::Neq) {
          for (bool& w : wanted) w = !w;
        }
      }
      narrow([&](std::size_t i) { return wanted[column[i]]; });
      return;
    }
    case RuleSubject::TelegramId: {
      auto id = static_cast<std::int64_t>(r.number);
      if (r.op == RuleOp::Empty) narrow([&](std::size_t i) { return telegram_id_[i] == 0; });
      else if (r.op == RuleOp::NotEmpty) narrow([&](std::size_t i) { return telegram_id_[i] != 0; });
      else narrow([&](std::size_t i) { return telegram_id_[i] == id; });
      return;
    }
    case RuleSubject::Time: {
      const std::vector<std::int64_t>& column = r.column == "created" ? created_ : updated_;
      if (r.op == RuleOp::After || r.op == RuleOp::LastDays) {
        narrow([&](std::size_t i) { return column[i] >= r.time; });
      } else {
        narrow([&](std::size_t i) { return column[i] < r.time; });
      }
      return;
    }
    case RuleSubject::Tag: {
      const std::uint32_t* code = tags_.code(r.tag_id);
      const bool negated = r.op == RuleOp::HasNot;
      narrow([&](std::size_t i) { return (code != nullptr && tags_.has(i, *code)) != negated; });
      return;
    }
    default: break;
  }
  throw std::logic_error("segment rule does not read contact columns: " + r.field);
}

void ContactColumns::apply_list(const MemberList& list, std::vector<std::uint8_t>& pass) const {
  const std::size_t rows = ids_.size();
  if (list.telegram_ids) {
    IdSet listed(list.ids);
    for (std::size_t i = 0; i < rows; ++i) {
      if (!pass[i]) continue;
      bool in = telegram_id_[i] != 0 && listed.contains(telegram_id_[i]);
      pass[i] = in != list.negated;
    }
    return;
  }
  std::vector<std::int64_t> ids = list.ids;
  std::sort(ids.begin(), ids.end());
  // Both sorted: one merge marks the listed rows.
  std::vector<std::uint8_t> listed(rows, 0);
  std::size_t row = 0;
  for (std::int64_t id : ids) {
    while (row < rows && ids_[row] < id) ++row;
    if (row == rows) break;
    if (ids_[row] == id) listed[row] = 1;
  }
  for (std::size_t i = 0; i < rows; ++i) pass[i] = pass[i] && (listed[i] != list.negated);
}

std::vector<std::uint8_t> ContactColumns::matching(const std::vector<SegmentRule>& rules,
                                                   const std::vector<MemberList>& lists) const {
  std::vector<std::uint8_t> pass = alive_;
  for (const auto& rule : rules) apply_rule(rule, pass);
  for (const auto& list : lists) apply_list(list, pass);
  return pass;
}

std::int64_t ContactColumns::count(const std::vector<SegmentRule>& rules, const std::vector<MemberList>& lists) const {
  std::vector<std::uint8_t> pass = matching(rules, lists);
  return std::count(pass.begin(), pass.end(), std::uint8_t{1});
}

std::vector<std::int64_t> ContactColumns::page(const std::vector<SegmentRule>& rules,
                                               const std::vector<MemberList>& lists, std::size_t offset,
                                               std::size_t limit, std::int64_t* total) const {
  std::vector<std::uint8_t> pass = matching(rules, lists);
  std::vector<std::uint32_t> rows;
  for (std::size_t row = 0; row < pass.size(); ++row) {
    if (pass[row]) rows.push_back(static_cast<std::uint32_t>(row));
  }
  if (total) *total = static_cast<std::int64_t>(rows.size());
  if (offset >= rows.size() || limit == 0) return {};
  // Rows follow ascending ids, so the newer of two equal `updated` is the later row.
  auto newer = [&](std::uint32_t a, std::uint32_t b) {
    return updated_[a] != updated_[b] ? updated_[a] > updated_[b] : a > b;
  };
  const std::size_t end = offset + std::min(limit, rows.size() - offset);
  // Only the rows up to the page's end are put in order; those before it are only split off.
  auto at = [&](std::size_t i) { return rows.begin() + static_cast<std::ptrdiff_t>(i); };
  std::nth_element(at(0), at(end - 1), rows.end(), newer);
  std::nth_element(at(0), at(offset), at(end), newer);
  std::sort(at(offset), at(end), newer);
  std::vector<std::int64_t> ids;
  ids.reserve(end - offset);
  for (std::size_t i = offset; i < end; ++i) ids.push_back(ids_[rows[i]]);
  return ids;
}

}  // namespace tglead::crm
