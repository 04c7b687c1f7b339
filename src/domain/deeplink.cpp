#include "domain/deeplink.hpp"

#include "util/ascii.hpp"

namespace tglead::domain {

namespace {

constexpr std::string_view kCommand = "/start";
constexpr std::size_t kMaxPayload = 64;
constexpr std::size_t kMaxCode = 16;

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_valid_payload(std::string_view p) {
  if (p.empty() || p.size() > kMaxPayload) return false;
  for (const char c : p) {
    if (!(is_alnum(c) || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

StartCommand parse_start_command(std::string_view text, std::string_view bot_username) {
  StartCommand out;
  if (text.size() < kCommand.size() || !util::ascii_iequals(text.substr(0, kCommand.size()), kCommand)) {
    return out;
  }
  std::string_view rest = text.substr(kCommand.size());

  if (!rest.empty() && rest.front() == '@') {
    std::size_t end = 1;
    while (end < rest.size() && !is_space(rest[end])) ++end;
    const std::string_view mention = rest.substr(1, end - 1);
    if (!bot_username.empty() && bot_username.front() == '@') bot_username.remove_prefix(1);
    if (mention.empty()) return out;
    if (!bot_username.empty() && !util::ascii_iequals(mention, bot_username)) return out;
    rest = rest.substr(end);
  }

  // "/started", "/start-x", "/start_x" are other commands.
  if (!rest.empty() && !is_space(rest.front())) return out;

  const std::string_view payload = trim(rest);
  if (payload.empty()) {
    out.kind = StartKind::Bare;
    return out;
  }
  if (!is_valid_payload(payload)) {
    out.kind = StartKind::InvalidPayload;
    return out;
  }
  out.kind = StartKind::Payload;
  const std::size_t dash = payload.find('-');
  out.code = std::string(payload.substr(0, dash));
  if (dash != std::string_view::npos) out.click = std::string(payload.substr(dash + 1));
  return out;
}

bool is_valid_campaign_code(std::string_view code) {
  if (code.empty() || code.size() > kMaxCode) return false;
  for (const char c : code) {
    if (!is_alnum(c)) return false;
  }
  return true;
}

}  // namespace tglead::domain
