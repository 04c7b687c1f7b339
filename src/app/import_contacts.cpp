// `tglead import contacts FILE --user EMAIL [--mode M] [--region R] [--db D]` (§6.1, §8.2).
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/commands.hpp"
#include "crm/importer.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace tglead::app {

int import_contacts(const ImportContactsOptions& options) {
  auto path = sqlite_path(options.db);
  if (!path) {
    std::cerr << "tglead: unsupported --db '" << options.db << "': this build stores data in SQLite only\n";
    return 2;
  }
  auto mode = crm::parse_mode(options.mode);
  if (!mode) {
    std::cerr << "tglead: --mode must be create, create_update or update\n";
    return 2;
  }
  if (!options.region.empty() && !crm::normalize_country(options.region).ok()) {
    std::cerr << "tglead: --region must be a two-letter country code such as DE\n";
    return 2;
  }
  std::ifstream in(options.file, std::ios::binary);
  if (!in) {
    std::cerr << "tglead: cannot read " << options.file << "\n";
    return 1;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string csv = std::move(buffer).str();
  try {
    storage::sqlite::SqliteStore store(*path);
    auto user = store.user_by_email(options.email);
    if (!user) {
      std::cerr << "tglead: no user with email " << options.email << "\n";
      return 1;
    }
    crm::ImportOptions import;
    import.user_id = user->id;
    import.actor = user->id;
    import.mode = *mode;
    import.default_region = crm::normalize_country(options.region).value;
    import.file_name = options.file;
    bool tty = !options.quiet && isatty(STDERR_FILENO);
    auto started = std::chrono::steady_clock::now();
    auto progress = [&](std::size_t done, std::size_t total, const crm::ImportReport& r) {
      if (options.quiet) return;
      int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
      std::cerr << (tty ? "\r" : "") << "importing: " << percent << "% (" << r.rows << " rows; " << r.created
                << " created, " << r.updated << " updated, " << r.error_count << " errors)" << (tty ? "" : "\n")
                << std::flush;
    };
    crm::ImportReport report = crm::import_contacts_csv(store, csv, import, progress);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (tty) std::cerr << "\n";
    if (report.import_id == 0) {
      std::cerr << "tglead: " << options.file << ": " << report.fatal << "\n";
      return 1;
    }
    for (const auto& w : report.warnings) std::cout << "warning: " << w << "\n";
    std::cout << "import " << report.import_id << " of " << options.file << " (" << crm::mode_name(*mode) << ")\n"
              << "rows: " << report.rows << "\n"
              << "created: " << report.created << "\n"
              << "updated: " << report.updated << "\n"
              << "unchanged: " << report.unchanged << "\n"
              << "skipped: " << report.skipped << "\n"
              << "duplicates: " << report.duplicates << "\n"
              << "errors: " << report.error_count << "\n";
    for (const auto& e : report.errors) std::cout << "error: row " << e.row << ": " << e.reason << "\n";
    if (report.errors.size() < report.error_count) {
      std::cout << "(" << report.error_count - report.errors.size() << " more errors not listed)\n";
    }
    std::cout << "time: " << static_cast<long long>(seconds * 1000) << " ms\n";
    if (!report.fatal.empty()) {
      std::cout << "stopped: " << report.fatal << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tglead: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace tglead::app
