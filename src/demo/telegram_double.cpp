#include "demo/telegram_double.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "util/url.hpp"

namespace tglead::demo {

using nlohmann::json;

namespace {

http::Response answer(const json& result) {
  return http::Response{200, "application/json", json{{"ok", true}, {"result", result}}.dump(), {}};
}

http::ServerOptions loopback() {
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.worker_threads = 4;
  return options;
}

}  // namespace

TelegramDouble::TelegramDouble(std::string bot_username)
    : bot_username_(std::move(bot_username)),
      server_(loopback(), [this](const http::Request& request) { return handle(request); }) {}

TelegramDouble::~TelegramDouble() { server_.stop(); }

std::string TelegramDouble::start() { return server_.start(); }

std::string TelegramDouble::base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

std::string TelegramDouble::webhook_secret(std::int64_t bot_id) const {
  std::lock_guard lock(mutex_);
  auto it = secrets_.find(bot_id);
  return it == secrets_.end() ? std::string() : it->second;
}

void TelegramDouble::set_member(std::int64_t chat_id, std::int64_t user_id, const std::string& status) {
  std::lock_guard lock(mutex_);
  members_[{chat_id, user_id}] = status;
}

void TelegramDouble::on_approve(std::function<void(std::int64_t, std::int64_t)> callback) {
  std::lock_guard lock(mutex_);
  on_approve_ = std::move(callback);
}

std::int64_t TelegramDouble::messages_sent() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

http::Response TelegramDouble::handle(const http::Request& request) {
  // /bot<token>/<method>
  std::string_view path = request.path;
  auto slash = path.find('/', 1);
  if (path.rfind("/bot", 0) != 0 || slash == std::string_view::npos) {
    return http::Response{404, "application/json", R"({"ok":false,"error_code":404,"description":"Not Found"})", {}};
  }
  std::string token(path.substr(4, slash - 4));
  std::string method(path.substr(slash + 1));
  std::int64_t bot_id = std::atoll(token.substr(0, token.find(':')).c_str());
  json params = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
  if (!params.is_object()) params = json::object();
  std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));

  if (method == "getMe") {
    return answer({{"id", bot_id}, {"is_bot", true}, {"first_name", "tglead demo"}, {"username", bot_username_}});
  }
  if (method == "setWebhook") {
    std::lock_guard lock(mutex_);
    secrets_[bot_id] = params.value("secret_token", "");
    return answer(true);
  }
  if (method == "sendMessage" || method == "sendPhoto") {
    std::lock_guard lock(mutex_);
    ++messages_;
    return answer({{"message_id", messages_}, {"date", now}, {"chat", {{"id", params.value("chat_id", 0LL)}, {"type", "private"}}}});
  }
  if (method == "createChatInviteLink") {
    std::lock_guard lock(mutex_);
    ++links_;
    return answer({{"invite_link", "https://t.me/+tgleadDemo" + std::to_string(links_)},
                   {"creator", {{"id", bot_id}, {"is_bot", true}, {"first_name", "tglead demo"}}},
                   {"creates_join_request", params.value("creates_join_request", false)},
                   {"is_primary", false},
                   {"is_revoked", false},
                   {"name", params.value("name", "")}});
  }
  if (method == "approveChatJoinRequest") {
    std::function<void(std::int64_t, std::int64_t)> callback;
    {
      std::lock_guard lock(mutex_);
      callback = on_approve_;
    }
    if (callback) callback(params.value("chat_id", 0LL), params.value("user_id", 0LL));
    return answer(true);
  }
  if (method == "getChatMember") {
    std::int64_t chat = params.value("chat_id", 0LL);
    std::int64_t user = params.value("user_id", 0LL);
    std::string status = "left";
    {
      std::lock_guard lock(mutex_);
      if (auto it = members_.find({chat, user}); it != members_.end()) status = it->second;
    }
    return answer({{"user", {{"id", user}, {"is_bot", false}, {"first_name", "User"}}}, {"status", status}});
  }
  if (method == "getUpdates") return answer(json::array());
  return answer(true);
}

}  // namespace tglead::demo
