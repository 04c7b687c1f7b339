// CSV output (RFC 4180) for exports that users open in spreadsheets.
//
// Fields are quoted only when they must be (they contain a comma, a double
// quote, CR or LF); inner double quotes are doubled. Rows end with CRLF as the
// RFC requires. The functions only append, so a caller can stream a large
// export through one reused buffer.
//
// Exported values come from strangers (Telegram usernames, click ids), so a
// field that a spreadsheet would run as a formula -- one starting with '=',
// '+', '-', '@', TAB or CR -- gets a leading apostrophe ("CSV injection").
// Plain decimal numbers such as "-1001234567890" (Telegram chat ids) are left
// alone: a spreadsheet reads them as numbers, never as formulas, and
// prefixing them would corrupt every negative id in an export.
//
// Thread-safety: stateless; concurrent calls on distinct `out` strings are safe.

#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tglead::util {

// Appends one field (quoted/neutralised as needed), without any separator.
void append_csv_field(std::string& out, std::string_view value);

// Appends the fields separated by commas and terminated by "\r\n".
void append_csv_row(std::string& out, std::initializer_list<std::string_view> fields);
void append_csv_row(std::string& out, const std::vector<std::string>& fields);

}  // namespace tglead::util
