// The in-memory columns behind segment counts: how they follow upserts and
// deletions in any order. Rule semantics are checked against the SQL listing
// in segments_test.cpp (SegmentStoreTest.InMemoryCountsAgree...).
#include "crm/contact_columns.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace tglead::crm {
namespace {

Contact person(std::int64_t id, std::string first_name, std::int64_t telegram_id = 0) {
  Contact c;
  c.id = id;
  c.first_name = std::move(first_name);
  c.telegram_id = telegram_id;
  c.country = id % 2 ? "DE" : "RU";
  return c;
}

SegmentRule text_rule(std::string column, RuleOp op, std::string value) {
  SegmentRule r;
  r.field = r.column = std::move(column);
  r.subject = RuleSubject::Text;
  r.op = op;
  r.value = std::move(value);
  return r;
}

TEST(ContactColumnsTest, FollowsUpsertsInAnyOrderAndDeletions) {
  ContactColumns columns;
  for (std::int64_t id : {5, 1, 9, 3, 7}) columns.upsert(person(id, "n" + std::to_string(id)));
  EXPECT_EQ(columns.size(), 5u);
  EXPECT_EQ(columns.count({text_rule("first_name", RuleOp::Eq, "N3")}, {}), 1);
  columns.upsert(person(3, "renamed"));
  EXPECT_EQ(columns.size(), 5u) << "an upsert of a held id replaces it";
  EXPECT_EQ(columns.count({text_rule("first_name", RuleOp::Eq, "n3")}, {}), 0);
  EXPECT_EQ(columns.count({text_rule("first_name", RuleOp::StartsWith, "REN")}, {}), 1);
  columns.erase(3);
  columns.erase(3);
  columns.erase(42);
  EXPECT_EQ(columns.size(), 4u);
  EXPECT_EQ(columns.count({}, {}), 4);
  EXPECT_EQ(columns.count({text_rule("first_name", RuleOp::StartsWith, "ren")}, {}), 0);
  columns.upsert(person(3, "back"));
  EXPECT_EQ(columns.size(), 5u) << "a deleted id given again counts again";
  EXPECT_EQ(columns.count({text_rule("country", RuleOp::Eq, "DE")}, {}), 5);
}

TEST(ContactColumnsTest, CompactionAfterMassDeletionKeepsTheSurvivors) {
  ContactColumns columns;
  for (std::int64_t id = 1; id <= 20000; ++id) columns.upsert(person(id, id % 10 ? "keep" : "other"));
  std::size_t before = columns.memory_bytes();
  for (std::int64_t id = 1; id <= 20000; ++id) {
    if (id % 4) columns.erase(id);
  }
  EXPECT_EQ(columns.size(), 5000u);
  EXPECT_LT(columns.memory_bytes(), before) << "holes were compacted away";
  EXPECT_EQ(columns.count({text_rule("first_name", RuleOp::Eq, "other")}, {}), 1000);
  columns.upsert(person(4, "changed"));
  columns.upsert(person(20001, "new"));
  EXPECT_EQ(columns.count({text_rule("first_name", RuleOp::Eq, "keep")}, {}), 3999);
  EXPECT_EQ(columns.size(), 5001u);
}

TEST(ContactColumnsTest, RepeatedEditsDoNotGrowMemoryWithoutBound) {
  ContactColumns columns;
  for (std::int64_t id = 1; id <= 1000; ++id) columns.upsert(person(id, "first"));
  std::string long_name(200, 'x');
  for (int round = 0; round < 50; ++round) {
    for (std::int64_t id = 1; id <= 1000; ++id) columns.upsert(person(id, long_name + std::to_string(round)));
  }
  EXPECT_LT(columns.memory_bytes(), std::size_t{4} << 20) << "50 rounds of 200 kB each were written";
  EXPECT_EQ(columns.count({text_rule("first_name", RuleOp::Eq, long_name + "49")}, {}), 1000);
  EXPECT_EQ(columns.count({text_rule("first_name", RuleOp::Contains, "48")}, {}), 0);
}

TEST(ContactColumnsTest, MemberListsByContactAndTelegramId) {
  ContactColumns columns;
  columns.upsert(person(1, "a", 100));
  columns.upsert(person(2, "b", 200));
  columns.upsert(person(3, "c"));
  EXPECT_EQ(columns.count({}, {MemberList{{3, 1, 1, 99}}}), 2) << "duplicates and strangers in a list are harmless";
  EXPECT_EQ(columns.count({}, {MemberList{{3, 1}, true}}), 1);
  EXPECT_EQ(columns.count({}, {MemberList{{200, 300}, false, true}}), 1);
  EXPECT_EQ(columns.count({}, {MemberList{{200}, true, true}}), 2) << "no Telegram id is never listed";
  EXPECT_EQ(columns.count({}, {MemberList{{}, false, true}}), 0);
  EXPECT_EQ(columns.count({text_rule("first_name", RuleOp::Neq, "a")}, {MemberList{{1, 2}}}), 1);
}

// Pages against the listing's order computed by sorting everything: newest `updated` first, ties
// by newest id; every offset and limit, with a rule, across updates and deletions.
TEST(ContactColumnsTest, PagesFollowTheListingOrder) {
  std::mt19937 random(7);
  ContactColumns columns;
  std::map<std::int64_t, Contact> held;
  auto put = [&](std::int64_t id) {
    Contact c = person(id, random() % 3 ? "keep" : "drop");
    c.updated = 1000 + static_cast<std::int64_t>(random() % 40);  // many ties
    columns.upsert(c);
    held[id] = c;
  };
  for (std::int64_t id = 1; id <= 300; ++id) put(static_cast<std::int64_t>(random() % 400) + 1);
  for (int i = 0; i < 60; ++i) {
    std::int64_t id = static_cast<std::int64_t>(random() % 400) + 1;
    columns.erase(id);
    held.erase(id);
  }
  const SegmentRule keep = text_rule("first_name", RuleOp::Eq, "keep");
  std::vector<const Contact*> expected;
  for (const auto& [id, c] : held) {
    if (c.first_name == "keep") expected.push_back(&c);
  }
  std::sort(expected.begin(), expected.end(), [](const Contact* a, const Contact* b) {
    return a->updated != b->updated ? a->updated > b->updated : a->id > b->id;
  });
  ASSERT_GT(expected.size(), 100u);
  for (std::size_t offset : {std::size_t{0}, std::size_t{1}, std::size_t{37}, expected.size() - 3, expected.size(),
                             expected.size() + 10}) {
    for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{10}, std::size_t{50}, std::size_t{1000}}) {
      std::int64_t total = -1;
      std::vector<std::int64_t> page = columns.page({keep}, {}, offset, limit, &total);
      EXPECT_EQ(total, static_cast<std::int64_t>(expected.size()));
      std::vector<std::int64_t> want;
      for (std::size_t i = offset; i < expected.size() && i < offset + limit; ++i) want.push_back(expected[i]->id);
      EXPECT_EQ(page, want) << "offset " << offset << " limit " << limit;
    }
  }
  EXPECT_EQ(columns.page({}, {MemberList{{expected[5]->id, expected[2]->id}}}, 0, 10, nullptr),
            (std::vector<std::int64_t>{expected[2]->id, expected[5]->id}));
}

}  // namespace
}  // namespace tglead::crm
