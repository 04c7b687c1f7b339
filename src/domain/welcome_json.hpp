// JSON form of a campaign's welcome message, shared by the API and storage.
//
// Contract: `welcome_from_json` accepts any JSON and keeps only well-typed
// fields (a string where a string belongs), so stored data can never make a
// read fail. Stateless and thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "domain/model.hpp"

namespace tglead::domain {

nlohmann::json welcome_to_json(const Welcome& welcome);
Welcome welcome_from_json(const nlohmann::json& json);
Welcome welcome_from_text(std::string_view text);  // "" or malformed -> empty welcome

}  // namespace tglead::domain
