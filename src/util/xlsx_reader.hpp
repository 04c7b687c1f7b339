// XLSX input (Office Open XML spreadsheets) for contact imports: the first
// worksheet as rows of text cells, streamed.
//
// Contract:
// * The archive is read with libzip from memory; the parts with expat. The
//   worksheet is the first <sheet> of the workbook whose relationship is a
//   worksheet (via _rels/.rels -> workbook -> its rels); the shared strings
//   part is loaded whole, the worksheet is parsed as it is read.
// * Cells come out as the text a user sees: shared and inline strings (rich
//   text runs joined, phonetic runs dropped, _xHHHH_ escapes decoded),
//   booleans as "true"/"false", error values as written ("#N/A"), formula
//   cells as their cached value. Numbers are written without float
//   artefacts: integers in full digits ("7.9161234567E10" -> "79161234567"),
//   fractions rounded to Excel's 15 significant digits. Dates stay the
//   serial number Excel stores (styles are not read).
// * Cell references place cells ("D7" is column 3 of row 7); missing cells
//   are "" and rows keep their sheet number, so gaps are visible to callers.
//   Rows without any non-empty cell are skipped.
// * Bounded: the archive may hold at most `max_entries` files; each part read
//   and their sum are limited in uncompressed bytes (declared sizes are
//   checked up front and real sizes while inflating, so a zip bomb is refused
//   before it costs memory); rows, columns and cell sizes are limited. A cell
//   over `max_cell` bytes or beyond `max_columns` gives its row an error and
//   reading goes on; everything else (not a zip, no workbook, no worksheet,
//   malformed XML, a DTD, a limit) stops reading with error() set. Rows read
//   before such an error stay valid.
// Thread-safety: one reader per thread; it only views `data`, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tglead::util {

struct XlsxLimits {
  std::size_t max_entries = 10000;
  std::uint64_t max_sheet_bytes = 1ull << 30;             // the worksheet XML, uncompressed
  std::uint64_t max_shared_strings_bytes = 256ull << 20;  // held in memory while reading
  std::uint64_t max_small_part_bytes = 16ull << 20;       // workbook, relationships
  std::uint64_t max_total_bytes = 1536ull << 20;          // every part read, together
  std::size_t max_rows = 1048576;                         // Excel's own limits
  std::size_t max_columns = 16384;
  std::size_t max_cell = 64 * 1024;
  std::size_t max_row_bytes = 4u << 20;
};

struct XlsxRow {
  std::size_t number = 0;          // 1-based row number in the sheet
  std::vector<std::string> cells;  // from column A; missing cells are ""
  std::string error;               // non-empty: some cell of this row could not be read
};

class XlsxReader {
 public:
  explicit XlsxReader(std::string_view data, XlsxLimits limits = {});
  ~XlsxReader();
  XlsxReader(const XlsxReader&) = delete;
  XlsxReader& operator=(const XlsxReader&) = delete;

  // Non-empty when the file cannot be read (any further): a one-line reason for a user.
  const std::string& error() const;
  // Fills `row` with the next non-empty row; false at the end of the sheet or on error().
  bool next(XlsxRow& row);
  const std::string& sheet_name() const;
  // Uncompressed worksheet bytes parsed so far, and the worksheet's size (for progress).
  std::uint64_t position() const;
  std::uint64_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when `data` starts like a zip archive (local file header "PK\3\4").
bool looks_like_zip(std::string_view data);

// The text of a numeric cell value as written in the XML ("7.9161234567E10",
// "0.30000000000000004"): integers in full, fractions at 15 significant digits,
// no exponent. Text that is not a number, or would be over 64 characters, is returned as given.
std::string xlsx_number_text(std::string_view value);

}  // namespace tglead::util
