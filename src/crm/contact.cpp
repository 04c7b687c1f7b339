#include "crm/contact.hpp"

#include <array>

namespace tglead::crm {

namespace {

constexpr std::array<std::string_view, 5> kSources{"manual", "file_upload", "crawling", "campaign", "api"};
constexpr std::array<std::string_view, 3> kStatuses{"active", "blocked", "archived"};
constexpr std::array<std::string_view, 3> kPriorities{"high", "medium", "low"};

template <typename E, std::size_t N>
std::optional<E> parse(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view source_name(Source s) { return kSources[static_cast<std::size_t>(s)]; }
std::string_view status_name(Status s) { return kStatuses[static_cast<std::size_t>(s)]; }
std::string_view priority_name(Priority p) { return kPriorities[static_cast<std::size_t>(p)]; }
std::optional<Source> parse_source(std::string_view text) { return parse<Source>(kSources, text); }
std::optional<Status> parse_status(std::string_view text) { return parse<Status>(kStatuses, text); }
std::optional<Priority> parse_priority(std::string_view text) { return parse<Priority>(kPriorities, text); }

}  // namespace tglead::crm
