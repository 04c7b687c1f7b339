// A simulated Telegram Bot API server for `tglead demo`: answers the methods
// tglead calls (getMe, setWebhook, sendMessage, createChatInviteLink,
// approveChatJoinRequest, getChatMember, ...) on 127.0.0.1, remembers each
// bot's webhook secret and knows who is "really" in which chat.
//
// Contract: all methods are thread-safe; the Bot API is served from the
// http::Server's worker threads. `on_approve` is called (from a server
// thread) when tglead approves a join request, like Telegram then admitting
// the user.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "http/server.hpp"

namespace tglead::demo {

class TelegramDouble {
 public:
  explicit TelegramDouble(std::string bot_username);
  ~TelegramDouble();
  std::string start();  // "" or an error
  std::string base_url() const;
  std::string webhook_secret(std::int64_t bot_id) const;
  void set_member(std::int64_t chat_id, std::int64_t user_id, const std::string& status);
  void on_approve(std::function<void(std::int64_t chat_id, std::int64_t user_id)> callback);
  std::int64_t messages_sent() const;

 private:
  http::Response handle(const http::Request& request);

  std::string bot_username_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, std::string> secrets_;
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> members_;
  std::function<void(std::int64_t, std::int64_t)> on_approve_;
  std::int64_t messages_ = 0;
  std::int64_t links_ = 0;
  http::Server server_;
};

}  // namespace tglead::demo
