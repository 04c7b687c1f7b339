// The commands of the tglead binary (§6.1), each returning a process exit code.
//
// Contract: errors are printed to stderr with a one-line reason; results meant
// for scripts (the API key of `user add`) are printed alone on stdout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "app/config.hpp"

namespace tglead::app {

int serve(const ServeConfig& config);
int migrate_db(const std::string& db);

struct UserAddOptions {
  std::string db;
  std::string email;
  std::string password;
  std::string plan = "kitten";
  std::int64_t days = 30;
};
int user_add(const UserAddOptions& options);

struct DemoOptions {
  std::string listen = "127.0.0.1:8080";
  std::string db = "sqlite:tglead-demo.db";
  bool db_is_default = true;  // only the default demo file is replaced when it exists
  std::string log_level = "warn";
};
int demo(const DemoOptions& options);

struct ImportContactsOptions {
  std::string db;
  std::string file;
  std::string email;
  std::string mode = "create_update";
  std::string region;  // default region for phone numbers without a country code
  bool quiet = false;  // no progress line
};
// `tglead import contacts FILE --user EMAIL`: progress on stderr, the report on stdout.
int import_contacts(const ImportContactsOptions& options);

struct ImportTelegramExportOptions {
  std::string db;
  std::string file;  // result.json of Telegram Desktop's "Export chat history"
  std::string user;  // account email or id
  bool quiet = false;  // no progress line
};
// `tglead import telegram-export FILE --user EMAIL|ID` (§8.2 crawling): the report on stdout.
int import_telegram_export(const ImportTelegramExportOptions& options);

int plan_set(const std::string& db, const std::string& email, const std::string& plan, std::int64_t days);

}  // namespace tglead::app
