// The Telegram webhook receiver, POST /tg/<bot_id> (§6.2).
//
// Contract: answers 401 unless the secret header matches the bot's secret;
// 400 for a body that is not an Update; 200 once the update is durably
// applied (or recognised as a duplicate); 503 when it could not be stored, so
// Telegram delivers it again. Never throws. Thread-safe.
#pragma once

#include <string_view>

#include "api/services.hpp"
#include "http/message.hpp"

namespace tglead::api {

http::Response receive_webhook(Services& services, const http::Request& request, std::string_view bot_id_text);

}  // namespace tglead::api
