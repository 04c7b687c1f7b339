// `tglead demo`: the service on a fresh SQLite file beside a simulated
// Telegram and a local tracker, with a demo account, bot, two chats, two
// campaigns and live traffic, so a newcomer sees every page alive.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/service.hpp"
#include "demo/simulator.hpp"
#include "demo/telegram_double.hpp"
#include "domain/tracker_presets.hpp"
#include "net/curl_http_client.hpp"
#include "util/password.hpp"
#include "util/random.hpp"

namespace tglead::app {

using nlohmann::json;

namespace {

constexpr std::int64_t kDemoBotId = 7412583690;
constexpr const char* kDemoEmail = "demo@tglead.local";
constexpr const char* kDemoPassword = "demo";

json call_api(net::HttpClient& http, const std::string& base, const std::string& key, const std::string& path,
              const json& body) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = base + path;
  request.body = body.dump();
  request.content_type = "application/json";
  request.headers.push_back("Authorization: Bearer " + key);
  auto response = http.perform(std::move(request));
  json answer = json::parse(response.body, nullptr, false);
  if (!response.transport_ok() || answer.is_discarded() || answer.value("status", "") != "ok") {
    throw std::runtime_error("demo setup: " + path + " failed: " + response.error + " " + response.body);
  }
  return answer["data"];
}

json preset_postbacks(const std::string& tracker, const std::string& base) {
  for (const auto& preset : domain::tracker_presets(base)) {
    if (preset.id != tracker) continue;
    json out = json::object();
    for (auto status : domain::kAllStatuses) out[std::string(domain::status_name(status))] = preset.postbacks[status];
    return out;
  }
  return json::object();
}

}  // namespace

int demo(const DemoOptions& options) {
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  auto path = sqlite_path(options.db);
  if (!path) {
    std::cerr << "tglead: unsupported --db '" << options.db << "' (use sqlite:PATH)\n";
    return 2;
  }
  if (std::filesystem::exists(*path)) {
    if (!options.db_is_default) {
      std::cerr << "tglead: the demo needs a fresh database and " << *path << " exists\n";
      return 2;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(*path + suffix);
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    demo::TelegramDouble telegram("tglead_demo_bot");
    http::ServerOptions sink_options;
    sink_options.port = 0;
    sink_options.worker_threads = 2;
    http::Server tracker(sink_options, [](const http::Request&) { return http::Response{200, "text/plain", "OK", {}}; });
    for (auto* error : {new std::string(telegram.start()), new std::string(tracker.start())}) {
      std::unique_ptr<std::string> owned(error);
      if (!owned->empty()) throw std::runtime_error(*owned);
    }

    ServeConfig config;
    config.listen = options.listen;
    config.db = "sqlite:" + *path;
    config.public_url = "http://" + options.listen;
    config.telegram_api = telegram.base_url();
    config.allow_private_postbacks = true;  // the demo tracker listens on 127.0.0.1
    config.reconcile_every = "1m";
    config.log_level = options.log_level;
    Service service(config);
    if (auto error = service.start(); !error.empty()) throw std::runtime_error(error);
    std::string base = "http://127.0.0.1:" + std::to_string(service.port());

    domain::User user;
    user.email = kDemoEmail;
    user.password_hash = util::hash_password(kDemoPassword);
    user.api_key = util::random_token(24);
    user.transfer_token = util::random_token(12);
    user.plan = domain::Plan::Tiger;
    user.paid_until = static_cast<std::int64_t>(std::time(nullptr)) + 365 * 86400;
    service.store().write([&](storage::WriteTx& tx) { tx.insert_user(user); });

    net::CurlHttpClient http;
    call_api(http, base, user.api_key, "/api/bots/add.json", {{"token", std::to_string(kDemoBotId) + ":DEMO-token"}});
    std::vector<demo::DemoChat> chats = {
        {-1002381745923, "Crypto Signals Daily", "channel", "CAMP42", false},
        {-1002214567389, "Daily Deals EU Chat", "supergroup", "DEALS7", true},
    };
    demo::Simulator simulator(http, telegram, base, kDemoBotId, chats);
    telegram.on_approve([&simulator](std::int64_t chat, std::int64_t user_id) { simulator.approved(chat, user_id); });
    simulator.promote_bot();

    std::string sink = "http://127.0.0.1:" + std::to_string(tracker.port());
    call_api(http, base, user.api_key, "/api/campaigns/add.json",
             {{"bot", kDemoBotId}, {"chat", chats[0].id}, {"code", chats[0].code}, {"name", "Crypto signals / Keitaro"},
              {"unsub_window", 3 * 86400},
              {"postbacks", preset_postbacks("keitaro", sink + "/keitaro/postback")},
              {"welcome", {{"text", "Hi {first_name}! Signals drop daily at 9:00 UTC."}, {"join_button", "Join the channel"}}}});
    call_api(http, base, user.api_key, "/api/campaigns/add.json",
             {{"bot", kDemoBotId}, {"chat", chats[1].id}, {"code", chats[1].code}, {"name", "Deals chat / Binom"},
              {"unsub_window", 0}, {"approve_requests", true},
              {"postbacks", preset_postbacks("binom", sink + "/click.php")},
              {"welcome", {{"text", "Welcome, {first_name}! Request to join and we let you in."},
                           {"join_button", "Request to join"}}}});

    std::cout << "Loading two weeks of demo traffic..." << std::endl;
    simulator.backfill(14);
    simulator.start();
    std::cout << "\ntglead demo is running: " << base << "/\n"
              << "  log in as " << kDemoEmail << " / password " << kDemoPassword << "\n"
              << "  API key: " << user.api_key << "\n"
              << "  simulated Telegram: " << telegram.base_url() << ", tracker: " << sink << "\n"
              << "Press Ctrl+C to stop." << std::endl;

    int signal_number = 0;
    sigwait(&signals, &signal_number);
    simulator.stop();
    service.stop();
    tracker.stop();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tglead: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace tglead::app
