#include "telegram/update.hpp"

#include <nlohmann/json.hpp>

#include "util/json_depth.hpp"

namespace tglead::telegram {

namespace {

using json = nlohmann::json;

// Telegram ids can exceed 32 bits; some clients send them as floats or strings
// in re-serialised payloads, so accept any integral JSON number.
std::optional<std::int64_t> int_field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  // nlohmann reports unsigned numbers as integers too: check the range first.
  if (it->is_number_unsigned()) {
    auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  return std::nullopt;
}

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool bool_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

const json* object_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

bool parse_user(const json* object, User& user) {
  if (!object) return false;
  auto id = int_field(*object, "id");
  if (!id) return false;
  user.id = *id;
  user.is_bot = bool_field(*object, "is_bot");
  user.first_name = string_field(*object, "first_name");
  user.last_name = string_field(*object, "last_name");
  user.username = string_field(*object, "username");
  user.language_code = string_field(*object, "language_code");
  return true;
}

bool parse_chat(const json* object, Chat& chat) {
  if (!object) return false;
  auto id = int_field(*object, "id");
  if (!id) return false;
  chat.id = *id;
  chat.type = string_field(*object, "type");
  chat.title = string_field(*object, "title");
  chat.username = string_field(*object, "username");
  return true;
}

std::optional<InviteLink> parse_invite_link(const json* object) {
  if (!object) return std::nullopt;
  InviteLink link;
  link.url = string_field(*object, "invite_link");
  if (const json* creator = object_field(*object, "creator")) link.creator_id = int_field(*creator, "id").value_or(0);
  link.creates_join_request = bool_field(*object, "creates_join_request");
  link.name = string_field(*object, "name");
  return link;
}

bool parse_member(const json* object, ChatMember& member) {
  if (!object || !parse_user(object_field(*object, "user"), member.user)) return false;
  member.status = string_field(*object, "status");
  member.is_member = bool_field(*object, "is_member");
  return !member.status.empty();
}

bool parse_message(const json& object, Message& message) {
  if (!parse_chat(object_field(object, "chat"), message.chat)) return false;
  // `from` is absent for channel posts, but a present one must be a real user,
  // and a private message always has one.
  const json* from = object_field(object, "from");
  bool has_from = object.contains("from");
  if ((has_from || message.chat.type == "private") && !parse_user(from, message.from)) return false;
  message.date = int_field(object, "date").value_or(0);
  message.text = string_field(object, "text");
  message.migrate_to_chat_id = int_field(object, "migrate_to_chat_id").value_or(0);
  message.migrate_from_chat_id = int_field(object, "migrate_from_chat_id").value_or(0);
  auto sender = object.find("sender_chat");
  message.sent_as_chat = sender != object.end() && !sender->is_null();
  return true;
}

bool parse_member_updated(const json& object, ChatMemberUpdated& update) {
  if (!parse_chat(object_field(object, "chat"), update.chat)) return false;
  if (!parse_user(object_field(object, "from"), update.from)) return false;
  auto date = int_field(object, "date");
  if (!date) return false;
  update.date = *date;
  if (!parse_member(object_field(object, "old_chat_member"), update.old_member)) return false;
  if (!parse_member(object_field(object, "new_chat_member"), update.new_member)) return false;
  update.invite_link = parse_invite_link(object_field(object, "invite_link"));
  update.via_join_request = bool_field(object, "via_join_request");
  return true;
}

bool parse_join_request(const json& object, ChatJoinRequest& request) {
  if (!parse_chat(object_field(object, "chat"), request.chat)) return false;
  if (!parse_user(object_field(object, "from"), request.from)) return false;
  auto date = int_field(object, "date");
  if (!date) return false;
  request.date = *date;
  request.user_chat_id = int_field(object, "user_chat_id").value_or(request.from.id);
  request.invite_link = parse_invite_link(object_field(object, "invite_link"));
  return true;
}

}  // namespace

std::variant<Update, ParseError> parse_update(std::string_view body) {
  if (!util::json_depth_within(body)) return ParseError{"the update is nested too deeply"};
  json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return ParseError{"body is not valid JSON"};
  if (!root.is_object()) return ParseError{"an Update must be a JSON object"};
  auto update_id = int_field(root, "update_id");
  if (!update_id) return ParseError{"update_id is missing or not an integer"};

  Update update;
  update.update_id = *update_id;
  if (const json* message = object_field(root, "message"); message && parse_message(*message, update.message)) {
    update.kind = UpdateKind::Message;
  } else if (const json* member = object_field(root, "chat_member");
             member && parse_member_updated(*member, update.member)) {
    update.kind = UpdateKind::ChatMember;
  } else if (const json* mine = object_field(root, "my_chat_member");
             mine && parse_member_updated(*mine, update.member)) {
    update.kind = UpdateKind::MyChatMember;
  } else if (const json* request = object_field(root, "chat_join_request");
             request && parse_join_request(*request, update.join_request)) {
    update.kind = UpdateKind::ChatJoinRequest;
  }
  return update;
}

}  // namespace tglead::telegram
