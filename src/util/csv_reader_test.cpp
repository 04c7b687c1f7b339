// CSV input (RFC 4180) for contact imports.
#include "util/csv_reader.hpp"

#include <gtest/gtest.h>

#include "util/csv.hpp"

namespace tglead::util {
namespace {

std::vector<CsvRecord> read_all(std::string_view data, char delimiter = 0, std::size_t max_cell = 64 * 1024) {
  CsvReader reader(data, delimiter, max_cell);
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

using Fields = std::vector<std::string>;

TEST(CsvReader, PlainQuotedAndLineEndings) {
  auto rows = read_all("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,,\"multi\nline\"\r3,z,\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(rows[1].fields, (Fields{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ(rows[2].fields, (Fields{"2", "", "multi\nline"}));
  EXPECT_EQ(rows[3].fields, (Fields{"3", "z", ""}));
  EXPECT_EQ(rows[0].line, 1u);
  EXPECT_EQ(rows[2].line, 3u);
  EXPECT_EQ(rows[3].line, 5u);  // the quoted line break counts
  for (const auto& r : rows) EXPECT_EQ(r.error, "");
}

TEST(CsvReader, BomAndSemicolonAreDetected) {
  CsvReader reader("\xEF\xBB\xBF" "first_name;username;tags\nAlina;alina_k;\"vip;crypto\"\n");
  EXPECT_EQ(reader.delimiter(), ';');
  CsvRecord r;
  ASSERT_TRUE(reader.next(r));
  EXPECT_EQ(r.fields, (Fields{"first_name", "username", "tags"}));  // no BOM in the first header
  ASSERT_TRUE(reader.next(r));
  EXPECT_EQ(r.fields, (Fields{"Alina", "alina_k", "vip;crypto"}));
  EXPECT_FALSE(reader.next(r));
  EXPECT_EQ(CsvReader("a,b;c\n").delimiter(), ',');
  EXPECT_EQ(CsvReader("\"a;b\",c\n").delimiter(), ',');  // quoted ';' does not count
}

TEST(CsvReader, BlankLinesAreSkipped) {
  auto rows = read_all("a\n\n\r\n1\n\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"1"}));
  EXPECT_EQ(rows[1].line, 4u);
}

TEST(CsvReader, BadQuotesAreRowErrorsAndReadingResumes) {
  auto rows = read_all("a,b\n\"x\"y,1\n2,ok\nab\"c,3\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_NE(rows[1].error.find("after a closing quote"), std::string::npos);
  EXPECT_EQ(rows[2].error, "");
  EXPECT_EQ(rows[2].fields, (Fields{"2", "ok"}));
  EXPECT_EQ(rows[2].line, 3u);
  EXPECT_EQ(rows[3].fields, (Fields{"ab\"c", "3"}));  // a stray quote mid-field is literal
}

TEST(CsvReader, UnterminatedQuoteEndsTheInputWithAnError) {
  auto rows = read_all("a,b\n1,2\n3,\"never closed\n4,5\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "2"}));
  EXPECT_NE(rows[2].error.find("line 3"), std::string::npos) << rows[2].error;
  EXPECT_NE(rows[2].error.find("never closed"), std::string::npos);
}

TEST(CsvReader, HugeCellIsARowError) {
  std::string data = "a,b\n1," + std::string(100000, 'x') + "\n2,ok\n";
  auto rows = read_all(data, 0, 1024);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[1].error.find("longer than 1024"), std::string::npos);
  EXPECT_EQ(rows[2].fields, (Fields{"2", "ok"}));
  std::string quoted = "a\n\"" + std::string(5000, 'y') + "\"\nz\n";
  rows = read_all(quoted, 0, 1024);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[1].error.find("longer"), std::string::npos);
  EXPECT_EQ(rows[2].fields, (Fields{"z"}));
}

TEST(CsvReader, InvalidUtf8IsARowError) {
  auto rows = read_all("a\n\xC0\xAF\nM\xC3\xBCller\n\xFF\n");  // overlong '/', then valid, then garbage
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_NE(rows[1].error.find("UTF-8"), std::string::npos);
  EXPECT_EQ(rows[2].fields, (Fields{"M\xC3\xBCller"}));
  EXPECT_NE(rows[3].error.find("UTF-8"), std::string::npos);
  EXPECT_TRUE(valid_utf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));  // a surrogate
  EXPECT_FALSE(valid_utf8("\xE2\x82"));      // truncated
}

TEST(CsvReader, FormulaCellsRoundTripThroughTheSafeExport) {
  // A hostile name is imported as text and exported neutralised (util/csv.hpp).
  auto rows = read_all("first_name\n\"=cmd|' /C calc'!A0\"\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields[0], "=cmd|' /C calc'!A0");
  std::string out;
  append_csv_row(out, {rows[1].fields[0]});
  EXPECT_EQ(out, "'=cmd|' /C calc'!A0\r\n");
}

}  // namespace
}  // namespace tglead::util
