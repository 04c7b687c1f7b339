#include "storage/sqlite/sqlite_db.hpp"

#include <fmt/format.h>

#include "storage/sqlite/gathering_vfs.hpp"

namespace tglead::storage::sqlite {

namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  throw SqliteError(rc, fmt::format("sqlite {}: {} ({})", what, sqlite3_errmsg(db), rc));
}

}  // namespace

Stmt::~Stmt() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Stmt& Stmt::bind(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind(int index, double value) {
  if (int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind_unowned(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind_null(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "step");
}

void Stmt::run() {
  while (step()) {
  }
}

std::string Stmt::text(int column) const { return std::string(text_view(column)); }

std::string_view Stmt::text_view(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (data == nullptr) return {};
  return std::string_view(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

Db::Db(const std::string& path, bool read_only, Writes writes) {
  // SQLite's allocation statistics take a global mutex on every allocation and nothing reads
  // them. Only possible before SQLite initialises, which the first open does.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  const bool gathered = writes == Writes::Gathered && !read_only;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, gathered ? gathering_vfs_name() : nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, fmt::format("cannot open database {}: {}", path, message));
  }
  sqlite3_busy_timeout(db_, 5000);
  if (!read_only) exec("PRAGMA journal_mode=WAL");
  // NORMAL keeps every commit across an application crash (the webhook's
  // promise); only an OS crash or power loss can roll back the last commits.
  exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32000");
  // Gathered WAL frames must reach the file before their commit is published (gathering_vfs.hpp).
  if (gathered) exec("PRAGMA synchronous=FULL");
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  for (auto& [sql, stmt] : dynamic_cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Stmt Db::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, fmt::format("prepare [{}]", sql));
    it = cache_.emplace(sql, stmt).first;
  }
  return Stmt(db_, it->second);
}

Stmt Db::prepare_uncached(const std::string& sql) {
  // Dynamic queries are cached by text: the set of filter shapes is small.
  auto it = dynamic_cache_.find(sql);
  if (it == dynamic_cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(db_, rc, fmt::format("prepare [{}]", sql));
    it = dynamic_cache_.emplace(sql, stmt).first;
  }
  return Stmt(db_, it->second);
}

void Db::exec(const char* sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : "unknown";
    sqlite3_free(error);
    throw SqliteError(rc, fmt::format("sqlite exec: {}", message));
  }
}

}  // namespace tglead::storage::sqlite
