// parse_update() on the real-shaped fixtures and on hostile input.
#include "telegram/update.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace tglead::telegram {
namespace {

constexpr std::int64_t kBot = 7412583690;
constexpr std::int64_t kAlina = 5318008421;
constexpr std::int64_t kMarco = 984312765;
constexpr std::int64_t kDmitry = 6702145590;
constexpr std::int64_t kOleg = 287654193;
constexpr std::int64_t kCryptoChannel = -1002381745923;
constexpr std::int64_t kDealsChannel = -1001739906218;
constexpr std::int64_t kCryptoChat = -1001954328761;
constexpr std::int64_t kDealsChat = -1002214567389;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(TGLEAD_FIXTURES_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Update parse_ok(std::string_view body) {
  auto result = parse_update(body);
  if (auto* error = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << "parse error: " << error->message;
    return {};
  }
  return std::get<Update>(result);
}

Update fixture_update(const std::string& name) { return parse_ok(fixture(name)); }

bool is_error(std::string_view body) { return std::holds_alternative<ParseError>(parse_update(body)); }

TEST(TelegramUpdate, Fixture01StartWithPayload) {
  Update u = fixture_update("01_start_with_payload.json");
  EXPECT_EQ(u.update_id, 734519201);
  ASSERT_EQ(u.kind, UpdateKind::Message);
  EXPECT_EQ(u.message.chat.id, kAlina);
  EXPECT_EQ(u.message.chat.type, "private");
  EXPECT_EQ(u.message.from.id, kAlina);
  EXPECT_FALSE(u.message.from.is_bot);
  EXPECT_EQ(u.message.from.first_name, "Alina");
  EXPECT_EQ(u.message.from.last_name, "Korneeva");
  EXPECT_EQ(u.message.from.username, "alina_k");
  EXPECT_EQ(u.message.from.language_code, "ru");
  EXPECT_EQ(u.message.date, 1763740800);
  EXPECT_EQ(u.message.text, "/start CAMP42");
  EXPECT_EQ(u.message.migrate_to_chat_id, 0);
}

TEST(TelegramUpdate, Fixture02BareStart) {
  Update u = fixture_update("02_start_without_payload.json");
  EXPECT_EQ(u.update_id, 734519202);
  ASSERT_EQ(u.kind, UpdateKind::Message);
  EXPECT_EQ(u.message.from.id, kMarco);
  EXPECT_EQ(u.message.from.username, "");
  EXPECT_EQ(u.message.from.last_name, "");
  EXPECT_EQ(u.message.date, 1763740815);
  EXPECT_EQ(u.message.text, "/start");
}

TEST(TelegramUpdate, Fixture03StartWithClick) {
  Update u = fixture_update("03_start_payload_campaign_and_clickid.json");
  ASSERT_EQ(u.kind, UpdateKind::Message);
  EXPECT_EQ(u.message.from.id, kDmitry);
  EXPECT_EQ(u.message.chat.id, kDmitry);
  EXPECT_EQ(u.message.date, 1763740831);
  EXPECT_EQ(u.message.text, "/start CAMP42-3tq8v1m0c9hsa7e2kxd");
}

TEST(TelegramUpdate, Fixture04JoinPublicChannel) {
  Update u = fixture_update("04_chat_member_join_public_channel.json");
  EXPECT_EQ(u.update_id, 734519204);
  ASSERT_EQ(u.kind, UpdateKind::ChatMember);
  EXPECT_EQ(u.member.chat.id, kDealsChannel);
  EXPECT_EQ(u.member.chat.type, "channel");
  EXPECT_EQ(u.member.chat.title, "Daily Deals EU");
  EXPECT_EQ(u.member.chat.username, "dailydeals_eu");
  EXPECT_EQ(u.member.from.id, kMarco);
  EXPECT_EQ(u.member.date, 1763740847);
  EXPECT_EQ(u.member.old_member.status, "left");
  EXPECT_EQ(u.member.new_member.status, "member");
  EXPECT_EQ(u.member.new_member.user.id, kMarco);
  EXPECT_FALSE(u.member.invite_link.has_value());
  EXPECT_FALSE(u.member.via_join_request);
}

TEST(TelegramUpdate, Fixture05JoinViaBotLink) {
  Update u = fixture_update("05_chat_member_join_via_invite_link.json");
  ASSERT_EQ(u.kind, UpdateKind::ChatMember);
  EXPECT_EQ(u.member.chat.id, kCryptoChannel);
  EXPECT_EQ(u.member.chat.username, "");
  EXPECT_EQ(u.member.new_member.user.id, kAlina);
  EXPECT_EQ(u.member.new_member.user.username, "alina_k");
  ASSERT_TRUE(u.member.invite_link.has_value());
  EXPECT_EQ(u.member.invite_link->url, "https://t.me/+Xk3bQ9rV2mYzN4Ff");
  EXPECT_EQ(u.member.invite_link->creator_id, kBot);
  EXPECT_FALSE(u.member.invite_link->creates_join_request);
  EXPECT_EQ(u.member.invite_link->name, "CAMP42 keitaro");
  EXPECT_FALSE(u.member.via_join_request);
}

TEST(TelegramUpdate, Fixture06Leave) {
  Update u = fixture_update("06_chat_member_leave.json");
  ASSERT_EQ(u.kind, UpdateKind::ChatMember);
  EXPECT_EQ(u.member.date, 1763744400);
  EXPECT_EQ(u.member.from.id, kAlina);
  EXPECT_EQ(u.member.new_member.user.id, kAlina);
  EXPECT_EQ(u.member.old_member.status, "member");
  EXPECT_EQ(u.member.new_member.status, "left");
}

TEST(TelegramUpdate, Fixture07Kicked) {
  Update u = fixture_update("07_chat_member_kicked.json");
  ASSERT_EQ(u.kind, UpdateKind::ChatMember);
  EXPECT_EQ(u.member.from.id, kOleg);
  EXPECT_EQ(u.member.new_member.user.id, kDmitry);
  EXPECT_EQ(u.member.old_member.status, "member");
  EXPECT_EQ(u.member.new_member.status, "kicked");
  EXPECT_EQ(u.member.date, 1763744520);
}

TEST(TelegramUpdate, Fixture08Restricted) {
  Update u = fixture_update("08_chat_member_restricted_supergroup.json");
  ASSERT_EQ(u.kind, UpdateKind::ChatMember);
  EXPECT_EQ(u.member.chat.id, kCryptoChat);
  EXPECT_EQ(u.member.chat.type, "supergroup");
  EXPECT_EQ(u.member.new_member.status, "restricted");
  EXPECT_TRUE(u.member.new_member.is_member);
  EXPECT_FALSE(u.member.old_member.is_member);  // only meaningful for restricted; absent = false
  EXPECT_EQ(u.member.new_member.user.id, kMarco);
}

TEST(TelegramUpdate, Fixture09RejoinMaskedLink) {
  Update u = fixture_update("09_chat_member_rejoin_masked_link.json");
  ASSERT_EQ(u.kind, UpdateKind::ChatMember);
  ASSERT_TRUE(u.member.invite_link.has_value());
  EXPECT_EQ(u.member.invite_link->url, "https://t.me/+Qm7TzL0pW...");
  EXPECT_EQ(u.member.invite_link->creator_id, kOleg);
  EXPECT_FALSE(u.member.invite_link->creates_join_request);
  EXPECT_EQ(u.member.invite_link->name, "");
  EXPECT_EQ(u.member.date, 1763748000);
}

TEST(TelegramUpdate, Fixture10JoinRequest) {
  Update u = fixture_update("10_chat_join_request.json");
  EXPECT_EQ(u.update_id, 734519210);
  ASSERT_EQ(u.kind, UpdateKind::ChatJoinRequest);
  EXPECT_EQ(u.join_request.chat.id, kCryptoChannel);
  EXPECT_EQ(u.join_request.from.id, kDmitry);
  EXPECT_EQ(u.join_request.from.username, "dmitry_v");
  EXPECT_EQ(u.join_request.user_chat_id, kDmitry);
  EXPECT_EQ(u.join_request.date, 1763748100);
  ASSERT_TRUE(u.join_request.invite_link.has_value());
  EXPECT_TRUE(u.join_request.invite_link->creates_join_request);
  EXPECT_EQ(u.join_request.invite_link->creator_id, kBot);
  EXPECT_EQ(u.join_request.invite_link->name, "CAMP77 approve");
}

TEST(TelegramUpdate, Fixture11JoinAfterRequestViaLink) {
  Update u = fixture_update("11_chat_member_join_after_request_via_link.json");
  ASSERT_EQ(u.kind, UpdateKind::ChatMember);
  EXPECT_EQ(u.member.from.id, kBot);  // the approver, not the subscriber
  EXPECT_TRUE(u.member.from.is_bot);
  EXPECT_EQ(u.member.new_member.user.id, kDmitry);
  ASSERT_TRUE(u.member.invite_link.has_value());
  EXPECT_TRUE(u.member.invite_link->creates_join_request);
  EXPECT_FALSE(u.member.via_join_request);
}

TEST(TelegramUpdate, Fixture12JoinViaJoinRequest) {
  Update u = fixture_update("12_chat_member_join_via_join_request_public_group.json");
  ASSERT_EQ(u.kind, UpdateKind::ChatMember);
  EXPECT_EQ(u.member.chat.id, kDealsChat);
  EXPECT_EQ(u.member.chat.username, "dailydeals_eu_chat");
  EXPECT_EQ(u.member.from.id, kOleg);
  EXPECT_EQ(u.member.new_member.user.id, kDmitry);
  EXPECT_TRUE(u.member.via_join_request);
  EXPECT_FALSE(u.member.invite_link.has_value());
}

TEST(TelegramUpdate, Fixture13BotPromoted) {
  Update u = fixture_update("13_my_chat_member_promoted_admin_channel.json");
  ASSERT_EQ(u.kind, UpdateKind::MyChatMember);
  EXPECT_EQ(u.member.chat.id, kCryptoChannel);
  EXPECT_EQ(u.member.chat.title, "Crypto Signals Daily");
  EXPECT_EQ(u.member.chat.type, "channel");
  EXPECT_EQ(u.member.old_member.status, "left");
  EXPECT_EQ(u.member.new_member.status, "administrator");
  EXPECT_EQ(u.member.new_member.user.id, kBot);
  EXPECT_TRUE(u.member.new_member.user.is_bot);
  EXPECT_EQ(u.member.date, 1763654400);
}

TEST(TelegramUpdate, Fixture14BotDemoted) {
  Update u = fixture_update("14_my_chat_member_demoted_to_member_supergroup.json");
  ASSERT_EQ(u.kind, UpdateKind::MyChatMember);
  EXPECT_EQ(u.member.chat.id, kCryptoChat);
  EXPECT_EQ(u.member.old_member.status, "administrator");
  EXPECT_EQ(u.member.new_member.status, "member");
}

TEST(TelegramUpdate, Fixture15BotRemoved) {
  Update u = fixture_update("15_my_chat_member_bot_removed_kicked.json");
  ASSERT_EQ(u.kind, UpdateKind::MyChatMember);
  EXPECT_EQ(u.member.old_member.status, "administrator");
  EXPECT_EQ(u.member.new_member.status, "kicked");
  EXPECT_EQ(u.member.date, 1763755200);
}

TEST(TelegramUpdate, Fixture16PrivateBlocked) {
  Update u = fixture_update("16_my_chat_member_private_bot_blocked.json");
  ASSERT_EQ(u.kind, UpdateKind::MyChatMember);
  EXPECT_EQ(u.member.chat.id, kMarco);
  EXPECT_EQ(u.member.chat.type, "private");
  EXPECT_EQ(u.member.from.id, kMarco);
  EXPECT_EQ(u.member.old_member.status, "member");
  EXPECT_EQ(u.member.new_member.status, "kicked");
}

TEST(TelegramUpdate, UpdateIdsAreSequentialAcrossFixtures) {
  const char* names[] = {"01_start_with_payload.json",
                         "02_start_without_payload.json",
                         "03_start_payload_campaign_and_clickid.json",
                         "04_chat_member_join_public_channel.json",
                         "05_chat_member_join_via_invite_link.json",
                         "06_chat_member_leave.json",
                         "07_chat_member_kicked.json",
                         "08_chat_member_restricted_supergroup.json",
                         "09_chat_member_rejoin_masked_link.json",
                         "10_chat_join_request.json",
                         "11_chat_member_join_after_request_via_link.json",
                         "12_chat_member_join_via_join_request_public_group.json",
                         "13_my_chat_member_promoted_admin_channel.json",
                         "14_my_chat_member_demoted_to_member_supergroup.json",
                         "15_my_chat_member_bot_removed_kicked.json",
                         "16_my_chat_member_private_bot_blocked.json"};
  std::int64_t expected = 734519201;
  for (const char* name : names) {
    Update u = fixture_update(name);
    EXPECT_EQ(u.update_id, expected++) << name;
    EXPECT_NE(u.kind, UpdateKind::Other) << name;
  }
}

// ---- 64-bit ids and numbers ------------------------------------------------

TEST(TelegramUpdate, IdsAreSigned64Bit) {
  Update u = parse_ok(R"({"update_id": 9223372036854775807, "message": {"chat": {"id": -9223372036854775808,
      "type": "supergroup"}, "from": {"id": 9007199254740993, "first_name": "x"}, "date": 4102444800,
      "migrate_to_chat_id": -1009999999999}})");
  EXPECT_EQ(u.update_id, INT64_MAX);
  ASSERT_EQ(u.kind, UpdateKind::Message);
  EXPECT_EQ(u.message.chat.id, INT64_MIN);
  EXPECT_EQ(u.message.from.id, 9007199254740993LL);  // above 2^53: must not go through double
  EXPECT_EQ(u.message.date, 4102444800LL);
  EXPECT_EQ(u.message.migrate_to_chat_id, -1009999999999LL);
}

TEST(TelegramUpdate, MigrateFromChatId) {
  Update u = parse_ok(R"({"update_id": 1, "message": {"chat": {"id": -1001, "type": "supergroup"},
      "date": 5, "migrate_from_chat_id": -42}})");
  ASSERT_EQ(u.kind, UpdateKind::Message);
  EXPECT_EQ(u.message.migrate_from_chat_id, -42);
  EXPECT_EQ(u.message.from.id, 0);  // no `from` in service messages of a channel
}

// ---- malformed input ---------------------------------------------------------

TEST(TelegramUpdate, RejectsNonJson) {
  EXPECT_TRUE(is_error(""));
  EXPECT_TRUE(is_error("not json"));
  EXPECT_TRUE(is_error("{"));
  EXPECT_TRUE(is_error(R"({"update_id": 1,})"));
  EXPECT_TRUE(is_error(std::string("\0\0\0", 3)));
}

TEST(TelegramUpdate, RejectsNonObjects) {
  EXPECT_TRUE(is_error("[]"));
  EXPECT_TRUE(is_error(R"([{"update_id": 1}])"));
  EXPECT_TRUE(is_error("42"));
  EXPECT_TRUE(is_error("\"x\""));
  EXPECT_TRUE(is_error("null"));
}

TEST(TelegramUpdate, RejectsMissingOrNonIntegerUpdateId) {
  EXPECT_TRUE(is_error("{}"));
  EXPECT_TRUE(is_error(R"({"message": {}})"));
  EXPECT_TRUE(is_error(R"({"update_id": "734519201"})"));
  EXPECT_TRUE(is_error(R"({"update_id": 1.5})"));
  EXPECT_TRUE(is_error(R"({"update_id": 1.0})"));
  EXPECT_TRUE(is_error(R"({"update_id": 1e3})"));
  EXPECT_TRUE(is_error(R"({"update_id": null})"));
  EXPECT_TRUE(is_error(R"({"update_id": true})"));
  EXPECT_TRUE(is_error(R"({"update_id": [1]})"));
}

TEST(TelegramUpdate, RejectsUpdateIdBeyondInt64) {
  EXPECT_TRUE(is_error(R"({"update_id": 9223372036854775808})"));
  EXPECT_TRUE(is_error(R"({"update_id": 18446744073709551615})"));
  EXPECT_TRUE(is_error(R"({"update_id": 99999999999999999999999999})"));
  EXPECT_TRUE(is_error(R"({"update_id": -9223372036854775809})"));
}

TEST(TelegramUpdate, HugeIdInsideAKindMakesItOther) {
  Update u = parse_ok(R"({"update_id": 3, "message": {"chat": {"id": 18446744073709551615, "type": "private"},
      "from": {"id": 1}, "date": 1, "text": "/start X"}})");
  EXPECT_EQ(u.update_id, 3);
  EXPECT_EQ(u.kind, UpdateKind::Other);
}

TEST(TelegramUpdate, InvalidUtf8DoesNotCrash) {
  std::string body = "{\"update_id\": 5, \"message\": {\"chat\": {\"id\": 1, \"type\": \"private\"}, "
                     "\"from\": {\"id\": 1, \"first_name\": \"\xff\xfe\xc3\"}, \"date\": 1, \"text\": \"/start \xc0\xaf\"}}";
  auto result = parse_update(body);
  // Either a clean rejection or an update whose strings are opaque bytes; never a crash or a throw.
  if (auto* u = std::get_if<Update>(&result)) {
    EXPECT_EQ(u->update_id, 5);
  }
  std::string lone_surrogate = R"({"update_id": 6, "message": {"chat": {"id": 1, "type": "private"},
      "from": {"id": 1}, "date": 1, "text": "\ud800"}})";
  (void)parse_update(lone_surrogate);
}

TEST(TelegramUpdate, DeeplyNestedJsonDoesNotCrash) {
  const int depth = 100'000;
  std::string arrays = std::string(depth, '[') + std::string(depth, ']');
  EXPECT_TRUE(is_error(arrays));  // not an object
  std::string nested_unclosed = "{\"update_id\": 1, \"x\": " + std::string(depth, '[');
  EXPECT_TRUE(is_error(nested_unclosed));
  std::string objects;
  objects.reserve(depth * 6 + 40);
  objects += "{\"update_id\": 2, \"poll\": ";
  for (int i = 0; i < depth; ++i) objects += "{\"a\":";
  objects += "1";
  for (int i = 0; i < depth; ++i) objects += "}";
  objects += "}";
  auto result = parse_update(objects);
  if (auto* u = std::get_if<Update>(&result)) {
    EXPECT_EQ(u->kind, UpdateKind::Other);
  }
  std::string in_message = "{\"update_id\": 3, \"message\": {\"chat\": {\"id\": 1, \"type\": \"private\"}, \"text\": " +
                           std::string(depth, '[') + std::string(depth, ']') + "}}";
  auto second = parse_update(in_message);
  if (auto* u = std::get_if<Update>(&second)) {
    EXPECT_EQ(u->message.text, "");
  }
}

TEST(TelegramUpdate, UnknownKindsAreOther) {
  for (const char* body : {
           R"({"update_id": 10, "edited_message": {"chat": {"id": 1, "type": "private"}, "date": 1, "text": "x"}})",
           R"({"update_id": 11, "poll": {"id": "p", "question": "q", "options": []}})",
           R"({"update_id": 12, "channel_post": {"chat": {"id": -100, "type": "channel"}, "date": 1}})",
           R"({"update_id": 13, "callback_query": {"id": "1", "from": {"id": 1}}})",
           R"({"update_id": 14})",
           R"({"update_id": 15, "some_future_kind": {"x": 1}})",
       }) {
    auto result = parse_update(body);
    ASSERT_TRUE(std::holds_alternative<Update>(result)) << body;
    EXPECT_EQ(std::get<Update>(result).kind, UpdateKind::Other) << body;
  }
}

TEST(TelegramUpdate, MalformedKnownKindsAreOther) {
  for (const char* body : {
           // chat_member without new_chat_member
           R"({"update_id": 20, "chat_member": {"chat": {"id": -1, "type": "channel"}, "from": {"id": 1}, "date": 1,
               "old_chat_member": {"user": {"id": 1}, "status": "left"}}})",
           // chat_member without old_chat_member
           R"({"update_id": 21, "chat_member": {"chat": {"id": -1, "type": "channel"}, "from": {"id": 1}, "date": 1,
               "new_chat_member": {"user": {"id": 1}, "status": "member"}}})",
           // new_chat_member without user
           R"({"update_id": 22, "chat_member": {"chat": {"id": -1, "type": "channel"}, "from": {"id": 1}, "date": 1,
               "old_chat_member": {"user": {"id": 1}, "status": "left"}, "new_chat_member": {"status": "member"}}})",
           // new_chat_member without status
           R"({"update_id": 23, "chat_member": {"chat": {"id": -1, "type": "channel"}, "from": {"id": 1}, "date": 1,
               "old_chat_member": {"user": {"id": 1}, "status": "left"}, "new_chat_member": {"user": {"id": 1}}}})",
           // chat_member without date
           R"({"update_id": 24, "chat_member": {"chat": {"id": -1, "type": "channel"}, "from": {"id": 1},
               "old_chat_member": {"user": {"id": 1}, "status": "left"},
               "new_chat_member": {"user": {"id": 1}, "status": "member"}}})",
           // my_chat_member with a string chat id
           R"({"update_id": 25, "my_chat_member": {"chat": {"id": "-1", "type": "channel"}, "from": {"id": 1},
               "date": 1, "old_chat_member": {"user": {"id": 1}, "status": "left"},
               "new_chat_member": {"user": {"id": 1}, "status": "administrator"}}})",
           // message that is not an object
           R"({"update_id": 26, "message": "hello"})",
           // message without chat
           R"({"update_id": 27, "message": {"from": {"id": 1}, "date": 1, "text": "/start X"}})",
           // join request without from
           R"({"update_id": 28, "chat_join_request": {"chat": {"id": -1, "type": "channel"}, "date": 1}})",
           // join request without date
           R"({"update_id": 29, "chat_join_request": {"chat": {"id": -1, "type": "channel"}, "from": {"id": 1}}})",
           // chat_member that is an array
           R"({"update_id": 30, "chat_member": []})",
       }) {
    auto result = parse_update(body);
    ASSERT_TRUE(std::holds_alternative<Update>(result)) << body;
    EXPECT_EQ(std::get<Update>(result).kind, UpdateKind::Other) << body;
  }
}

TEST(TelegramUpdate, WrongTypedOptionalFieldsAreIgnored) {
  Update u = parse_ok(R"({"update_id": 40, "chat_member": {"chat": {"id": -5, "type": "channel", "title": 7},
      "from": {"id": 1, "username": 5}, "date": 9,
      "old_chat_member": {"user": {"id": 1}, "status": "left"},
      "new_chat_member": {"user": {"id": 1}, "status": "restricted", "is_member": "true"},
      "invite_link": {"invite_link": "x", "creates_join_request": 1}, "via_join_request": "yes"}})");
  ASSERT_EQ(u.kind, UpdateKind::ChatMember);
  EXPECT_EQ(u.member.chat.title, "");
  EXPECT_EQ(u.member.from.username, "");
  EXPECT_FALSE(u.member.new_member.is_member);  // only JSON true counts
  ASSERT_TRUE(u.member.invite_link.has_value());
  EXPECT_FALSE(u.member.invite_link->creates_join_request);
  EXPECT_FALSE(u.member.via_join_request);
}

TEST(TelegramUpdate, JoinRequestWithoutUserChatIdFallsBackToFrom) {
  Update u = parse_ok(R"({"update_id": 50, "chat_join_request": {"chat": {"id": -7, "type": "supergroup"},
      "from": {"id": 123456789012}, "date": 100}})");
  ASSERT_EQ(u.kind, UpdateKind::ChatJoinRequest);
  EXPECT_EQ(u.join_request.user_chat_id, 123456789012LL);
  EXPECT_FALSE(u.join_request.invite_link.has_value());
}

TEST(TelegramUpdate, DuplicateKeysAndUnknownFieldsAreTolerated) {
  Update u = parse_ok(R"({"update_id": 60, "unknown": {"deep": [1, 2, {"x": null}]},
      "message": {"chat": {"id": 9, "type": "private"}, "from": {"id": 9, "is_premium": true, "new_field": 1},
                  "date": 10, "text": "/start A-b", "link_preview_options": {"is_disabled": true}}})");
  ASSERT_EQ(u.kind, UpdateKind::Message);
  EXPECT_EQ(u.message.text, "/start A-b");
}

}  // namespace
}  // namespace tglead::telegram
