// Telegram Desktop chat exports (§8.2): the streaming scanner on real-shaped
// and broken files, and the import with its 24 h cache against a real SqliteStore.
#include "crm/telegram_export.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "crm/contacts.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace tglead::crm {
namespace {

using nlohmann::json;

// The shape Telegram Desktop writes for a supergroup: texts as strings or
// arrays of entities, service messages with actor/actor_id, a channel posting
// as itself, a deleted account and a member with a non-ASCII name.
const char* kExport = R"json({
 "name": "Crypto Signals Chat",
 "type": "private_supergroup",
 "id": 1954328761,
 "messages": [
  {"id": 1, "type": "service", "date": "2025-11-21T16:00:00", "date_unixtime": "1763740800",
   "actor": "Oleg", "actor_id": "user287654193", "action": "migrate_from_group", "title": "Crypto Signals Chat",
   "text": "", "text_entities": []},
  {"id": 2, "type": "service", "date": "2025-11-21T16:05:00", "date_unixtime": "1763741100",
   "actor": "Alina Korneeva", "actor_id": "user5318008421", "action": "join_group_by_link",
   "inviter": "Group", "text": "", "text_entities": []},
  {"id": 3, "type": "message", "date": "2025-11-21T16:06:00", "date_unixtime": "1763741160",
   "from": "Alina Korneeva", "from_id": "user5318008421",
   "text": ["Hi ", {"type": "bold", "text": "all"}, "!"],
   "text_entities": [{"type": "plain", "text": "Hi "}, {"type": "bold", "text": "all"}, {"type": "plain", "text": "!"}]},
  {"id": 4, "type": "message", "date": "2025-11-21T16:07:00", "date_unixtime": "1763741220",
   "from": "Crypto Signals Daily", "from_id": "channel2381745923", "forwarded_from": "Crypto Signals Daily",
   "text": "Signal: BTC", "text_entities": [{"type": "plain", "text": "Signal: BTC"}]},
  {"id": 5, "type": "message", "date": "2025-11-21T16:08:00", "date_unixtime": "1763741280",
   "from": null, "from_id": "user1111111111", "text": "old message", "text_entities": []},
  {"id": 6, "type": "message", "date": "2025-11-21T16:09:00", "date_unixtime": "1763741340",
   "from": "Дмитрий Волков", "from_id": "user6702145590", "reply_to_message_id": 3,
   "photo": "(File not included. Change data exporting settings to download.)", "width": 800, "height": 600,
   "text": "", "text_entities": []},
  {"id": 7, "type": "message", "date": "2025-11-21T16:10:00", "date_unixtime": "1763741400",
   "from": "Alina Korneeva", "from_id": "user5318008421", "edited": "2025-11-21T16:11:00",
   "text": "second", "text_entities": []},
  {"id": 8, "type": "message", "date": "2025-11-21T16:12:00", "date_unixtime": "1763741520",
   "from": "Telegram", "from_id": "user777000", "text": "login code", "text_entities": []},
  {"id": 9, "type": "service", "date": "2025-11-21T16:13:00", "date_unixtime": "1763741580",
   "actor": "Oleg", "actor_id": "user287654193", "action": "pin_message", "message_id": 3,
   "text": "", "text_entities": []}
 ]
})json";

TEST(TelegramExportScan, FindsDistinctPeopleAmongAuthorsAndServiceActors) {
  ExportScan scan = scan_telegram_export(std::string_view(kExport));
  ASSERT_EQ(scan.error, "");
  EXPECT_EQ(scan.name, "Crypto Signals Chat");
  EXPECT_EQ(scan.type, "private_supergroup");
  EXPECT_EQ(scan.chat_id, 1954328761);
  EXPECT_EQ(scan.messages, 9);
  EXPECT_EQ(scan.service_messages, 3);
  EXPECT_EQ(scan.ignored_messages, 2);  // the channel's post and Telegram's service account
  ASSERT_EQ(scan.authors.size(), 4u);
  EXPECT_EQ(scan.authors[0].id, 287654193);
  EXPECT_EQ(scan.authors[0].name, "Oleg");
  EXPECT_EQ(scan.authors[1].id, 5318008421);
  EXPECT_EQ(scan.authors[1].name, "Alina Korneeva");
  EXPECT_EQ(scan.authors[2].id, 1111111111);
  EXPECT_TRUE(scan.authors[2].deleted);
  EXPECT_EQ(scan.authors[2].name, "");
  EXPECT_EQ(scan.authors[3].name, "Дмитрий Волков");
  EXPECT_FALSE(scan.authors[3].deleted);
}

TEST(TelegramExportScan, AStreamGivesTheSameResultAsText) {
  std::istringstream in(kExport);
  ExportScan streamed = scan_telegram_export(in);
  ASSERT_EQ(streamed.error, "");
  EXPECT_EQ(streamed.authors.size(), 4u);
  EXPECT_EQ(streamed.messages, 9);
  std::istringstream cut(std::string(kExport).substr(0, 700));
  EXPECT_EQ(scan_telegram_export(cut).error.rfind("the file ends before its JSON does", 0), 0u);
  std::istringstream blank(" \n");
  EXPECT_EQ(scan_telegram_export(blank).error, "the file is empty");
}

TEST(TelegramExportScan, OldExportsWithNumericIdsAndAnyKeyOrder) {
  ExportScan scan = scan_telegram_export(std::string_view(
      R"({"messages": [{"from_id": 984312765, "text": "x", "from": "Marco", "type": "message"},
                      {"type": "message", "from_id": "user0"}, {"type": "message", "from_id": "userabc"},
                      {"type": "message", "from_id": "user-5"}, {"type": "message"}, 42, [1]],
          "name": "Old", "id": 5})"));
  ASSERT_EQ(scan.error, "");
  EXPECT_EQ(scan.name, "Old");
  ASSERT_EQ(scan.authors.size(), 1u);
  EXPECT_EQ(scan.authors[0].id, 984312765);
  EXPECT_EQ(scan.authors[0].name, "Marco");
  EXPECT_EQ(scan.messages, 5);
  EXPECT_EQ(scan.ignored_messages, 4);
}

TEST(TelegramExportScan, BrokenFilesGiveAClearErrorAndNoAuthors) {
  auto error_of = [](std::string_view text) { return scan_telegram_export(text).error; };
  EXPECT_EQ(error_of(""), "the file is empty");
  EXPECT_EQ(error_of("  \n"), "the file is empty");
  std::string cut(kExport);
  cut.resize(cut.size() / 2);
  ExportScan truncated = scan_telegram_export(std::string_view(cut));
  EXPECT_EQ(truncated.error.rfind("the file ends before its JSON does", 0), 0u) << truncated.error;
  EXPECT_TRUE(truncated.authors.empty());
  EXPECT_EQ(error_of("{\"messages\": [} ").rfind("not valid JSON at byte", 0), 0u) << error_of("{\"messages\": [} ");
  EXPECT_EQ(error_of("Name,Phone\nAlina,+7916").rfind("not valid JSON at byte 1", 0), 0u);
  EXPECT_EQ(error_of("{\"messages\": [{\"from\": \"Alina Ko").rfind("the file ends before", 0), 0u);
  EXPECT_EQ(error_of("{\"messages\": []} trailing").rfind("not valid JSON", 0), 0u);
  EXPECT_EQ(error_of("[1, 2]"), "not a chat export: the file is a JSON array, not an object");
  EXPECT_EQ(error_of("\"text\""), "not a chat export: the file is a single JSON value, not an object");
  EXPECT_EQ(error_of("{\"name\": \"x\"}"),
            "not a Telegram Desktop chat export: there is no top-level \"messages\" array");
  EXPECT_EQ(error_of("{\"name\": \"x\", \"messages\": {}}"),
            "not a Telegram Desktop chat export: there is no top-level \"messages\" array");
  EXPECT_EQ(error_of(R"({"about": "...", "chats": {"list": [{"name": "a", "messages": []}]}})")
                .rfind("this is a full account export", 0),
            0u);
  std::string deep = "{\"messages\": [{\"text\": " + std::string(100000, '[') + std::string(100000, ']') + "}]}";
  EXPECT_EQ(error_of(deep), "nested deeper than 64 levels");
  EXPECT_EQ(error_of("{\"messages\": [{\"from\": \"\xff\xfe\", \"from_id\": \"user1\"}]}").rfind("not valid JSON", 0),
            0u);
}

// A large export written to disk and streamed back: memory follows the
// distinct authors, not the file (here ~35 MB, 150k messages, 5,000 authors).
TEST(TelegramExportScan, StreamsAHugeFile) {
  std::string path = "/tmp/tglead_export_test_" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream out(path, std::ios::binary);
    out << R"({"name": "Big Group", "type": "public_supergroup", "id": 77, "messages": [)";
    std::string filler(100, 'x');
    for (int i = 0; i < 150000; ++i) {
      if (i) out << ',';
      out << R"({"id": )" << i << R"(, "type": "message", "date": "2025-11-21T16:00:00", "from": "User )"
          << i % 5000 << R"(", "from_id": "user)" << 100000 + i % 5000 << R"(", "text": [")" << filler
          << R"(", {"type": "link", "text": "https://example.com"}], "text_entities": []})";
    }
    out << "]}";
  }
  std::ifstream in(path, std::ios::binary);
  ExportScan scan = scan_telegram_export(in);
  std::remove(path.c_str());
  ASSERT_EQ(scan.error, "");
  EXPECT_EQ(scan.messages, 150000);
  ASSERT_EQ(scan.authors.size(), 5000u);
  EXPECT_EQ(scan.authors[4999].id, 104999);
  EXPECT_EQ(scan.authors[4999].name, "User 4999");
}

std::atomic<int> g_counter{0};
constexpr std::int64_t kNow = 1763740800;

class TelegramExportImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/tglead_export_import_test_" + std::to_string(::getpid()) + "_" + std::to_string(g_counter++) + ".db";
    remove_files();
    store_ = std::make_unique<storage::sqlite::SqliteStore>(path_);
    domain::User u;
    u.email = "owner@example.com";
    u.api_key = "key-" + path_;
    u.transfer_token = "t-" + path_;
    store_->write([&](storage::WriteTx& tx) { user_ = tx.insert_user(u); });
  }
  void TearDown() override {
    store_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }

  ExportReport import(std::string_view text, std::int64_t now, int* scans = nullptr) {
    ExportImportOptions options;
    options.user_id = user_;
    options.actor = user_;
    options.file_name = "result.json";
    options.batch_authors = 2;
    options.clock = [now] { return now; };
    return import_telegram_export(*store_, options, sha256_hex(text), [&] {
      if (scans) ++*scans;
      return scan_telegram_export(text);
    });
  }

  std::optional<Contact> contact(std::int64_t telegram_id) {
    std::optional<Contact> out;
    store_->write([&](storage::WriteTx& tx) { out = tx.contact_by_telegram_id(user_, telegram_id); });
    return out;
  }

  std::string path_;
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  std::int64_t user_ = 0;
};

TEST_F(TelegramExportImportTest, AuthorsBecomeCrawlingContactsAndExistingOnesKeepTheirData) {
  store_->write([&](storage::WriteTx& tx) {
    record_telegram_user(tx, user_, TelegramUser{287654193, "oleg_admin", "Oleg", "Petrov", "ru"}, Source::Campaign,
                         "", "", kNow);
  });
  ExportReport r = import(kExport, kNow);
  ASSERT_EQ(r.error, "");
  EXPECT_FALSE(r.cached);
  EXPECT_EQ(r.name, "Crypto Signals Chat");
  EXPECT_EQ(r.messages, 9);
  EXPECT_EQ(r.authors, 4);
  EXPECT_EQ(r.created, 2);
  EXPECT_EQ(r.updated, 1);  // Oleg: group filled in, his own names kept
  EXPECT_EQ(r.unchanged, 0);
  EXPECT_EQ(r.skipped, 1);  // the deleted account

  auto alina = contact(5318008421);
  ASSERT_TRUE(alina);
  EXPECT_EQ(alina->source, Source::Crawling);
  EXPECT_EQ(alina->group, "Crypto Signals Chat");
  EXPECT_EQ(alina->first_name, "Alina Korneeva");
  auto oleg = contact(287654193);
  EXPECT_EQ(oleg->source, Source::Campaign);
  EXPECT_EQ(oleg->first_name, "Oleg");
  EXPECT_EQ(oleg->last_name, "Petrov");
  EXPECT_EQ(oleg->username, "oleg_admin");
  EXPECT_EQ(oleg->group, "Crypto Signals Chat");
  EXPECT_FALSE(contact(1111111111));

  auto crawl = store_->crawl(user_, r.crawl_id);
  ASSERT_TRUE(crawl);
  EXPECT_EQ(crawl->kind, storage::CrawlKind::Export);
  EXPECT_EQ(crawl->members, 3);
  EXPECT_EQ(crawl->created, 2);
}

TEST_F(TelegramExportImportTest, TheSameFileWithin24HoursIsAnsweredFromTheCache) {
  int scans = 0;
  ExportReport first = import(kExport, kNow, &scans);
  ASSERT_EQ(first.error, "");
  ExportReport again = import(kExport, kNow + 3600, &scans);
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(scans, 1);
  EXPECT_EQ(again.crawl_id, first.crawl_id);
  EXPECT_EQ(again.created, 3);
  EXPECT_EQ(again.authors, 4);
  EXPECT_EQ(again.time, kNow);

  // Another file (one byte differs) is another source.
  std::string changed = std::string(kExport) + "\n";
  ExportReport other = import(changed, kNow + 3600, &scans);
  EXPECT_FALSE(other.cached);
  EXPECT_NE(other.crawl_id, first.crawl_id);
  EXPECT_EQ(other.created, 0);
  EXPECT_EQ(other.unchanged, 3);

  // After 24 h the same file runs again, as the next round of its crawl.
  ExportReport later = import(kExport, kNow + 86400, &scans);
  EXPECT_FALSE(later.cached);
  EXPECT_EQ(later.crawl_id, first.crawl_id);
  EXPECT_EQ(later.unchanged, 3);
  EXPECT_EQ(store_->crawl(user_, first.crawl_id)->round, 2);
  EXPECT_EQ(scans, 3);
}

TEST_F(TelegramExportImportTest, ABrokenFileWritesNothing) {
  ExportReport r = import("{\"name\": \"x\", \"messages\": [{\"from_id\": \"user5\"", kNow);
  EXPECT_NE(r.error, "");
  EXPECT_EQ(r.crawl_id, 0);
  std::int64_t total = -1;
  store_->crawls(user_, std::nullopt, 50, 0, &total);
  EXPECT_EQ(total, 0);
  EXPECT_FALSE(contact(5));
}

}  // namespace
}  // namespace tglead::crm
