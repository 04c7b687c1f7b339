#include "domain/lead_status.hpp"

namespace tglead::domain {

namespace {

constexpr std::array<std::string_view, 5> kNames = {"wait", "hold", "approve", "cancel", "trash"};

bool iequals_ascii(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_b[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view status_name(LeadStatus status) {
  const int code = static_cast<int>(status);
  if (code < 0 || code >= static_cast<int>(kNames.size())) return {};
  return kNames[static_cast<std::size_t>(code)];
}

std::optional<LeadStatus> parse_status_name(std::string_view name) {
  for (const LeadStatus s : kAllStatuses) {
    if (iequals_ascii(name, status_name(s))) return s;
  }
  return std::nullopt;
}

std::optional<LeadStatus> status_from_code(std::int64_t code) {
  if (code < 0 || code >= static_cast<std::int64_t>(kAllStatuses.size())) return std::nullopt;
  return static_cast<LeadStatus>(code);
}

}  // namespace tglead::domain
