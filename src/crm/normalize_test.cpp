// Identifier normalisation and dedup matching (PRODUCT.md §8.1; crm.md §14.1-§14.2 traps).
#include "crm/normalize.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "crm/matching.hpp"
#include "crm/phone_metadata.hpp"

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

// What FastPhoneParser answers for `text` when the normaliser hands it over: '+' or a digit, then
// only digits and the separators space - . ( ); nullopt for any other form.
std::optional<std::string> fast_path_answer(const FastPhoneParser& parser, std::string_view text) {
  bool plus = !text.empty() && text[0] == '+';
  std::string digits;
  for (char c : text.substr(plus ? 1 : 0)) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (std::string_view(" -.()").find(c) == std::string_view::npos) {
      return std::nullopt;
    }
  }
  return plus ? parser.international(digits) : parser.national(digits);
}

TEST(Phone, KnownNumbersTakeTheFastPathToTheSameResult) {
  struct Case {
    const char* region;
    const char* raw;
    const char* e164;  // empty: rejected
    bool fast = true;  // FastPhoneParser answers it (never for a rejected one)
  };
  for (const Case& c :
       {Case{"DE", "+49 30 12345678", "+493012345678"}, Case{"", "+1 650 253 0000", "+16502530000"},
        Case{"", "+7 912 345 67 89", "+79123456789"}, Case{"", "+44 20 7946 0000", "+442079460000"},
        Case{"", "+39 06 1234 5678", "+390612345678"},  // the Italian leading zero stays
        Case{"DE", "030 12345678", "+493012345678"}, Case{"DE", "(030) 1234-5678", "+493012345678"},
        Case{"DE", "0049 30 12345678", "+493012345678"}, Case{"DE", "49 30 12345678", "+493012345678"},
        Case{"RU", "8 912 345 67 89", "+79123456789"}, Case{"RU", "912 345-67-89", "+79123456789"},
        Case{"RU", "7 912 345 67 89", "+79123456789"}, Case{"US", "1 650 253 0000", "+16502530000"},
        Case{"US", "(650) 253-0000", "+16502530000"}, Case{"CA", "1 (604) 555-5555", "+16045555555"},
        Case{"GB", "020 7946 0000", "+442079460000"}, Case{"IT", "06 1234 5678", "+390612345678"},
        Case{"KZ", "8 701 234 5678", "+77012345678"}, Case{"DE", "+49 30 1", ""}, Case{"", "+7 000 000 00 00", ""},
        Case{"US", "+1 123 456 7890", ""}, Case{"DE", "030 1", ""}, Case{"RU", "8 000 000 00 00", ""},
        Case{"", "030 12345678", ""}, Case{"DE", "+999 1234567", ""},
        // Left to libphonenumber: an extension, national prefix transform rules.
        Case{"DE", "030 12345678 ext. 9", "+493012345678", false},
        Case{"AR", "011 15-2345-6789", "+5491123456789", false}, Case{"AG", "460 1234", "+12684601234", false}}) {
    auto fast = make_phone_normalizer(c.region, true)->normalize(c.raw);
    auto slow = make_phone_normalizer(c.region, false)->normalize(c.raw);
    EXPECT_EQ(fast.value, c.e164) << c.region << " " << c.raw << ": " << fast.error;
    EXPECT_EQ(fast.value, slow.value) << c.region << " " << c.raw;
    EXPECT_EQ(fast.error, slow.error) << c.region << " " << c.raw;
    auto answer = fast_path_answer(FastPhoneParser(c.region), c.raw);
    if (*c.e164 && c.fast) {
      EXPECT_EQ(answer.value_or("(declined)"), c.e164) << c.region << " " << c.raw;
    } else {
      EXPECT_FALSE(answer) << c.region << " " << c.raw << " -> " << *answer;
    }
  }
}

// Every region, in its own formats: example numbers of each type (valid by construction, so many
// comparisons are between accepted numbers) and their neighbours one digit off, plus random digit
// strings, written nationally (with and without the national prefix, after extra zeros), after '+'
// and the calling code (also with the national prefix), after the calling code without '+', after
// the international prefix, and with separators. Agreeing is not enough (a fast path that declined
// everything would agree): FastPhoneParser itself must answer every valid number, except those
// read with a region's national prefix transform rule.
TEST(Phone, FastPathAgreesWithLibphonenumberInEveryRegion) {
  std::uint64_t state = 20240601;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  auto random_digit = [&] { return static_cast<char>('0' + next() % 10); };
  auto with_separators = [&](const std::string& digits) {
    static constexpr const char* kSeparators[] = {" ", "-", ".", " (", ") ", "  ", " - "};
    std::string out;
    for (char c : digits) {
      if (!out.empty() && out != "+" && next() % 3 == 0) out += kSeparators[next() % std::size(kSeparators)];
      out += c;
    }
    return out;
  };
  auto samples = phone_region_samples();
  ASSERT_GT(samples.size(), 240u);
  std::set<std::string> transforming_regions;
  std::map<int, bool> main_region_transforms;  // by calling code
  for (const PhoneRegionSample& sample : samples) {
    if (sample.transforms_national_prefix) transforming_regions.insert(sample.region);
    if (sample.main_region) main_region_transforms[sample.country_code] = sample.transforms_national_prefix;
  }
  auto calling_code_of = [&](const std::string& e164) {
    for (std::size_t length = 1; length <= 3; ++length) {
      int code = std::stoi(e164.substr(1, length));
      if (main_region_transforms.contains(code)) return code;
    }
    ADD_FAILURE() << e164 << " has no known calling code";
    return 0;
  };
  std::size_t compared = 0;
  std::size_t accepted = 0;
  for (const PhoneRegionSample& sample : samples) {
    std::string region = sample.region == "001" ? "" : sample.region;  // non-geographic: only "+" numbers
    auto fast = make_phone_normalizer(region, true);
    auto slow = make_phone_normalizer(region, false);
    FastPhoneParser parser(region);
    std::vector<std::string> numbers = sample.example_numbers;
    for (const std::string& example : sample.example_numbers) {
      std::string changed = example;
      changed[next() % changed.size()] = random_digit();
      numbers.push_back(changed);
      numbers.push_back(example.substr(0, example.size() - 1));
      numbers.push_back(example + random_digit());
    }
    for (int length = 4; length <= 17; ++length) {
      std::string digits;
      for (int i = 0; i < length; ++i) digits += random_digit();
      numbers.push_back(digits);
    }
    const std::string code = std::to_string(sample.country_code);
    const std::string& prefix = sample.national_prefix;
    for (const std::string& number : numbers) {
      const std::string forms[] = {number,
                                   prefix + number,
                                   "0" + number,
                                   "00" + number,
                                   "+" + code + number,
                                   "+" + code + " " + prefix + number,
                                   code + number,
                                   code + prefix + number,
                                   sample.international_prefix + code + number,
                                   "+" + code + "0" + number,
                                   with_separators(prefix + number),
                                   with_separators("+" + code + number),
                                   with_separators(sample.international_prefix + code + number)};
      for (int pick = 0; pick < 6; ++pick) {
        const std::string& text = forms[next() % std::size(forms)];
        auto a = fast->normalize(text);
        auto b = slow->normalize(text);
        ASSERT_EQ(a.value, b.value) << sample.region << " '" << text << "'";
        ASSERT_EQ(a.error, b.error) << sample.region << " '" << text << "'";
        ++compared;
        if (!b.ok()) continue;
        ++accepted;
        auto answer = fast_path_answer(parser, text);
        if (answer) {
          EXPECT_EQ(*answer, b.value) << sample.region << " '" << text << "'";
        } else {
          EXPECT_TRUE(main_region_transforms[calling_code_of(b.value)] ||
                      (text[0] != '+' && transforming_regions.contains(region)))
              << sample.region << " '" << text << "' is valid (" << b.value << ") but the fast path declined it";
        }
      }
    }
  }
  EXPECT_GT(compared, 40000u);
  EXPECT_GT(accepted, compared / 5);  // enough accepted numbers for the comparison to mean something
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
