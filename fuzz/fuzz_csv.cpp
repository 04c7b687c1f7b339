// libFuzzer target: util::CsvReader (contact imports) on any bytes, as the importer calls it
// (delimiter detected, 64 KiB cells) and with a given delimiter and tiny cells, so the
// oversize path is reached without megabyte inputs. Checks the csv_reader.hpp contract:
// reading always advances and ends, lines never go back, a record without an error has
// valid UTF-8 cells within the limit, and writing those cells back (all quoted) reads back
// the same cells.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "util/csv_reader.hpp"

namespace {

using tglead::util::CsvReader;
using tglead::util::CsvRecord;

std::string quoted_row(const std::vector<std::string>& fields, char delimiter) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += delimiter;
    out += '"';
    for (char c : fields[i]) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

void read_all(std::string_view in, char delimiter, std::size_t max_cell) {
  CsvReader reader(in, delimiter, max_cell);
  const char d = reader.delimiter();
  if (d != ',' && d != ';' && d != '\t' && d != delimiter) std::abort();
  CsvRecord record;
  std::size_t last_line = 0;
  std::size_t last_pos = 0;
  std::size_t records = 0;
  while (reader.next(record)) {
    // Each record consumes at least one byte, so a reader that stalls is caught here
    // rather than as a libFuzzer timeout.
    if (reader.position() <= last_pos && records > 0) std::abort();
    if (reader.position() > reader.size()) std::abort();
    if (++records > in.size()) std::abort();
    if (record.line < 1 || record.line < last_line) std::abort();
    last_pos = reader.position();
    last_line = record.line;
    if (!record.error.empty()) continue;
    if (record.fields.empty()) std::abort();
    for (const auto& f : record.fields) {
      if (f.size() > max_cell || !tglead::util::valid_utf8(f)) std::abort();
    }
    const std::string again = quoted_row(record.fields, d);
    CsvReader reread(again, d, max_cell);
    CsvRecord copy;
    if (!reread.next(copy) || !copy.error.empty() || copy.fields != record.fields) std::abort();
    if (reread.next(copy)) std::abort();
  }
  if (reader.position() != reader.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  read_all(in, 0, 64 * 1024);
  read_all(in, ';', 8);
  return 0;
}
