// Telegram Bot API `Update` objects, reduced to what tracking needs.
//
// Contract: `parse_update` accepts any byte string. It never throws; invalid
// JSON or a body without a numeric `update_id` is an error, while unknown or
// malformed update kinds parse as `UpdateKind::Other` (acknowledged and
// ignored, as Telegram adds kinds over time). Ids are signed 64-bit.
// Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace tglead::telegram {

struct User {
  std::int64_t id = 0;
  bool is_bot = false;
  std::string first_name;
  std::string last_name;
  std::string username;
  std::string language_code;
};

struct Chat {
  std::int64_t id = 0;
  std::string type;  // private / group / supergroup / channel
  std::string title;
  std::string username;
};

struct InviteLink {
  std::string url;
  std::int64_t creator_id = 0;
  bool creates_join_request = false;
  std::string name;
};

struct ChatMember {
  User user;
  std::string status;
  bool is_member = false;  // restricted members only
};

struct Message {
  Chat chat;
  User from;
  std::int64_t date = 0;
  std::string text;
  std::int64_t migrate_to_chat_id = 0;
  std::int64_t migrate_from_chat_id = 0;
  // `sender_chat` was given: posted on behalf of a chat (a channel, an anonymous
  // admin), and `from` is a placeholder rather than the author.
  bool sent_as_chat = false;
};

struct ChatMemberUpdated {
  Chat chat;
  User from;
  std::int64_t date = 0;
  ChatMember old_member;
  ChatMember new_member;
  std::optional<InviteLink> invite_link;
  bool via_join_request = false;
};

struct ChatJoinRequest {
  Chat chat;
  User from;
  std::int64_t user_chat_id = 0;
  std::int64_t date = 0;
  std::optional<InviteLink> invite_link;
};

enum class UpdateKind { Message, ChatMember, MyChatMember, ChatJoinRequest, Other };

struct Update {
  std::int64_t update_id = 0;
  UpdateKind kind = UpdateKind::Other;
  Message message;                 // kind == Message
  ChatMemberUpdated member;        // kind == ChatMember or MyChatMember
  ChatJoinRequest join_request;    // kind == ChatJoinRequest
};

struct ParseError {
  std::string message;
};

std::variant<Update, ParseError> parse_update(std::string_view body);

}  // namespace tglead::telegram
