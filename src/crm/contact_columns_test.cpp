// The in-memory columns behind segment counts: how they follow upserts and
// deletions in any order. Rule semantics are checked against the SQL listing
// in segments_test.cpp (SegmentStoreTest.InMemoryCountsAgree...).
#include "crm/contact_columns.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tglead::crm
