#include "app/commands.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <iostream>

#include "api/router.hpp"
#include "domain/plans.hpp"
#include "http/server.hpp"
#include "net/curl_http_client.hpp"
#include "postbacks/sender.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "telegram/poller.hpp"
#include "telegram/sender.hpp"
#include "tracking/reconciler.hpp"
#include "util/password.hpp"
#include "util/random.hpp"
#include "util/time_format.hpp"
#include "util/worker.hpp"

namespace tglead::app {

namespace {

using namespace std::chrono_literals;

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::optional<std::string> require_sqlite(const std::string& db) {
  auto path = sqlite_path(db);
  if (!path) {
    std::cerr << "tglead: unsupported --db '" << db
              << "': this build stores data in SQLite only (use sqlite:PATH)\n";
  }
  return path;
}

// Computes daily rollups for complete past days, a few at a time.
std::chrono::milliseconds rollup_step(storage::Store& store) {
  try {
    std::int64_t today = util::utc_day_start(unix_now());
    auto missing = store.missing_rollups(today, 20);
    for (auto [user_id, day] : missing) {
      store.write([&](storage::WriteTx& tx) { tx.store_rollup(user_id, day); });
    }
    return missing.empty() ? std::chrono::milliseconds(10min) : 100ms;
  } catch (const std::exception& e) {
    spdlog::error("rollups: {}", e.what());
    return 1min;
  }
}

}  // namespace

int serve(const ServeConfig& config) {
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  auto listen = parse_listen(config.listen);
  if (!listen) {
    std::cerr << "tglead: --listen must be HOST:PORT, got '" << config.listen << "'\n";
    return 2;
  }
  auto path = require_sqlite(config.db);
  if (!path) return 2;
  auto reconcile_every = parse_duration(config.reconcile_every);
  if (!reconcile_every) {
    std::cerr << "tglead: --reconcile-every must be a duration such as 10m, 30s or 0, got '" << config.reconcile_every
              << "'\n";
    return 2;
  }
  if (config.updates != "webhook" && config.updates != "poll") {
    std::cerr << "tglead: --updates must be webhook or poll, got '" << config.updates << "'\n";
    return 2;
  }
  bool poll = config.updates == "poll";

  // Signals are taken synchronously by this thread; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<storage::sqlite::SqliteStore> store;
  try {
    store = std::make_unique<storage::sqlite::SqliteStore>(*path);
  } catch (const std::exception& e) {
    std::cerr << "tglead: " << e.what() << "\n";
    return 1;
  }
  net::CurlHttpClient http;
  telegram::BotApi bot_api(http, trim_base_url(config.telegram_api));
  auto clock = [] { return unix_now(); };

  postbacks::PostbackSender postback_sender(*store, http, {config.allow_private_postbacks, 256, 10000, clock});
  telegram::TelegramSender telegram_sender(*store, bot_api, clock);
  util::Worker rollups([&] { return rollup_step(*store); });

  api::Services services{*store,
                         bot_api,
                         http,
                         trim_base_url(config.public_url),
                         config.allow_private_postbacks,
                         poll,
                         clock,
                         [&] {
                           postback_sender.wake();
                           telegram_sender.wake();
                         }};
  api::Router router(services);
  telegram::UpdatePoller poller(*store, bot_api, clock, services.wake_senders);
  tracking::Reconciler reconciler(*store, bot_api, {*reconcile_every, 20, 7 * 86400, clock, services.wake_senders});

  http::ServerOptions options;
  options.host = listen->host;
  options.port = listen->port;
  options.worker_threads = config.workers;
  http::Server server(options, [&router](const http::Request& request) { return router.handle(request); });
  if (auto error = server.start(); !error.empty()) {
    std::cerr << "tglead: " << error << "\n";
    return 1;
  }
  postback_sender.start();
  telegram_sender.start();
  rollups.start();
  reconciler.start();
  if (poll) poller.start();
  spdlog::info("tglead listening on {}:{} (database {}, webhooks at {}/tg/<bot id>)", listen->host, server.port(),
               *path, services.public_url);
  if (config.allow_private_postbacks) spdlog::warn("postbacks to private and loopback addresses are allowed");

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("signal {}: shutting down", signal_number);
  server.stop();
  if (poll) poller.stop();
  reconciler.stop();
  rollups.stop();
  telegram_sender.stop();
  postback_sender.stop();
  return 0;
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
    user.paid_until = *plan == domain::Plan::Kitten ? 0 : unix_now() + options.days * 86400;
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
      user->paid_until = *plan == domain::Plan::Kitten ? 0 : unix_now() + days * 86400;
      tx.update_user(*user);
    });
    if (!found) {
      std::cerr << "tglead: no user with email " << email << "\n";
      return 1;
    }
    std::cout << email << ": " << plan_text << " until "
              << (*plan == domain::Plan::Kitten ? std::string("forever") : util::format_datetime(unix_now() + days * 86400))
              << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tglead: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace tglead::app
