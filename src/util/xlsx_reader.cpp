#include "util/xlsx_reader.hpp"

#include <expat.h>
#include <zip.h>

#include <deque>
#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "util/ascii.hpp"

namespace tglead::util {

namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr char kNsSeparator = '|';

// Stops reading: caught at the public boundary and turned into error().
struct Fatal : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string megabytes(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

std::string_view local_name(const XML_Char* name) {
  std::string_view s(name);
  auto at = s.rfind(kNsSeparator);
  return at == std::string_view::npos ? s : s.substr(at + 1);
}

const char* attribute(const XML_Char** attrs, std::string_view local) {
  for (int i = 0; attrs[i] != nullptr; i += 2) {
    if (local_name(attrs[i]) == local) return attrs[i + 1];
  }
  return nullptr;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// OOXML writes characters XML cannot carry as _xHHHH_ (and a literal "_x" as _x005F_x).
std::string decode_escapes(std::string text) {
  if (text.find("_x") == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && text[i + 6] == '_') {
      std::uint32_t cp = 0;
      bool ok = true;
      for (std::size_t k = 2; k < 6; ++k) {
        int h = hex_digit_value(text[i + k]);
        ok = ok && h >= 0;
        cp = cp * 16 + static_cast<std::uint32_t>(h < 0 ? 0 : h);
      }
      if (ok) {
        if (cp != 0 && (cp < 0xD800 || cp > 0xDFFF)) append_utf8(out, cp);
        i += 7;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

// "D7" -> 3; -1 when the reference has no valid column letters.
long column_of(const char* ref) {
  long col = 0;
  int letters = 0;
  for (; *ref; ++ref) {
    char c = ascii_upper(*ref);
    if (c < 'A' || c > 'Z') break;
    if (++letters > 3) return -1;
    col = col * 26 + (c - 'A' + 1);
  }
  return letters == 0 ? -1 : col - 1;
}

std::string column_letters(std::size_t col) {
  std::string out;
  for (std::size_t n = col + 1; n > 0; n = (n - 1) / 26) out.insert(out.begin(), static_cast<char>('A' + (n - 1) % 26));
  return out;
}

// A positive decimal without sign or spaces; nullopt otherwise (or beyond `max`).
std::optional<std::uint64_t> parse_index(std::string_view s, std::uint64_t max) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

// Parts are XML documents fed in chunks; subclasses see local names (namespaces resolved).
class XmlPart {
 public:
  explicit XmlPart(std::string name) : name_(std::move(name)), parser_(XML_ParserCreateNS(nullptr, kNsSeparator)) {
    if (!parser_) throw Fatal("out of memory creating an XML parser");
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &XmlPart::on_start, &XmlPart::on_end);
    XML_SetCharacterDataHandler(parser_, &XmlPart::on_text);
    XML_SetStartDoctypeDeclHandler(parser_, &XmlPart::on_doctype);
  }
  virtual ~XmlPart() { XML_ParserFree(parser_); }
  XmlPart(const XmlPart&) = delete;
  XmlPart& operator=(const XmlPart&) = delete;

  void feed(const char* data, std::size_t size, bool final) {
    if (XML_Parse(parser_, data, static_cast<int>(size), final ? XML_TRUE : XML_FALSE) == XML_STATUS_OK) return;
    if (!abort_.empty()) throw Fatal(abort_);
    if (finished_) return;
    throw Fatal(name_ + " is not well-formed XML (line " + std::to_string(XML_GetCurrentLineNumber(parser_)) + ": " +
                XML_ErrorString(XML_GetErrorCode(parser_)) + ")");
  }
  // Ends parsing without an error (the rest of the part is not needed).
  void finish() {
    finished_ = true;
    XML_StopParser(parser_, XML_FALSE);
  }
  bool finished() const { return finished_; }
  const std::string& name() const { return name_; }

 protected:
  virtual void start(std::string_view local, const XML_Char** attrs) = 0;
  virtual void end(std::string_view local) = 0;
  virtual void text(std::string_view s) {}
  void abort(std::string reason) {
    if (abort_.empty()) abort_ = std::move(reason);
    XML_StopParser(parser_, XML_FALSE);
  }

 private:
  static void on_start(void* self, const XML_Char* name, const XML_Char** attrs) {
    static_cast<XmlPart*>(self)->start(local_name(name), attrs);
  }
  static void on_end(void* self, const XML_Char* name) { static_cast<XmlPart*>(self)->end(local_name(name)); }
  static void on_text(void* self, const XML_Char* s, int len) {
    static_cast<XmlPart*>(self)->text(std::string_view(s, static_cast<std::size_t>(len)));
  }
  static void on_doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* part = static_cast<XmlPart*>(self);
    part->abort(part->name_ + " declares a DTD, which spreadsheets never do; refused");
  }

  std::string name_;
  XML_Parser parser_;
  std::string abort_;
  bool finished_ = false;
};

struct Relationship {
  std::string id, type, target;
};

class RelsPart final : public XmlPart {
 public:
  using XmlPart::XmlPart;
  std::vector<Relationship> rels;

 protected:
  void start(std::string_view local, const XML_Char** attrs) override {
    if (local != "Relationship") return;
    const char* mode = attribute(attrs, "TargetMode");
    if (mode && std::string_view(mode) == "External") return;
    const char* id = attribute(attrs, "Id");
    const char* type = attribute(attrs, "Type");
    const char* target = attribute(attrs, "Target");
    if (id && type && target) rels.push_back({id, type, target});
  }
  void end(std::string_view) override {}
};

class WorkbookPart final : public XmlPart {
 public:
  using XmlPart::XmlPart;
  struct Sheet {
    std::string name, rel_id;
  };
  std::vector<Sheet> sheets;

 protected:
  void start(std::string_view local, const XML_Char** attrs) override {
    if (local != "sheet" || sheets.size() >= 10000) return;
    const char* name = attribute(attrs, "name");
    const char* id = attribute(attrs, "id");
    if (id) sheets.push_back({name ? name : "", id});
  }
  void end(std::string_view local) override {
    if (local == "sheets") finish();
  }
};

// All strings of sharedStrings.xml in one arena: 4 bytes of overhead per string.
class SharedStringsPart final : public XmlPart {
 public:
  SharedStringsPart(std::string name, std::size_t max_cell, std::size_t max_count)
      : XmlPart(std::move(name)), max_cell_(max_cell), max_count_(max_count) {}

  std::size_t count() const { return ends_.size(); }
  bool too_long(std::size_t i) const { return too_long_.count(i) != 0; }
  std::string_view at(std::size_t i) const {
    std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(arena_).substr(begin, ends_[i] - begin);
  }

 protected:
  void start(std::string_view local, const XML_Char**) override {
    if (local == "si") {
      in_si_ = true;
      current_.clear();
      overflow_ = false;
    } else if (local == "rPh") {
      ++phonetic_;
    } else if (local == "t" && in_si_ && phonetic_ == 0) {
      capture_ = true;
    }
  }
  void end(std::string_view local) override {
    if (local == "t") {
      capture_ = false;
    } else if (local == "rPh") {
      if (phonetic_ > 0) --phonetic_;
    } else if (local == "si" && in_si_) {
      in_si_ = false;
      if (ends_.size() >= max_count_) {
        abort("the workbook has more than " + std::to_string(max_count_) + " shared strings");
        return;
      }
      if (overflow_) {
        too_long_.insert(ends_.size());
      } else {
        arena_ += decode_escapes(std::move(current_));
      }
      current_.clear();
      ends_.push_back(static_cast<std::uint32_t>(arena_.size()));
    }
  }
  void text(std::string_view s) override {
    if (!capture_ || overflow_) return;
    if (current_.size() + s.size() > max_cell_) {
      overflow_ = true;
      current_.clear();
      return;
    }
    current_.append(s);
  }

 private:
  std::size_t max_cell_, max_count_;
  std::string arena_;
  std::vector<std::uint32_t> ends_;
  std::unordered_set<std::size_t> too_long_;
  std::string current_;
  bool in_si_ = false, capture_ = false, overflow_ = false;
  int phonetic_ = 0;
};

class SheetPart final : public XmlPart {
 public:
  SheetPart(std::string name, const XlsxLimits& limits, const SharedStringsPart* strings, std::deque<XlsxRow>& ready)
      : XmlPart(std::move(name)), limits_(limits), strings_(strings), ready_(ready) {}

 protected:
  void start(std::string_view local, const XML_Char** attrs) override {
    if (!in_data_) {
      if (local == "sheetData") in_data_ = true;
      return;
    }
    if (local == "row") {
      start_row(attrs);
    } else if (local == "c" && in_row_) {
      start_cell(attrs);
    } else if (in_cell_) {
      if (local == "v") {
        capture_ = Capture::Value;
      } else if (local == "rPh") {
        ++phonetic_;
      } else if (local == "t" && phonetic_ == 0) {
        capture_ = Capture::Inline;
      }
    }
  }

  void end(std::string_view local) override {
    if (!in_data_) return;
    if (local == "v" || local == "t") {
      capture_ = Capture::None;
    } else if (local == "rPh") {
      if (phonetic_ > 0) --phonetic_;
    } else if (local == "c" && in_cell_) {
      end_cell();
    } else if (local == "row" && in_row_) {
      end_row();
    } else if (local == "sheetData") {
      finish();
    }
  }

  void text(std::string_view s) override {
    if (capture_ == Capture::None || overflow_) return;
    std::string& target = capture_ == Capture::Value ? value_ : inline_;
    if (target.size() + s.size() > limits_.max_cell) {
      overflow_ = true;
      return;
    }
    target.append(s);
  }

 private:
  enum class Capture { None, Value, Inline };

  void row_error(const std::string& message) {
    if (!row_.error.empty()) {
      if (row_.error.size() > 1000) return;  // enough said about one row
      row_.error += "; ";
    }
    row_.error += message;
  }

  void start_row(const XML_Char** attrs) {
    ++rows_seen_;
    const char* r = attribute(attrs, "r");
    auto number = r ? parse_index(r, ~0ull >> 1) : std::nullopt;
    std::size_t n = number && *number > 0 ? static_cast<std::size_t>(*number) : last_row_ + 1;
    if (n > limits_.max_rows || rows_seen_ > limits_.max_rows) {
      abort("the sheet has more than " + std::to_string(limits_.max_rows) + " rows");
      return;
    }
    last_row_ = n;
    row_ = XlsxRow{};
    row_.number = n;
    row_bytes_ = 0;
    next_col_ = 0;
    in_row_ = true;
  }

  void start_cell(const XML_Char** attrs) {
    const char* r = attribute(attrs, "r");
    long col = r ? column_of(r) : -1;
    col_ = col >= 0 ? static_cast<std::size_t>(col) : next_col_;
    next_col_ = col_ + 1;
    const char* t = attribute(attrs, "t");
    type_ = t ? t : "n";
    value_.clear();
    inline_.clear();
    overflow_ = false;
    phonetic_ = 0;
    capture_ = Capture::None;
    in_cell_ = true;
  }

  void end_cell() {
    in_cell_ = false;
    capture_ = Capture::None;
    std::string ref = column_letters(col_) + std::to_string(row_.number);
    if (col_ >= limits_.max_columns) {
      if (!beyond_reported_)
        row_error("cell " + ref + " is beyond the last column allowed (" + std::to_string(limits_.max_columns) +
                  " columns)");
      beyond_reported_ = true;
      return;
    }
    if (overflow_) {
      row_error("cell " + ref + " is longer than " + std::to_string(limits_.max_cell) + " bytes");
      return;
    }
    if (value_.empty() && type_ != "inlineStr") return;  // a styled but empty cell
    std::string cell;
    if (type_ == "s") {
      auto index = parse_index(value_, ~0ull >> 1);
      if (!strings_ || !index || *index >= strings_->count()) {
        row_error("cell " + ref + " refers to a shared string that does not exist");
        return;
      }
      if (strings_->too_long(*index)) {
        row_error("cell " + ref + " is longer than " + std::to_string(limits_.max_cell) + " bytes");
        return;
      }
      cell = strings_->at(*index);
    } else if (type_ == "inlineStr") {
      cell = decode_escapes(std::move(inline_));
    } else if (type_ == "b") {
      cell = value_ == "1" ? "true" : value_ == "0" ? "false" : value_;
    } else if (type_ == "n") {
      cell = xlsx_number_text(value_);
    } else if (type_ == "str") {
      cell = decode_escapes(std::move(value_));
    } else {
      cell = std::move(value_);  // "e" (#N/A ...), "d" (ISO date text)
    }
    if (cell.empty()) return;
    row_bytes_ += cell.size();
    if (row_bytes_ > limits_.max_row_bytes) {
      if (!row_too_big_)
        row_error("row " + std::to_string(row_.number) + " holds more than " + std::to_string(limits_.max_row_bytes) +
                  " bytes");
      row_too_big_ = true;
      return;
    }
    if (row_.cells.size() <= col_) row_.cells.resize(col_ + 1);
    row_.cells[col_] = std::move(cell);
  }

  void end_row() {
    in_row_ = false;
    beyond_reported_ = false;
    row_too_big_ = false;
    bool empty = row_.error.empty();
    for (const auto& c : row_.cells) empty = empty && c.empty();
    if (!empty) ready_.push_back(std::move(row_));
  }

  const XlsxLimits& limits_;
  const SharedStringsPart* strings_;
  std::deque<XlsxRow>& ready_;
  XlsxRow row_;
  std::size_t rows_seen_ = 0, last_row_ = 0, next_col_ = 0, col_ = 0, row_bytes_ = 0;
  std::string type_, value_, inline_;
  Capture capture_ = Capture::None;
  int phonetic_ = 0;
  bool in_data_ = false, in_row_ = false, in_cell_ = false, overflow_ = false;
  bool beyond_reported_ = false, row_too_big_ = false;
};

std::string join_path(std::string_view base_dir, std::string_view target) {
  std::string path = target.size() > 0 && target.front() == '/' ? std::string(target.substr(1))
                                                                : std::string(base_dir) + std::string(target);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(std::move(part));
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

bool type_is(const std::string& type, std::string_view suffix) {
  return type.size() >= suffix.size() && type.compare(type.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool looks_like_zip(std::string_view data) {
  return data.size() >= 4 && data.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

std::string xlsx_number_text(std::string_view value) {
  std::string_view s = value;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  std::string digits;
  long point = -1;
  for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'); ++i) {
    if (s[i] == '.') {
      if (point >= 0) return std::string(value);
      point = static_cast<long>(digits.size());
    } else {
      digits += s[i];
    }
  }
  if (digits.empty() || digits.size() > 40) return std::string(value);
  if (point < 0) point = static_cast<long>(digits.size());
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return std::string(value);
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) exp_negative = s[i++] == '-';
    if (i == s.size() || s.size() - i > 3) return std::string(value);
    long exponent = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::string(value);
      exponent = exponent * 10 + (s[i] - '0');
    }
    point += exp_negative ? -exponent : exponent;
  }
  // digits with the decimal point before index `point`; strip leading zeros.
  std::size_t lead = 0;
  while (lead < digits.size() && digits[lead] == '0') ++lead;
  digits.erase(0, lead);
  point -= static_cast<long>(lead);
  if (digits.empty()) return "0";
  // A fraction beyond Excel's 15 significant digits is a binary float artefact
  // ("0.30000000000000004"); integers keep every digit the file wrote.
  auto fractional = [&] {
    for (long k = std::max(point, 0L); k < static_cast<long>(digits.size()); ++k) {
      if (digits[k] != '0') return true;
    }
    return false;
  };
  if (digits.size() > 15 && fractional()) {
    bool round_up = digits[15] >= '5';
    digits.resize(15);
    if (round_up) {
      long k = 14;
      while (k >= 0 && digits[k] == '9') digits[k--] = '0';
      if (k >= 0) {
        ++digits[k];
      } else {
        digits.insert(digits.begin(), '1');
        ++point;
      }
    }
  }
  while (static_cast<long>(digits.size()) > std::max(point, 0L) && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  if (point <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (point >= static_cast<long>(digits.size())) {
    out += digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
  }
  if (out.size() > 64) return std::string(value);
  return out == "-0" ? "0" : out;
}

struct XlsxReader::Impl {
  XlsxLimits limits;
  std::string error;
  std::string sheet_name;
  zip_t* archive = nullptr;
  std::uint64_t total_read = 0;
  std::unique_ptr<SharedStringsPart> strings;
  std::unique_ptr<SheetPart> sheet;
  zip_file_t* sheet_file = nullptr;
  std::uint64_t sheet_size = 0, sheet_read = 0;
  std::deque<XlsxRow> ready;
  bool done = false;
  std::vector<char> buffer = std::vector<char>(kChunk);

  ~Impl() {
    if (sheet_file) zip_fclose(sheet_file);
    if (archive) zip_discard(archive);
  }

  void open(std::string_view data) {
    if (!looks_like_zip(data)) throw Fatal("the file is not an XLSX workbook (not a zip archive)");
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t* source = zip_source_buffer_create(data.data(), data.size(), 0, &ze);
    if (!source) {
      zip_error_fini(&ze);
      throw Fatal("out of memory opening the workbook");
    }
    archive = zip_open_from_source(source, ZIP_RDONLY, &ze);
    if (!archive) {
      zip_source_free(source);
      std::string why = zip_error_strerror(&ze);
      zip_error_fini(&ze);
      throw Fatal("the file is not a readable XLSX workbook (zip: " + why + ")");
    }
    zip_error_fini(&ze);
    zip_int64_t entries = zip_get_num_entries(archive, 0);
    if (entries < 0 || static_cast<std::uint64_t>(entries) > limits.max_entries) {
      throw Fatal("the archive holds more than " + std::to_string(limits.max_entries) + " files; refused");
    }
    if (locate("mimetype") >= 0 && locate("content.xml") >= 0) {
      throw Fatal("the file is an OpenDocument spreadsheet (.ods); save it as .xlsx or CSV");
    }

    std::string workbook = "xl/workbook.xml";
    if (locate("_rels/.rels") >= 0) {
      RelsPart root("_rels/.rels");
      read_whole("_rels/.rels", root, limits.max_small_part_bytes);
      for (const auto& r : root.rels) {
        if (type_is(r.type, "/officeDocument")) {
          workbook = join_path("", r.target);
          break;
        }
      }
    }
    if (locate(workbook) < 0) throw Fatal("the archive holds no workbook (" + workbook + "); is it an XLSX file?");
    WorkbookPart book(workbook);
    read_whole(workbook, book, limits.max_small_part_bytes);

    std::string rels_name = dir_of(workbook) + "_rels/" + workbook.substr(dir_of(workbook).size()) + ".rels";
    RelsPart rels(rels_name);
    if (locate(rels_name) < 0) throw Fatal("the workbook has no relationships part (" + rels_name + ")");
    read_whole(rels_name, rels, limits.max_small_part_bytes);

    std::string sheet_path;
    for (const auto& s : book.sheets) {
      for (const auto& r : rels.rels) {
        if (r.id == s.rel_id && type_is(r.type, "/worksheet")) {
          sheet_path = join_path(dir_of(workbook), r.target);
          sheet_name = s.name;
          break;
        }
      }
      if (!sheet_path.empty()) break;
    }
    if (sheet_path.empty()) throw Fatal("the workbook has no worksheet");
    if (locate(sheet_path) < 0) throw Fatal("the worksheet " + sheet_path + " is missing from the archive");

    for (const auto& r : rels.rels) {
      if (!type_is(r.type, "/sharedStrings")) continue;
      std::string path = join_path(dir_of(workbook), r.target);
      if (locate(path) < 0) throw Fatal("the shared strings part " + path + " is missing from the archive");
      strings = std::make_unique<SharedStringsPart>(path, limits.max_cell,
                                                    static_cast<std::size_t>(limits.max_shared_strings_bytes / 16));
      read_whole(path, *strings, limits.max_shared_strings_bytes);
      break;
    }

    zip_int64_t index = locate(sheet_path);
    sheet_size = checked_size(index, sheet_path, limits.max_sheet_bytes);
    sheet_file = open_entry(index, sheet_path);
    sheet = std::make_unique<SheetPart>(sheet_path, limits, strings.get(), ready);
  }

  zip_int64_t locate(const std::string& name) {
    zip_int64_t index = zip_name_locate(archive, name.c_str(), 0);
    if (index < 0) index = zip_name_locate(archive, name.c_str(), ZIP_FL_NOCASE);
    return index;
  }

  std::uint64_t checked_size(zip_int64_t index, const std::string& name, std::uint64_t limit) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(index), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
      throw Fatal("cannot read " + name + " in the archive");
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
      throw Fatal("the workbook is encrypted; save it without a password");
    }
    if (st.size > limit) {
      throw Fatal(name + " is " + megabytes(st.size) + " uncompressed, over the limit of " + megabytes(limit) +
                  " (a zip bomb?); refused");
    }
    return st.size;
  }

  zip_file_t* open_entry(zip_int64_t index, const std::string& name) {
    zip_file_t* f = zip_fopen_index(archive, static_cast<zip_uint64_t>(index), 0);
    if (!f) throw Fatal("cannot open " + name + " in the archive: " + zip_strerror(archive));
    return f;
  }

  // One chunk of an entry; counts real inflated bytes against the part's and the total limit.
  std::size_t read_chunk(zip_file_t* f, const std::string& name, std::uint64_t& read, std::uint64_t limit) {
    zip_int64_t n = zip_fread(f, buffer.data(), buffer.size());
    if (n < 0) throw Fatal("cannot read " + name + ": " + zip_file_strerror(f));
    read += static_cast<std::uint64_t>(n);
    total_read += static_cast<std::uint64_t>(n);
    if (read > limit) throw Fatal(name + " inflates beyond " + megabytes(limit) + " (a zip bomb?); refused");
    if (total_read > limits.max_total_bytes) {
      throw Fatal("the workbook inflates beyond " + megabytes(limits.max_total_bytes) + " (a zip bomb?); refused");
    }
    return static_cast<std::size_t>(n);
  }

  void read_whole(const std::string& name, XmlPart& part, std::uint64_t limit) {
    zip_int64_t index = locate(name);
    checked_size(index, name, limit);
    zip_file_t* f = open_entry(index, name);
    try {
      std::uint64_t read = 0;
      for (;;) {
        std::size_t n = read_chunk(f, name, read, limit);
        part.feed(buffer.data(), n, n == 0);
        if (n == 0 || part.finished()) break;
      }
    } catch (...) {
      zip_fclose(f);
      throw;
    }
    zip_fclose(f);
  }

  void pump() {
    std::size_t n = read_chunk(sheet_file, sheet->name(), sheet_read, limits.max_sheet_bytes);
    sheet->feed(buffer.data(), n, n == 0);
    if (n == 0 || sheet->finished()) done = true;
  }
};

XlsxReader::XlsxReader(std::string_view data, XlsxLimits limits) : impl_(std::make_unique<Impl>()) {
  impl_->limits = limits;
  try {
    impl_->open(data);
  } catch (const Fatal& e) {
    impl_->error = e.what();
  }
}

XlsxReader::~XlsxReader() = default;

const std::string& XlsxReader::error() const { return impl_->error; }

bool XlsxReader::next(XlsxRow& row) {
  Impl& m = *impl_;
  while (m.ready.empty()) {
    if (m.done || !m.error.empty() || !m.sheet) return false;
    try {
      m.pump();
    } catch (const Fatal& e) {
      m.error = e.what();
    }
  }
  row = std::move(m.ready.front());
  m.ready.pop_front();
  return true;
}

const std::string& XlsxReader::sheet_name() const { return impl_->sheet_name; }

std::uint64_t XlsxReader::position() const { return impl_->sheet_read; }

std::uint64_t XlsxReader::size() const { return impl_->sheet_size; }

}  // namespace tglead::util
