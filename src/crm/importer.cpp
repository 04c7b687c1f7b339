#include "crm/importer.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "crm/identity_index.hpp"
#include "util/ascii.hpp"
#include "util/csv_reader.hpp"
#include "util/xlsx_reader.hpp"
#include "util/json_text.hpp"

namespace tglead::crm {

namespace {

enum Column { kFirstName, kLastName, kUsername, kPhone, kTelegramId, kCountry, kLanguage, kTags, kGroup, kColumns };

// lower case, spaces and dashes as underscores
std::string header_key(std::string_view name) {
  std::string key;
  for (char c : clean_text(name)) {
    c = util::ascii_lower(c);
    if (c == ' ' || c == '-') c = '_';
    key += c;
  }
  return key;
}

constexpr std::array<std::string_view, kColumns> kColumnNames = {
    "first_name", "last_name", "username", "phone_number", "telegram_id", "country", "language", "tags", "group"};

// Header names and their aliases; the import wizard (web/js/pages/imports.js) guesses with the same list.
std::optional<Column> column_of(const std::string& key) {
  auto any = [&](std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), key) != names.end();
  };
  if (any({"first_name", "firstname", "first", "given_name", "name"})) return kFirstName;
  if (any({"last_name", "lastname", "last", "surname", "family_name"})) return kLastName;
  if (any({"username", "user_name", "telegram_username", "tg_username", "telegram", "tg"})) return kUsername;
  if (any({"phone_number", "phone", "phonenumber", "mobile", "tel", "telephone", "phone_no"})) return kPhone;
  if (any({"telegram_id", "telegram_user_id", "user_id", "tg_id"})) return kTelegramId;
  if (any({"country", "country_code"})) return kCountry;
  if (any({"language", "lang", "locale"})) return kLanguage;
  if (any({"tags", "tag", "labels"})) return kTags;
  if (any({"group", "group_name", "chat"})) return kGroup;
  return std::nullopt;
}

std::vector<std::string> split_tags(std::string_view cell) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= cell.size()) {
    std::size_t end = cell.find_first_of(",;|", start);
    if (end == std::string_view::npos) end = cell.size();
    std::string tag = clean_text(cell.substr(start, end - start));
    if (!tag.empty()) out.push_back(std::move(tag));
    start = end + 1;
  }
  return out;
}

// ---- the file as a table -------------------------------------------------

struct TableRow {
  std::size_t line = 0;
  std::vector<std::string> cells;
  std::string error;
};

class Table {
 public:
  virtual ~Table() = default;
  virtual bool next(TableRow& row) = 0;
  // Why reading stopped before the end of the file ("" when it did not).
  virtual std::string fatal() const = 0;
  virtual std::uint64_t position() const = 0;
  virtual std::uint64_t size() const = 0;
};

class CsvTable final : public Table {
 public:
  CsvTable(std::string owned, std::string_view text)
      : owned_(std::move(owned)), reader_(owned_.empty() ? text : std::string_view(owned_)) {}

  bool next(TableRow& row) override {
    if (!fatal_.empty() || !reader_.next(record_)) return false;
    row.line = record_.line;
    row.cells.swap(record_.fields);
    row.error = std::move(record_.error);
    if (!row.error.empty() && reader_.position() >= reader_.size() &&
        row.error.find("never closed") != std::string::npos) {
      fatal_ = "line " + std::to_string(row.line) + ": " + row.error;
    }
    return true;
  }
  std::string fatal() const override { return fatal_; }
  std::uint64_t position() const override { return reader_.position(); }
  std::uint64_t size() const override { return reader_.size(); }

 private:
  std::string owned_;  // text converted from UTF-16; the reader views it
  util::CsvReader reader_;
  util::CsvRecord record_;
  std::string fatal_;
};

class XlsxTable final : public Table {
 public:
  explicit XlsxTable(std::string_view data) : reader_(data) {}
  const std::string& open_error() const { return reader_.error(); }

  bool next(TableRow& row) override {
    if (!reader_.next(xrow_)) return false;
    row.line = xrow_.number;
    row.cells.swap(xrow_.cells);
    row.error = std::move(xrow_.error);
    return true;
  }
  std::string fatal() const override { return reader_.error(); }
  std::uint64_t position() const override { return reader_.position(); }
  std::uint64_t size() const override { return reader_.size(); }

 private:
  util::XlsxReader reader_;
  util::XlsxRow xrow_;
};

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// UTF-16 (Excel's "Unicode text" export) to UTF-8; broken surrogates become U+FFFD.
std::string utf16_to_utf8(std::string_view data, bool little_endian) {
  std::string out;
  out.reserve(data.size());
  auto unit = [&](std::size_t i) -> std::uint32_t {
    auto a = static_cast<unsigned char>(data[i]), b = static_cast<unsigned char>(data[i + 1]);
    return little_endian ? (a | (b << 8)) : ((a << 8) | b);
  };
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) {
    std::uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < data.size()) {
      std::uint32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    append_utf8(out, (u >= 0xD800 && u <= 0xDFFF) ? 0xFFFD : u);
  }
  return out;
}

struct OpenedTable {
  std::unique_ptr<Table> table;
  std::string format;
  std::vector<std::string> warnings;
  std::string fatal;
};

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && util::ascii_iequals(s.substr(s.size() - suffix.size()), suffix);
}

OpenedTable open_table(std::string_view data, std::string_view file_name) {
  OpenedTable out;
  if (util::looks_like_zip(data)) {
    out.format = "xlsx";
    auto table = std::make_unique<XlsxTable>(data);
    if (!table->open_error().empty()) {
      out.fatal = table->open_error();
      return out;
    }
    out.table = std::move(table);
    return out;
  }
  out.format = "csv";
  if (ends_with_ci(file_name, ".xlsx")) {
    out.fatal = "the file is named .xlsx but is not an XLSX workbook (not a zip archive)";
    return out;
  }
  if (data.size() >= 8 && data.substr(0, 8) == std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
    out.fatal = "the file is an old Excel .xls workbook or a password-protected one; save it as .xlsx or CSV";
    return out;
  }
  std::string converted;
  std::string_view head = data.substr(0, 4096);
  bool le_bom = data.size() >= 2 && data.substr(0, 2) == "\xFF\xFE";
  bool be_bom = data.size() >= 2 && data.substr(0, 2) == "\xFE\xFF";
  std::size_t zero_odd = 0, zero_even = 0;
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\0') ++(i % 2 ? zero_odd : zero_even);
  }
  if (le_bom || be_bom) {
    converted = utf16_to_utf8(data.substr(2), le_bom);
  } else if (head.size() >= 4 && (zero_odd * 3 >= head.size() || zero_even * 3 >= head.size()) &&
             (zero_odd == 0 || zero_even == 0)) {
    converted = utf16_to_utf8(data, zero_odd > 0);  // ASCII text in UTF-16 without BOM
  } else if (zero_odd + zero_even > 0) {
    out.fatal = "the file is neither CSV text nor an XLSX workbook (it holds binary data)";
    return out;
  }
  if (!converted.empty()) {
    out.warnings.push_back("the file is UTF-16 text; it was read as such (UTF-8 is preferred)");
  } else {
    std::string_view sample = data.substr(0, 64 * 1024);
    if (sample.size() < data.size()) sample = sample.substr(0, sample.find_last_of('\n') + 1);
    if (!util::valid_utf8(sample)) {
      out.warnings.push_back(
          "the file is not UTF-8 (Latin-1 or Windows-125x?): rows with such characters are reported as errors; "
          "save the file as CSV UTF-8");
    }
  }
  out.table = std::make_unique<CsvTable>(std::move(converted), data);
  return out;
}

// ---- the header ----------------------------------------------------------

struct FieldColumn {
  std::size_t index = 0;
  FieldDefinition field;
};

struct Mapping {
  std::array<int, kColumns> index;
  std::vector<FieldColumn> fields;
  std::vector<std::string> headers;   // each column's header as written (trimmed)
  std::vector<std::string> targets;   // what each column fills: a contact column, "field:<name>", "" = ignored
  std::vector<std::string> required;  // labels of required custom fields
  std::vector<std::string> warnings;
  std::string fatal;
  const std::string& header(int i) const {
    static const std::string kNone;
    return i >= 0 && static_cast<std::size_t>(i) < headers.size() ? headers[static_cast<std::size_t>(i)] : kNone;
  }
};

Mapping map_header(const TableRow& row, const std::vector<FieldDefinition>& fields) {
  Mapping m;
  m.index.fill(-1);
  if (!row.error.empty()) {
    m.fatal = "the header row is malformed: " + row.error;
    return m;
  }
  std::unordered_set<std::int64_t> mapped_fields;
  for (std::size_t i = 0; i < row.cells.size(); ++i) {
    std::string text = clean_text(row.cells[i]);
    m.headers.push_back(text);
    m.targets.emplace_back();
    if (text.empty()) continue;
    std::string key = header_key(text);
    if (auto column = column_of(key)) {
      if (m.index[*column] != -1) {
        m.warnings.push_back("column '" + text + "' appears twice; the first is used");
      } else {
        m.index[*column] = static_cast<int>(i);
        m.targets.back() = kColumnNames[*column];
      }
      continue;
    }
    // Custom fields: by internal name, then by label (case-insensitive).
    const FieldDefinition* found = nullptr;
    for (const auto& f : fields) {
      if (f.name == key) found = &f;
    }
    for (const auto& f : fields) {
      if (!found && username_key(f.label) == username_key(text)) found = &f;
    }
    if (!found) {
      m.warnings.push_back("column '" + text + "' ignored (neither a contact column nor a custom field)");
      continue;
    }
    if (!mapped_fields.insert(found->id).second) {
      m.warnings.push_back("column '" + text + "' repeats custom field '" + found->name + "'; the first is used");
      continue;
    }
    m.fields.push_back(FieldColumn{i, *found});
    m.targets.back() = "field:" + found->name;
  }
  for (const auto& f : fields) {
    if (!f.required) continue;
    m.required.push_back(f.label);
    if (!mapped_fields.count(f.id)) {
      m.warnings.push_back("required custom field '" + f.label +
                           "' has no column: rows that would create a contact "
                           "are reported as errors");
    }
  }
  if (m.index[kUsername] < 0 && m.index[kPhone] < 0 && m.index[kTelegramId] < 0) {
    m.fatal = "the header has no identifier column (telegram_id, username or phone_number)";
  }
  return m;
}

// ---- rows ----------------------------------------------------------------

struct RawRow {
  std::size_t line = 0;
  std::vector<std::string> cells;
};

struct PreparedRow {
  std::size_t line = 0;
  PreparedContact contact;
  std::vector<std::string> required_missing;
  std::vector<ImportRowError> errors;
};

const std::string& cell_of(const RawRow& row, int index) {
  static const std::string kEmpty;
  return index >= 0 && static_cast<std::size_t>(index) < row.cells.size() ? row.cells[static_cast<std::size_t>(index)]
                                                                          : kEmpty;
}

// One built-in column's value alone in a ContactInput (to tell which column an error belongs to).
ContactInput only(Column c, const std::string& value) {
  ContactInput in;
  switch (c) {
    case kFirstName:
      in.first_name = value;
      break;
    case kLastName:
      in.last_name = value;
      break;
    case kUsername:
      in.username = value;
      break;
    case kPhone:
      in.phone = value;
      break;
    case kTelegramId:
      in.telegram_id = value;
      break;
    case kCountry:
      in.country = value;
      break;
    case kLanguage:
      in.language = value;
      break;
    case kTags:
      in.tags = split_tags(value);
      break;
    case kGroup:
      in.group = value;
      break;
    case kColumns:
      break;
  }
  return in;
}

PreparedRow prepare_row(const RawRow& raw, const Mapping& m, const PhoneNormalizer& phones) {
  PreparedRow out;
  out.line = raw.line;
  ContactInput in;
  in.first_name = cell_of(raw, m.index[kFirstName]);
  in.last_name = cell_of(raw, m.index[kLastName]);
  in.username = cell_of(raw, m.index[kUsername]);
  in.phone = cell_of(raw, m.index[kPhone]);
  in.telegram_id = cell_of(raw, m.index[kTelegramId]);
  in.country = cell_of(raw, m.index[kCountry]);
  in.language = cell_of(raw, m.index[kLanguage]);
  in.group = cell_of(raw, m.index[kGroup]);
  in.tags = split_tags(cell_of(raw, m.index[kTags]));
  out.contact = prepare_contact(in, phones);
  if (!out.contact.ok()) {
    // Rare: validate the given columns one by one to name the offending ones.
    for (int c = 0; c < kColumns; ++c) {
      const std::string& value = cell_of(raw, m.index[c]);
      if (clean_text(value).empty()) continue;
      PreparedContact alone = prepare_contact(only(static_cast<Column>(c), value), phones, false);
      for (auto& e : alone.errors) out.errors.push_back({raw.line, m.header(m.index[c]), std::move(e)});
    }
    if (out.errors.empty()) {
      for (auto& e : out.contact.errors) out.errors.push_back({raw.line, "", std::move(e)});
    }
  }
  std::unordered_set<std::string> given;
  for (const auto& fc : m.fields) {
    const std::string& value = cell_of(raw, static_cast<int>(fc.index));
    ParsedValue parsed = parse_field_value(fc.field, value, phones);
    if (!parsed.ok()) {
      out.errors.push_back({raw.line, m.header(static_cast<int>(fc.index)), fc.field.label + " " + parsed.error});
      continue;
    }
    if (!parsed.value) continue;  // a blank cell leaves the value alone
    given.insert(fc.field.label);
    out.contact.values.push_back(FieldAssignment{fc.field.id, fc.field.name, std::move(parsed.value)});
  }
  for (const auto& label : m.required) {
    if (!given.count(label)) out.required_missing.push_back(label);
  }
  return out;
}

// Rows equal after normalisation are one contact given twice. The set of rows
// seen keeps two independent 64-bit hashes of each key, not the key: 16 bytes
// a row whatever its size, and a false match is as likely as a 128-bit collision.
struct RowHash {
  std::uint64_t a = 0, b = 0;
  bool operator==(const RowHash&) const = default;
};

RowHash hash_key(const std::string& key) {
  // b is never 0, which marks an empty slot of SeenRows.
  RowHash h{std::hash<std::string>{}(key), 14695981039346656037ull};
  for (unsigned char c : key) h.b = (h.b ^ c) * 1099511628211ull;
  h.b |= 1;
  return h;
}

// The rows of a file seen so far: one flat table (a million rows cost one allocation, not a
// million nodes, to fill and to free).
class SeenRows {
 public:
  // false when `h` was seen before.
  bool insert(const RowHash& h) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    for (std::size_t i = h.a & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].b == 0) {
        slots_[i] = h;
        ++used_;
        return true;
      }
      if (slots_[i] == h) return false;
    }
  }

 private:
  void grow() {
    std::vector<RowHash> old(std::max<std::size_t>(1024, 2 * slots_.size()));
    old.swap(slots_);
    used_ = 0;
    for (const RowHash& h : old) {
      if (h.b != 0) insert(h);
    }
  }

  std::vector<RowHash> slots_;
  std::size_t used_ = 0;
};

std::string row_key(const PreparedContact& p) {
  const Contact& c = p.fields;
  std::string key = std::to_string(c.telegram_id);
  for (const std::string* s : {&c.username, &c.phone, &c.first_name, &c.last_name, &c.country, &c.language, &c.group}) {
    key += '\x1f';
    key += s == &c.username ? username_key(*s) : *s;
  }
  std::vector<std::string> tags;
  for (const auto& t : p.tags) tags.push_back(username_key(t));
  std::sort(tags.begin(), tags.end());
  for (const auto& t : tags) {
    key += '\x1e';
    key += t;
  }
  for (const auto& v : p.values) {
    key += '\x1d';
    key += std::to_string(v.field_id) + '=' + (v.value ? v.value->text : "");
  }
  return key;
}

std::string warnings_json(const std::vector<std::string>& warnings) {
  return util::json_text(nlohmann::json(warnings));
}

// One batch ready for the store: rows to upsert and the errors preparing found.
struct Batch {
  std::vector<PreparedRow> rows;
  std::vector<std::size_t> first;  // independent_rows(rows)
  std::vector<ImportRowError> errors;
  std::size_t read = 0, duplicates = 0;
  std::uint64_t position = 0;
};

struct BatchResult {
  std::size_t created = 0, updated = 0, unchanged = 0, skipped = 0;
  std::vector<ImportRowError> errors;  // prepare and write errors of the batch, by row
};

// Rows none of whose identifiers another row of the batch gives. If no stored contact holds any of
// them when the batch starts, none does at the row's turn in file order either (a row only ever
// writes its own identifiers, onto a new contact or onto the contact one of them matched), and the
// contact it creates holds nothing another row of the batch looks up. So these rows are offered to
// create_all_if_new together, in file order, before the batch is upserted in file order (the ones
// it refuses wait for their turn). A digest collision only makes a row wait for its turn.
std::vector<std::size_t> independent_rows(const std::vector<PreparedRow>& rows) {
  std::vector<std::pair<std::uint64_t, std::size_t>> keys;  // (identifier digest, row)
  keys.reserve(rows.size() * 3);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Contact& c = rows[i].contact.fields;
    const IdentityKeys row_keys = identity_keys(c.telegram_id, c.username, c.phone);
    for (std::uint64_t digest : {row_keys.telegram, row_keys.username, row_keys.phone}) {
      if (digest) keys.emplace_back(digest, i);
    }
  }
  std::sort(keys.begin(), keys.end());
  std::vector<bool> shared(rows.size());
  for (std::size_t k = 1; k < keys.size(); ++k) {
    if (keys[k].first == keys[k - 1].first) shared[keys[k].second] = shared[keys[k - 1].second] = true;
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!shared[i]) out.push_back(i);
  }
  return out;
}

// A row may have an error in several columns; the report counts rows. `errors` is by row.
std::size_t rows_with_errors(const std::vector<ImportRowError>& errors) {
  std::size_t rows = 0;
  for (std::size_t i = 0; i < errors.size(); ++i) rows += i == 0 || errors[i].row != errors[i - 1].row;
  return rows;
}

std::string conflict_column(const UpsertResult& r, const Mapping& m) {
  if (r.conflicts.empty()) return "";
  const std::string& field = r.conflicts.front().field;
  if (field == "telegram_id") return m.header(m.index[kTelegramId]);
  if (field == "username") return m.header(m.index[kUsername]);
  if (field == "phone") return m.header(m.index[kPhone]);
  return "";
}

}  // namespace

ImportCheck check_import_file(std::string_view data, std::string_view file_name,
                              const std::vector<FieldDefinition>& fields) {
  ImportCheck out;
  OpenedTable opened = open_table(data, file_name);
  out.format = opened.format;
  out.warnings = std::move(opened.warnings);
  if (!opened.fatal.empty()) {
    out.fatal = opened.fatal;
    return out;
  }
  TableRow header;
  if (!opened.table->next(header)) {
    out.fatal = opened.table->fatal().empty() ? "the file is empty" : opened.table->fatal();
    return out;
  }
  Mapping m = map_header(header, fields);
  out.fatal = m.fatal;
  for (std::size_t i = 0; i < m.headers.size(); ++i) out.columns.push_back({m.headers[i], m.targets[i]});
  for (auto& w : m.warnings) out.warnings.push_back(std::move(w));
  return out;
}

ImportReport import_contacts(storage::Store& store, std::string_view data, const ImportOptions& options,
                             const ImportProgress& progress) {
  ImportReport report;
  report.import_id = options.import_id;
  auto now = [&] { return options.clock ? options.clock() : static_cast<std::int64_t>(std::time(nullptr)); };
  storage::ContactImportRecord record;
  record.id = options.import_id;
  record.user_id = options.user_id;
  record.file_name = options.file_name;
  record.mode = std::string(mode_name(options.mode));
  record.started = now();

  // Ends a run that never got to its rows: recorded as failed when it was queued beforehand.
  auto refuse = [&](std::string reason) {
    report.fatal = std::move(reason);
    if (options.import_id == 0) return report;
    record.state = "failed";
    record.fatal = report.fatal;
    record.format = report.format.empty() ? record.format : report.format;
    record.warnings = warnings_json(report.warnings);
    record.finished = now();
    store.write([&](storage::WriteTx& tx) { tx.update_contact_import(record); });
    return report;
  };

  OpenedTable opened = open_table(data, options.file_name);
  report.format = opened.format;
  report.warnings = std::move(opened.warnings);
  if (!opened.fatal.empty()) return refuse(opened.fatal);
  Table& table = *opened.table;
  TableRow header;
  if (!table.next(header)) return refuse(table.fatal().empty() ? "the file is empty" : table.fatal());
  Mapping mapping = map_header(header, store.fields(options.user_id));
  for (auto& w : mapping.warnings) report.warnings.push_back(std::move(w));
  if (!mapping.fatal.empty()) return refuse(mapping.fatal);
  const std::size_t header_size = header.cells.size();

  record.state = "running";
  record.format = report.format;
  record.total = static_cast<std::int64_t>(table.size());
  record.warnings = warnings_json(report.warnings);
  store.write([&](storage::WriteTx& tx) {
    if (record.id == 0) {
      record.id = tx.insert_contact_import(record);
    } else {
      tx.update_contact_import(record);
    }
  });
  report.import_id = record.id;

  auto phones = make_phone_normalizer(options.default_region);
  std::size_t stored_errors = 0;
  auto list_errors = [&](std::vector<ImportRowError>& errors) {
    for (auto& e : errors) {
      if (report.errors.size() < options.max_errors) report.errors.push_back(std::move(e));
    }
  };

  // The store's writer commits batch N (with the run's progress and its error
  // rows) while this thread reads and prepares batch N+1.
  auto write_batch = [&](Batch batch, storage::ContactImportRecord progress_record, std::size_t error_room) {
    BatchResult result;
    UpsertContext ctx;
    ctx.user_id = options.user_id;
    ctx.actor = options.actor;
    ctx.source = options.source;
    ctx.mode = options.mode;
    ctx.now = now();
    ctx.import_id = record.id;
    ctx.history_on_create = false;
    std::unordered_map<std::string, std::int64_t> tag_cache;
    ctx.tag_cache = &tag_cache;
    store.write([&](storage::WriteTx& tx) {
      result = BatchResult{};
      tag_cache.clear();
      result.errors = batch.errors;
      std::vector<bool> done(batch.rows.size()), refused(batch.rows.size());
      // No later row of the batch reads a contact created here (independent_rows), so their
      // tag links can wait for one multi-row write.
      std::vector<std::pair<std::int64_t, std::int64_t>> tag_links;
      ctx.new_tag_links = &tag_links;
      std::vector<std::size_t> first;  // rows that may create a contact now
      std::vector<const PreparedContact*> inputs;
      for (std::size_t i : batch.first) {
        if (!batch.rows[i].required_missing.empty()) continue;
        first.push_back(i);
        inputs.push_back(&batch.rows[i].contact);
      }
      ctx.required_missing.clear();
      std::vector<bool> created = create_all_if_new(tx, ctx, inputs);
      for (std::size_t k = 0; k < first.size(); ++k) {
        done[first[k]] = created[k];
        refused[first[k]] = !created[k];
        result.created += created[k];
      }
      tx.link_tags(tag_links);
      ctx.new_tag_links = nullptr;
      for (std::size_t i = 0; i < batch.rows.size(); ++i) {
        if (done[i]) continue;
        const PreparedRow& row = batch.rows[i];
        ctx.required_missing = row.required_missing;
        ctx.create_refused = refused[i];
        UpsertResult r = upsert_contact(tx, ctx, row.contact);
        switch (r.outcome) {
          case Outcome::Created:
            ++result.created;
            break;
          case Outcome::Updated:
            ++result.updated;
            break;
          case Outcome::Unchanged:
            ++result.unchanged;
            break;
          case Outcome::Skipped:
            ++result.skipped;
            break;
          case Outcome::Conflict:
            result.errors.push_back({row.line, conflict_column(r, mapping), "conflict: " + r.reason});
            break;
          case Outcome::Invalid:
            result.errors.push_back({row.line, "", r.reason});
            break;
        }
      }
      std::stable_sort(result.errors.begin(), result.errors.end(),
                       [](const ImportRowError& a, const ImportRowError& b) { return a.row < b.row; });
      storage::ContactImportRecord rec = progress_record;
      rec.created += static_cast<std::int64_t>(result.created);
      rec.updated += static_cast<std::int64_t>(result.updated);
      rec.unchanged += static_cast<std::int64_t>(result.unchanged);
      rec.skipped += static_cast<std::int64_t>(result.skipped);
      rec.errors += static_cast<std::int64_t>(rows_with_errors(result.errors));
      tx.update_contact_import(rec);
      std::vector<storage::ContactImportError> stored;
      for (std::size_t i = 0; i < result.errors.size() && i < error_room; ++i) {
        const auto& e = result.errors[i];
        stored.push_back({static_cast<std::int64_t>(e.row), e.column, e.reason});
      }
      tx.add_contact_import_errors(record.id, stored);
    });
    return result;
  };

  // Dedup state of a large workspace takes the writer a second to load: it loads while the first
  // batch is read and prepared.
  std::future<BatchResult> in_flight = std::async(std::launch::async, [&] {
    store.write([&](storage::WriteTx& tx) { tx.warm_contact_dedup(options.user_id); });
    return BatchResult{};
  });
  std::uint64_t last_position = 0;
  auto error_room = [&] { return options.max_stored_errors - std::min(stored_errors, options.max_stored_errors); };
  auto settle = [&] {
    if (!in_flight.valid()) return;
    BatchResult r = in_flight.get();
    report.created += r.created;
    report.updated += r.updated;
    report.unchanged += r.unchanged;
    report.skipped += r.skipped;
    stored_errors += std::min(r.errors.size(), error_room());
    report.error_count += rows_with_errors(r.errors);
    list_errors(r.errors);
  };

  auto snapshot = [&](const Batch& batch) {
    storage::ContactImportRecord rec = record;
    rec.rows = static_cast<std::int64_t>(report.rows);
    rec.created = static_cast<std::int64_t>(report.created);
    rec.updated = static_cast<std::int64_t>(report.updated);
    rec.unchanged = static_cast<std::int64_t>(report.unchanged);
    rec.skipped = static_cast<std::int64_t>(report.skipped);
    rec.duplicates = static_cast<std::int64_t>(report.duplicates);
    rec.errors = static_cast<std::int64_t>(report.error_count);
    rec.done = static_cast<std::int64_t>(batch.position);
    return rec;
  };

  // Normalisation is the costly part of preparing: a batch is prepared on several threads, then
  // deduplicated in file order. The store's writer bounds the import and needs a core to itself,
  // so preparing takes the other cores, up to four: on two cores this thread prepares alone.
  const std::size_t cores = std::thread::hardware_concurrency();
  const std::size_t threads = std::clamp<std::size_t>(cores > 2 ? cores - 1 : 1, 1, 4);
  SeenRows seen;
  std::vector<RawRow> pending;
  Batch batch;
  auto prepare_pending = [&] {
    std::vector<PreparedRow> prepared(pending.size());
    auto work = [&](std::size_t first, std::size_t step) {
      for (std::size_t i = first; i < pending.size(); i += step)
        prepared[i] = prepare_row(pending[i], mapping, *phones);
    };
    if (threads == 1 || pending.size() < 256) {
      work(0, 1);
    } else {
      std::vector<std::thread> pool;
      for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work, t, threads);
      work(0, threads);
      for (auto& thread : pool) thread.join();
    }
    for (auto& row : prepared) {
      if (!row.errors.empty()) {
        for (auto& e : row.errors) batch.errors.push_back(std::move(e));
        continue;
      }
      if (!seen.insert(hash_key(row_key(row.contact)))) {
        ++batch.duplicates;
        continue;
      }
      batch.rows.push_back(std::move(row));
    }
    pending.clear();
  };

  auto flush = [&](bool last) {
    prepare_pending();
    batch.first = independent_rows(batch.rows);
    // The last batch ends the file, whatever trails the worksheet's data.
    batch.position = last && table.fatal().empty() ? table.size() : table.position();
    settle();
    report.rows += batch.read;
    report.duplicates += batch.duplicates;
    if (progress) progress(batch.position, table.size(), report);
    storage::ContactImportRecord progress_record = snapshot(batch);
    last_position = batch.position;
    in_flight = std::async(std::launch::async, write_batch, std::move(batch), std::move(progress_record), error_room());
    batch = Batch{};
  };

  TableRow row;
  try {
    while (table.next(row)) {
      ++batch.read;
      if (!row.error.empty()) {
        batch.errors.push_back({row.line, "", row.error});
      } else {
        bool extra = false;
        for (std::size_t i = header_size; i < row.cells.size(); ++i) extra = extra || !clean_text(row.cells[i]).empty();
        if (extra) {
          batch.errors.push_back({row.line, "",
                                  "the row has " + std::to_string(row.cells.size()) + " cells, the header " +
                                      std::to_string(header_size)});
        } else {
          pending.push_back(RawRow{row.line, std::move(row.cells)});
          row.cells = {};
        }
      }
      if (pending.size() + batch.errors.size() >= options.batch_rows) {
        if (options.stop && options.stop->load()) {
          report.fatal = "the service stopped during the import";
          break;
        }
        flush(false);
      }
    }
    if (report.fatal.empty()) {
      flush(true);
      report.fatal = table.fatal();
    }
    settle();
  } catch (const std::exception& e) {
    try {
      if (in_flight.valid()) in_flight.wait();
    } catch (...) {
    }
    report.fatal = std::string("storage error: ") + e.what();
  }

  std::stable_sort(report.errors.begin(), report.errors.end(),
                   [](const ImportRowError& a, const ImportRowError& b) { return a.row < b.row; });
  storage::ContactImportRecord final_record = snapshot(batch);
  final_record.done = static_cast<std::int64_t>(report.fatal.empty() ? table.size() : last_position);
  final_record.state = report.fatal.empty() ? "done" : "failed";
  final_record.fatal = report.fatal;
  final_record.finished = now();
  store.write([&](storage::WriteTx& tx) { tx.update_contact_import(final_record); });
  return report;
}

RevertResult revert_import(storage::Store& store, std::int64_t user_id, std::int64_t import_id, std::int64_t now,
                           std::size_t chunk) {
  RevertResult out;
  auto run = store.contact_import(user_id, import_id);
  if (!run) {
    out.error = "no import " + std::to_string(import_id);
    return out;
  }
  if (run->state == "queued" || run->state == "running") {
    out.error = "import " + std::to_string(import_id) + " is still " + run->state + "; revert it once it has ended";
    out.record = *run;
    return out;
  }
  if (run->state == "reverted") {
    out.record = *run;
    return out;
  }
  // Anything written after the run ended was someone else's change.
  const std::int64_t ended = run->finished != 0 ? run->finished : run->started;
  std::int64_t after = 0, kept = 0;
  for (;;) {
    bool more = false;
    store.write([&](storage::WriteTx& tx) {
      auto contacts = tx.contacts_of_import(user_id, import_id, after, static_cast<int>(chunk));
      more = contacts.size() == chunk;
      std::int64_t deleted = 0, changed = 0, kept_here = 0;
      for (const auto& c : contacts) {
        if (c.merged) {
          ++kept_here;
          continue;
        }
        if (c.updated > ended) ++changed;
        tx.delete_contact(user_id, c.id);
        ++deleted;
      }
      if (!contacts.empty()) after = contacts.back().id;
      auto rec = tx.contact_import(user_id, import_id);
      if (!rec) return;
      rec->revert_deleted += deleted;
      rec->revert_changed += changed;
      tx.update_contact_import(*rec);
      kept += kept_here;
    });
    if (!more) break;
  }
  store.write([&](storage::WriteTx& tx) {
    auto rec = tx.contact_import(user_id, import_id);
    if (!rec) return;
    rec->state = "reverted";
    rec->reverted = now;
    rec->revert_kept = kept;
    tx.update_contact_import(*rec);
    out.record = *rec;
  });
  return out;
}

}  // namespace tglead::crm
