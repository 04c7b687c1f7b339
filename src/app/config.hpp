// Settings of `tglead serve` and the other commands, from flags or TGLEAD_*
// environment variables (§6.1), and their parsing.
//
// Contract: the parse_* helpers return nullopt/"" on malformed input so the
// CLI can print a clear error; plain values otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tglead::app {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string db = "sqlite:tglead.db";
  std::string public_url = "http://127.0.0.1:8080";
  std::string telegram_api = "https://api.telegram.org";
  std::string updates = "webhook";
  bool allow_private_postbacks = false;
  std::string log_level = "info";
  std::size_t workers = 32;
  std::string reconcile_every = "10m";  // §3.14; "0" turns the reconciler off
  std::string postback_retry_delays = "1m,5m,30m,2h,6h";  // §4; waits before retries 1, 2, ...
};

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

std::optional<ListenAddress> parse_listen(const std::string& text);

// "sqlite:PATH" or a bare path -> PATH. Anything else (postgresql://...) -> nullopt.
std::optional<std::string> sqlite_path(const std::string& db);

// "90", "30s", "10m", "2h" -> seconds; nullopt when malformed.
std::optional<std::int64_t> parse_duration(const std::string& text);

// "1m,5m,30m,2h" -> seconds per retry: 1 to domain::kMaxRetryDelays
// durations (parse_duration's forms, spaces around entries allowed), each
// 1 s .. 7 days. nullopt with `error` set to a one-line reason otherwise.
std::optional<std::vector<std::int64_t>> parse_retry_delays(const std::string& text, std::string& error);

// Strips trailing slashes so "<base>/tg/<id>" and "<base>/bot<token>" join cleanly.
std::string trim_base_url(std::string url);

}  // namespace tglead::app
