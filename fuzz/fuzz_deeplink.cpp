// libFuzzer target: domain::parse_start_command and is_valid_campaign_code on any text.
// Checks the §3.1 invariants on what it returns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "domain/deeplink.hpp"

namespace {

bool payload_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // First line: the bot username; the rest: the message text.
  std::size_t nl = in.find('\n');
  std::string_view username = nl == std::string_view::npos ? std::string_view("subtrack_demo_bot") : in.substr(0, nl);
  std::string_view text = nl == std::string_view::npos ? in : in.substr(nl + 1);
  auto cmd = tglead::domain::parse_start_command(text, username);
  if (cmd.kind == tglead::domain::StartKind::Payload) {
    // A valid payload is [A-Za-z0-9_-]{1,64}, split on the first '-' (which belongs to
    // neither part, so "/start -" is a payload with an empty code and an empty click).
    std::size_t total = cmd.code.size() + cmd.click.size();
    if (total > 64) std::abort();
    if (cmd.code.find('-') != std::string::npos) std::abort();
    for (char c : cmd.code) if (!payload_char(c)) std::abort();
    for (char c : cmd.click) if (!payload_char(c)) std::abort();
  } else if (!cmd.code.empty() || !cmd.click.empty()) {
    std::abort();  // code/click are only set for a valid payload
  }
  (void)tglead::domain::is_valid_campaign_code(text);
  return 0;
}
