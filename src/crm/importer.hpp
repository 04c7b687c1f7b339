// CSV import of contacts (PRODUCT.md §8.2) for the CLI and the API.
//
// Contract: parses the whole CSV text (util/csv_reader.hpp: BOM, ',' or ';',
// RFC 4180 quoting), maps the header (first_name, last_name, username,
// phone_number, telegram_id, country, language, tags, group, and a few
// aliases; other columns are ignored with a warning), normalises each row
// and upserts it with the dedup rules of crm/contacts.hpp in `mode`, many
// rows per store write unit. Rows identical to an earlier row of the file
// are imported once (counted as duplicates). Bad rows never stop the import:
// each is reported with its line number and reason; only a file without an
// identifier column or a broken quote that swallows the rest is fatal (what
// was committed before stays). The run is recorded in contact_imports and
// created contacts carry its id (for a later revert).
// Thread-safety: one import per call; safe to run beside other store writers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/contacts.hpp"
#include "storage/store.hpp"

namespace tglead::crm {

struct ImportOptions {
  std::int64_t user_id = 0;
  std::int64_t actor = 0;
  Mode mode = Mode::CreateUpdate;
  Source source = Source::FileUpload;
  std::string default_region;  // for phone numbers without a country code
  std::string file_name;
  std::size_t batch_rows = 5000;   // rows per write unit
  std::size_t max_errors = 10000;  // errors listed (all are counted)
  std::function<std::int64_t()> clock;
};

struct ImportRowError {
  std::size_t row = 0;  // line number in the file (the header is line 1)
  std::string reason;
};

struct ImportReport {
  std::int64_t import_id = 0;
  std::size_t rows = 0;  // data records read
  std::size_t created = 0, updated = 0, unchanged = 0, skipped = 0, duplicates = 0, error_count = 0;
  std::vector<ImportRowError> errors;
  std::vector<std::string> warnings;
  std::string fatal;  // non-empty: the import stopped (or never started) for this reason
};

// bytes done, bytes total, the report so far; called after each committed batch.
using ImportProgress = std::function<void(std::size_t, std::size_t, const ImportReport&)>;

ImportReport import_contacts_csv(storage::Store& store, std::string_view csv, const ImportOptions& options,
                                 const ImportProgress& progress = {});

}  // namespace tglead::crm
