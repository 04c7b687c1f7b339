#include "domain/lead_status.hpp"

#include "util/ascii.hpp"

namespace tglead::domain {

namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"wait", "hold", "approve", "cancel", "trash"};

}  // namespace

std::string_view status_name(LeadStatus status) {
  const int code = static_cast<int>(status);
  if (code < 0 || code >= static_cast<int>(kStatusNames.size())) return {};
  return kStatusNames[static_cast<std::size_t>(code)];
}

std::optional<LeadStatus> parse_status_name(std::string_view name) {
  for (const LeadStatus s : kAllStatuses) {
    if (util::ascii_iequals(name, status_name(s))) return s;
  }
  return std::nullopt;
}

std::optional<LeadStatus> status_from_code(std::int64_t code) {
  if (code < 0 || code >= static_cast<std::int64_t>(kAllStatuses.size())) return std::nullopt;
  return static_cast<LeadStatus>(code);
}

}  // namespace tglead::domain
