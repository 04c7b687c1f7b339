#include "telegram/bot_api.hpp"

namespace tglead::telegram {

ApiResult parse_api_answer(const net::HttpResponse& response) {
  ApiResult out;
  if (!response.transport_ok()) {
    out.description = response.error;
    return out;
  }
  auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    out.error_code = static_cast<int>(response.status);
    out.description = "unexpected answer from the Bot API (HTTP " + std::to_string(response.status) + ")";
    return out;
  }
  out.ok = body.value("ok", false);
  if (out.ok) {
    out.result = body.contains("result") ? body["result"] : nlohmann::json();
    return out;
  }
  out.error_code = body.value("error_code", static_cast<int>(response.status));
  out.description = body.value("description", std::string("error"));
  if (auto it = body.find("parameters"); it != body.end() && it->is_object()) {
    out.retry_after = it->value("retry_after", std::int64_t{0});
    out.migrate_to_chat_id = it->value("migrate_to_chat_id", std::int64_t{0});
  }
  return out;
}

net::HttpRequest BotApi::request(const std::string& token, const std::string& method,
                                 const nlohmann::json& params) const {
  net::HttpRequest req;
  req.method = "POST";
  req.url = base_url_ + "/bot" + token + "/" + method;
  req.body = params.dump();
  req.content_type = "application/json";
  // getUpdates long polls for up to its own timeout.
  req.timeout_ms = method == "getUpdates" ? 65000 : 15000;
  req.max_response_bytes = 4 << 20;
  return req;
}

ApiResult BotApi::call(const std::string& token, const std::string& method, const nlohmann::json& params) {
  return parse_api_answer(http_.perform(request(token, method, params)));
}

void BotApi::call_async(const std::string& token, const std::string& method, const nlohmann::json& params,
                        std::function<void(ApiResult)> done) {
  http_.submit(request(token, method, params),
               [done = std::move(done)](net::HttpResponse response) { done(parse_api_answer(response)); });
}

nlohmann::json BotApi::allowed_updates() {
  return nlohmann::json::array({"message", "my_chat_member", "chat_member", "chat_join_request"});
}

}  // namespace tglead::telegram
