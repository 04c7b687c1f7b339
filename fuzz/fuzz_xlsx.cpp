// libFuzzer target: util::XlsxReader (contact imports). The first byte picks the mode:
// even: the rest is the file as uploaded (zip archive parsing, part lookup);
// odd: the rest is "sheet XML \x01 shared strings XML", zipped into an otherwise valid
// workbook with libzip, so the XML handling is reached on every run. Small limits make
// the limit paths reachable with small inputs. Checks the xlsx_reader.hpp contract:
// reading ends, rows come with numbers within the limit, cells within the cell and column
// limits, no row after error(), and nothing is thrown.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "util/test_xlsx.hpp"
#include "util/xlsx_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string file;
  if (data[0] % 2 == 0) {
    file.assign(rest);
  } else {
    std::size_t cut = rest.find('\x01');
    std::string sheet(rest.substr(0, cut));
    auto entries = tglead::util::testing::workbook_entries("", {"s"});
    entries.back().second = sheet;  // the worksheet part, replaced whole
    for (auto& [name, content] : entries) {
      if (name == "xl/sharedStrings.xml" && cut != std::string_view::npos) content.assign(rest.substr(cut + 1));
    }
    file = tglead::util::testing::zip_bytes(entries);
  }
  tglead::util::XlsxLimits limits;
  limits.max_cell = 64;
  limits.max_columns = 40;
  limits.max_rows = 500;
  limits.max_row_bytes = 1024;
  limits.max_sheet_bytes = 1 << 20;
  limits.max_shared_strings_bytes = 1 << 20;
  limits.max_total_bytes = 2 << 20;
  tglead::util::XlsxReader reader(file, limits);
  tglead::util::XlsxRow row;
  std::size_t rows = 0;
  while (reader.next(row)) {
    if (++rows > limits.max_rows) std::abort();
    if (row.number == 0 || row.number > limits.max_rows) std::abort();
    if (row.cells.size() > limits.max_columns) std::abort();
    for (const auto& cell : row.cells) {
      if (cell.size() > limits.max_cell && cell.size() > 64) std::abort();
    }
  }
  if (!reader.error().empty() && reader.next(row)) std::abort();
  if (reader.position() > limits.max_sheet_bytes) std::abort();
  return 0;
}
