#include "crm/importer.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "util/csv_reader.hpp"

namespace tglead::crm {

namespace {

enum Column { kFirstName, kLastName, kUsername, kPhone, kTelegramId, kCountry, kLanguage, kTags, kGroup, kColumns };

std::optional<Column> column_of(std::string name) {
  // lower case, spaces and dashes as underscores
  std::string key;
  for (char c : clean_text(name)) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '-') c = '_';
    key += c;
  }
  if (key == "first_name" || key == "firstname" || key == "first") return kFirstName;
  if (key == "last_name" || key == "lastname" || key == "last") return kLastName;
  if (key == "username" || key == "user_name" || key == "telegram_username" || key == "tg_username") return kUsername;
  if (key == "phone_number" || key == "phone" || key == "phonenumber" || key == "mobile") return kPhone;
  if (key == "telegram_id" || key == "telegram_user_id" || key == "user_id" || key == "tg_id") return kTelegramId;
  if (key == "country") return kCountry;
  if (key == "language") return kLanguage;
  if (key == "tags") return kTags;
  if (key == "group" || key == "group_name") return kGroup;
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

struct Row {
  std::size_t line = 0;
  PreparedContact contact;
};

std::string row_key(const PreparedContact& p) {
  const Contact& c = p.fields;
  std::string key = std::to_string(c.telegram_id);
  for (const std::string* s : {&c.username, &c.phone, &c.first_name, &c.last_name, &c.country, &c.language, &c.group}) {
    key += '\x1f';
    key += s == &c.username ? username_key(*s) : *s;
  }
  for (const auto& t : p.tags) {
    key += '\x1e';
    key += username_key(t);
  }
  return key;
}

}  // namespace

ImportReport import_contacts_csv(storage::Store& store, std::string_view csv, const ImportOptions& options,
                                 const ImportProgress& progress) {
  ImportReport report;
  auto now = [&] { return options.clock ? options.clock() : static_cast<std::int64_t>(std::time(nullptr)); };
  auto add_error = [&](std::size_t line, std::string reason) {
    ++report.error_count;
    if (report.errors.size() < options.max_errors) report.errors.push_back({line, std::move(reason)});
  };

  util::CsvReader reader(csv);
  util::CsvRecord record;
  if (!reader.next(record)) {
    report.fatal = "the file is empty";
    return report;
  }
  if (!record.error.empty()) {
    report.fatal = "the header line is malformed: " + record.error;
    return report;
  }
  std::array<int, kColumns> index;
  index.fill(-1);
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    auto column = column_of(record.fields[i]);
    if (!column) {
      if (!clean_text(record.fields[i]).empty()) {
        report.warnings.push_back("column '" + clean_text(record.fields[i]) +
                                  "' ignored (custom fields are not supported yet)");
      }
      continue;
    }
    if (index[*column] != -1) {
      report.warnings.push_back("column '" + clean_text(record.fields[i]) + "' appears twice; the first is used");
      continue;
    }
    index[*column] = static_cast<int>(i);
  }
  const std::size_t header_size = record.fields.size();
  if (index[kUsername] < 0 && index[kPhone] < 0 && index[kTelegramId] < 0) {
    report.fatal = "the header has no identifier column (telegram_id, username or phone_number)";
    return report;
  }

  {
    storage::ContactImportRecord r;
    r.user_id = options.user_id;
    r.file_name = options.file_name;
    r.mode = std::string(mode_name(options.mode));
    r.started = now();
    store.write([&](storage::WriteTx& tx) { report.import_id = tx.insert_contact_import(r); });
  }

  auto phones = make_phone_normalizer(options.default_region);
  std::unordered_set<std::string> seen;
  std::vector<Row> batch;
  batch.reserve(options.batch_rows);

  auto flush = [&] {
    if (batch.empty()) return;
    std::size_t created = 0, updated = 0, unchanged = 0, skipped = 0;
    std::vector<ImportRowError> errors;
    UpsertContext ctx;
    ctx.user_id = options.user_id;
    ctx.actor = options.actor;
    ctx.source = options.source;
    ctx.mode = options.mode;
    ctx.now = now();
    ctx.import_id = report.import_id;
    ctx.history_on_create = false;
    std::unordered_map<std::string, std::int64_t> tag_cache;
    ctx.tag_cache = &tag_cache;
    store.write([&](storage::WriteTx& tx) {
      created = updated = unchanged = skipped = 0;
      errors.clear();
      tag_cache.clear();
      for (const Row& row : batch) {
        UpsertResult r = upsert_contact(tx, ctx, row.contact);
        switch (r.outcome) {
          case Outcome::Created: ++created; break;
          case Outcome::Updated: ++updated; break;
          case Outcome::Unchanged: ++unchanged; break;
          case Outcome::Skipped: ++skipped; break;
          case Outcome::Conflict: errors.push_back({row.line, "conflict: " + r.reason}); break;
        }
      }
    });
    report.created += created;
    report.updated += updated;
    report.unchanged += unchanged;
    report.skipped += skipped;
    for (auto& e : errors) add_error(e.row, std::move(e.reason));
    batch.clear();
    if (progress) progress(reader.position(), reader.size(), report);
  };

  // Normalisation (libphonenumber above all) is the costly part: rows are
  // collected raw and prepared on several threads, then deduplicated in file order.
  struct Raw {
    std::size_t line = 0;
    ContactInput input;
  };
  std::vector<Raw> pending;
  std::vector<PreparedContact> prepared_rows;
  const std::size_t threads =
      std::max<std::size_t>(1, std::min<std::size_t>(4, std::thread::hardware_concurrency()));
  auto prepare_pending = [&] {
    prepared_rows.assign(pending.size(), PreparedContact{});
    auto work = [&](std::size_t first, std::size_t step) {
      for (std::size_t i = first; i < pending.size(); i += step) {
        prepared_rows[i] = prepare_contact(pending[i].input, *phones);
      }
    };
    if (threads == 1 || pending.size() < 256) {
      work(0, 1);
    } else {
      std::vector<std::thread> pool;
      for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work, t, threads);
      work(0, threads);
      for (auto& thread : pool) thread.join();
    }
    for (std::size_t i = 0; i < pending.size(); ++i) {
      PreparedContact& prepared = prepared_rows[i];
      if (!prepared.ok()) {
        std::string reason;
        for (const auto& e : prepared.errors) reason += (reason.empty() ? "" : "; ") + e;
        add_error(pending[i].line, reason);
        continue;
      }
      if (!seen.insert(row_key(prepared)).second) {
        ++report.duplicates;
        continue;
      }
      batch.push_back(Row{pending[i].line, std::move(prepared)});
    }
    pending.clear();
    flush();
  };

  ContactInput input;
  try {
  while (reader.next(record)) {
    ++report.rows;
    if (!record.error.empty()) {
      add_error(record.line, record.error);
      if (reader.position() >= reader.size() && record.error.find("never closed") != std::string::npos) {
        report.fatal = "line " + std::to_string(record.line) + ": " + record.error;
      }
      continue;
    }
    bool extra = false;
    for (std::size_t i = header_size; i < record.fields.size(); ++i) extra = extra || !clean_text(record.fields[i]).empty();
    if (extra) {
      add_error(record.line, "the row has " + std::to_string(record.fields.size()) + " fields, the header " +
                                 std::to_string(header_size));
      continue;
    }
    auto cell = [&](Column c) -> const std::string& {
      static const std::string kEmpty;
      int i = index[c];
      return (i >= 0 && static_cast<std::size_t>(i) < record.fields.size()) ? record.fields[i] : kEmpty;
    };
    input.first_name = cell(kFirstName);
    input.last_name = cell(kLastName);
    input.username = cell(kUsername);
    input.phone = cell(kPhone);
    input.telegram_id = cell(kTelegramId);
    input.country = cell(kCountry);
    input.language = cell(kLanguage);
    input.group = cell(kGroup);
    input.tags = split_tags(cell(kTags));
    pending.push_back(Raw{record.line, input});
    if (pending.size() >= options.batch_rows) prepare_pending();
  }
    prepare_pending();
  } catch (const std::exception& e) {
    report.fatal = std::string("storage error: ") + e.what();
  }

  std::stable_sort(report.errors.begin(), report.errors.end(),
                   [](const ImportRowError& a, const ImportRowError& b) { return a.row < b.row; });
  storage::ContactImportRecord r;
  r.id = report.import_id;
  r.finished = now();
  r.rows = static_cast<std::int64_t>(report.rows);
  r.created = static_cast<std::int64_t>(report.created);
  r.updated = static_cast<std::int64_t>(report.updated);
  r.skipped = static_cast<std::int64_t>(report.skipped + report.duplicates + report.unchanged);
  r.errors = static_cast<std::int64_t>(report.error_count);
  store.write([&](storage::WriteTx& tx) { tx.update_contact_import(r); });
  return report;
}

}  // namespace tglead::crm
