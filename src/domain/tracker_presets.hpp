// Ready-made postback template sets for the ad trackers users run (§4,
// reference/trackers.md §3.1–3.8): the click macro to put in the deep link
// and one template per lead status with the tracker's own status vocabulary.
//
// Contract: pure data and string assembly; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/postback_template.hpp"

namespace tglead::domain {

struct TrackerPreset {
  std::string id;           // "keitaro"
  std::string name;         // "Keitaro"
  std::string click_macro;  // the tracker's macro that fills {click} in the deep link
  std::string base;         // placeholder endpoint the user replaces with their own
  TemplateSet postbacks;    // for `base`
};

// All presets; with a non-empty `base`, templates use it instead of the placeholder
// (a base that already has a query string gets the preset's parameters after '&').
std::vector<TrackerPreset> tracker_presets(std::string_view base = {});

}  // namespace tglead::domain
