// Segment counts and the order of contact listings answered in memory
// (PRODUCT.md §8.2; issue 6: a count over 1,000,000 contacts in at most
// 100 ms, which no SQLite plan reaches once a rule matches a large share:
// every index entry costs ~0.1 µs to visit; and an index giving the listing
// order cost every contact update a random page).
//
// Contract: `ContactColumns` is a column-wise copy of one workspace's
// contacts holding only what segment rules read (Telegram id, username,
// phone, names, country, language, group, source, status, priority, created,
// updated, tag ids). Its owner keeps it current with `upsert` / `set_tags` /
// `erase` from the store's change log. `count` and `page` answer the AND of rules on those columns and
// of member lists the owner read for rules on other tables (custom fields,
// lead statuses), with exactly the semantics of the SQL the store
// runs for listings (storage/sqlite/segment_sql.hpp): text comparisons fold
// ASCII case only, as SQLite's lower() and LIKE do, and a missing text
// behaves as "". Memory is ~80 bytes a contact plus its text (131 MiB of heap
// for the 1M contacts of bench/segment_bench.cpp).
// Thread-safety: none; the owner serialises access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crm/contact.hpp"
#include "crm/segments.hpp"

namespace tglead::crm {

// Rules on the contacts table's own columns and on tags (`SegmentRule::tag_id` resolved), which
// `ContactColumns::count` evaluates itself.
bool rule_reads_columns(const SegmentRule& rule);

// The members of a rule the columns cannot answer, as read by the store.
struct MemberList {
  std::vector<std::int64_t> ids;  // contact ids, or Telegram ids when `telegram_ids`; any order
  bool negated = false;           // the rule matches the contacts *not* listed
  // Lead statuses list subscribers: a contact without a Telegram id is never listed.
  bool telegram_ids = false;
};

class ContactColumns {
 public:
  // By id: adds it or replaces what is held. Its tags are then none until set_tags.
  void upsert(const Contact& contact);
  void set_tags(std::int64_t id, const std::vector<std::int64_t>& tag_ids);  // unknown ids are ignored
  void erase(std::int64_t id);                                               // unknown ids are ignored
  void reserve(std::size_t contacts);   // before loading that many, so vectors are not grown twofold
  std::size_t size() const { return live_; }
  std::size_t memory_bytes() const;

  // Contacts matching every rule and every list. Rules must satisfy rule_reads_columns.
  std::int64_t count(const std::vector<SegmentRule>& rules, const std::vector<MemberList>& lists) const;
  // The ids of those contacts in listing order, newest `updated` first (then newest id): at most
  // `limit` of them from `offset` on. `total`, when given, gets how many match. O(contacts).
  std::vector<std::int64_t> page(const std::vector<SegmentRule>& rules, const std::vector<MemberList>& lists,
                                 std::size_t offset, std::size_t limit, std::int64_t* total) const;

 private:
  // Text kept ASCII-lower-cased in one buffer; replaced values leave garbage until compaction.
  class TextColumn {
   public:
    void insert_empty(std::size_t row);  // a new row, filled by set
    void set(std::size_t row, std::string_view text);
    std::string_view at(std::size_t row) const { return {bytes_.data() + begin_[row], size_[row]}; }
    void keep(const std::vector<std::uint32_t>& rows);
    void reserve(std::size_t rows);
    std::size_t memory_bytes() const;

   private:
    std::uint32_t append(std::string_view text);
    std::string bytes_;
    std::vector<std::uint32_t> begin_;
    std::vector<std::uint32_t> size_;
    std::size_t garbage_ = 0;
  };
  // Few distinct values (country, language, group): each row holds a code; a rule is decided once per value.
  class CodedColumn {
   public:
    void insert_empty(std::size_t row);
    void set(std::size_t row, const std::string& text);
    std::uint32_t code(std::size_t row) const { return rows_[row]; }
    const std::vector<std::string>& values() const { return values_; }
    void keep(const std::vector<std::uint32_t>& rows);
    void reserve(std::size_t rows) { rows_.reserve(rows); }
    std::size_t memory_bytes() const;

   private:
    std::uint32_t code_of(const std::string& text);
    std::vector<std::string> values_;
    std::unordered_map<std::string, std::uint32_t> codes_;
    std::vector<std::uint32_t> rows_;
  };

  std::vector<std::uint8_t> matching(const std::vector<SegmentRule>& rules, const std::vector<MemberList>& lists) const;
  // Each row's tags, as codes of their ids: [count, code...] in one pool at the row's offset,
  // offset 0 being the empty list. A replaced list stays as garbage until compaction.
  class TagColumn {
   public:
    void insert_empty(std::size_t row);
    void set(std::size_t row, const std::vector<std::int64_t>& tag_ids);
    bool has(std::size_t row, std::uint32_t code) const;
    const std::uint32_t* code(std::int64_t tag_id) const;  // null: no row ever had this tag
    void keep(const std::vector<std::uint32_t>& rows);
    void reserve(std::size_t rows) { at_.reserve(rows); }
    std::size_t memory_bytes() const;

   private:
    std::vector<std::uint32_t> pool_{0};
    std::vector<std::uint32_t> at_;
    std::unordered_map<std::int64_t, std::uint32_t> codes_;
    std::size_t garbage_ = 0;
  };

  void write_row(std::size_t row, const Contact& c, bool inserted);
  void compact();
  void apply_rule(const SegmentRule& rule, std::vector<std::uint8_t>& pass) const;
  void apply_list(const MemberList& list, std::vector<std::uint8_t>& pass) const;
  const TextColumn& text_column(const std::string& name) const;
  const CodedColumn& coded_column(const std::string& name) const;

  std::vector<std::int64_t> ids_;  // ascending; rows follow it
  std::vector<std::uint8_t> alive_;
  std::size_t live_ = 0;
  std::vector<std::int64_t> telegram_id_, created_, updated_;
  std::vector<std::uint8_t> source_, status_, priority_;
  TextColumn username_, phone_, first_name_, last_name_;
  CodedColumn country_, language_, group_;
  TagColumn tags_;
};

}  // namespace tglead::crm
