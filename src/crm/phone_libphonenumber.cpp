// PhoneNormalizer on libphonenumber (the only file that includes its headers).
#include <phonenumbers/phonenumberutil.h>

#include "crm/normalize.hpp"

namespace tglead::crm {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

class LibPhoneNumberNormalizer final : public PhoneNormalizer {
 public:
  explicit LibPhoneNumberNormalizer(std::string region) : region_(std::move(region)) {
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
  std::string region_;
};

}  // namespace

std::unique_ptr<PhoneNormalizer> make_phone_normalizer(std::string default_region) {
  return std::make_unique<LibPhoneNumberNormalizer>(std::move(default_region));
}

}  // namespace tglead::crm
