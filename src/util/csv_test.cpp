#include "util/csv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tglead::util {
namespace {

std::string field(std::string_view v) {
  std::string out;
  append_csv_field(out, v);
  return out;
}

TEST(UtilCsvField, PlainValuesAreCopiedVerbatim) {
  EXPECT_EQ(field(""), "");
  EXPECT_EQ(field("abc"), "abc");
  EXPECT_EQ(field("hello world"), "hello world");
  EXPECT_EQ(field("1234567890"), "1234567890");
  EXPECT_EQ(field("2024-01-02 03:04:05"), "2024-01-02 03:04:05");
  EXPECT_EQ(field("a'b"), "a'b");
  EXPECT_EQ(field("Дмитрий"), "Дмитрий");  // UTF-8 passes through untouched
  EXPECT_EQ(field("a=b"), "a=b");           // only a leading '=' is dangerous
  EXPECT_EQ(field(" =1+1"), " =1+1");
}

TEST(UtilCsvField, QuotesSpecialCharacters) {
  EXPECT_EQ(field("a,b"), "\"a,b\"");
  EXPECT_EQ(field("line1\nline2"), "\"line1\nline2\"");
  EXPECT_EQ(field("a\rb"), "\"a\rb\"");
  EXPECT_EQ(field("a\r\nb"), "\"a\r\nb\"");
  EXPECT_EQ(field(","), "\",\"");
}

TEST(UtilCsvField, DoublesInnerQuotes) {
  EXPECT_EQ(field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(field("\""), "\"\"\"\"");
  EXPECT_EQ(field("\"\""), "\"\"\"\"\"\"");
}

TEST(UtilCsvField, TabAloneDoesNotForceQuoting) {
  EXPECT_EQ(field("a\tb"), "a\tb");
}

TEST(UtilCsvField, NeutralisesFormulaTriggers) {
  EXPECT_EQ(field("=1+1"), "'=1+1");
  EXPECT_EQ(field("+1+1"), "'+1+1");
  EXPECT_EQ(field("-1+1"), "'-1+1");
  EXPECT_EQ(field("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(field("\tfoo"), "'\tfoo");
  EXPECT_EQ(field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(field("="), "'=");
  EXPECT_EQ(field("-"), "'-");
  EXPECT_EQ(field("+"), "'+");
  EXPECT_EQ(field("@"), "'@");
  EXPECT_EQ(field("-abc_def"), "'-abc_def");  // a click id can start with '-'
}

TEST(UtilCsvField, GuardAndQuotingCombine) {
  // CR triggers both: the apostrophe goes inside the quotes.
  EXPECT_EQ(field("\rfoo"), "\"'\rfoo\"");
  EXPECT_EQ(field("=a,b"), "\"'=a,b\"");
  EXPECT_EQ(field("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
  EXPECT_EQ(field("@x\ny"), "\"'@x\ny\"");
}

TEST(UtilCsvField, PlainSignedNumbersAreNotPrefixed) {
  EXPECT_EQ(field("-1001234567890"), "-1001234567890");  // Telegram chat id
  EXPECT_EQ(field("-1"), "-1");
  EXPECT_EQ(field("-0.5"), "-0.5");
  EXPECT_EQ(field("+79991234567"), "+79991234567");
  // Anything beyond digits and one decimal point is still guarded.
  EXPECT_EQ(field("-1."), "'-1.");
  EXPECT_EQ(field("-.5"), "'-.5");
  EXPECT_EQ(field("-1.2.3"), "'-1.2.3");
  EXPECT_EQ(field("-1e5"), "'-1e5");
  EXPECT_EQ(field("-1 "), "'-1 ");
  EXPECT_EQ(field("--1"), "'--1");
  EXPECT_EQ(field("+-1"), "'+-1");
  EXPECT_EQ(field("-1,5"), "\"'-1,5\"");
}

TEST(UtilCsvField, EmbeddedNulIsKept) {
  const std::string_view v("a\0b", 3);
  EXPECT_EQ(field(v), std::string(v));
}

TEST(UtilCsvField, AppendsWithoutClobbering) {
  std::string out = "prefix|";
  append_csv_field(out, "a,b");
  EXPECT_EQ(out, "prefix|\"a,b\"");
}

TEST(UtilCsvRow, JoinsWithCommasAndEndsWithCrlf) {
  std::string out;
  append_csv_row(out, {"id", "campaign", "username"});
  EXPECT_EQ(out, "id,campaign,username\r\n");
  append_csv_row(out, {"1", "a,b", "=evil", "", "-100123"});
  EXPECT_EQ(out, "id,campaign,username\r\n1,\"a,b\",'=evil,,-100123\r\n");
}

TEST(UtilCsvRow, EmptyAndSingleFieldRows) {
  std::string out;
  append_csv_row(out, {});
  EXPECT_EQ(out, "\r\n");
  out.clear();
  append_csv_row(out, {""});
  EXPECT_EQ(out, "\r\n");
  out.clear();
  append_csv_row(out, {"", ""});
  EXPECT_EQ(out, ",\r\n");
}

TEST(UtilCsvRow, AcceptsStdStrings) {
  const std::string name = "O\"Neil";
  std::string out;
  append_csv_row(out, {name, std::string("x")});
  EXPECT_EQ(out, "\"O\"\"Neil\",x\r\n");
}

}  // namespace
}  // namespace tglead::util
