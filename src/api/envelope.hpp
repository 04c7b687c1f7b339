// The JSON envelope of every User API answer (§6.3) and the model
// serialisations shared by the endpoints.
//
// Contract: pure functions of their arguments; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "api/api_error.hpp"
#include "domain/model.hpp"
#include "http/message.hpp"

namespace tglead::api {

http::Response ok(nlohmann::json data);
http::Response ok_list(nlohmann::json data, std::int64_t total);
http::Response error_response(const ApiError& error);

nlohmann::json templates_json(const domain::TemplateSet& set);
nlohmann::json bot_json(const domain::Bot& bot);
nlohmann::json chat_json(const domain::Chat& chat);
nlohmann::json campaign_json(const domain::Campaign& campaign);
nlohmann::json lead_json(const domain::Lead& lead);
nlohmann::json journal_json(const domain::JournalEntry& entry);
nlohmann::json postback_json(const domain::Postback& postback);
nlohmann::json profile_json(const domain::User& user);

// https://t.me/<bot>?start=<code>-{click}
std::string deep_link(const std::string& bot_username, const std::string& code);

}  // namespace tglead::api
