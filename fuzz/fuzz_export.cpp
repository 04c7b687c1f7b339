// libFuzzer target: crm::scan_telegram_export (Telegram Desktop `result.json` crawl imports) on
// any bytes. Checks the telegram_export.hpp contract: a scan either fails with an error and no
// authors, or lists distinct positive user ids with counts that add up; and the streamed
// reader (std::istream, what the CLI and the API use for big files) agrees field by field
// with the in-memory one, so buffering never changes what a file means.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_set>

#include "crm/telegram_export.hpp"

namespace {

using tglead::crm::ExportScan;

void check(const ExportScan& scan) {
  if (!scan.error.empty()) {
    if (!scan.authors.empty()) std::abort();
    return;
  }
  if (scan.messages < 0 || scan.service_messages < 0 || scan.ignored_messages < 0) std::abort();
  if (scan.service_messages > scan.messages || scan.ignored_messages > scan.messages) std::abort();
  if (scan.authors.size() > tglead::crm::kMaxExportAuthors) std::abort();
  std::unordered_set<std::int64_t> seen;
  for (const auto& author : scan.authors) {
    if (author.id <= 0) std::abort();
    if (!seen.insert(author.id).second) std::abort();
    if (!author.deleted && author.name.empty()) std::abort();
  }
}

bool same(const ExportScan& a, const ExportScan& b) {
  if (a.name != b.name || a.type != b.type || a.chat_id != b.chat_id || a.messages != b.messages ||
      a.service_messages != b.service_messages || a.ignored_messages != b.ignored_messages ||
      a.error.empty() != b.error.empty() || a.authors.size() != b.authors.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.authors.size(); ++i) {
    const auto& x = a.authors[i];
    const auto& y = b.authors[i];
    if (x.id != y.id || x.name != y.name || x.deleted != y.deleted) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ExportScan in_memory = tglead::crm::scan_telegram_export(text);
  check(in_memory);
  std::istringstream stream{std::string(text)};
  ExportScan streamed = tglead::crm::scan_telegram_export(stream);
  check(streamed);
  if (!same(in_memory, streamed)) std::abort();
  return 0;
}
