// PhoneNormalizer on libphonenumber (with crm/phone_metadata.cpp, the only files that include its headers).
#include <phonenumbers/phonenumberutil.h>

#include <optional>

#include "crm/normalize.hpp"
#include "crm/phone_metadata.hpp"

namespace tglead::crm {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string canonical_region(std::string region) {
  for (char& c : region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (region.empty()) region = "ZZ";  // unknown: only numbers with a country code parse
  return region;
}

class LibPhoneNumberNormalizer final : public PhoneNormalizer {
 public:
  LibPhoneNumberNormalizer(std::string region, bool fast)
      : region_(canonical_region(std::move(region))), fast_(fast), fast_parser_(region_) {}

  Normalized normalize(std::string_view raw) const override {
    std::string text(raw);
    // Trim, and drop the apostrophe a spreadsheet export puts before "+...".
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
    if (text.size() > 1 && text[0] == '\'') text.erase(0, 1);
    if (text.size() > 64) return {"", "phone number is longer than 64 characters"};
    // A spreadsheet that read the number as a float ("7.91612E+10") lost digits.
    if (text.find("E+") != std::string::npos || text.find("e+") != std::string::npos) {
      return {"", "phone '" + text + "' is in scientific notation (digits were lost by a spreadsheet)"};
    }
    if (fast_) {
      if (auto e164 = fast_parse(text)) return {*e164, ""};
    }
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    auto error = util.Parse(text, region_, &number);
    switch (error) {
      case PhoneNumberUtil::NO_PARSING_ERROR: break;
      case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        return {"", "phone '" + text + "' has no valid country code (write it as +<country code>... or give a default region)"};
      case PhoneNumberUtil::TOO_SHORT_NSN:
      case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        return {"", "phone '" + text + "' is too short"};
      case PhoneNumberUtil::TOO_LONG_NSN:
        return {"", "phone '" + text + "' is too long"};
      default:
        return {"", "phone '" + text + "' is not a phone number"};
    }
    if (!util.IsValidNumber(number)) {
      return {"", "phone '" + text + "' is not a valid number for its country"};
    }
    std::string out;
    util.Format(number, PhoneNumberUtil::E164, &out);
    return {out, ""};
  }

 private:
  // Parse() and IsValidNumber() cost ~30 us (ICU regexes). Numbers written as digits with only
  // spaces, dashes, dots and brackets between them, after an optional '+', are decided from the
  // metadata instead; anything else, and every number that is not valid, takes Parse().
  std::optional<std::string> fast_parse(const std::string& text) const {
    bool plus = text[0] == '+';
    std::string digits;
    for (std::size_t i = plus ? 1 : 0; i < text.size(); ++i) {
      char c = text[i];
      if (c >= '0' && c <= '9') {
        digits += c;
      } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
        return std::nullopt;
      }
    }
    return plus ? fast_parser_.international(digits) : fast_parser_.national(digits);
  }

  std::string region_;
  bool fast_ = true;
  FastPhoneParser fast_parser_;
};

}  // namespace

std::unique_ptr<PhoneNormalizer> make_phone_normalizer(std::string default_region, bool fast_path) {
  return std::make_unique<LibPhoneNumberNormalizer>(std::move(default_region), fast_path);
}

}  // namespace tglead::crm
