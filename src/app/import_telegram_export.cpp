// `tglead import telegram-export FILE --user EMAIL|ID [--quiet] [--db D]` (§8.2 crawling).
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iostream>

#include "app/commands.hpp"
#include "crm/telegram_export.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace tglead::app {

namespace {

std::optional<domain::User> find_user(storage::Store& store, const std::string& user) {
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(user.data(), user.data() + user.size(), id);
  if (error == std::errc() && end == user.data() + user.size()) return store.user_by_id(id);
  return store.user_by_email(user);
}

}  // namespace

int import_telegram_export(const ImportTelegramExportOptions& options) {
  auto path = sqlite_path(options.db);
  if (!path) {
    std::cerr << "tglead: unsupported --db '" << options.db << "': this build stores data in SQLite only\n";
    return 2;
  }
  try {
    storage::sqlite::SqliteStore store(*path);
    auto user = find_user(store, options.user);
    if (!user) {
      std::cerr << "tglead: no user " << options.user << "\n";
      return 1;
    }
    std::string error;
    std::string hash = crm::sha256_file(options.file, error);
    if (hash.empty()) {
      std::cerr << "tglead: " << error << "\n";
      return 1;
    }
    crm::ExportImportOptions import;
    import.user_id = user->id;
    import.actor = user->id;
    import.file_name = options.file;
    bool tty = !options.quiet && isatty(STDERR_FILENO);
    import.progress = [&](std::size_t done, std::size_t total) {
      if (options.quiet) return;
      std::cerr << (tty ? "\r" : "") << "recording authors: " << done << " of " << total << (tty ? "" : "\n")
                << std::flush;
    };
    auto scan = [&] {
      if (!options.quiet) std::cerr << "reading " << options.file << "\n";
      std::ifstream in(options.file, std::ios::binary);
      if (!in) {
        crm::ExportScan failed;
        failed.error = "cannot read " + options.file;
        return failed;
      }
      return crm::scan_telegram_export(in);
    };
    crm::ExportReport report = crm::import_telegram_export(store, import, hash, scan);
    if (tty && report.authors > 0 && !report.cached) std::cerr << "\n";
    if (!report.error.empty() && report.crawl_id == 0) {
      std::cerr << "tglead: " << options.file << ": " << report.error << "\n";
      return 1;
    }
    std::cout << "crawl " << report.crawl_id << ": " << (report.name.empty() ? "(unnamed chat)" : report.name)
              << (report.cached ? " (cached: imported less than 24 h ago, nothing redone)" : "") << "\n"
              << "messages: " << report.messages << " (" << report.service_messages << " service, "
              << report.ignored_messages << " without a person as author)\n"
              << "authors: " << report.authors << "\n"
              << "created: " << report.created << "\n"
              << "updated: " << report.updated << "\n"
              << "unchanged: " << report.unchanged << "\n"
              << "skipped: " << report.skipped << " (deleted accounts)\n";
    if (!report.error.empty()) {
      std::cout << "stopped: " << report.error << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tglead: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace tglead::app
