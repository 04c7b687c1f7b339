#include "util/csv_reader.hpp"

#include <cstdint>

namespace tglead::util {

namespace {

char detect_delimiter(std::string_view data) {
  std::size_t commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false;
  for (char c : data) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    if (c == ',') ++commas;
    if (c == ';') ++semicolons;
    if (c == '\t') ++tabs;
  }
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas && tabs > semicolons) return '\t';
  return ',';
}

}  // namespace

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= text.size()) return false;
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

CsvReader::CsvReader(std::string_view data, char delimiter, std::size_t max_cell) : max_cell_(max_cell) {
  if (data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  data_ = data;
  delimiter_ = delimiter != 0 ? delimiter : detect_delimiter(data_);
}

void CsvReader::skip_to_line_end() {
  const std::size_t n = data_.size();
  while (pos_ < n && data_[pos_] != '\n' && data_[pos_] != '\r') ++pos_;
  if (pos_ < n) {
    if (data_[pos_] == '\r' && pos_ + 1 < n && data_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
  }
  ++line_;
}

bool CsvReader::next(CsvRecord& record) {
  record.fields.clear();
  record.error.clear();
  // Skip blank lines.
  while (pos_ < data_.size() && (data_[pos_] == '\n' || data_[pos_] == '\r')) {
    if (data_[pos_] == '\r' && pos_ + 1 < data_.size() && data_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  if (pos_ >= data_.size()) return false;
  record.line = line_;
  const std::size_t n = data_.size();
  std::string field;
  for (;;) {
    field.clear();
    if (pos_ < n && data_[pos_] == '"') {
      std::size_t start_line = line_;
      ++pos_;
      bool closed = false;
      while (pos_ < n) {
        char c = data_[pos_];
        if (c == '"') {
          if (pos_ + 1 < n && data_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (c == '\n' || (c == '\r' && !(pos_ + 1 < n && data_[pos_ + 1] == '\n'))) ++line_;
        field += c;
        ++pos_;
      }
      if (!closed) {
        record.error = "a quoted field opened on line " + std::to_string(start_line) + " is never closed";
        pos_ = n;
        return true;
      }
      if (pos_ < n && data_[pos_] != delimiter_ && data_[pos_] != '\n' && data_[pos_] != '\r') {
        record.error = std::string("unexpected '") + data_[pos_] + "' after a closing quote";
        skip_to_line_end();
        return true;
      }
    } else {
      std::size_t start = pos_;
      while (pos_ < n && data_[pos_] != delimiter_ && data_[pos_] != '\n' && data_[pos_] != '\r') ++pos_;
      field.assign(data_.substr(start, pos_ - start));
    }
    if (field.size() > max_cell_) {
      record.error = "a cell is longer than " + std::to_string(max_cell_) + " bytes";
      skip_to_line_end();
      return true;
    }
    if (!valid_utf8(field)) {
      record.error = "the line is not valid UTF-8 (save the file as UTF-8)";
      skip_to_line_end();
      return true;
    }
    record.fields.push_back(std::move(field));
    if (pos_ >= n) return true;
    char c = data_[pos_];
    if (c == delimiter_) {
      ++pos_;
      if (pos_ >= n) {  // a trailing delimiter ends with an empty field
        record.fields.emplace_back();
        return true;
      }
      continue;
    }
    // End of record.
    if (c == '\r' && pos_ + 1 < n && data_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    return true;
  }
}

}  // namespace tglead::util
