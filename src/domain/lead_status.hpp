// Lead statuses and their two external spellings (PRODUCT.md §2.1): the
// numeric code used by the API and storage, and the lowercase name used in
// postback {status} macros, CSV exports and the dashboard. Both are part of the
// public contract and must never be renumbered or renamed.
//
// Thread-safety: pure functions over constants; safe from any thread.

#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tglead::domain {

enum class LeadStatus : int { Wait = 0, Hold = 1, Approve = 2, Cancel = 3, Trash = 4 };

inline constexpr std::array<LeadStatus, 5> kAllStatuses = {
    LeadStatus::Wait, LeadStatus::Hold, LeadStatus::Approve, LeadStatus::Cancel, LeadStatus::Trash};

// "wait", "hold", "approve", "cancel", "trash". A value outside the enum (only
// possible through a bad cast) gives "".
std::string_view status_name(LeadStatus status);

// The numeric API code, 0..4.
constexpr int status_code(LeadStatus status) { return static_cast<int>(status); }

// Inverse of status_name(). ASCII case-insensitive ("Approve" is accepted,
// since dashboards and humans are not careful about case); no whitespace.
std::optional<LeadStatus> parse_status_name(std::string_view name);

// 0..4 -> status; anything else -> nullopt. Takes int64 so API parameters can
// be passed through without a narrowing cast that could wrap into range.
std::optional<LeadStatus> status_from_code(std::int64_t code);

}  // namespace tglead::domain
