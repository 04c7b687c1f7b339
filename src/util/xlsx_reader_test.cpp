// XLSX reading on real archives written with libzip: values, gaps, limits and malformed files.
#include "util/xlsx_reader.hpp"

#include <gtest/gtest.h>

#include "util/test_xlsx.hpp"

namespace tglead::util {
namespace {

using testing::Entries;
using testing::workbook_entries;
using testing::zip_bytes;

std::vector<XlsxRow> read_all(XlsxReader& reader) {
  std::vector<XlsxRow> rows;
  XlsxRow row;
  while (reader.next(row)) rows.push_back(row);
  return rows;
}

TEST(XlsxNumber, IntegersKeepEveryDigitAndFractionsLoseFloatArtefacts) {
  EXPECT_EQ(xlsx_number_text("79161234567"), "79161234567");
  EXPECT_EQ(xlsx_number_text("7.9161234567E10"), "79161234567");
  EXPECT_EQ(xlsx_number_text("7.9161234567E+10"), "79161234567");
  EXPECT_EQ(xlsx_number_text("5318008421.0"), "5318008421");
  EXPECT_EQ(xlsx_number_text("1234567890123456789"), "1234567890123456789");
  EXPECT_EQ(xlsx_number_text("0.30000000000000004"), "0.3");
  EXPECT_EQ(xlsx_number_text("2.9999999999999996"), "3");
  EXPECT_EQ(xlsx_number_text("9.9999999999999999"), "10");
  EXPECT_EQ(xlsx_number_text("1.5"), "1.5");
  EXPECT_EQ(xlsx_number_text("-12.50"), "-12.5");
  EXPECT_EQ(xlsx_number_text("1E-3"), "0.001");
  EXPECT_EQ(xlsx_number_text("-0"), "0");
  EXPECT_EQ(xlsx_number_text("007"), "7");
  EXPECT_EQ(xlsx_number_text("1E+400"), "1E+400");  // would be 401 characters: left as written
  EXPECT_EQ(xlsx_number_text("abc"), "abc");
  EXPECT_EQ(xlsx_number_text("1.2.3"), "1.2.3");
}

TEST(XlsxReader, ReadsTheFirstWorksheetWithEveryCellKind) {
  std::string sheet =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
      "<c r=\"D1\" t=\"inlineStr\"><is><t>tags</t></is></c></row>"
      // row 2 is missing (a gap); row 3 has a gap in C
      "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>2</v></c><c r=\"B3\"><v>7.9161234567E10</v></c>"
      "<c r=\"D3\" t=\"inlineStr\"><is><r><t>v</t></r><r><rPr><b/></rPr><t>ip</t></r><rPh><t>X</t></rPh></is></c></row>"
      "<row r=\"4\"><c r=\"A4\" t=\"b\"><v>1</v></c><c r=\"B4\" t=\"b\"><v>0</v></c><c r=\"C4\" t=\"e\"><v>#N/A</v></c>"
      "<c r=\"D4\" t=\"str\"><f>A1&amp;\"x\"</f><v>formula result</v></c></row>"
      "<row r=\"5\"><c r=\"A5\" s=\"3\"/><c r=\"B5\" t=\"s\"/></row>"  // styled but empty: skipped
      "<row r=\"7\"><c t=\"inlineStr\"><is><t>no ref</t></is></c><c><v>0.30000000000000004</v></c>"
      "<c t=\"inlineStr\"><is><t>line_x000D__x000A_break _x005F_x0041_</t></is></c></row>";
  std::string data = zip_bytes(workbook_entries(sheet, {"username", "phone_number", "alice_k"}));
  XlsxReader reader(data);
  ASSERT_EQ(reader.error(), "");
  EXPECT_EQ(reader.sheet_name(), "Contacts");
  auto rows = read_all(reader);
  ASSERT_EQ(reader.error(), "");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].number, 1u);
  EXPECT_EQ(rows[0].cells, (std::vector<std::string>{"username", "phone_number", "", "tags"}));
  EXPECT_EQ(rows[1].number, 3u);
  EXPECT_EQ(rows[1].cells, (std::vector<std::string>{"alice_k", "79161234567", "", "vip"}));
  EXPECT_EQ(rows[2].number, 4u);
  EXPECT_EQ(rows[2].cells, (std::vector<std::string>{"true", "false", "#N/A", "formula result"}));
  EXPECT_EQ(rows[3].number, 7u);
  EXPECT_EQ(rows[3].cells, (std::vector<std::string>{"no ref", "0.3", "line\r\nbreak _x0041_"}));
  EXPECT_EQ(reader.position(), reader.size());
}

TEST(XlsxReader, FollowsRelationshipsToTheFirstListedSheet) {
  const std::string ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  Entries e;
  e.emplace_back("_rels/.rels", "<Relationships><Relationship Id=\"r\" Type=\"" + ns +
                                    "/officeDocument\" Target=\"/book/main.xml\"/></Relationships>");
  e.emplace_back("book/main.xml", "<workbook xmlns:r=\"" + ns +
                                      "\"><sheets><sheet name=\"Second file, first tab\" r:id=\"B\"/>"
                                      "<sheet name=\"Other\" r:id=\"A\"/></sheets></workbook>");
  e.emplace_back("book/_rels/main.xml.rels", "<Relationships><Relationship Id=\"A\" Type=\"" + ns +
                                                 "/worksheet\" Target=\"s/one.xml\"/>"
                                                 "<Relationship Id=\"B\" Type=\"" +
                                                 ns + "/worksheet\" Target=\"./s/../s/two.xml\"/></Relationships>");
  e.emplace_back("book/s/one.xml",
                 "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>one</t></is></c></row>"
                 "</sheetData></worksheet>");
  e.emplace_back("book/s/two.xml",
                 "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>two</t></is></c></row>"
                 "</sheetData></worksheet>");
  std::string data = zip_bytes(e);
  XlsxReader reader(data);
  ASSERT_EQ(reader.error(), "");
  EXPECT_EQ(reader.sheet_name(), "Second file, first tab");
  auto rows = read_all(reader);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cells, std::vector<std::string>{"two"});
}

TEST(XlsxReader, RefusesWhatIsNotAWorkbook) {
  XlsxReader text("first_name,username\nA,alice_k\n");
  EXPECT_NE(text.error().find("not a zip"), std::string::npos) << text.error();
  XlsxRow row;
  EXPECT_FALSE(text.next(row));

  std::string truncated = zip_bytes(workbook_entries(testing::inline_rows({{"a"}})));
  truncated.resize(truncated.size() / 2);
  EXPECT_NE(XlsxReader(truncated).error().find("not a readable XLSX"), std::string::npos);

  EXPECT_NE(XlsxReader(zip_bytes({{"readme.txt", "hi"}})).error().find("no workbook"), std::string::npos);

  Entries no_sheet = workbook_entries(testing::inline_rows({{"a"}}));
  no_sheet.pop_back();  // the worksheet itself
  EXPECT_NE(XlsxReader(zip_bytes(no_sheet)).error().find("missing"), std::string::npos);

  Entries ods = {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, {"content.xml", "<x/>"}};
  EXPECT_NE(XlsxReader(zip_bytes(ods)).error().find(".ods"), std::string::npos);
}

TEST(XlsxReader, BrokenXmlStopsAfterTheRowsBeforeIt) {
  std::string sheet = testing::inline_rows({{"username"}, {"alice_k"}}) + "<row r=\"3\"><c><v>1</v></row>";
  const std::string file = zip_bytes(workbook_entries(sheet));  // the reader only views its input
  XlsxReader reader(file);
  ASSERT_EQ(reader.error(), "");
  auto rows = read_all(reader);
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_NE(reader.error().find("not well-formed XML"), std::string::npos) << reader.error();
  EXPECT_NE(reader.error().find("sheet1.xml"), std::string::npos) << reader.error();
}

TEST(XlsxReader, RefusesDtdsAndTheirEntities) {
  Entries e = workbook_entries("");
  e.back().second =
      "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
      "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>";
  const std::string file = zip_bytes(e);
  XlsxReader reader(file);
  auto rows = read_all(reader);
  EXPECT_TRUE(rows.empty());
  EXPECT_NE(reader.error().find("DTD"), std::string::npos) << reader.error();
}

TEST(XlsxReader, RefusesZipBombsAndTooManyEntries) {
  // 4 MiB of rows that deflate to a few KiB, against a 1 MiB sheet limit.
  std::string big;
  while (big.size() < (4u << 20)) big += "<row><c><v>1</v></c></row>";
  XlsxLimits limits;
  limits.max_sheet_bytes = 1u << 20;
  std::string bomb = zip_bytes(workbook_entries(big));
  EXPECT_LT(bomb.size(), 200u * 1024);
  XlsxReader reader(bomb, limits);
  EXPECT_NE(reader.error().find("zip bomb"), std::string::npos) << reader.error();

  limits = XlsxLimits{};
  limits.max_total_bytes = 2u << 20;  // the sheet fits its own limit, not the total
  XlsxReader total(bomb, limits);
  ASSERT_EQ(total.error(), "");
  read_all(total);
  EXPECT_NE(total.error().find("zip bomb"), std::string::npos) << total.error();

  Entries many = workbook_entries(testing::inline_rows({{"a"}}));
  for (int i = 0; i < 20; ++i) many.emplace_back("xl/media/image" + std::to_string(i) + ".png", "x");
  limits = XlsxLimits{};
  limits.max_entries = 10;
  EXPECT_NE(XlsxReader(zip_bytes(many), limits).error().find("more than 10 files"), std::string::npos);
}

TEST(XlsxReader, OversizedCellsAndColumnsFailTheirRowOnly) {
  XlsxLimits limits;
  limits.max_cell = 16;
  limits.max_columns = 3;
  std::string sheet = testing::inline_rows({{"username"}, {std::string(17, 'x')}, {"ok_row"}}) +
                      "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>a</t></is></c><c r=\"D4\"><v>1</v></c></row>"
                      "<row r=\"5\"><c r=\"A5\" t=\"s\"><v>0</v></c><c r=\"B5\" t=\"s\"><v>9</v></c></row>";
  const std::string file = zip_bytes(workbook_entries(sheet, {std::string(40, 'y')}));
  XlsxReader reader(file, limits);
  auto rows = read_all(reader);
  ASSERT_EQ(reader.error(), "");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].error, "");
  EXPECT_NE(rows[1].error.find("cell A2 is longer than 16 bytes"), std::string::npos) << rows[1].error;
  EXPECT_EQ(rows[2].error, "");
  EXPECT_EQ(rows[2].cells, std::vector<std::string>{"ok_row"});
  EXPECT_NE(rows[3].error.find("cell D4 is beyond the last column"), std::string::npos) << rows[3].error;
  EXPECT_NE(rows[4].error.find("cell A5 is longer"), std::string::npos) << rows[4].error;
  EXPECT_NE(rows[4].error.find("cell B5 refers to a shared string that does not exist"), std::string::npos);
}

TEST(XlsxReader, StopsAtTheRowLimit) {
  XlsxLimits limits;
  limits.max_rows = 3;
  const std::string file = zip_bytes(workbook_entries(testing::inline_rows({{"a"}, {"b"}, {"c"}, {"d"}})));
  XlsxReader reader(file, limits);
  auto rows = read_all(reader);
  EXPECT_EQ(rows.size(), 3u);
  EXPECT_NE(reader.error().find("more than 3 rows"), std::string::npos) << reader.error();
  const std::string far_file = zip_bytes(workbook_entries("<row r=\"9\"><c><v>1</v></c></row>"));
  XlsxReader far(far_file, limits);
  read_all(far);
  EXPECT_NE(far.error().find("more than 3 rows"), std::string::npos);
}

}  // namespace
}  // namespace tglead::util
