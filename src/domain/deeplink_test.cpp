#include "domain/deeplink.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tglead::domain {
namespace {

constexpr std::string_view kBot = "TgLeadBot";

StartCommand parse(std::string_view text) { return parse_start_command(text, kBot); }

void expect_payload(std::string_view text, std::string_view code, std::string_view click) {
  const StartCommand c = parse(text);
  EXPECT_EQ(c.kind, StartKind::Payload) << text;
  EXPECT_EQ(c.code, code) << text;
  EXPECT_EQ(c.click, click) << text;
}

void expect_kind(std::string_view text, StartKind kind) {
  const StartCommand c = parse(text);
  EXPECT_EQ(c.kind, kind) << text;
  if (kind != StartKind::Payload) {
    EXPECT_EQ(c.code, "") << text;
    EXPECT_EQ(c.click, "") << text;
  }
}

TEST(DomainDeeplink, BareStart) {
  expect_kind("/start", StartKind::Bare);
  expect_kind("/start ", StartKind::Bare);
  expect_kind("/start   \n", StartKind::Bare);
  expect_kind("/start@TgLeadBot", StartKind::Bare);
  expect_kind("/start@TgLeadBot ", StartKind::Bare);
}

TEST(DomainDeeplink, CodeAndClick) {
  expect_payload("/start CAMP42-51ts6sgr1cbkdhljnrv", "CAMP42", "51ts6sgr1cbkdhljnrv");
  expect_payload("/start CAMP42", "CAMP42", "");
}

TEST(DomainDeeplink, SplitsOnFirstDashOnly) {
  expect_payload("/start A-b-c_d", "A", "b-c_d");
  expect_payload("/start A--x", "A", "-x");
  expect_payload("/start CODE-", "CODE", "");
  expect_payload("/start -abc", "", "abc");
  expect_payload("/start -", "", "");
  expect_payload("/start ---", "", "--");
}

TEST(DomainDeeplink, UnderscoreBelongsToTheCode) {
  // The code is returned as is; campaign lookup decides it does not exist.
  expect_payload("/start a_b-c", "a_b", "c");
  EXPECT_FALSE(is_valid_campaign_code("a_b"));
}

TEST(DomainDeeplink, WhitespaceAroundPayloadTolerated) {
  expect_payload("/start CAMP-x ", "CAMP", "x");
  expect_payload("/start   CAMP-x\t\r\n", "CAMP", "x");
  expect_payload("/start\nCAMP-x", "CAMP", "x");
  expect_payload("/start\tCAMP-x", "CAMP", "x");
}

TEST(DomainDeeplink, MentionOfThisBot) {
  expect_payload("/start@TgLeadBot CAMP-x", "CAMP", "x");
  expect_payload("/start@tgleadbot CAMP-x", "CAMP", "x");
  expect_payload("/start@TGLEADBOT CAMP-x", "CAMP", "x");
}

TEST(DomainDeeplink, BotUsernameMayCarryAt) {
  EXPECT_EQ(parse_start_command("/start@TgLeadBot X-y", "@tgleadbot").kind, StartKind::Payload);
}

TEST(DomainDeeplink, MentionOfAnotherBotIsNotForUs) {
  expect_kind("/start@OtherBot CAMP-x", StartKind::NotStart);
  expect_kind("/start@OtherBot", StartKind::NotStart);
  expect_kind("/start@TgLeadBotX CAMP-x", StartKind::NotStart);
  expect_kind("/start@TgLeadBo CAMP-x", StartKind::NotStart);
  expect_kind("/start@ CAMP-x", StartKind::NotStart);
  expect_kind("/start@", StartKind::NotStart);
}

TEST(DomainDeeplink, UnknownOwnUsernameAcceptsAnyMention) {
  EXPECT_EQ(parse_start_command("/start@Whatever X", "").kind, StartKind::Payload);
  EXPECT_EQ(parse_start_command("/start@ X", "").kind, StartKind::NotStart);
}

TEST(DomainDeeplink, NotStartCommands) {
  expect_kind("", StartKind::NotStart);
  expect_kind("/", StartKind::NotStart);
  expect_kind("/star", StartKind::NotStart);
  expect_kind("/started", StartKind::NotStart);
  expect_kind("/startCAMP", StartKind::NotStart);
  expect_kind("/start-CAMP", StartKind::NotStart);
  expect_kind("/start_CAMP", StartKind::NotStart);
  expect_kind("/help", StartKind::NotStart);
  expect_kind("start CAMP", StartKind::NotStart);
  expect_kind("hello /start CAMP", StartKind::NotStart);
  expect_kind(" /start CAMP", StartKind::NotStart);  // a command starts at offset 0
  expect_kind("//start", StartKind::NotStart);
}

TEST(DomainDeeplink, CommandWordIsCaseInsensitive) {
  expect_payload("/Start CAMP-x", "CAMP", "x");
  expect_kind("/START", StartKind::Bare);
}

TEST(DomainDeeplink, PayloadLengthLimit) {
  const std::string ok(64, 'a');
  expect_payload("/start " + ok, ok, "");
  expect_kind("/start " + std::string(65, 'a'), StartKind::InvalidPayload);
  const std::string with_click = "C-" + std::string(62, 'z');
  expect_payload("/start " + with_click, "C", std::string(62, 'z'));
  // Surrounding whitespace does not count towards the 64.
  expect_payload("/start  " + ok + "  ", ok, "");
}

TEST(DomainDeeplink, InvalidPayloadCharacters) {
  expect_kind("/start CAMP-a b", StartKind::InvalidPayload);
  expect_kind("/start CAMP-x.y", StartKind::InvalidPayload);
  expect_kind("/start CAMP-x=", StartKind::InvalidPayload);
  expect_kind("/start CAMP+x", StartKind::InvalidPayload);
  expect_kind("/start CAMP-кот", StartKind::InvalidPayload);
  expect_kind("/start CAMP-%20", StartKind::InvalidPayload);
  expect_kind("/start CAMP-{click}", StartKind::InvalidPayload);
  expect_kind("/start CAMP-x\x01", StartKind::InvalidPayload);
  expect_kind(std::string_view("/start CA\0MP", 12), StartKind::InvalidPayload);
  expect_kind("/start@TgLeadBot a/b", StartKind::InvalidPayload);
}

TEST(DomainDeeplink, CampaignCodeRule) {
  EXPECT_TRUE(is_valid_campaign_code("A"));
  EXPECT_TRUE(is_valid_campaign_code("CAMP42"));
  EXPECT_TRUE(is_valid_campaign_code("abcdefghij123456"));
  EXPECT_FALSE(is_valid_campaign_code(""));
  EXPECT_FALSE(is_valid_campaign_code("abcdefghij1234567"));
  EXPECT_FALSE(is_valid_campaign_code("CAMP-1"));
  EXPECT_FALSE(is_valid_campaign_code("CAMP_1"));
  EXPECT_FALSE(is_valid_campaign_code("CAMP 1"));
  EXPECT_FALSE(is_valid_campaign_code(" CAMP"));
  EXPECT_FALSE(is_valid_campaign_code("кот"));
}

}  // namespace
}  // namespace tglead::domain
