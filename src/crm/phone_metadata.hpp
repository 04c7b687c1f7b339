// Phone numbers to E.164 from libphonenumber's own metadata, without its parser
// (crm/phone_libphonenumber.cpp asks this first: ~1 us a number instead of ~30 us of ICU regexes).
//
// Contract: FastPhoneParser returns exactly the E.164 string that libphonenumber's
// Parse + IsValidNumber + Format(E164) give for the same input, or nullopt. It only ever returns
// VALID numbers: nullopt means "invalid, or a case not replicated here", and the caller must then
// ask libphonenumber, so every rejection (and its reason) still comes from libphonenumber.
// Replicated: the country calling code after '+', the default region's international prefix and
// calling code written without '+', national prefix stripping (not the few regions' prefix
// transform rules: those return nullopt), Italian leading zeros, and IsValidNumber (the region of
// a calling code shared by several regions, then every number type's lengths and pattern).
// The patterns are compiled with RE2 once per process, on first use.
// Thread-safety: the compiled metadata is immutable once built (a function-local static) and a
// FastPhoneParser is immutable; both may be shared between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tglead::crm {

struct PhoneRegionPlan;  // one region's compiled metadata (phone_metadata.cpp)

class FastPhoneParser {
 public:
  // `default_region`: ISO 3166-1 alpha-2 in upper case; national numbers are read in it.
  // An unknown region ("ZZ", "") answers no national number.
  explicit FastPhoneParser(std::string_view default_region);

  // `digits`: the ASCII digits of a number written as '+' followed by digits and separators.
  std::optional<std::string> international(std::string_view digits) const;
  // `digits`: the ASCII digits of a number written without '+', only separators between them.
  std::optional<std::string> national(std::string_view digits) const;

 private:
  const PhoneRegionPlan* region_;  // null: unknown region
};

// For tests: what the metadata says of every supported region, and of every non-geographic
// calling code (region "001"), to build inputs in each region's own formats and to know which
// valid numbers FastPhoneParser leaves to libphonenumber: those read with the rules of a region that
// transforms its national prefix (the default region for national input, otherwise the calling
// code's main region).
struct PhoneRegionSample {
  std::string region;
  int country_code = 0;
  bool main_region = false;  // numbers with this calling code are read with this region's rules
  bool transforms_national_prefix = false;
  std::string national_prefix;               // as dialled; empty if the region has none
  std::string international_prefix;          // one diallable form; empty if none is a plain digit string
  std::vector<std::string> example_numbers;  // national significant numbers, one per number type
};
std::vector<PhoneRegionSample> phone_region_samples();

}  // namespace tglead::crm
