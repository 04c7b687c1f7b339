#include "api/envelope.hpp"

#include "domain/welcome_json.hpp"
#include "util/time_format.hpp"
#include "util/json_text.hpp"

namespace tglead::api {

using nlohmann::json;
using namespace tglead::domain;

namespace {


// The envelope is written by hand so "status" comes first, as in the spec's examples.
http::Response envelope(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace

http::Response ok(json data) { return envelope(200, "{\"status\":\"ok\",\"data\":" + util::json_text(data) + "}"); }

http::Response ok_list(json data, std::int64_t total) {
  return envelope(200, "{\"status\":\"ok\",\"data\":" + util::json_text(data) + ",\"total\":" + std::to_string(total) + "}");
}

http::Response error_response(const ApiError& error) {
  return envelope(error.http_status(), "{\"status\":\"error\",\"error\":" + util::json_text(error.code()) +
                                           ",\"message\":" + util::json_text(error.what()) + "}");
}

json templates_json(const TemplateSet& set) {
  json out = json::object();
  for (LeadStatus s : kAllStatuses) out[std::string(status_name(s))] = set[s];
  return out;
}

json bot_json(const Bot& bot) {
  return {{"id", bot.id},
          {"username", bot.username},
          {"name", bot.name},
          {"status", static_cast<int>(bot.status)},
          {"chats", bot.admin_chats}};
}

json chat_json(const Chat& chat) {
  return {{"id", chat.id},       {"title", chat.title},       {"type", chat.type},
          {"username", chat.username}, {"requests", chat.requests}, {"ok", chat.ok}};
}

std::string deep_link(const std::string& bot_username, const std::string& code) {
  return "https://t.me/" + bot_username + "?start=" + code + "-{click}";
}

json campaign_json(const Campaign& c) {
  return {{"id", c.id},
          {"code", c.code},
          {"name", c.name},
          {"bot", c.bot_id},
          {"chat", c.chat_id},
          {"status", c.active ? "active" : "paused"},
          {"warning", c.warning},
          {"link", deep_link(c.bot_username, c.code)},
          {"unsub_window", c.unsub_window},
          {"approve_requests", c.approve_requests},
          {"postbacks", templates_json(c.postbacks)},
          {"messages", templates_json(c.status_messages)},
          {"welcome", welcome_to_json(c.welcome)}};
}

json lead_json(const Lead& l) {
  return {{"id", l.id},
          {"campaign", l.campaign_id},
          {"subscriber", l.subscriber},
          {"username", l.username},
          {"click", l.click},
          {"status", static_cast<int>(l.status)},
          {"start_time", util::format_datetime(l.start_time)},
          {"join_time", util::format_datetime(l.join_time)},
          {"leave_time", util::format_datetime(l.leave_time)},
          {"updated", util::format_datetime(l.updated)}};
}

json journal_json(const JournalEntry& e) {
  return {{"id", e.id},
          {"subscriber", e.subscriber},
          {"username", e.username},
          {"action", journal_action_name(e.action)},
          {"paid", e.paid ? 1 : 0},
          {"time", util::format_datetime(e.time)}};
}

json postback_json(const Postback& p) {
  json attempts = json::array();
  for (const auto& a : p.attempt_log) {
    attempts.push_back({{"time", util::format_datetime(a.time)},
                        {"http_code", a.http_code},
                        {"body", a.body},
                        {"error", a.error}});
  }
  return {{"id", p.id},
          {"status", status_name(p.status)},
          {"url", p.url},
          {"state", postback_state_name(p.state)},
          {"reason", p.reason},
          {"tid", p.tid},
          {"time", util::format_datetime(p.created)},
          {"attempts", std::move(attempts)}};
}

json profile_json(const User& u) {
  return {{"id", u.id},
          {"email", u.email},
          {"api_key", u.api_key},  // the caller's own key: the dashboard reveals it
          {"plan", plan_name(u.plan)},
          {"paid_until", util::format_datetime(u.paid_until)},
          {"postbacks", templates_json(u.postbacks)},
          {"transfer_token", u.transfer_token},
          {"telegram_id", u.telegram_id},
          {"timezone", u.timezone}};
}

}  // namespace tglead::api
