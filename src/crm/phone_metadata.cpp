// FastPhoneParser: libphonenumber's parsing and validation steps for digit-only input, replicated
// on its metadata. The reference is cpp/src/phonenumbers/phonenumberutil.cc of libphonenumber 8.12
// (ParseHelper, MaybeExtractCountryCode, MaybeStripNationalPrefixAndCarrierCode, TestNumberLength,
// GetRegionCodeForNumber, GetNumberTypeHelper); the comments name the function each step mirrors.
#include "crm/phone_metadata.hpp"

#include <phonenumbers/phonemetadata.pb.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "util/ascii.hpp"

namespace i18n::phonenumbers {
// The serialized PhoneMetadataCollection compiled into libphonenumber.so; declared in its
// metadata.h, which Debian does not install.
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace tglead::crm {

namespace {

namespace lpn = i18n::phonenumbers;

constexpr std::size_t kPhoneMinNsnLength = 2;   // PhoneNumberUtil::kMinLengthForNsn
constexpr std::size_t kPhoneMaxNsnLength = 17;  // PhoneNumberUtil::kMaxLengthForNsn
constexpr std::size_t kPhoneMaxCallingCodeLength = 3;
constexpr int kPhoneCallingCodeLimit = 1000;

bool only_ascii_digits(std::string_view s) { return std::all_of(s.begin(), s.end(), util::ascii_digit); }

// libphonenumber parses the same bytes when it starts; were they ever unreadable, the collection
// stays empty and every number takes libphonenumber's parser.
lpn::PhoneMetadataCollection load_phone_metadata() {
  lpn::PhoneMetadataCollection collection;
  if (!collection.ParseFromArray(lpn::metadata_get(), lpn::metadata_size())) collection.Clear();
  return collection;
}

}  // namespace

// Named rather than anonymous: PhoneRegionPlan (declared in the header) holds these.
namespace phone_plan {

// A pattern of the metadata, matched as libphonenumber's RegExp does. Plain digit strings (most
// national and international prefixes) are compared directly, without RE2's fixed cost per call.
class MetadataPattern {
 public:
  explicit MetadataPattern(const std::string& source) {
    if (only_ascii_digits(source)) {
      literal_ = source;
    } else {
      RE2::Options options;
      options.set_log_errors(false);
      regex_ = std::make_unique<RE2>(source, options);
    }
  }

  bool compiled() const { return !regex_ || regex_->ok(); }

  // RegExp::FullMatch.
  bool full_match(std::string_view text) const {
    return regex_ ? RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *regex_) : text == literal_;
  }

  // RegExp::Consume: the length of the match anchored at the start of `text`.
  std::optional<std::size_t> prefix_match(std::string_view text) const {
    if (!regex_) return text.starts_with(literal_) ? std::optional(literal_.size()) : std::nullopt;
    re2::StringPiece rest(text.data(), text.size());
    if (!RE2::Consume(&rest, *regex_)) return std::nullopt;
    return text.size() - rest.size();
  }

 private:
  std::string literal_;
  std::unique_ptr<RE2> regex_;  // null: literal_
};

// A PhoneNumberDesc as IsNumberMatchingDesc reads it: the possible lengths first (if the desc lists
// any; -1 alone means "no numbers of this type"), then a full match of the national number pattern.
class NumberDesc {
 public:
  explicit NumberDesc(const lpn::PhoneNumberDesc& desc) {
    checks_length_ = desc.possible_length_size() > 0;
    for (int length : desc.possible_length()) {
      if (length >= 0 && length < 32) {
        lengths_ |= std::uint32_t{1} << length;
      } else if (length != -1) {
        representable_ = false;
      }
    }
    // RegexBasedMatcher::MatchNationalNumber: an empty pattern matches nothing.
    if (!desc.national_number_pattern().empty()) pattern_.emplace(desc.national_number_pattern());
  }

  bool usable() const { return representable_ && (!pattern_ || pattern_->compiled()); }

  // IsNumberMatchingDesc.
  bool matches(std::string_view nsn) const {
    if (checks_length_ && (nsn.size() >= 32 || !(lengths_ >> nsn.size() & 1))) return false;
    return pattern_matches(nsn);
  }

  // IsMatch: the pattern alone, as national prefix and calling code stripping test "viability".
  bool pattern_matches(std::string_view nsn) const { return pattern_ && pattern_->full_match(nsn); }

 private:
  bool checks_length_ = false;
  std::uint32_t lengths_ = 0;  // bit n: n digits
  bool representable_ = true;
  std::optional<MetadataPattern> pattern_;
};

// The number types GetNumberTypeHelper tries after the general desc, asked only whether ANY of
// them matches (IsNumberMatchingDesc: the type's possible lengths, then its pattern). The patterns
// of the types that admit a length are joined into one RE2 per length, so that a number costs one
// match instead of up to ten.
class NumberTypes {
 public:
  explicit NumberTypes(const std::vector<const lpn::PhoneNumberDesc*>& types) {
    std::map<std::uint32_t, const RE2*> by_members;  // one RE2 per set of types
    for (std::size_t length = 0; length <= kPhoneMaxNsnLength; ++length) {
      std::uint32_t members = 0;
      std::string alternatives;
      for (std::size_t i = 0; i < types.size(); ++i) {
        const lpn::PhoneNumberDesc& type = *types[i];
        // An empty pattern matches nothing (RegexBasedMatcher::MatchNationalNumber); no possible
        // lengths means the general desc's, which the caller checks.
        bool admitted =
            type.possible_length_size() == 0 || std::find(type.possible_length().begin(), type.possible_length().end(),
                                                          static_cast<int>(length)) != type.possible_length().end();
        if (!admitted || type.national_number_pattern().empty()) continue;
        members |= std::uint32_t{1} << i;
        alternatives += (alternatives.empty() ? "(?:" : "|(?:") + type.national_number_pattern() + ")";
      }
      if (members == 0) continue;
      auto [it, fresh] = by_members.emplace(members, nullptr);
      if (fresh) {
        RE2::Options options;
        options.set_log_errors(false);
        it->second = patterns_.emplace_back(std::make_unique<RE2>(alternatives, options)).get();
        compiled_ = compiled_ && it->second->ok();
      }
      by_length_[length] = it->second;
    }
  }

  bool compiled() const { return compiled_; }

  // Numbers longer than kMaxLengthForNsn never get here: Parse rejects them.
  bool any_matches(std::string_view nsn) const {
    const RE2* pattern = nsn.size() < by_length_.size() ? by_length_[nsn.size()] : nullptr;
    return pattern && RE2::FullMatch(re2::StringPiece(nsn.data(), nsn.size()), *pattern);
  }

 private:
  std::array<const RE2*, kPhoneMaxNsnLength + 1> by_length_{};  // null: no type admits the length
  std::vector<std::unique_ptr<RE2>> patterns_;
  bool compiled_ = true;
};

// TestNumberLength's verdicts (PhoneNumberUtil::ValidationResult).
enum class LengthFit { possible, possible_local_only, too_short, too_long, invalid_length };

}  // namespace phone_plan

// One PhoneMetadata (a region, or a non-geographic calling code).
struct PhoneRegionPlan {
  explicit PhoneRegionPlan(const lpn::PhoneMetadata& metadata)
      : country_code(metadata.country_code()),
        general(metadata.general_desc()),
        possible_lengths(metadata.general_desc().possible_length().begin(),
                         metadata.general_desc().possible_length().end()),
        local_only_lengths(metadata.general_desc().possible_length_local_only().begin(),
                           metadata.general_desc().possible_length_local_only().end()),
        types(number_types(metadata)),
        international_prefix(metadata.international_prefix()),
        national_prefix_transform(!metadata.national_prefix_transform_rule().empty()) {
    if (metadata.has_leading_digits()) leading_digits.emplace(metadata.leading_digits());
    if (!metadata.national_prefix_for_parsing().empty()) {
      national_prefix_for_parsing.emplace(metadata.national_prefix_for_parsing());
    }
    usable = general.usable() && !possible_lengths.empty() && types.compiled() && international_prefix.compiled() &&
             (!leading_digits || leading_digits->compiled()) &&
             (!national_prefix_for_parsing || national_prefix_for_parsing->compiled());
  }

  // Premium rate, toll free, shared cost, VoIP, personal number, pager, UAN, voicemail, fixed line
  // and mobile. With same_mobile_and_fixed_line_pattern GetNumberTypeHelper only asks the mobile
  // desc after the fixed-line one matched, which already makes the number valid.
  static std::vector<const lpn::PhoneNumberDesc*> number_types(const lpn::PhoneMetadata& metadata) {
    std::vector<const lpn::PhoneNumberDesc*> types = {
        &metadata.premium_rate(), &metadata.toll_free(),       &metadata.shared_cost(),
        &metadata.voip(),         &metadata.personal_number(), &metadata.pager(),
        &metadata.uan(),          &metadata.voicemail(),       &metadata.fixed_line()};
    if (!metadata.same_mobile_and_fixed_line_pattern()) types.push_back(&metadata.mobile());
    return types;
  }

  // GetNumberTypeHelper(...) != UNKNOWN.
  bool has_number_type(std::string_view nsn) const { return general.matches(nsn) && types.any_matches(nsn); }

  // TestNumberLength(number, metadata) for type UNKNOWN, i.e. the general desc's lengths.
  phone_plan::LengthFit test_length(std::size_t length) const {
    if (possible_lengths.front() == -1) return phone_plan::LengthFit::invalid_length;
    auto is = [&](int wanted) { return static_cast<std::size_t>(wanted) == length; };
    if (std::any_of(local_only_lengths.begin(), local_only_lengths.end(), is)) {
      return phone_plan::LengthFit::possible_local_only;
    }
    if (is(possible_lengths.front())) return phone_plan::LengthFit::possible;
    if (static_cast<std::size_t>(possible_lengths.front()) > length) return phone_plan::LengthFit::too_short;
    if (static_cast<std::size_t>(possible_lengths.back()) < length) return phone_plan::LengthFit::too_long;
    return std::any_of(possible_lengths.begin() + 1, possible_lengths.end(), is)
               ? phone_plan::LengthFit::possible
               : phone_plan::LengthFit::invalid_length;
  }

  // MaybeStripNationalPrefixAndCarrierCode (the carrier code is not kept). False: the region
  // transforms the prefix instead of stripping it, which is not replicated.
  bool strip_national_prefix(std::string& number) const {
    if (number.empty() || !national_prefix_for_parsing) return true;
    if (national_prefix_transform) return false;
    auto prefix = national_prefix_for_parsing->prefix_match(number);
    if (!prefix) return true;
    // The prefix stays if it turns a number of the region's pattern into one that is not.
    if (!general.pattern_matches(std::string_view(number).substr(*prefix)) && general.pattern_matches(number)) {
      return true;
    }
    number.erase(0, *prefix);
    return true;
  }

  int country_code;
  phone_plan::NumberDesc general;
  std::vector<int> possible_lengths;  // the general desc's, ascending
  std::vector<int> local_only_lengths;
  phone_plan::NumberTypes types;
  std::optional<phone_plan::MetadataPattern> leading_digits;
  phone_plan::MetadataPattern international_prefix;
  std::optional<phone_plan::MetadataPattern> national_prefix_for_parsing;  // absent: none
  bool national_prefix_transform;
  bool usable = false;  // every pattern compiled and the metadata has what the steps above read
};

namespace {

class PhonePlans {
 public:
  static const PhonePlans& instance() {
    static const PhonePlans plans;
    return plans;
  }

  const PhoneRegionPlan* region(std::string_view code) const {
    auto it = regions_.find(code);
    return it == regions_.end() ? nullptr : it->second;
  }

  // ParseHelper after a '+' (MaybeExtractCountryCode, ExtractCountryCode): the calling code is
  // the shortest prefix that is one (calling codes are prefix-free).
  std::optional<std::string> international(std::string_view digits) const {
    // Too short after the '+' (TOO_SHORT_AFTER_IDD), or no calling code starts with 0.
    if (digits.size() <= kPhoneMinNsnLength || digits[0] == '0') return std::nullopt;
    int calling_code = 0;
    for (std::size_t length = 1; length <= kPhoneMaxCallingCodeLength; ++length) {
      calling_code = calling_code * 10 + (digits[length - 1] - '0');
      const auto& regions = by_calling_code_[calling_code];
      if (!regions.empty()) return finish(calling_code, *regions.front(), std::string(digits.substr(length)));
    }
    return std::nullopt;
  }

  // ParseHelper for a number without '+' in the default region.
  std::optional<std::string> national(const PhoneRegionPlan& region, std::string_view digits) const {
    // IsViablePhoneNumber wants 3 digits once separators are present; shorter is never valid anyway.
    if (digits.size() < 3 || !calling_code_usable_[region.country_code]) return std::nullopt;
    // MaybeStripInternationalPrefixAndNormalize (ParsePrefixAsIdd): an international prefix followed
    // by a 0 is not one.
    if (auto idd = region.international_prefix.prefix_match(digits)) {
      std::string_view rest = digits.substr(*idd);
      if (rest.empty() || rest[0] != '0') return international(rest);
    }
    // MaybeExtractCountryCode: the region's own calling code written without '+' is dropped if the
    // number only fits the region's pattern without it, or is too long with it.
    std::string number(digits);
    const PhoneRegionPlan* metadata = &region;
    std::string calling_code = std::to_string(region.country_code);
    if (digits.starts_with(calling_code)) {
      std::string without(digits.substr(calling_code.size()));
      if (!region.strip_national_prefix(without)) return std::nullopt;
      if ((!region.general.pattern_matches(digits) && region.general.pattern_matches(without)) ||
          region.test_length(digits.size()) == phone_plan::LengthFit::too_long) {
        number = std::move(without);
        // ParseHelper then reads the number with the calling code's main region (US for CA).
        metadata = by_calling_code_[region.country_code].front();
      }
    }
    return finish(region.country_code, *metadata, std::move(number));
  }

 private:
  PhonePlans() {
    const lpn::PhoneMetadataCollection collection = load_phone_metadata();
    for (const lpn::PhoneMetadata& metadata : collection.metadata()) {
      int calling_code = metadata.country_code();
      if (metadata.id() == "ZZ" || calling_code <= 0 || calling_code >= kPhoneCallingCodeLimit) continue;
      const PhoneRegionPlan* plan = plans_.emplace_back(std::make_unique<PhoneRegionPlan>(metadata)).get();
      if (metadata.id() != "001") regions_.emplace(metadata.id(), plan);
      // PhoneNumberUtil's constructor: the calling code's main region first, the others in order.
      auto& regions = by_calling_code_[calling_code];
      regions.insert(metadata.main_country_for_code() ? regions.begin() : regions.end(), plan);
    }
    for (int code = 0; code < kPhoneCallingCodeLimit; ++code) {
      const auto& regions = by_calling_code_[code];
      calling_code_usable_[code] = !regions.empty() && std::all_of(regions.begin(), regions.end(),
                                                                   [](const auto* plan) { return plan->usable; });
    }
  }

  // ParseHelper after the calling code (national prefix, lengths, leading zeros), then
  // IsValidNumber and Format(E164). `metadata` is the region ParseHelper reads the number with.
  std::optional<std::string> finish(int calling_code, const PhoneRegionPlan& metadata, std::string number) const {
    if (!calling_code_usable_[calling_code] || number.size() < kPhoneMinNsnLength) return std::nullopt;
    std::string stripped = number;
    if (!metadata.strip_national_prefix(stripped)) return std::nullopt;
    // The national prefix stays unless the rest has a possible length for the region (or is too long).
    auto fit = metadata.test_length(stripped.size());
    if (fit != phone_plan::LengthFit::too_short && fit != phone_plan::LengthFit::possible_local_only &&
        fit != phone_plan::LengthFit::invalid_length) {
      number = std::move(stripped);
    }
    if (number.size() < kPhoneMinNsnLength || number.size() > kPhoneMaxNsnLength) return std::nullopt;
    // The national significant number keeps its leading zeros (italian_leading_zero and
    // number_of_leading_zeros), so it is `number` itself.
    if (!is_valid(calling_code, number)) return std::nullopt;
    return "+" + std::to_string(calling_code) + number;
  }

  // IsValidNumber: GetRegionCodeForNumber (for a calling code shared by several regions, the first
  // whose leading digits start the number or, for one without leading digits, that has a type for
  // it), then that region's GetNumberTypeHelper.
  bool is_valid(int calling_code, std::string_view nsn) const {
    const auto& regions = by_calling_code_[calling_code];
    if (regions.size() == 1) return regions.front()->has_number_type(nsn);
    for (const PhoneRegionPlan* region : regions) {
      if (region->leading_digits) {
        if (region->leading_digits->prefix_match(nsn)) return region->has_number_type(nsn);
      } else if (region->has_number_type(nsn)) {
        return true;
      }
    }
    return false;
  }

  std::vector<std::unique_ptr<PhoneRegionPlan>> plans_;
  std::map<std::string, const PhoneRegionPlan*, std::less<>> regions_;
  // GetRegionCodesForCountryCallingCode: the plans of each calling code, main region first.
  std::array<std::vector<const PhoneRegionPlan*>, kPhoneCallingCodeLimit> by_calling_code_;
  std::array<bool, kPhoneCallingCodeLimit> calling_code_usable_{};
};

}  // namespace

FastPhoneParser::FastPhoneParser(std::string_view default_region)
    : region_(PhonePlans::instance().region(default_region)) {}

std::optional<std::string> FastPhoneParser::international(std::string_view digits) const {
  return PhonePlans::instance().international(digits);
}

std::optional<std::string> FastPhoneParser::national(std::string_view digits) const {
  if (!region_) return std::nullopt;
  return PhonePlans::instance().national(*region_, digits);
}

std::vector<PhoneRegionSample> phone_region_samples() {
  std::vector<PhoneRegionSample> samples;
  std::map<int, std::size_t> main_region;  // calling code -> index in samples
  const lpn::PhoneMetadataCollection collection = load_phone_metadata();
  for (const lpn::PhoneMetadata& metadata : collection.metadata()) {
    PhoneRegionSample& sample = samples.emplace_back();
    sample.region = metadata.id();
    sample.country_code = metadata.country_code();
    sample.transforms_national_prefix = !metadata.national_prefix_transform_rule().empty();
    sample.national_prefix = metadata.national_prefix();
    std::string idd = metadata.preferred_international_prefix();
    std::erase(idd, '~');  // "wait for the dial tone"
    if (idd.empty()) idd = metadata.international_prefix();
    if (only_ascii_digits(idd)) sample.international_prefix = idd;
    for (const auto* desc : {&metadata.fixed_line(), &metadata.mobile(), &metadata.toll_free(),
                             &metadata.premium_rate(), &metadata.shared_cost(), &metadata.personal_number(),
                             &metadata.voip(), &metadata.pager(), &metadata.uan(), &metadata.voicemail()}) {
      if (!desc->example_number().empty()) sample.example_numbers.push_back(desc->example_number());
    }
    // As PhonePlans orders each calling code's regions.
    auto [it, first] = main_region.emplace(sample.country_code, samples.size() - 1);
    if (!first && metadata.main_country_for_code()) it->second = samples.size() - 1;
  }
  for (const auto& [code, index] : main_region) samples[index].main_region = true;
  return samples;
}

}  // namespace tglead::crm
