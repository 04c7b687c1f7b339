// Settings of `tglead serve` and the other commands, from flags or TGLEAD_*
// environment variables (§6.1), and their parsing.
//
// Contract: the parse_* helpers return nullopt/"" on malformed input so the
// CLI can print a clear error; plain values otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

// Strips trailing slashes so "<base>/tg/<id>" and "<base>/bot<token>" join cleanly.
std::string trim_base_url(std::string url);

}  // namespace tglead::app
