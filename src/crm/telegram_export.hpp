// Telegram Desktop chat exports ("Export chat history", JSON: `result.json`)
// as a crawl source (PRODUCT.md §8.2): the distinct people who wrote in the
// chat or acted in its service messages (joins, invitations, pins, ...).
//
// Contract:
// * scan_telegram_export streams the file through a SAX parser, so memory
//   grows with the number of distinct authors, never with the file size. It
//   reads the top-level `name`, `type` and `id`, and per element of
//   `messages` its `type`, `from`/`from_id` and `actor`/`actor_id`. Authors
//   whose id is not "user<digits>" (channels and groups posting as
//   themselves) and Telegram's service accounts are not people: their
//   messages are counted as ignored. `"from": null` marks a deleted account.
// * A file that is empty, not JSON, cut short, nested deeper than 64 levels,
//   without a top-level `messages` array, or with more than
//   kMaxExportAuthors authors gives an error and no authors.
// * import_telegram_export caches per account and file content (SHA-256):
//   the same export imported again within kCrawlCacheSeconds answers with the
//   stored report (`cached`) without reading the file or writing anything.
//   Otherwise the authors become contacts with source `crawling` and group =
//   the export's `name`, matched on the Telegram id, in batches of write
//   units: a new contact gets the display name as first_name; an existing one
//   gets the group and the name only where it has none (its source is kept);
//   deleted accounts are skipped. The run is a crawl (kind export) whose
//   members list the authors recorded.
// Thread-safety: stateless functions; safe beside other store writers.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/store.hpp"

namespace tglead::crm {

inline constexpr std::size_t kMaxExportAuthors = 1'000'000;

struct ExportAuthor {
  std::int64_t id = 0;
  std::string name;  // the display name ("First Last"); "" when never given
  bool deleted = true;  // every occurrence had "from": null or no name
};

struct ExportScan {
  std::string name;  // the group's name
  std::string type;  // private_supergroup, public_channel, ...
  std::int64_t chat_id = 0;
  std::int64_t messages = 0;          // elements of `messages`
  std::int64_t service_messages = 0;  // of which `"type": "service"`
  std::int64_t ignored_messages = 0;  // without a person as author
  std::vector<ExportAuthor> authors;  // distinct, in order of first appearance
  std::string error;                  // non-empty: the file is unusable, `authors` is empty
};

ExportScan scan_telegram_export(std::istream& in);
ExportScan scan_telegram_export(std::string_view text);

struct ExportReport {
  std::int64_t crawl_id = 0;
  bool cached = false;
  std::int64_t time = 0;  // when the run that made this report happened
  std::string file_name;
  std::string name, type;
  std::int64_t chat_id = 0;
  std::int64_t messages = 0, service_messages = 0, ignored_messages = 0;
  std::int64_t authors = 0;  // distinct people found, deleted accounts included
  std::int64_t created = 0, updated = 0, unchanged = 0;
  std::int64_t skipped = 0;  // deleted accounts
  std::string error;         // non-empty: nothing was imported (or, on a storage error, not everything)
};

nlohmann::json export_report_json(const ExportReport& report);

struct ExportImportOptions {
  std::int64_t user_id = 0;  // the workspace
  std::int64_t actor = 0;    // created_by of new contacts
  std::string file_name;
  std::size_t batch_authors = 2000;  // authors per write unit
  std::function<std::int64_t()> clock;
  // Called after each committed batch: authors done, authors total.
  std::function<void(std::size_t, std::size_t)> progress;
};

// `scan` reads the export; it is called only when the cache has no answer.
ExportReport import_telegram_export(storage::Store& store, const ExportImportOptions& options,
                                    const std::string& content_sha256, const std::function<ExportScan()>& scan);

// Lower-case hex SHA-256 of a text, or of a file read in chunks ("" and `error` set when unreadable).
std::string sha256_hex(std::string_view text);
std::string sha256_file(const std::string& path, std::string& error);

}  // namespace tglead::crm
