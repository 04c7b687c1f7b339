// Identifier normalisation and dedup matching (PRODUCT.md §8.1; crm.md §14.1-§14.2 traps).
#include "crm/normalize.hpp"

#include <gtest/gtest.h>

#include "crm/matching.hpp"

namespace tglead::crm {
namespace {

std::string user_ok(std::string_view raw) {
  auto n = normalize_username(raw);
  EXPECT_TRUE(n.ok()) << raw << ": " << n.error;
  return n.value;
}

std::string user_error(std::string_view raw) {
  auto n = normalize_username(raw);
  EXPECT_FALSE(n.ok()) << raw << " was accepted as " << n.value;
  return n.error;
}

TEST(Username, StripsAtSpacesAndLinkForms) {
  EXPECT_EQ(user_ok("alina_k"), "alina_k");
  EXPECT_EQ(user_ok("  @Alina_K \t"), "Alina_K");
  EXPECT_EQ(user_ok("https://t.me/alina_k"), "alina_k");
  EXPECT_EQ(user_ok("HTTP://T.ME/alina_k/"), "alina_k");
  EXPECT_EQ(user_ok("t.me/alina_k?start=x"), "alina_k");
  EXPECT_EQ(user_ok("https://telegram.me/alina_k"), "alina_k");
  EXPECT_EQ(user_ok("www.t.me/alina_k"), "alina_k");
  EXPECT_EQ(user_ok("tg://resolve?domain=alina_k&start=1"), "alina_k");
  EXPECT_EQ(user_ok("https://t.me/s/dailydeals_eu"), "dailydeals_eu");
  EXPECT_EQ(user_ok("\xC2\xA0" "alina_k" "\xC2\xA0"), "alina_k");  // no-break spaces from spreadsheets
  EXPECT_EQ(user_ok(""), "");
  EXPECT_EQ(user_ok("   "), "");
}

TEST(Username, EnforcesTelegramRulesWithReasons) {
  EXPECT_NE(user_error("abcd").find("5-32"), std::string::npos);
  EXPECT_NE(user_error(std::string(33, 'a')).find("5-32"), std::string::npos);
  EXPECT_EQ(user_ok(std::string(32, 'a')), std::string(32, 'a'));
  EXPECT_NE(user_error("1alina").find("start with a letter"), std::string::npos);
  EXPECT_NE(user_error("_alina").find("start with a letter"), std::string::npos);
  EXPECT_NE(user_error("alina_").find("underscore"), std::string::npos);
  EXPECT_NE(user_error("alina-k").find("Latin letters"), std::string::npos);
  EXPECT_NE(user_error("al ina").find("Latin letters"), std::string::npos);
  // Cyrillic 'а' looks like Latin 'a' (homoglyph): rejected, not silently a different handle.
  EXPECT_NE(user_error("\xD0\xB0lina_k").find("Latin letters"), std::string::npos);
  EXPECT_NE(user_error("@").find("no username"), std::string::npos);
  EXPECT_NE(user_error("+79161234567").find("Latin letters"), std::string::npos);
  EXPECT_NE(user_error("https://t.me/+Xk3bQ9rV2mYzN4Ff").find("invite link"), std::string::npos);
  EXPECT_NE(user_error("https://t.me/joinchat/AAAA").find("invite link"), std::string::npos);
  EXPECT_NE(user_error("https://t.me/c/123/45").find("not a username"), std::string::npos);
  EXPECT_NE(user_error("t.me/").find("no username"), std::string::npos);
}

TEST(Username, KeyIsCaseInsensitive) {
  EXPECT_EQ(username_key("Alina_K"), username_key("alina_k"));
  EXPECT_EQ(username_key("ALINA_K"), "alina_k");
}

TEST(Phone, NormalisesFormattingVariantsToOneE164) {
  auto ru = make_phone_normalizer("RU");
  for (const char* raw : {"+7 916 123-45-67", "+79161234567", "8 (916) 123-45-67", "89161234567", "+7(916)1234567",
                          " +7 916 123 45 67 ", "'+79161234567", "8-916-123-45-67"}) {
    auto n = ru->normalize(raw);
    EXPECT_TRUE(n.ok()) << raw << ": " << n.error;
    EXPECT_EQ(n.value, "+79161234567") << raw;
  }
  auto de = make_phone_normalizer("de");
  EXPECT_EQ(de->normalize("030 12345678").value, "+493012345678");
  EXPECT_EQ(de->normalize("0049 30 12345678").value, "+493012345678");
  EXPECT_EQ(de->normalize("+1 650-253-0000").value, "+16502530000");  // a '+' number ignores the region
}

TEST(Phone, RejectsWithReasons) {
  auto none = make_phone_normalizer("");
  EXPECT_TRUE(none->normalize("").ok());
  EXPECT_EQ(none->normalize("").value, "");
  EXPECT_EQ(none->normalize("+7 916 123-45-67").value, "+79161234567");
  auto local = none->normalize("8 916 123 45 67");  // no country code and no default region
  EXPECT_FALSE(local.ok());
  EXPECT_NE(local.error.find("country code"), std::string::npos) << local.error;
  auto ru = make_phone_normalizer("RU");
  EXPECT_FALSE(ru->normalize("12").ok());
  EXPECT_FALSE(ru->normalize("+7 000 000 00 00").ok());
  EXPECT_FALSE(ru->normalize("not a phone").ok());
  auto sci = ru->normalize("7.91612E+10");  // a spreadsheet turned it into a float
  EXPECT_FALSE(sci.ok());
  EXPECT_NE(sci.error.find("scientific"), std::string::npos);
  EXPECT_FALSE(ru->normalize(std::string(80, '1')).ok());
}

TEST(Phone, FastPathAgreesWithLibphonenumbersParser) {
  auto fast = make_phone_normalizer("DE", true);
  auto slow = make_phone_normalizer("DE", false);
  std::uint64_t state = 12345;
  auto next = [&] { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; };
  const char* codes[] = {"1", "7", "20", "33", "34", "39", "44", "49", "52", "54", "55", "61", "81", "86", "91",
                         "225", "351", "380", "800", "971", "998"};
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string digits;
    int len = 6 + static_cast<int>(next() % 8);
    for (int k = 0; k < len; ++k) digits += static_cast<char>('0' + (next() >> 33) % 10);
    std::string text = std::string("+") + codes[i % std::size(codes)] + (i % 2 ? " " : "") + digits;
    auto a = fast->normalize(text);
    auto b = slow->normalize(text);
    ASSERT_EQ(a.value, b.value) << text;
    ASSERT_EQ(a.ok(), b.ok()) << text;
    valid += !a.value.empty();
  }
  EXPECT_GT(valid, 500);  // enough accepted numbers for the comparison to mean something
  for (const char* text : {"+39 06 1234 5678", "+39 0039 1234567", "+49 030 12345678", "+7 8 916 123 45 67",
                           "+44 (0)20 7946 0958", "+1 (650) 253-0000", "+225 07 07 07 07 07"}) {
    EXPECT_EQ(fast->normalize(text).value, slow->normalize(text).value) << text;
    EXPECT_EQ(fast->normalize(text).error, slow->normalize(text).error) << text;
  }
}

TEST(CountryAndLanguage, Normalise) {
  EXPECT_EQ(normalize_country(" de ").value, "DE");
  EXPECT_FALSE(normalize_country("Germany").ok());
  EXPECT_EQ(normalize_language("EN").value, "en");
  EXPECT_EQ(normalize_language("pt_br").value, "pt-BR");
  EXPECT_FALSE(normalize_language("english!").ok());
  EXPECT_FALSE(normalize_language("e").ok());
}

TEST(CleanText, DropsTheApostropheOfANeutralisedFormula) {
  EXPECT_EQ(clean_text("'=cmd|' /C calc'!A0"), "=cmd|' /C calc'!A0");
  EXPECT_EQ(clean_text(" O'Brien "), "O'Brien");
}

Candidate cand(std::int64_t id, std::int64_t tg, std::string username = "", std::string phone = "") {
  return Candidate{id, Identity{tg, std::move(username), std::move(phone)}};
}

TEST(Match, NothingFoundCreates) {
  auto r = match(Identity{1, "alina_k", "+79161234567"}, {});
  EXPECT_EQ(r.kind, MatchKind::None);
}

TEST(Match, OrderIsTelegramIdThenUsernameThenPhone) {
  Lookups all{cand(5, 1, "alina_k", "+79161234567"), cand(5, 1, "alina_k", "+79161234567"),
              cand(5, 1, "alina_k", "+79161234567")};
  auto r = match(Identity{1, "ALINA_K", "+79161234567"}, all);
  EXPECT_EQ(r.kind, MatchKind::Match);
  EXPECT_EQ(r.contact_id, 5);
  EXPECT_EQ(r.matched_on, "telegram_id");

  Lookups by_phone;
  by_phone.by_phone = cand(9, 0, "", "+79161234567");
  r = match(Identity{0, "", "+79161234567"}, by_phone);
  EXPECT_EQ(r.kind, MatchKind::Match);
  EXPECT_EQ(r.matched_on, "phone");

  Lookups by_name;
  by_name.by_username = cand(4, 0, "alina_k");
  r = match(Identity{77, "alina_k", ""}, by_name);  // imported @handle, now seen with a Telegram id
  EXPECT_EQ(r.kind, MatchKind::Match);
  EXPECT_EQ(r.contact_id, 4);
  EXPECT_EQ(r.matched_on, "username");
}

TEST(Match, IdentifiersOnDifferentContactsConflict) {
  Lookups found;
  found.by_telegram_id = cand(1, 100, "old_name");
  found.by_username = cand(2, 0, "new_name");
  auto r = match(Identity{100, "new_name", ""}, found);
  ASSERT_EQ(r.kind, MatchKind::Conflict);
  EXPECT_EQ(r.contact_id, 1);
  ASSERT_EQ(r.conflicts.size(), 1u);
  EXPECT_EQ(r.conflicts[0].field, "username");
  EXPECT_EQ(r.conflicts[0].contact_id, 2);

  found = {};
  found.by_username = cand(3, 0, "alina_k");
  found.by_phone = cand(4, 0, "", "+79161234567");
  r = match(Identity{0, "alina_k", "+79161234567"}, found);
  ASSERT_EQ(r.kind, MatchKind::Conflict);
  EXPECT_EQ(r.conflicts[0].field, "phone");
}

TEST(Match, ReassignedUsernameOfAnotherTelegramAccountConflicts) {
  // crm.md §14.1: a username is not identity. @alina_k belongs to Telegram id 100 in the CRM;
  // a row says Telegram id 200 has it now: never update contact 100 with id 200.
  Lookups found;
  found.by_username = cand(1, 100, "alina_k");
  auto r = match(Identity{200, "alina_k", ""}, found);
  ASSERT_EQ(r.kind, MatchKind::Conflict);
  EXPECT_EQ(r.conflicts[0].field, "username");
  EXPECT_NE(r.conflicts[0].reason.find("Telegram id 100"), std::string::npos);
}

}  // namespace
}  // namespace tglead::crm
