// `tglead import contacts FILE --user EMAIL [--mode M] [--region R] [--db D]` (§6.1, §8.2): CSV or XLSX.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>

#include "app/commands.hpp"
#include "crm/importer.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace tglead::app {

namespace {

// The file mapped read-only: a million-row file costs page cache, not heap.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error_ = std::strerror(errno);
      return;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      error_ = "not a regular file";
    } else if (st.st_size > 0) {
      void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        error_ = std::strerror(errno);
      } else {
        data_ = p;
        size_ = static_cast<std::size_t>(st.st_size);
        ::madvise(data_, size_, MADV_SEQUENTIAL);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) ::munmap(data_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& error() const { return error_; }
  std::string_view view() const { return data_ ? std::string_view(static_cast<const char*>(data_), size_) : ""; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
  std::string error_;
};

std::string clock_text(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace

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
  MappedFile file(options.file);
  if (!file.error().empty()) {
    std::cerr << "tglead: cannot read " << options.file << ": " << file.error() << "\n";
    return 1;
  }
  try {
    // ~256 MiB of WAL between checkpoints: an import's units rewrite many of the same pages. A
    // 1 GiB page cache holds 2M contacts with their tags whole (issue 6 benchmark: 256 MiB
    // re-read evicted pages: 5-10 % of the import of 1M rows into 1M).
    storage::sqlite::SqliteStore store(*path, {.checkpoint_pages = 65536, .cache_mib = 1024});
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
    // Big files come through here: units this size keep the cost per commit small (issue 6
    // benchmark: 1,000,000 rows into 1,000,000 contacts; 100,000-row units were no faster) and
    // hold the writer under a second each.
    import.batch_rows = 50000;
    bool tty = !options.quiet && isatty(STDERR_FILENO);
    auto started = std::chrono::steady_clock::now();
    auto progress = [&](std::uint64_t done, std::uint64_t total, const crm::ImportReport& r) {
      if (options.quiet) return;
      int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
      if (!tty) {
        std::cerr << "importing: " << percent << "% (" << r.rows << " rows; " << r.created << " created, " << r.updated
                  << " updated, " << r.error_count << " errors)\n";
        return;
      }
      constexpr int kWidth = 30;
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      double rate = seconds > 0 ? static_cast<double>(r.rows) / seconds : 0;
      double eta =
          done > 0 && done < total ? seconds * static_cast<double>(total - done) / static_cast<double>(done) : 0;
      std::string bar(static_cast<std::size_t>(percent * kWidth / 100), '#');
      bar.resize(kWidth, '.');
      std::cerr << "\r[" << bar << "] " << percent << "%  " << r.rows << " rows, " << r.created << " created, "
                << r.updated << " updated, " << r.error_count << " errors  " << static_cast<long>(rate) << " rows/s"
                << (eta > 0 ? "  ETA " + clock_text(eta) : std::string()) << "\x1b[K" << std::flush;
    };
    crm::ImportReport report = crm::import_contacts(store, file.view(), import, progress);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (tty) std::cerr << "\n";
    if (report.import_id == 0) {
      std::cerr << "tglead: " << options.file << ": " << report.fatal << "\n";
      return 1;
    }
    for (const auto& w : report.warnings) std::cout << "warning: " << w << "\n";
    std::cout << "import " << report.import_id << " of " << options.file << " (" << report.format << ", "
              << crm::mode_name(*mode) << ")\n"
              << "rows: " << report.rows << "\n"
              << "created: " << report.created << "\n"
              << "updated: " << report.updated << "\n"
              << "unchanged: " << report.unchanged << "\n"
              << "skipped: " << report.skipped << "\n"
              << "duplicates: " << report.duplicates << "\n"
              << "errors: " << report.error_count << "\n";
    for (const auto& e : report.errors) {
      std::cout << "error: row " << e.row << ": " << (e.column.empty() ? "" : e.column + ": ") << e.reason << "\n";
    }
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
