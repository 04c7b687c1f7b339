// The product's records as plain values (§2 of the spec).
//
// Contract: these are data only; they carry no behaviour beyond trivial
// accessors and are freely copyable between threads. Storage fills them,
// domain rules transform them, API handlers serialise them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/lead_status.hpp"
#include "domain/plans.hpp"
#include "domain/postback_template.hpp"

namespace tglead::domain {

struct User {
  std::int64_t id = 0;
  std::string email;
  std::string password_hash;
  std::string api_key;
  std::string transfer_token;
  Plan plan = Plan::Kitten;
  std::int64_t paid_until = 0;
  std::int64_t telegram_id = 0;
  std::string timezone = "UTC";
  TemplateSet postbacks;
};

enum class BotStatus : int { Active = 0, LostAdmin = 1, Deleted = 3 };

struct Bot {
  std::int64_t id = 0;  // Telegram user id of the bot (from getMe)
  std::int64_t user_id = 0;
  std::string token;
  std::string username;
  std::string name;
  std::string secret;  // X-Telegram-Bot-Api-Secret-Token
  BotStatus status = BotStatus::Active;
  std::int64_t admin_chats = 0;  // filled by listings
};

struct Chat {
  std::int64_t bot_id = 0;
  std::int64_t id = 0;  // Telegram chat id
  std::string title;
  std::string type;
  std::string username;
  bool requests = false;  // joining needs an approved request
  bool ok = true;         // the bot is an administrator there now
};

struct Button {
  std::string text;
  std::string url;
};

struct Welcome {
  std::string text;
  std::string image;
  std::vector<Button> buttons;
  std::string join_button;  // empty = no join button
};

struct Campaign {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t bot_id = 0;
  std::int64_t chat_id = 0;
  std::string code;
  std::string name;
  bool active = true;
  std::int64_t unsub_window = 0;  // seconds; 0 = infinite
  bool approve_requests = false;
  TemplateSet postbacks;
  Welcome welcome;
  TemplateSet status_messages;  // text sent to the subscriber when the lead enters a status (§5); "" = none
  std::string invite_link;  // created by the bot for the join button
  bool warning = false;     // filled by listings: the bot lost admin rights in the chat
  std::string bot_username; // filled by listings, for the deep link
};

struct Lead {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t campaign_id = 0;
  std::int64_t subscriber = 0;
  std::string username;
  std::string first_name;
  std::string last_name;
  std::string click;
  LeadStatus status = LeadStatus::Wait;
  std::int64_t start_time = 0;
  std::int64_t join_time = 0;
  std::int64_t leave_time = 0;
  std::int64_t updated = 0;
  bool reconciled = false;
  std::string campaign_code;  // filled by exports
};

enum class JournalAction : int { Join = 0, Leave = 1, Ban = 2, Request = 3, Approve = 4 };

struct JournalEntry {
  std::int64_t id = 0;
  std::int64_t bot_id = 0;
  std::int64_t chat_id = 0;
  std::int64_t subscriber = 0;
  std::string username;
  JournalAction action = JournalAction::Join;
  bool paid = false;
  std::int64_t time = 0;
};

enum class PostbackState : int { Pending = 0, Sending = 1, Sent = 2, Failed = 3, Skipped = 4 };

struct PostbackAttempt {
  std::int64_t time = 0;
  long http_code = 0;
  std::string body;
  std::string error;
};

struct Postback {
  std::int64_t id = 0;
  std::int64_t lead_id = 0;
  std::int64_t user_id = 0;
  LeadStatus status = LeadStatus::Wait;
  std::string url;
  PostbackState state = PostbackState::Pending;
  std::string reason;
  std::string tid;
  std::int64_t created = 0;
  std::int64_t next_attempt = 0;
  int attempts = 0;
  std::vector<PostbackAttempt> attempt_log;
};

struct Notice {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string text;
  std::int64_t created = 0;
};

struct Session {
  std::string token_hash;  // SHA-256 of the cookie value, hex
  std::int64_t user_id = 0;
  std::string csrf;        // must accompany every state-changing request
  std::int64_t expires = 0;
};

std::string_view journal_action_name(JournalAction action);
std::string_view postback_state_name(PostbackState state);

}  // namespace tglead::domain
