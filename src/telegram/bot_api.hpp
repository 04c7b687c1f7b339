// A client for the Telegram Bot API (or any server speaking it, such as a
// self-hosted telegram-bot-api or a test double), over net::HttpClient.
//
// Contract: methods are POSTed as JSON to `<base>/bot<token>/<method>`. A
// transport failure or a non-JSON answer becomes `ok == false` with
// `error_code == 0`. Thread-safe if the HttpClient is (CurlHttpClient is).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "net/http_client.hpp"

namespace tglead::telegram {

struct ApiResult {
  bool ok = false;
  nlohmann::json result;
  int error_code = 0;          // Telegram's, or 0 when the call never got an answer
  std::string description;
  std::int64_t retry_after = 0;
  std::int64_t migrate_to_chat_id = 0;
};

class BotApi {
 public:
  BotApi(net::HttpClient& http, std::string base_url) : http_(http), base_url_(std::move(base_url)) {}

  ApiResult call(const std::string& token, const std::string& method, const nlohmann::json& params);
  void call_async(const std::string& token, const std::string& method, const nlohmann::json& params,
                  std::function<void(ApiResult)> done);

  // The allowed_updates tglead needs (§6.2).
  static nlohmann::json allowed_updates();

 private:
  net::HttpRequest request(const std::string& token, const std::string& method, const nlohmann::json& params) const;

  net::HttpClient& http_;
  std::string base_url_;
};

ApiResult parse_api_answer(const net::HttpResponse& response);

}  // namespace tglead::telegram
