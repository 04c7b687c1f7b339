// Contact import from CSV or XLSX files (PRODUCT.md §8.2) for the CLI and the
// background jobs of the API (crm/import_jobs.hpp).
//
// Contract: the file is a table (header row + rows of cells): XLSX when it
// starts with the zip magic "PK\3\4" (its first worksheet, util/xlsx_reader.hpp),
// otherwise CSV (util/csv_reader.hpp: BOM, ',' ';' or TAB, RFC 4180 quoting;
// UTF-16 is converted, other non-UTF-8 text gives a warning and per-row
// errors, binary files and old .xls are refused). The header maps columns
// (first_name, last_name, username, phone_number, telegram_id, country,
// language, tags, group and a few aliases; then custom fields by name or
// label, crm/fields.hpp; other columns are ignored with a warning). Each row
// is normalised and upserted with the dedup rules of crm/contacts.hpp in
// `mode`, many rows per store write unit, the next batch being prepared while
// the store commits the previous one. Rows identical to an earlier row of the
// file are imported once (duplicates). Bad rows never stop the import: each is
// reported with its row, column and reason, and stored for the run's error
// file. Only an unreadable file, a header without identifier column, a broken
// quote or broken XML that swallows the rest, or a stop request are fatal
// (what was committed before stays). The run's record in contact_imports
// carries its state (running -> done / failed), progress and counts, updated
// with every batch; created contacts carry its id, so revert_import() can
// remove them.
// Thread-safety: one import per call; safe to run beside other store writers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/contacts.hpp"
#include "storage/store.hpp"

namespace tglead::crm {

// Lines of a run's error file kept in the database; more are counted, not kept.
inline constexpr std::size_t kMaxStoredErrors = 100000;

struct ImportOptions {
  std::int64_t user_id = 0;
  std::int64_t actor = 0;
  Mode mode = Mode::CreateUpdate;
  Source source = Source::FileUpload;
  std::string default_region;  // for phone numbers without a country code
  std::string file_name;
  std::int64_t import_id = 0;      // a run recorded beforehand (state queued); 0: record one now
  std::size_t batch_rows = 10000;  // rows per write unit
  std::size_t max_errors = 10000;  // errors listed in the report (all are counted)
  std::size_t max_stored_errors = kMaxStoredErrors;
  const std::atomic<bool>* stop = nullptr;  // set: the import ends at the next batch as failed
  std::function<std::int64_t()> clock;
};

struct ImportRowError {
  std::size_t row = 0;  // CSV: line number (the header is line 1); XLSX: the sheet's row number
  std::string column;   // the header of the offending column as the file writes it; "" = the whole row
  std::string reason;
};

struct ImportReport {
  std::int64_t import_id = 0;
  std::string format;    // csv, xlsx
  std::size_t rows = 0;  // data rows read
  std::size_t created = 0, updated = 0, unchanged = 0, skipped = 0, duplicates = 0;
  std::size_t error_count = 0;  // rows with errors; `errors` may name several columns of one row
  std::vector<ImportRowError> errors;
  std::vector<std::string> warnings;
  std::string fatal;  // non-empty: the import stopped (or never started) for this reason
};

// bytes done, bytes total (of the file, or of the worksheet's XML), the report so far; after each batch.
using ImportProgress = std::function<void(std::uint64_t, std::uint64_t, const ImportReport&)>;

// What an import of `data` would start with: its format and header warnings,
// or the fatal reason it cannot start. Cheap: reads only up to the header row.
struct ImportColumn {
  std::string header;  // as written in the file, trimmed
  std::string target;  // a contact column (first_name, ..., group), "field:<name>", or "" (ignored)
};
struct ImportCheck {
  std::string format;
  std::vector<ImportColumn> columns;  // the header row, in file order
  std::vector<std::string> warnings;
  std::string fatal;
};
ImportCheck check_import_file(std::string_view data, std::string_view file_name,
                              const std::vector<FieldDefinition>& fields);

ImportReport import_contacts(storage::Store& store, std::string_view data, const ImportOptions& options,
                             const ImportProgress& progress = {});

// Removes the contacts import `import_id` created (only those: contacts it
// updated keep their data). Contacts changed since by someone else are
// removed too and counted as `changed`; contacts that absorbed another
// contact through a merge are kept (deleting them would delete the other
// contact's data) and counted as `kept`. The run becomes `reverted`; a second
// call finds nothing left and changes nothing. Works in units of `chunk`
// contacts, so an interrupted revert can simply be called again.
struct RevertResult {
  std::string error;                    // non-empty: nothing was done (unknown run, still running)
  storage::ContactImportRecord record;  // the run after the revert
};
RevertResult revert_import(storage::Store& store, std::int64_t user_id, std::int64_t import_id, std::int64_t now,
                           std::size_t chunk = 5000);

}  // namespace tglead::crm
