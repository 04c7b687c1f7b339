// Thin RAII layer over the SQLite C API.
//
// Contract: a Db is one connection and is used by one thread at a time (the
// writer thread, or the reader thread that owns it). Statements are prepared
// once per connection and cached by the address of their named SQL constant,
// so every query in sql.hpp is compiled exactly once per connection.
// Errors throw SqliteError: storage failures are exceptional and abort the
// surrounding transaction or request.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tglead::storage::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();  // resets and clears bindings so the cached statement is ready for reuse

  Stmt& bind(int index, std::int64_t value);
  Stmt& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Stmt& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Stmt& bind(int index, double value);
  Stmt& bind(int index, std::string_view value);
  Stmt& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Stmt& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Stmt& bind_null(int index);
  // bind() without the copy: SQLite reads `value` in place, so it must stay valid until this
  // Stmt ends (which resets the statement). For bulk writes of values the caller holds anyway.
  Stmt& bind_unowned(int index, std::string_view value);

  // Binds in order starting at 1.
  template <typename... Args>
  Stmt& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  bool step();  // true while a row is available
  void run();   // steps to completion, for statements without rows

  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const;
  // The column's text in place, valid until the next step() or the end of this Stmt.
  std::string_view text_view(int column) const;
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int parameter_count() const { return sqlite3_bind_parameter_count(stmt_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// How a connection's writes reach its files: as SQLite makes them, or gathered into few large
// calls (gathering_vfs.hpp), which makes every commit durable (synchronous=FULL).
enum class Writes { Direct, Gathered };

class Db {
 public:
  // Opens (creating if needed) with WAL, synchronous=NORMAL (FULL for Writes::Gathered), foreign
  // keys and a busy timeout.
  Db(const std::string& path, bool read_only, Writes writes = Writes::Direct);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  Stmt prepare(const char* sql);                  // cached; `sql` must be a named constant
  Stmt prepare_uncached(const std::string& sql);  // for dynamically built queries (filters)
  void exec(const char* sql);                     // multi-statement scripts, pragmas
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
  std::unordered_map<std::string, sqlite3_stmt*> dynamic_cache_;
};

}  // namespace tglead::storage::sqlite
