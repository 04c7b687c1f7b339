// /api/profile/*: the account's profile, global postbacks and API key.
#include <regex>

#include "api/endpoint.hpp"
#include "util/random.hpp"
#include "util/time_format.hpp"

namespace tglead::api {

using nlohmann::json;

namespace {

http::Response get_profile(Call& call) { return ok(profile_json(call.user)); }

// Read-modify-write inside the write unit, so concurrent edits never lose each other's fields.
domain::User modify_user(Call& call, const std::function<void(domain::User&)>& change) {
  domain::User user;
  call.services.store.write([&](storage::WriteTx& tx) {
    user = tx.user(call.user.id).value_or(call.user);
    change(user);
    tx.update_user(user);
  });
  return user;
}

http::Response edit_profile(Call& call) {
  std::optional<nlohmann::json> postbacks = call.params.object("postbacks");
  std::optional<std::int64_t> telegram_id = call.params.integer("telegram_id");
  if (telegram_id && *telegram_id < 0) throw ApiError::param("telegram_id must be a Telegram user id");
  std::optional<std::string> zone = call.params.text("timezone");
  static const std::regex shape(R"(^[A-Za-z][A-Za-z0-9_+/-]{0,63}$)");
  if (zone && !std::regex_match(*zone, shape)) {
    throw ApiError::param("timezone must be an IANA name such as Europe/Berlin");
  }
  domain::User user = modify_user(call, [&](domain::User& u) {
    if (postbacks) u.postbacks = parse_templates(*postbacks, u.postbacks, call.services.allow_private_postbacks);
    if (telegram_id) u.telegram_id = *telegram_id;
    if (zone) u.timezone = *zone;
  });
  return ok(profile_json(user));
}

http::Response new_key(Call& call) {
  std::string key = util::random_token(24);
  modify_user(call, [&](domain::User& u) { u.api_key = key; });
  return ok(json{{"key", key}});
}

http::Response list_notices(Call& call) {
  json data = json::array();
  auto notices = call.services.store.notices(call.user.id);
  for (const auto& n : notices) {
    data.push_back({{"id", n.id}, {"text", n.text}, {"time", util::format_datetime(n.created)}});
  }
  return ok_list(std::move(data), static_cast<std::int64_t>(notices.size()));
}

http::Response dismiss_notice(Call& call) {
  std::int64_t id = call.params.required_integer("id");
  bool dismissed = false;
  call.services.store.write([&](storage::WriteTx& tx) { dismissed = tx.dismiss_notice(call.user.id, id); });
  if (!dismissed) throw ApiError::notfound("notice " + std::to_string(id) + " not found");
  return ok(true);
}

}  // namespace

void add_profile_endpoints(EndpointMap& map) {
  map["/api/notices/list.json"] = list_notices;
  map["/api/notices/dismiss.json"] = dismiss_notice;
  map["/api/profile/get.json"] = get_profile;
  map["/api/profile/edit.json"] = edit_profile;
  map["/api/profile/key.json"] = new_key;
}

}  // namespace tglead::api
