// Normalisation of contact identifiers and details (PRODUCT.md §8.1, crm.md §14).
//
// Contract: every function takes raw user input (a form field, a CSV cell)
// and returns either the canonical value or a human-readable reason it was
// rejected. Blank input is "not given": ok() with an empty value.
// * Usernames: surrounding spaces, a leading '@' and link forms
//   (t.me/NAME, https://telegram.me/NAME, tg://resolve?domain=NAME) are
//   stripped; Telegram's rules are enforced (5-32 of [A-Za-z0-9_], starting
//   with a letter, not ending with '_'). Case is kept; compare with
//   username_key().
// * Phones: parsed with libphonenumber (behind PhoneNormalizer) to E.164;
//   numbers without a country code need a default region.
// Thread-safety: all functions are pure; a PhoneNormalizer is immutable and
// may be shared between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace tglead::crm {

struct Normalized {
  std::string value;
  std::string error;  // empty when ok
  bool ok() const { return error.empty(); }
};

Normalized normalize_username(std::string_view raw);
// The case-insensitive comparison key of a (normalised) username.
std::string username_key(std::string_view username);

// ISO 3166-1 alpha-2 ("ru" -> "RU").
Normalized normalize_country(std::string_view raw);
// A language tag: 2-3 letter primary subtag, optional region/script subtags ("EN_us" -> "en-US").
Normalized normalize_language(std::string_view raw);
// Trims spaces; removes the apostrophe a spreadsheet export put before a formula-like value.
std::string clean_text(std::string_view raw);

class PhoneNormalizer {
 public:
  virtual ~PhoneNormalizer() = default;
  // To E.164, or the reason the number is not a valid phone number.
  virtual Normalized normalize(std::string_view raw) const = 0;
};

// libphonenumber. `default_region` (ISO alpha-2, may be empty) applies to
// numbers written without a country code. `fast_path` (tests turn it off to
// compare) decides numbers written as digits and separators, with or without
// '+', from libphonenumber's metadata instead of its parser
// (crm/phone_metadata.hpp); results, errors included, are identical.
std::unique_ptr<PhoneNormalizer> make_phone_normalizer(std::string default_region, bool fast_path = true);

}  // namespace tglead::crm
