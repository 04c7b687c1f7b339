#include "app/service.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "api/router.hpp"
#include "crm/import_jobs.hpp"
#include "http/server.hpp"
#include "net/curl_http_client.hpp"
#include "postbacks/sender.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "telegram/poller.hpp"
#include "telegram/sender.hpp"
#include "tracking/reconciler.hpp"
#include "util/time_format.hpp"
#include "util/worker.hpp"

namespace tglead::app {

namespace {

using namespace std::chrono_literals;

// Maintenance: pauses campaigns of accounts 14 days past their plan (§7) and
// computes daily rollups for complete past days, a few at a time.
std::chrono::milliseconds rollup_step(storage::Store& store) {
  try {
    int paused = 0;
    store.write([&](storage::WriteTx& tx) { paused = tx.pause_expired_campaigns(util::unix_now()); });
    if (paused > 0) spdlog::info("paused {} campaign(s) of accounts 14 days past their plan", paused);
    std::int64_t today = util::utc_day_start(util::unix_now());
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

struct Checked {
  ListenAddress listen;
  std::string path;
  std::int64_t reconcile_every = 0;
  std::vector<std::int64_t> postback_retry_delays;
  bool poll = false;
};

Checked check(const ServeConfig& config) {
  Checked out;
  auto listen = parse_listen(config.listen);
  if (!listen) throw std::runtime_error("--listen must be HOST:PORT, got '" + config.listen + "'");
  out.listen = *listen;
  auto path = sqlite_path(config.db);
  if (!path) {
    throw std::runtime_error("unsupported --db '" + config.db +
                             "': this build stores data in SQLite only (use sqlite:PATH)");
  }
  out.path = *path;
  auto every = parse_duration(config.reconcile_every);
  if (!every) {
    throw std::runtime_error("--reconcile-every must be a duration such as 10m, 30s or 0, got '" +
                             config.reconcile_every + "'");
  }
  out.reconcile_every = *every;
  std::string delays_error;
  auto delays = parse_retry_delays(config.postback_retry_delays, delays_error);
  if (!delays) {
    throw std::runtime_error("--postback-retry-delays '" + config.postback_retry_delays + "': " + delays_error +
                             " (give 1 to 10 durations of 1s to 168h, e.g. 1m,5m,30m,2h,6h)");
  }
  out.postback_retry_delays = std::move(*delays);
  if (config.updates != "webhook" && config.updates != "poll") {
    throw std::runtime_error("--updates must be webhook or poll, got '" + config.updates + "'");
  }
  out.poll = config.updates == "poll";
  return out;
}

}  // namespace

struct Service::Parts {
  Parts(const ServeConfig& config, const Checked& checked)
      : config(config),
        checked(checked),
        store(checked.path),
        http(std::make_unique<net::CurlHttpClient>()),
        bot_api(*http, trim_base_url(config.telegram_api)),
        postback_sender(store, *http,
                        {config.allow_private_postbacks, 256, 10000, util::unix_now, checked.postback_retry_delays}),
        telegram_sender(store, bot_api, util::unix_now),
        rollups([this] { return rollup_step(store); }),
        imports(store, util::unix_now),
        services{store,
                 bot_api,
                 *http,
                 trim_base_url(config.public_url),
                 config.allow_private_postbacks,
                 checked.poll,
                 util::unix_now,
                 [this] {
                   postback_sender.wake();
                   telegram_sender.wake();
                 },
                 &imports},
        router(services),
        poller(store, bot_api, util::unix_now, services.wake_senders),
        reconciler(store, bot_api, {checked.reconcile_every, 20, 7 * 86400, util::unix_now, services.wake_senders}),
        server(server_options(), [this](const http::Request& request) { return router.handle(request); }) {}

  http::ServerOptions server_options() const {
    http::ServerOptions options;
    options.host = checked.listen.host;
    options.port = checked.listen.port;
    options.worker_threads = config.workers;
    options.upload_paths = {"/api/contacts/import.json", "/api/crawl/import.json"};
    return options;
  }

  ServeConfig config;
  Checked checked;
  storage::sqlite::SqliteStore store;
  std::unique_ptr<net::CurlHttpClient> http;  // outlives nothing that is running: see Service::stop
  telegram::BotApi bot_api;
  postbacks::PostbackSender postback_sender;
  telegram::TelegramSender telegram_sender;
  util::Worker rollups;
  crm::ImportJobs imports;
  api::Services services;
  api::Router router;
  telegram::UpdatePoller poller;
  tracking::Reconciler reconciler;
  http::Server server;
  bool started = false;
  bool stopped = false;
};

Service::Service(const ServeConfig& config) {
  Checked checked = check(config);
  parts_ = std::make_unique<Parts>(config, checked);
}

Service::~Service() { stop(); }

std::string Service::start() {
  Parts& p = *parts_;
  // Before serving: nobody may see a run a restart interrupted as still running.
  p.imports.start();
  if (auto error = p.server.start(); !error.empty()) return error;
  p.postback_sender.start();
  p.telegram_sender.start();
  p.rollups.start();
  p.reconciler.start();
  if (p.checked.poll) p.poller.start();
  p.started = true;
  spdlog::info("tglead listening on {}:{} (database {}, {})", p.checked.listen.host, p.server.port(), p.checked.path,
               p.checked.poll ? std::string("updates by getUpdates") : "webhooks at " + p.services.public_url + "/tg/<bot id>");
  if (p.config.allow_private_postbacks) spdlog::warn("postbacks to private and loopback addresses are allowed");
  return "";
}

void Service::stop() {
  if (!parts_ || parts_->stopped) return;
  Parts& p = *parts_;
  p.stopped = true;
  p.server.stop();
  if (!p.started) return;
  if (p.checked.poll) p.poller.stop();
  p.reconciler.stop();
  p.rollups.stop();
  p.imports.stop();
  p.telegram_sender.stop();
  p.postback_sender.stop();
  // Completes (as "shutdown") whatever is still in flight while every callback target is alive.
  p.http.reset();
}

std::uint16_t Service::port() const { return parts_->server.port(); }

storage::Store& Service::store() { return parts_->store; }

}  // namespace tglead::app
