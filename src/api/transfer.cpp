// /api/transfer/send.json: hands a campaign, or a bot with all its campaigns,
// to another account identified by its transfer token. History moves along.
#include "api/endpoint.hpp"
#include "domain/plans.hpp"

namespace tglead::api {

using namespace tglead::domain;

namespace {

void check_room(storage::WriteTx& tx, const User& recipient, const Campaign& c) {
  if (tx.code_taken(recipient.id, c.code, c.id)) {
    throw ApiError::exists("the recipient already has a campaign with code " + c.code);
  }
  auto limit = active_campaign_limit(recipient.plan);
  if (c.active && limit && tx.count_active_campaigns(recipient.id) >= *limit) {
    throw ApiError::limit("the recipient's plan has no room for another active campaign");
  }
}

http::Response send(Call& call) {
  std::string token = call.params.required_text("to");
  auto recipient = call.services.store.user_by_transfer_token(token);
  if (!recipient) throw ApiError::notfound("no account has this transfer token");
  if (recipient->id == call.user.id) throw ApiError::param("to: that is your own transfer token");
  auto bot_id = call.params.integer("bot");
  auto campaign_id = call.params.integer("campaign");
  if (bot_id.has_value() == campaign_id.has_value()) throw ApiError::param("give either bot or campaign");
  std::int64_t now = call.services.clock();

  if (campaign_id) {
    Campaign c = owned_campaign(call, *campaign_id);
    call.services.store.write([&](storage::WriteTx& tx) {
      check_room(tx, *recipient, c);
      tx.move_campaign(c.id, call.user.id, recipient->id, now);
    });
    return ok(true);
  }
  Bot bot = owned_bot(call, *bot_id);
  if (bot.status == BotStatus::Deleted) throw ApiError::notfound("bot " + std::to_string(bot.id) + " was deleted");
  call.services.store.write([&](storage::WriteTx& tx) {
    tx.move_bot(bot.id, recipient->id);
    for (const auto& c : call.services.store.campaigns_of_user(call.user.id, std::nullopt)) {
      if (c.bot_id != bot.id) continue;
      check_room(tx, *recipient, c);
      tx.move_campaign(c.id, call.user.id, recipient->id, now);
    }
  });
  return ok(true);
}

}  // namespace

void add_transfer_endpoints(EndpointMap& map) { map["/api/transfer/send.json"] = send; }

}  // namespace tglead::api
