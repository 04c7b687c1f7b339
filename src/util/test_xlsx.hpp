// Test helper (unit tests only): writes real .xlsx archives in memory with libzip.
#pragma once

#include <zip.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tglead::util::testing {

using Entries = std::vector<std::pair<std::string, std::string>>;  // name, content

// A zip archive of `entries` (deflated), as bytes.
inline std::string zip_bytes(const Entries& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!archive) throw std::runtime_error("zip_open_from_source failed");
  zip_source_keep(buffer);
  for (const auto& [name, content] : entries) {
    zip_source_t* file = zip_source_buffer(archive, content.data(), content.size(), 0);
    if (!file || zip_file_add(archive, name.c_str(), file, ZIP_FL_ENC_UTF_8) < 0) {
      throw std::runtime_error("zip_file_add failed: " + name);
    }
  }
  if (zip_close(archive) != 0) throw std::runtime_error("zip_close failed");
  zip_stat_t st;
  zip_source_open(buffer);
  zip_source_stat(buffer, &st);
  std::string out(st.size, '\0');
  zip_source_read(buffer, out.data(), st.size);
  zip_source_close(buffer);
  zip_source_free(buffer);
  zip_error_fini(&error);
  return out;
}

inline std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

// The parts of a minimal workbook around `sheet_data` (the <sheetData> children) and shared strings.
inline Entries workbook_entries(const std::string& sheet_data, const std::vector<std::string>& shared = {}) {
  const std::string rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  Entries e;
  e.emplace_back("[Content_Types].xml",
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
                 "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
  e.emplace_back("_rels/.rels",
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
                 "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
                 "Type=\"" +
                     rel_ns + "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
  e.emplace_back("xl/workbook.xml",
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook "
                 "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"" +
                     rel_ns + "\"><sheets><sheet name=\"Contacts\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
  std::string rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"" +
      rel_ns + "/worksheet\" Target=\"worksheets/sheet1.xml\"/>";
  if (!shared.empty()) {
    rels += "<Relationship Id=\"rId2\" Type=\"" + rel_ns + "/sharedStrings\" Target=\"sharedStrings.xml\"/>";
    std::string sst =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst "
        "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">";
    for (const auto& s : shared) sst += "<si><t xml:space=\"preserve\">" + xml_escape(s) + "</t></si>";
    e.emplace_back("xl/sharedStrings.xml", sst + "</sst>");
  }
  e.emplace_back("xl/_rels/workbook.xml.rels", rels + "</Relationships>");
  e.emplace_back("xl/worksheets/sheet1.xml",
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet "
                 "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" +
                     sheet_data + "</sheetData></worksheet>");
  return e;
}

// A sheet of text rows as inline strings (cell refs written), e.g. {{"username","phone"},{"alice_1","+4930..."}}.
inline std::string inline_rows(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    out += "<row r=\"" + std::to_string(r + 1) + "\">";
    for (std::size_t c = 0; c < rows[r].size() && c < 26; ++c) {
      if (rows[r][c].empty()) continue;
      std::string ref = std::string(1, static_cast<char>('A' + c)) + std::to_string(r + 1);
      out += "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t>" + xml_escape(rows[r][c]) + "</t></is></c>";
    }
    out += "</row>";
  }
  return out;
}

}  // namespace tglead::util::testing
