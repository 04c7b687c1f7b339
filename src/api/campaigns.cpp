// /api/campaigns/*: create, edit, list, pause, resume and delete campaigns.
#include "api/endpoint.hpp"
#include "domain/deeplink.hpp"
#include "domain/plans.hpp"
#include "domain/welcome_json.hpp"

namespace tglead::api {

using namespace tglead::domain;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxWelcomeText = 4096;
constexpr std::size_t kMaxButtons = 8;

Welcome parse_welcome(const json& object) {
  Welcome w = welcome_from_json(object);
  for (const char* key : {"text", "image", "join_button"}) {
    if (object.contains(key) && !object[key].is_string() && !object[key].is_null()) {
      throw ApiError::param(std::string("welcome.") + key + " must be a string");
    }
  }
  if (w.text.size() > kMaxWelcomeText) throw ApiError::param("welcome.text is longer than 4096 characters");
  if (!w.image.empty() && w.image.rfind("https://", 0) != 0 && w.image.rfind("http://", 0) != 0) {
    throw ApiError::param("welcome.image must be an http(s) URL");
  }
  if (object.contains("buttons") && !object["buttons"].is_array() && !object["buttons"].is_object()) {
    throw ApiError::param("welcome.buttons must be a list of {text, url}");
  }
  if (object.contains("buttons") && object["buttons"].is_object()) {
    // Form bodies give buttons[0][text]=...: an object keyed by position.
    w.buttons.clear();
    for (auto& [index, item] : object["buttons"].items()) {
      if (!item.is_object()) continue;
      w.buttons.push_back(Button{item.value("text", ""), item.value("url", "")});
    }
  }
  if (w.buttons.size() > kMaxButtons) throw ApiError::param("welcome.buttons: at most 8 buttons");
  for (const auto& b : w.buttons) {
    if (b.text.empty() || (b.url.rfind("https://", 0) != 0 && b.url.rfind("http://", 0) != 0 &&
                           b.url.rfind("tg://", 0) != 0)) {
      throw ApiError::param("welcome.buttons: every button needs text and an http(s) or tg:// url");
    }
  }
  return w;
}

// Applies the parameters present in the call onto `c` (add and edit share it).
void apply_fields(Call& call, Campaign& c) {
  const Params& p = call.params;
  if (auto bot = p.integer("bot")) c.bot_id = *bot;
  if (auto chat = p.integer("chat")) c.chat_id = *chat;
  if (auto code = p.text("code")) {
    if (!is_valid_campaign_code(*code)) throw ApiError::param("code must be 1-16 letters or digits");
    c.code = *code;
  }
  if (auto name = p.text("name")) {
    if (name->size() > 200) throw ApiError::param("name is longer than 200 characters");
    c.name = *name;
  }
  if (auto window = p.integer("unsub_window")) {
    if (*window < 0) throw ApiError::param("unsub_window must be 0 (infinite) or a number of seconds");
    c.unsub_window = *window;
  }
  if (auto approve = p.boolean("approve_requests")) c.approve_requests = *approve;
  if (auto postbacks = p.object("postbacks")) {
    c.postbacks = parse_templates(*postbacks, c.postbacks, call.services.allow_private_postbacks);
  }
  if (auto welcome = p.object("welcome")) c.welcome = parse_welcome(*welcome);
  if (auto messages = p.object("messages")) {
    for (auto& [key, value] : messages->items()) {
      auto status = parse_status_name(key);
      if (!status) throw ApiError::param("messages." + key + " is not a lead status (wait/hold/approve/cancel/trash)");
      if (!value.is_string() && !value.is_null()) throw ApiError::param("messages." + key + " must be a string");
      std::string text = value.is_string() ? value.get<std::string>() : std::string();
      if (text.size() > kMaxWelcomeText) throw ApiError::param("messages." + key + " is longer than 4096 characters");
      c.status_messages[*status] = std::move(text);
    }
  }
  if (c.name.empty()) c.name = c.code;
}

void check_bot_and_chat(Call& call, const Campaign& c) {
  Bot bot = owned_bot(call, c.bot_id);
  if (bot.status == BotStatus::Deleted) throw ApiError::param("bot " + std::to_string(bot.id) + " was deleted");
  if (!call.services.store.chat(c.bot_id, c.chat_id)) {
    throw ApiError::param("chat " + std::to_string(c.chat_id) +
                          ": the bot is not an administrator there (promote it in the chat first)");
  }
}

void check_plan_limit(storage::WriteTx& tx, const User& user) {
  auto limit = active_campaign_limit(user.plan);
  if (limit && tx.count_active_campaigns(user.id) >= *limit) {
    throw ApiError::limit("the " + std::string(plan_name(user.plan)) + " plan allows " + std::to_string(*limit) +
                          " active campaign(s)");
  }
}

// Uniqueness rules that must hold at commit time, checked inside the write unit.
void check_unique(storage::WriteTx& tx, const Campaign& c) {
  if (tx.code_taken(c.user_id, c.code, c.id)) throw ApiError::exists("campaign code " + c.code + " is already used");
  if (c.active && tx.chat_taken(c.bot_id, c.chat_id, c.id)) {
    throw ApiError::exists("another active campaign already tracks this bot and chat");
  }
}

http::Response reload(Call& call, std::int64_t id) { return ok(campaign_json(owned_campaign(call, id))); }

http::Response add_campaign(Call& call) {
  Campaign c;
  c.user_id = call.user.id;
  c.bot_id = call.params.required_integer("bot");
  c.chat_id = call.params.required_integer("chat");
  call.params.required_text("code");
  apply_fields(call, c);
  check_bot_and_chat(call, c);
  std::int64_t now = call.services.clock();
  std::int64_t id = 0;
  call.services.store.write([&](storage::WriteTx& tx) {
    check_plan_limit(tx, call.user);
    check_unique(tx, c);
    id = tx.insert_campaign(c, now);
  });
  return reload(call, id);
}

// Loads the caller's campaign inside the write unit, so a concurrent edit is never overwritten.
Campaign owned_campaign_in(storage::WriteTx& tx, Call& call, std::int64_t id) {
  auto c = tx.campaign(id);
  if (!c || c->user_id != call.user.id) throw ApiError::notfound("campaign " + std::to_string(id) + " not found");
  return *c;
}

http::Response edit_campaign(Call& call) {
  std::int64_t id = call.params.required_integer("id");
  std::int64_t now = call.services.clock();
  call.services.store.write([&](storage::WriteTx& tx) {
    Campaign c = owned_campaign_in(tx, call, id);
    std::int64_t old_bot = c.bot_id;
    std::int64_t old_chat = c.chat_id;
    apply_fields(call, c);
    if (c.bot_id != old_bot || c.chat_id != old_chat) {
      check_bot_and_chat(call, c);
      c.invite_link.clear();  // the link belonged to the old chat
    }
    check_unique(tx, c);
    tx.update_campaign(c, now);
  });
  return reload(call, id);
}

http::Response list_campaigns(Call& call) {
  std::optional<bool> active;
  if (auto status = call.params.text("status")) {
    if (*status != "active" && *status != "paused") throw ApiError::param("status must be active or paused");
    active = *status == "active";
  }
  json data = json::array();
  auto campaigns = call.services.store.campaigns_of_user(call.user.id, active);
  for (const auto& c : campaigns) data.push_back(campaign_json(c));
  return ok_list(std::move(data), static_cast<std::int64_t>(campaigns.size()));
}

http::Response set_active(Call& call, bool active) {
  std::int64_t id = call.params.required_integer("id");
  std::int64_t now = call.services.clock();
  call.services.store.write([&](storage::WriteTx& tx) {
    Campaign c = owned_campaign_in(tx, call, id);
    if (c.active == active) return;
    if (active) {
      check_bot_and_chat(call, c);
      check_plan_limit(tx, call.user);
    }
    c.active = active;
    if (active) check_unique(tx, c);
    tx.update_campaign(c, now);
  });
  return reload(call, id);
}

http::Response pause_campaign(Call& call) { return set_active(call, false); }
http::Response resume_campaign(Call& call) { return set_active(call, true); }

http::Response delete_campaign(Call& call) {
  Campaign c = owned_campaign(call, call.params.required_integer("id"));
  std::int64_t now = call.services.clock();
  call.services.store.write([&](storage::WriteTx& tx) { tx.delete_campaign(c.id, now); });
  return ok(true);
}

}  // namespace

void add_campaign_endpoints(EndpointMap& map) {
  map["/api/campaigns/add.json"] = add_campaign;
  map["/api/campaigns/edit.json"] = edit_campaign;
  map["/api/campaigns/list.json"] = list_campaigns;
  map["/api/campaigns/pause.json"] = pause_campaign;
  map["/api/campaigns/resume.json"] = resume_campaign;
  map["/api/campaigns/del.json"] = delete_campaign;
}

}  // namespace tglead::api
