#include "crm/telegram_export.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fstream>
#include <optional>
#include <unordered_map>

#include "crm/contacts.hpp"
#include "crm/crawl.hpp"
#include "crm/normalize.hpp"
#include "util/json_depth.hpp"
#include "util/time_format.hpp"
#include "util/json_text.hpp"

namespace tglead::crm {

namespace {

using json = nlohmann::json;


// "user123456789" (or, in exports made before 2020, a bare positive number) -> the user id.
std::optional<std::int64_t> user_id_of(std::string_view from_id) {
  constexpr std::string_view kUser = "user";
  if (from_id.substr(0, kUser.size()) != kUser) return std::nullopt;
  std::string_view digits = from_id.substr(kUser.size());
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty() || digits[0] == '-') {
    return std::nullopt;
  }
  return id;
}

// One element of `messages`, as far as authorship goes.
struct PendingMessage {
  std::string type;
  std::string from_id, actor_id;
  std::string from, actor;  // names; "" for null
};

// SAX events of nlohmann::json, kept to the few fields an export's authors
// need; everything else (texts, entities, media) is skipped as it streams by.
class ExportSax {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  // `size`: the input's length when known, to tell a file cut short from a syntax error.
  ExportSax(ExportScan& out, std::optional<std::size_t> size) : out_(out), size_(size) {}

  bool null() { return value(nullptr, nullptr); }
  bool boolean(bool) { return value(nullptr, nullptr); }
  bool number_integer(number_integer_t n) { return value(nullptr, &n); }
  bool number_unsigned(number_unsigned_t n) {
    if (n > static_cast<number_unsigned_t>(INT64_MAX)) return value(nullptr, nullptr);
    auto signed_value = static_cast<number_integer_t>(n);
    return value(nullptr, &signed_value);
  }
  bool number_float(number_float_t, const string_t&) { return value(nullptr, nullptr); }
  bool string(string_t& text) { return value(&text, nullptr); }
  bool binary(binary_t&) { return value(nullptr, nullptr); }

  bool start_object(std::size_t) {
    if (!enter()) return false;
    if (in_messages() && frames_.size() == 2) pending_ = PendingMessage{};
    frames_.push_back(Frame{false, {}});
    return true;
  }

  bool end_object() {
    frames_.pop_back();
    if (frames_.size() == 2 && in_messages()) return finish_message();
    return true;
  }

  bool start_array(std::size_t) {
    if (frames_.empty()) return fail("not a chat export: the file is a JSON array, not an object");
    if (!enter()) return false;
    if (frames_.size() == 1 && frames_[0].key == "messages") messages_found_ = true;
    frames_.push_back(Frame{true, {}});
    return true;
  }

  bool end_array() {
    frames_.pop_back();
    return true;
  }

  bool key(string_t& name) {
    frames_.back().key = name;
    if (frames_.size() == 1 && name == "chats") full_export_ = true;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& error) {
    std::string detail = error.what();
    if (auto bracket = detail.find("] "); detail.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
      detail.erase(0, bracket + 2);
    }
    // The lexer counts the end of input as one more character read.
    bool past_end = size_ ? position > *size_ : detail.find("end of input") != std::string::npos;
    if (past_end && !started_) return fail("the file is empty");
    if (past_end) return fail("the file ends before its JSON does (cut short, or still being written): " + detail);
    return fail("not valid JSON at byte " + std::to_string(position) + ": " + detail);
  }

  // What the whole parse says about the file, once sax_parse has returned.
  void finish(bool parsed) {
    if (out_.error.empty() && !parsed) out_.error = "the file could not be read as JSON";
    if (out_.error.empty() && !messages_found_) {
      out_.error = full_export_
                       ? "this is a full account export; export a single chat instead (in Telegram Desktop: the "
                         "chat's menu, Export chat history, format JSON)"
                       : "not a Telegram Desktop chat export: there is no top-level \"messages\" array";
    }
    if (!out_.error.empty()) out_.authors.clear();
  }

 private:
  struct Frame {
    bool array = false;
    std::string key;  // objects: the key whose value comes next
  };

  bool fail(std::string message) {
    if (out_.error.empty()) out_.error = std::move(message);
    return false;
  }

  // Checks the nesting before a container opens; the root must be an object.
  bool enter() {
    started_ = true;
    if (frames_.size() >= util::kMaxJsonDepth) {
      return fail("nested deeper than " + std::to_string(util::kMaxJsonDepth) + " levels");
    }
    return true;
  }

  bool in_messages() const { return frames_.size() >= 2 && frames_[0].key == "messages" && frames_[1].array; }

  bool value(const std::string* text, const number_integer_t* number) {
    if (frames_.empty()) {
      started_ = true;
      return fail("not a chat export: the file is a single JSON value, not an object");
    }
    if (frames_.size() == 1) {
      const std::string& key = frames_[0].key;
      if (text && key == "name") out_.name = utf8_prefix(clean_text(*text), kMaxContactText);
      if (text && key == "type") out_.type = utf8_prefix(*text, kMaxContactText);
      if (number && key == "id") out_.chat_id = *number;
      return true;
    }
    if (frames_.size() != 3 || !in_messages()) return true;
    const std::string& key = frames_[2].key;
    std::string text_value = text ? *text : std::string();
    if (number && *number > 0 && (key == "from_id" || key == "actor_id")) text_value = "user" + std::to_string(*number);
    if (key == "type") pending_.type = std::move(text_value);
    if (key == "from_id") pending_.from_id = std::move(text_value);
    if (key == "actor_id") pending_.actor_id = std::move(text_value);
    if (key == "from") pending_.from = std::move(text_value);
    if (key == "actor") pending_.actor = std::move(text_value);
    return true;
  }

  bool finish_message() {
    ++out_.messages;
    if (pending_.type == "service") ++out_.service_messages;
    // Service messages name their actor; regular ones their sender.
    bool by_sender = !pending_.from_id.empty();
    auto id = user_id_of(by_sender ? pending_.from_id : pending_.actor_id);
    if (!id || !is_crawlable_user(*id, false)) {
      ++out_.ignored_messages;
      return true;
    }
    auto [it, added] = index_.try_emplace(*id, out_.authors.size());
    if (added) {
      if (out_.authors.size() >= kMaxExportAuthors) {
        return fail("more than " + std::to_string(kMaxExportAuthors) +
                    " distinct authors; export the chat in parts (Telegram Desktop can limit the date range)");
      }
      out_.authors.push_back(ExportAuthor{*id, {}, true});
    }
    ExportAuthor& author = out_.authors[it->second];
    std::string name = clean_text(by_sender ? pending_.from : pending_.actor);
    if (author.deleted && !name.empty()) {
      author.name = utf8_prefix(name, kMaxContactText);
      author.deleted = false;
    }
    return true;
  }

  ExportScan& out_;
  std::optional<std::size_t> size_;
  std::vector<Frame> frames_;
  PendingMessage pending_;
  std::unordered_map<std::int64_t, std::size_t> index_;
  bool started_ = false;
  bool messages_found_ = false;
  bool full_export_ = false;
};

ExportReport report_from_json(const std::string& text) {
  ExportReport r;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return r;
  auto integer = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : std::int64_t{0};
  };
  auto string = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  r.file_name = string("file_name");
  r.name = string("name");
  r.type = string("type");
  r.chat_id = integer("chat_id");
  r.messages = integer("messages");
  r.service_messages = integer("service_messages");
  r.ignored_messages = integer("ignored_messages");
  r.authors = integer("authors");
  r.created = integer("created");
  r.updated = integer("updated");
  r.unchanged = integer("unchanged");
  r.skipped = integer("skipped");
  return r;
}

struct BatchCounts {
  std::int64_t created = 0, updated = 0, unchanged = 0;
};

void record_author(storage::WriteTx& tx, const ExportImportOptions& options, const storage::Crawl& crawl,
                   const ExportAuthor& author, std::int64_t now, BatchCounts& counts) {
  tx.mark_crawl_member(crawl.id, crawl.round, author.id, via_name(Via::Export), now);
  auto existing = tx.contact_by_telegram_id(options.user_id, author.id);
  if (!existing) {
    Contact c;
    c.user_id = options.user_id;
    c.telegram_id = author.id;
    c.first_name = author.name;
    c.group = crawl.title;
    c.source = Source::Crawling;
    c.created_by = options.actor;
    c.created = c.updated = now;
    std::int64_t id = tx.insert_contact(c);
    json detail{{"source", source_name(Source::Crawling)}, {"crawl", crawl.id}};
    tx.insert_contact_history(HistoryEntry{0, id, options.user_id, now, "created", detail.dump()});
    ++counts.created;
    return;
  }
  json changes = json::object();
  if (existing->group.empty() && !crawl.title.empty()) {
    changes["group"] = json::array({"", crawl.title});
    existing->group = crawl.title;
  }
  if (existing->first_name.empty() && existing->last_name.empty() && !author.name.empty()) {
    changes["first_name"] = json::array({"", author.name});
    existing->first_name = author.name;
  }
  if (changes.empty()) {
    ++counts.unchanged;
    return;
  }
  existing->updated = now;
  tx.update_contact(*existing);
  json detail{{"source", source_name(Source::Crawling)}, {"crawl", crawl.id}, {"matched_on", "telegram_id"},
              {"changes", changes}};
  tx.insert_contact_history(HistoryEntry{0, existing->id, options.user_id, now, "updated",
                                         util::json_text(detail)});
  ++counts.updated;
}

}  // namespace

ExportScan scan_telegram_export(std::istream& in) {
  ExportScan out;
  std::optional<std::size_t> size;
  auto start = in.tellg();
  if (start != std::istream::pos_type(-1) && in.seekg(0, std::ios::end)) {
    auto end = in.tellg();
    if (end != std::istream::pos_type(-1) && end >= start) size = static_cast<std::size_t>(end - start);
    in.seekg(start);
  }
  in.clear();
  ExportSax sax(out, size);
  bool parsed = json::sax_parse(in, &sax);
  sax.finish(parsed);
  return out;
}

ExportScan scan_telegram_export(std::string_view text) {
  ExportScan out;
  ExportSax sax(out, text.size());
  bool parsed = json::sax_parse(text.begin(), text.end(), &sax);
  sax.finish(parsed);
  return out;
}

json export_report_json(const ExportReport& r) {
  return {{"crawl", r.crawl_id},
          {"cached", r.cached},
          {"time", util::format_datetime(r.time)},
          {"file_name", r.file_name},
          {"name", r.name},
          {"type", r.type},
          {"chat_id", r.chat_id},
          {"messages", r.messages},
          {"service_messages", r.service_messages},
          {"ignored_messages", r.ignored_messages},
          {"authors", r.authors},
          {"created", r.created},
          {"updated", r.updated},
          {"unchanged", r.unchanged},
          {"skipped", r.skipped}};
}

ExportReport import_telegram_export(storage::Store& store, const ExportImportOptions& options,
                                    const std::string& content_sha256, const std::function<ExportScan()>& scan) {
  auto now = [&] { return options.clock ? options.clock() : static_cast<std::int64_t>(std::time(nullptr)); };
  if (auto cached = store.export_crawl(options.user_id, content_sha256); cached && crawl_is_fresh(*cached, now())) {
    ExportReport r = report_from_json(cached->report);
    r.crawl_id = cached->id;
    r.cached = true;
    r.time = cached->refreshed;
    return r;
  }

  ExportScan found = scan();
  ExportReport report;
  report.file_name = options.file_name;
  report.name = found.name;
  report.type = found.type;
  report.chat_id = found.chat_id;
  report.messages = found.messages;
  report.service_messages = found.service_messages;
  report.ignored_messages = found.ignored_messages;
  report.authors = static_cast<std::int64_t>(found.authors.size());
  if (!found.error.empty()) {
    report.error = found.error;
    return report;
  }

  report.time = now();
  storage::Crawl crawl;
  try {
    store.write([&](storage::WriteTx& tx) {
      if (auto existing = tx.export_crawl(options.user_id, content_sha256)) {
        crawl = *existing;
        crawl.round += 1;
        crawl.title = found.name;
        tx.update_crawl(crawl);
      } else {
        crawl = storage::Crawl{};
        crawl.user_id = options.user_id;
        crawl.kind = storage::CrawlKind::Export;
        crawl.source_hash = content_sha256;
        crawl.title = found.name;
        crawl.started = report.time;
        crawl.id = tx.insert_crawl(crawl);
      }
    });
    report.crawl_id = crawl.id;

    const std::size_t batch = std::max<std::size_t>(1, options.batch_authors);
    for (std::size_t first = 0; first < found.authors.size(); first += batch) {
      std::size_t last = std::min(found.authors.size(), first + batch);
      BatchCounts counts;
      std::int64_t skipped = 0;
      std::int64_t time = now();
      store.write([&](storage::WriteTx& tx) {
        counts = BatchCounts{};
        skipped = 0;
        for (std::size_t i = first; i < last; ++i) {
          if (found.authors[i].deleted) {
            ++skipped;  // a deleted account can be neither messaged nor identified
            continue;
          }
          record_author(tx, options, crawl, found.authors[i], time, counts);
        }
      });
      report.created += counts.created;
      report.updated += counts.updated;
      report.unchanged += counts.unchanged;
      report.skipped += skipped;
      if (options.progress) options.progress(last, found.authors.size());
    }

    // Only a finished run answers later requests from the cache.
    crawl.refreshed = report.time;
    crawl.created = report.created;
    crawl.updated = report.updated;
    crawl.unchanged = report.unchanged;
    crawl.skipped = report.skipped;
    crawl.report = util::json_text(export_report_json(report));
    store.write([&](storage::WriteTx& tx) { tx.update_crawl(crawl); });
  } catch (const std::exception& e) {
    report.error = std::string("storage error: ") + e.what();
  }
  return report;
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string sha256_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return "";
  }
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buffer.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  if (in.bad()) {
    error = "error while reading " + path;
    return "";
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace tglead::crm
