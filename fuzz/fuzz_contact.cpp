// libFuzzer target: contact rows as a CSV import normalises them. Every record of the input
// (read like the importer reads a file) becomes a ContactInput, cells in the order
// telegram_id, username, phone, first_name, last_name, country, language, group, tags (split
// on '|'), and goes through crm::prepare_contact. Checks: what is accepted is canonical
// (normalising it again changes nothing), and libphonenumber's parser agrees with the fast
// path (crm/phone_metadata.hpp), as crm/normalize.hpp promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "crm/contacts.hpp"
#include "crm/normalize.hpp"
#include "util/csv_reader.hpp"

namespace {

using namespace tglead;

// libphonenumber's E.164 output: '+', a country code (1-3 digits) and a national number of up
// to 17 digits (its kMaxLengthForNsn, longer than ITU's 15 in total: German numbers reach 16).
bool canonical_phone(const std::string& phone) {
  if (phone.size() < 3 || phone.size() > 21 || phone[0] != '+' || phone[1] == '0') return false;
  for (std::size_t i = 1; i < phone.size(); ++i) {
    if (phone[i] < '0' || phone[i] > '9') return false;
  }
  return true;
}

void check_phone(const crm::PhoneNormalizer& fast, const crm::PhoneNormalizer& parser, const std::string& raw) {
  crm::Normalized a = fast.normalize(raw);
  crm::Normalized b = parser.normalize(raw);
  if (a.ok() != b.ok() || a.value != b.value) std::abort();
  if (a.ok() && !a.value.empty()) {
    if (!canonical_phone(a.value)) std::abort();
    crm::Normalized again = fast.normalize(a.value);
    if (!again.ok() || again.value != a.value) std::abort();
  }
}

void check_canonical(const crm::Contact& c) {
  if (!c.username.empty() && crm::normalize_username(c.username).value != c.username) std::abort();
  if (!c.country.empty() && crm::normalize_country(c.country).value != c.country) std::abort();
  if (!c.language.empty() && crm::normalize_language(c.language).value != c.language) std::abort();
  if (c.telegram_id < 0) std::abort();
  if (!c.has_identifier()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto fast = crm::make_phone_normalizer("RU", true);
  static const auto parser = crm::make_phone_normalizer("RU", false);
  static const auto fast_no_region = crm::make_phone_normalizer("", true);
  static const auto parser_no_region = crm::make_phone_normalizer("", false);

  util::CsvReader reader(std::string_view(reinterpret_cast<const char*>(data), size));
  util::CsvRecord record;
  crm::ContactInput input;
  while (reader.next(record)) {
    if (!record.error.empty()) continue;
    auto cell = [&](std::size_t i) -> std::string { return i < record.fields.size() ? record.fields[i] : ""; };
    input.telegram_id = cell(0);
    input.username = cell(1);
    input.phone = cell(2);
    input.first_name = cell(3);
    input.last_name = cell(4);
    input.country = cell(5);
    input.language = cell(6);
    input.group = cell(7);
    input.tags.clear();
    const std::string tags = cell(8);
    for (std::size_t start = 0; start <= tags.size();) {
      std::size_t end = tags.find('|', start);
      if (end == std::string::npos) end = tags.size();
      input.tags.push_back(tags.substr(start, end - start));
      start = end + 1;
    }
    check_phone(*fast, *parser, input.phone);
    check_phone(*fast_no_region, *parser_no_region, input.phone);
    crm::PreparedContact prepared = crm::prepare_contact(input, *fast);
    if (prepared.ok()) {
      check_canonical(prepared.fields);
      for (const auto& tag : prepared.tags) {
        if (crm::clean_tag_name(tag) != tag) std::abort();
      }
    }
  }
  return 0;
}
