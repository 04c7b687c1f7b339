#include "util/csv.hpp"

#include "util/ascii.hpp"

namespace tglead::util {

namespace {

// "-12", "-0.5", "+7": digits with an optional sign and at most one decimal
// point. Spreadsheets parse these as numbers; nothing else starting with a
// sign is let through unprefixed.
bool is_plain_number(std::string_view v) {
  std::size_t i = 0;
  if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
  std::size_t int_digits = 0;
  while (i < v.size() && ascii_digit(v[i])) { ++i; ++int_digits; }
  if (int_digits == 0) return false;
  if (i < v.size() && v[i] == '.') {
    ++i;
    std::size_t frac_digits = 0;
    while (i < v.size() && ascii_digit(v[i])) { ++i; ++frac_digits; }
    if (frac_digits == 0) return false;
  }
  return i == v.size();
}

bool needs_formula_guard(std::string_view v) {
  if (v.empty()) return false;
  switch (v.front()) {
    case '=':
    case '@':
    case '\t':
    case '\r':
      return true;
    case '+':
    case '-':
      return !is_plain_number(v);
    default:
      return false;
  }
}

}  // namespace

void append_csv_field(std::string& out, std::string_view value) {
  const bool guard = needs_formula_guard(value);
  const bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!guard && !quote) {
    out.append(value);
    return;
  }
  out.reserve(out.size() + value.size() + 4);
  if (quote) out.push_back('"');
  if (guard) out.push_back('\'');
  for (const char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  if (quote) out.push_back('"');
}

void append_csv_row(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (const std::string_view f : fields) {
    if (!first) out.push_back(',');
    first = false;
    append_csv_field(out, f);
  }
  out.append("\r\n");
}

void append_csv_row(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_csv_field(out, fields[i]);
  }
  out.append("\r\n");
}

}  // namespace tglead::util
