#include "api/webhook.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <charconv>

#include "api/envelope.hpp"
#include "telegram/update.hpp"
#include "tracking/tracker.hpp"

namespace tglead::api {

namespace {

bool same_secret(std::string_view given, const std::string& expected) {
  // Constant time, so the secret cannot be guessed byte by byte from timings.
  return given.size() == expected.size() && !expected.empty() &&
         sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

http::Response receive_webhook(Services& services, const http::Request& request, std::string_view bot_id_text) {
  if (request.method != "POST") return error_response(ApiError::param("webhooks are POSTed"));
  std::int64_t bot_id = 0;
  auto [end, error] = std::from_chars(bot_id_text.data(), bot_id_text.data() + bot_id_text.size(), bot_id);
  if (error != std::errc() || end != bot_id_text.data() + bot_id_text.size()) {
    return error_response(ApiError::auth("unknown bot"));
  }
  try {
    auto bot = services.store.bot(bot_id);
    if (!bot || bot->status == domain::BotStatus::Deleted ||
        !same_secret(request.header("x-telegram-bot-api-secret-token"), bot->secret)) {
      return error_response(ApiError::auth("wrong or missing secret token"));
    }
    auto parsed = telegram::parse_update(request.body);
    if (auto* problem = std::get_if<telegram::ParseError>(&parsed)) {
      spdlog::warn("bot {}: rejected update: {}", bot_id, problem->message);
      return error_response(ApiError::param(problem->message));
    }
    const auto& update = std::get<telegram::Update>(parsed);
    std::int64_t now = services.clock();
    tracking::Outcome outcome = tracking::Outcome::Ignored;
    services.store.write([&](storage::WriteTx& tx) { outcome = tracking::apply_update(tx, *bot, update, now); });
    if (outcome == tracking::Outcome::Applied) services.wake_senders();
    return http::Response{200, "application/json", "{\"status\":\"ok\"}", {}};
  } catch (const std::exception& e) {
    spdlog::error("bot {}: update not stored: {}", bot_id, e.what());
    return error_response(ApiError::busy("update not stored; Telegram will deliver it again"));
  }
}

}  // namespace tglead::api
