#include "app/config.hpp"

#include <charconv>

#include "domain/retry_policy.hpp"

namespace tglead::app {

std::optional<ListenAddress> parse_listen(const std::string& text) {
  ListenAddress out;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    out.host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    out.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) return std::nullopt;
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

std::optional<std::string> sqlite_path(const std::string& db) {
  constexpr std::string_view kPrefix = "sqlite:";
  if (db.rfind(kPrefix, 0) == 0) {
    std::string path = db.substr(kPrefix.size());
    if (path.rfind("//", 0) == 0) path = path.substr(2);  // sqlite://path
    if (path.empty()) return std::nullopt;
    return path;
  }
  if (db.find("://") != std::string::npos || db.empty()) return std::nullopt;
  return db;
}

std::optional<std::int64_t> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  std::string digits = text;
  switch (text.back()) {
    case 's': unit = 1; digits.pop_back(); break;
    case 'm': unit = 60; digits.pop_back(); break;
    case 'h': unit = 3600; digits.pop_back(); break;
    default: break;
  }
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty() || value < 0) return std::nullopt;
  if (value > 365LL * 86400 / unit) return std::nullopt;
  return value * unit;
}

std::optional<std::vector<std::int64_t>> parse_retry_delays(const std::string& text, std::string& error) {
  std::vector<std::int64_t> delays;
  std::size_t pos = 0;
  for (;;) {
    std::size_t comma = text.find(',', pos);
    std::string entry = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    entry.erase(0, entry.find_first_not_of(' '));
    entry.erase(entry.find_last_not_of(' ') + 1);
    auto seconds = parse_duration(entry);
    if (!seconds) {
      error = "'" + entry + "' (entry " + std::to_string(delays.size() + 1) +
              ") is not a duration such as 30s, 5m or 2h";
      return std::nullopt;
    }
    delays.push_back(*seconds);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  error = domain::check_retry_delays(delays);
  if (!error.empty()) return std::nullopt;
  return delays;
}

std::string trim_base_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace tglead::app
