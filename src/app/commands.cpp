#include "app/commands.hpp"

#include "app/service.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "domain/plans.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "util/password.hpp"
#include "util/random.hpp"
#include "util/time_format.hpp"

namespace tglead::app {

namespace {

using namespace std::chrono_literals;

std::optional<std::string> require_sqlite(const std::string& db) {
  auto path = sqlite_path(db);
  if (!path) {
    std::cerr << "tglead: unsupported --db '" << db
              << "': this build stores data in SQLite only (use sqlite:PATH)\n";
  }
  return path;
}

}  // namespace

int serve(const ServeConfig& config) {
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  // Signals are taken synchronously by this thread; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    Service service(config);
    if (auto error = service.start(); !error.empty()) {
      std::cerr << "tglead: " << error << "\n";
      return 1;
    }
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    spdlog::info("signal {}: shutting down", signal_number);
    service.stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tglead: " << e.what() << "\n";
    return 2;
  }
}

int migrate_db(const std::string& db) {
  auto path = require_sqlite(db);
  if (!path) return 2;
  try {
    int version = storage::sqlite::migrate(*path);
    std::cout << "schema version " << version << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tglead: " << e.what() << "\n";
    return 1;
  }
}

int user_add(const UserAddOptions& options) {
  auto path = require_sqlite(options.db);
  if (!path) return 2;
  auto plan = domain::parse_plan(options.plan);
  if (!plan) {
    std::cerr << "tglead: unknown plan '" << options.plan << "' (kitten, kitty or tiger)\n";
    return 2;
  }
  if (options.email.find('@') == std::string::npos || options.email.size() > 254) {
    std::cerr << "tglead: '" << options.email << "' is not an email address\n";
    return 2;
  }
  if (options.days < 0) {
    std::cerr << "tglead: --days must not be negative\n";
    return 2;
  }
  try {
    storage::sqlite::SqliteStore store(*path);
    if (store.user_by_email(options.email)) {
      std::cerr << "tglead: a user with email " << options.email << " already exists\n";
      return 1;
    }
    domain::User user;
    user.email = options.email;
    user.password_hash = options.password.empty() ? "" : util::hash_password(options.password);
    user.api_key = util::random_token(24);
    user.transfer_token = util::random_token(12);
    user.plan = *plan;
    user.paid_until = *plan == domain::Plan::Kitten ? 0 : util::unix_now() + options.days * 86400;
    store.write([&](storage::WriteTx& tx) { tx.insert_user(user); });
    std::cout << user.api_key << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tglead: " << e.what() << "\n";
    return 1;
  }
}

int plan_set(const std::string& db, const std::string& email, const std::string& plan_text, std::int64_t days) {
  auto path = require_sqlite(db);
  if (!path) return 2;
  auto plan = domain::parse_plan(plan_text);
  if (!plan) {
    std::cerr << "tglead: unknown plan '" << plan_text << "' (kitten, kitty or tiger)\n";
    return 2;
  }
  if (days < 0) {
    std::cerr << "tglead: --days must not be negative\n";
    return 2;
  }
  try {
    storage::sqlite::SqliteStore store(*path);
    bool found = false;
    store.write([&](storage::WriteTx& tx) {
      auto existing = store.user_by_email(email);
      if (!existing) return;
      auto user = tx.user(existing->id);
      found = true;
      user->plan = *plan;
      user->paid_until = *plan == domain::Plan::Kitten ? 0 : util::unix_now() + days * 86400;
      tx.update_user(*user);
    });
    if (!found) {
      std::cerr << "tglead: no user with email " << email << "\n";
      return 1;
    }
    std::cout << email << ": " << plan_text << " until "
              << (*plan == domain::Plan::Kitten ? std::string("forever") : util::format_datetime(util::unix_now() + days * 86400))
              << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tglead: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace tglead::app
