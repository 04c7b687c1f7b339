// Custom field definitions and value validation (PRODUCT.md §8.2).
#include "crm/fields.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tglead::crm {
namespace {

using nlohmann::json;

FieldDefinition field(FieldType type, std::vector<std::string> options = {}) {
  FieldDefinition f;
  f.name = "f";
  f.label = "F";
  f.type = type;
  f.options = std::move(options);
  return f;
}

class FieldValueTest : public ::testing::Test {
 protected:
  std::string ok(const FieldDefinition& f, std::string_view raw) {
    ParsedValue p = parse_field_value(f, raw, *phones_);
    EXPECT_TRUE(p.ok()) << raw << ": " << p.error;
    return p.value ? p.value->text : "<blank>";
  }
  std::string error(const FieldDefinition& f, std::string_view raw) {
    ParsedValue p = parse_field_value(f, raw, *phones_);
    EXPECT_FALSE(p.ok()) << raw << " was accepted as " << (p.value ? p.value->text : "<blank>");
    return p.error;
  }
  std::unique_ptr<PhoneNormalizer> phones_ = make_phone_normalizer("DE");
};

TEST(FieldDefinitionTest, NamesAreStableIdentifiers) {
  EXPECT_EQ(check_field_name("plan"), "");
  EXPECT_EQ(check_field_name("deal_size_2"), "");
  EXPECT_NE(check_field_name(""), "");
  EXPECT_NE(check_field_name("Plan"), "");
  EXPECT_NE(check_field_name("2plan"), "");
  EXPECT_NE(check_field_name("plan-b"), "");
  EXPECT_NE(check_field_name(std::string(65, 'a')), "");
  EXPECT_NE(check_field_name("username"), "") << "a built-in column would make import headers ambiguous";
  EXPECT_NE(check_field_name("tags"), "");
}

TEST(FieldDefinitionTest, ChoicesNeedOptionsAndOnlyChoicesHaveThem) {
  FieldDefinition d = field(FieldType::Dropdown, {" Gold ", "silver", "GOLD", ""});
  EXPECT_EQ(normalize_definition(d), "");
  EXPECT_EQ(d.options, (std::vector<std::string>{"Gold", "silver"}));
  FieldDefinition empty = field(FieldType::Multiselect);
  EXPECT_NE(normalize_definition(empty), "");
  FieldDefinition text = field(FieldType::Text, {"a"});
  EXPECT_NE(normalize_definition(text), "");
  FieldDefinition separator = field(FieldType::Multiselect, {"a,b"});
  EXPECT_NE(normalize_definition(separator), "") << "a comma inside an option would split it on import";
}

TEST(FieldDefinitionTest, BoundsOnlyForNumbersAndOrdered) {
  FieldDefinition n = field(FieldType::Number);
  n.min = 10;
  n.max = 1;
  EXPECT_NE(normalize_definition(n), "");
  n.max = 100;
  EXPECT_EQ(normalize_definition(n), "");
  FieldDefinition t = field(FieldType::Text);
  t.min = 1;
  EXPECT_NE(normalize_definition(t), "");
}

TEST(FieldDefinitionTest, LabelDefaultsToNameAndIsOneLine) {
  FieldDefinition d = field(FieldType::Text);
  d.label = "  ";
  EXPECT_EQ(normalize_definition(d), "");
  EXPECT_EQ(d.label, "f");
  d.label = "two\nlines";
  EXPECT_NE(normalize_definition(d), "");
}

TEST_F(FieldValueTest, BlankMeansNotGiven) {
  for (auto type : {FieldType::Text, FieldType::Number, FieldType::Date, FieldType::Email, FieldType::Boolean}) {
    EXPECT_EQ(ok(field(type), "   "), "<blank>");
  }
}

TEST_F(FieldValueTest, Text) {
  EXPECT_EQ(ok(field(FieldType::Text), "  hello  "), "hello");
  EXPECT_EQ(ok(field(FieldType::Text), "'=SUM(A1)"), "=SUM(A1)") << "our own export's apostrophe is removed";
  error(field(FieldType::Text), "line\nbreak");
  error(field(FieldType::Text), std::string(1001, 'x'));
  error(field(FieldType::Text), "\xff\xfe");
  EXPECT_EQ(ok(field(FieldType::Textarea), "line\nbreak"), "line\nbreak");
  EXPECT_EQ(ok(field(FieldType::Text), std::string(1000, 'x')).size(), 1000u);
  EXPECT_EQ(ok(field(FieldType::Text), "Привет").size(), 12u) << "lengths count characters, not bytes";
}

TEST_F(FieldValueTest, Numbers) {
  FieldDefinition n = field(FieldType::Number);
  EXPECT_EQ(ok(n, "42"), "42");
  EXPECT_EQ(ok(n, "+42.50"), "42.5");
  EXPECT_EQ(ok(n, "1,5"), "1.5") << "decimal comma";
  EXPECT_EQ(ok(n, "-0.25"), "-0.25");
  EXPECT_EQ(ok(n, "1e3"), "1000");
  error(n, "1,000,000");
  error(n, "12abc");
  error(n, "nan");
  error(n, "inf");
  n.min = 0;
  n.max = 10;
  EXPECT_EQ(ok(n, "10"), "10");
  EXPECT_NE(error(n, "11").find("maximum"), std::string::npos);
  EXPECT_NE(error(n, "-1").find("minimum"), std::string::npos);
  auto parsed = parse_field_value(n, "7.5", *phones_);
  ASSERT_TRUE(parsed.value);
  EXPECT_DOUBLE_EQ(*parsed.value->number, 7.5);
}

TEST_F(FieldValueTest, Dates) {
  FieldDefinition d = field(FieldType::Date);
  EXPECT_EQ(ok(d, "2025-02-28"), "2025-02-28");
  EXPECT_EQ(ok(d, "2024-02-29"), "2024-02-29");
  EXPECT_EQ(ok(d, "2025-03-01T10:00:00Z"), "2025-03-01");
  EXPECT_EQ(ok(d, "31.12.2025"), "2025-12-31");
  EXPECT_EQ(ok(d, "45658"), "2025-01-01") << "spreadsheet day serial";
  error(d, "2025-02-29");
  error(d, "2025-13-01");
  error(d, "03/04/2025");
  error(d, "2025");
  error(d, "yesterday");
}

TEST_F(FieldValueTest, ChoicesMatchOptionsCaseInsensitively) {
  FieldDefinition d = field(FieldType::Dropdown, {"Gold", "Silver"});
  EXPECT_EQ(ok(d, "gold"), "Gold");
  error(d, "bronze");
  FieldDefinition m = field(FieldType::Multiselect, {"Red", "Green", "Blue"});
  EXPECT_EQ(ok(m, "blue, red"), R"(["Red","Blue"])") << "definition order, canonical spelling";
  EXPECT_EQ(ok(m, "Blue;Blue|green"), R"(["Green","Blue"])");
  EXPECT_EQ(ok(m, R"(["green"])"), R"(["Green"])");
  error(m, "red, purple");
  EXPECT_EQ(field_value_json(m, R"(["Green","Blue"])"), json::array({"Green", "Blue"}));
}

TEST_F(FieldValueTest, Booleans) {
  FieldDefinition b = field(FieldType::Boolean);
  for (auto t : {"true", "Yes", "1", "on", "Y"}) EXPECT_EQ(ok(b, t), "true") << t;
  for (auto f : {"false", "NO", "0", "off"}) EXPECT_EQ(ok(b, f), "false") << f;
  error(b, "maybe");
  EXPECT_EQ(field_value_json(b, "true"), json(true));
}

TEST_F(FieldValueTest, EmailsPhonesUrls) {
  FieldDefinition e = field(FieldType::Email);
  EXPECT_EQ(ok(e, "Anna.K@Example.COM"), "Anna.K@example.com") << "only the domain is case-insensitive";
  error(e, "anna");
  error(e, "anna@localhost");
  error(e, "an na@example.com");
  error(e, "anna@-bad-.com");
  FieldDefinition p = field(FieldType::Phone);
  EXPECT_EQ(ok(p, "030 1234567"), "+49301234567") << "default region DE";
  EXPECT_EQ(ok(p, "+7 916 123-45-67"), "+79161234567");
  error(p, "12");
  FieldDefinition u = field(FieldType::Url);
  EXPECT_EQ(ok(u, "https://example.com/a?b=c"), "https://example.com/a?b=c");
  EXPECT_EQ(ok(u, "example.com/page"), "https://example.com/page");
  error(u, "javascript:alert(1)");
  error(u, "ftp://example.com");
  error(u, "https://exa mple.com");
  error(u, "https:///path");
}

TEST_F(FieldValueTest, JsonValuesKeepTheirTypes) {
  FieldDefinition n = field(FieldType::Number);
  auto p = parse_field_json(n, json(12.5), *phones_);
  ASSERT_TRUE(p.value);
  EXPECT_EQ(p.value->text, "12.5");
  EXPECT_EQ(field_value_json(n, "12"), json(12));
  EXPECT_FALSE(parse_field_json(n, json(true), *phones_).ok());
  FieldDefinition b = field(FieldType::Boolean);
  EXPECT_EQ(parse_field_json(b, json(false), *phones_).value->text, "false");
  EXPECT_FALSE(parse_field_json(b, json(1), *phones_).ok());
  FieldDefinition m = field(FieldType::Multiselect, {"A", "B"});
  EXPECT_EQ(parse_field_json(m, json::array({"b", "a"}), *phones_).value->text, R"(["A","B"])");
  EXPECT_FALSE(parse_field_json(m, json::array({1}), *phones_).ok());
  EXPECT_FALSE(parse_field_json(field(FieldType::Text), json::object(), *phones_).ok());
  auto cleared = parse_field_json(field(FieldType::Text), json(nullptr), *phones_);
  EXPECT_TRUE(cleared.ok());
  EXPECT_FALSE(cleared.value);
}

}  // namespace
}  // namespace tglead::crm
