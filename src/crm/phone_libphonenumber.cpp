// PhoneNormalizer on libphonenumber (the only file that includes its headers).
#include <phonenumbers/phonenumberutil.h>

#include <optional>

#include "crm/normalize.hpp"

namespace tglead::crm {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

class LibPhoneNumberNormalizer final : public PhoneNormalizer {
 public:
  LibPhoneNumberNormalizer(std::string region, bool fast) : region_(std::move(region)), fast_(fast) {
    for (char& c : region_) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (region_.empty()) region_ = "ZZ";  // unknown: only numbers with a country code parse
  }

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
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    if (fast_) {
      if (auto e164 = international(util, text)) return {*e164, ""};
    }
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
  // Parse() costs ~20 us (ICU regexes). Numbers already written as "+<digits>"
  // with only spaces, dashes, dots and brackets between are split into
  // country code and national number directly (calling codes are prefix-free)
  // and accepted only if IsValidNumber() agrees; anything else takes Parse().
  static std::optional<std::string> international(const PhoneNumberUtil& util, const std::string& text) {
    if (text.empty() || text[0] != '+') return std::nullopt;
    std::string digits;
    for (std::size_t i = 1; i < text.size(); ++i) {
      char c = text[i];
      if (c >= '0' && c <= '9') {
        digits += c;
      } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
        return std::nullopt;
      }
    }
    if (digits.size() < 7 || digits.size() > 17 || digits[0] == '0') return std::nullopt;
    for (std::size_t len = 1; len <= 3; ++len) {
      int code = std::stoi(digits.substr(0, len));
      std::string region;
      util.GetRegionCodeForCountryCode(code, &region);
      if (region == "ZZ") continue;
      std::string nsn = digits.substr(len);
      if (nsn.size() < 2) return std::nullopt;
      PhoneNumber number;
      number.set_country_code(code);
      if (nsn[0] == '0') {
        number.set_italian_leading_zero(true);
        std::size_t zeros = 0;
        while (zeros < nsn.size() - 1 && nsn[zeros] == '0') ++zeros;
        if (zeros > 1) number.set_number_of_leading_zeros(static_cast<int>(zeros));
      }
      number.set_national_number(std::stoull(nsn));
      if (!util.IsValidNumber(number)) return std::nullopt;
      std::string out;
      util.Format(number, PhoneNumberUtil::E164, &out);
      return out;
    }
    return std::nullopt;
  }

  std::string region_;
  bool fast_ = true;
};

}  // namespace

std::unique_ptr<PhoneNormalizer> make_phone_normalizer(std::string default_region, bool fast_path) {
  return std::make_unique<LibPhoneNumberNormalizer>(std::move(default_region), fast_path);
}

}  // namespace tglead::crm
