// CSV input (RFC 4180) for contact imports.
//
// Contract:
// * UTF-8 with or without a BOM; records end with CRLF, LF or CR.
// * The delimiter is ',' or ';' (or TAB), detected from the first line outside
//   quotes unless given.
// * Quoted fields may hold delimiters, line breaks and doubled quotes. A quote
//   inside an unquoted field is kept literally (as spreadsheets do).
// * Malformed records are reported, not fatal: a character after a closing
//   quote, a cell over `max_cell` bytes or invalid UTF-8 give that record an
//   error and reading resumes at the next line; an unterminated quoted field
//   is reported once and ends the input.
// * Blank lines are skipped.
// Thread-safety: one reader per thread; it only views `data`, which must outlive it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tglead::util {

struct CsvRecord {
  std::vector<std::string> fields;
  std::size_t line = 0;  // 1-based line where the record starts
  std::string error;     // non-empty: the record is malformed; fields are unreliable
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view data, char delimiter = 0, std::size_t max_cell = 64 * 1024);

  char delimiter() const { return delimiter_; }
  // Fills `record` with the next record; false at the end of input.
  bool next(CsvRecord& record);
  // Bytes consumed so far (for progress).
  std::size_t position() const { return pos_; }
  std::size_t size() const { return data_.size(); }

 private:
  void skip_to_line_end();

  std::string_view data_;
  char delimiter_;
  std::size_t max_cell_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// True when `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text);

}  // namespace tglead::util
