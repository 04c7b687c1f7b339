// /api/bots/*: connect a bot by token, list bots and their chats, disconnect.
#include <regex>

#include <spdlog/spdlog.h>

#include "api/endpoint.hpp"
#include "util/random.hpp"

namespace tglead::api {

using namespace tglead::domain;
using nlohmann::json;

namespace {

bool plausible_token(const std::string& token) {
  // <bot id>:<secret>; anything else cannot be a token and must not reach a URL path.
  static const std::regex shape(R"(^[0-9]{1,20}:[A-Za-z0-9_-]{1,128}$)");
  return std::regex_match(token, shape);
}

http::Response add_bot(Call& call) {
  std::string token = call.params.required_text("token");
  if (!plausible_token(token)) throw ApiError::token("this is not a bot token (expected 123456:ABC-...)");
  auto& api = call.services.bot_api;

  auto me = api.call(token, "getMe", json::object());
  if (!me.ok) {
    if (me.error_code == 0) throw ApiError::busy("the Telegram Bot API is unreachable: " + me.description);
    throw ApiError::token("Telegram rejected the token: " + me.description);
  }
  Bot bot;
  bot.id = me.result.value("id", std::int64_t{0});
  bot.username = me.result.value("username", std::string());
  bot.name = me.result.value("first_name", std::string());
  if (bot.id == 0) throw ApiError::token("getMe returned no bot id");
  if (auto existing = call.services.store.bot(bot.id); existing && existing->status != BotStatus::Deleted) {
    throw ApiError::exists("bot @" + bot.username + " is already connected");
  }
  bot.user_id = call.user.id;
  bot.token = token;
  bot.secret = util::random_token(24);

  if (call.services.poll_updates) {
    // getUpdates refuses to work while a webhook is set.
    auto removed = api.call(token, "deleteWebhook", json{{"drop_pending_updates", false}});
    if (!removed.ok) throw ApiError::webhook("deleteWebhook failed: " + removed.description);
  } else {
    json hook{{"url", call.services.public_url + "/tg/" + std::to_string(bot.id)},
              {"secret_token", bot.secret},
              {"allowed_updates", telegram::BotApi::allowed_updates()},
              {"max_connections", 40},
              {"drop_pending_updates", false}};
    auto set = api.call(token, "setWebhook", hook);
    if (!set.ok) throw ApiError::webhook("setWebhook failed: " + set.description);
  }

  call.services.store.write([&](storage::WriteTx& tx) {
    tx.upsert_bot(bot);
    tx.refresh_bot_status(bot.id);
  });
  auto stored = call.services.store.bot(bot.id);
  auto listed = call.services.store.bots_of_user(call.user.id);
  for (const auto& b : listed) {
    if (b.id == bot.id) return ok(bot_json(b));
  }
  return ok(bot_json(stored.value_or(bot)));
}

http::Response list_bots(Call& call) {
  json data = json::array();
  auto bots = call.services.store.bots_of_user(call.user.id);
  for (const auto& bot : bots) data.push_back(bot_json(bot));
  return ok_list(std::move(data), static_cast<std::int64_t>(bots.size()));
}

http::Response list_chats(Call& call) {
  Bot bot = owned_bot(call, call.params.required_integer("bot"));
  json data = json::array();
  auto chats = call.services.store.chats_of_bot(bot.id);
  for (const auto& chat : chats) data.push_back(chat_json(chat));
  return ok_list(std::move(data), static_cast<std::int64_t>(chats.size()));
}

http::Response delete_bot(Call& call) {
  Bot bot = owned_bot(call, call.params.required_integer("id"));
  if (bot.status == BotStatus::Deleted) throw ApiError::notfound("bot " + std::to_string(bot.id) + " is already deleted");
  auto result = call.services.bot_api.call(bot.token, "deleteWebhook", json{{"drop_pending_updates", false}});
  // The bot is disconnected either way: once deleted, its webhook calls are refused.
  if (!result.ok) spdlog::warn("bot {}: deleteWebhook failed: {}", bot.id, result.description);
  std::int64_t now = call.services.clock();
  call.services.store.write([&](storage::WriteTx& tx) {
    tx.set_bot_status(bot.id, BotStatus::Deleted);
    // Its campaigns can no longer track anything; pausing them frees the plan's slots.
    for (auto campaign : tx.active_campaigns_of_bot(bot.id)) {
      campaign.active = false;
      tx.update_campaign(campaign, now);
    }
  });
  return ok(true);
}

}  // namespace

void add_bot_endpoints(EndpointMap& map) {
  map["/api/bots/add.json"] = add_bot;
  map["/api/bots/list.json"] = list_bots;
  map["/api/bots/chats.json"] = list_chats;
  map["/api/bots/del.json"] = delete_bot;
}

}  // namespace tglead::api
