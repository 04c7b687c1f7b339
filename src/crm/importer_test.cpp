// Contact imports from CSV and XLSX against a real SqliteStore: formats and
// encodings, per-column errors and the stored error file, custom fields,
// run states, stop requests and revert.
#include "crm/importer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>

#include "storage/sqlite/sqlite_store.hpp"
#include "util/test_xlsx.hpp"

namespace tglead::crm {
namespace {

using storage::WriteTx;

std::atomic<int> g_counter{0};
constexpr std::int64_t kNow = 1763740800;

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/tglead_importer_test_" + std::to_string(::getpid()) + "_" + std::to_string(g_counter++) + ".db";
    remove_files();
    store_ = std::make_unique<storage::sqlite::SqliteStore>(path_);
    domain::User u;
    u.email = "importer" + std::to_string(g_counter++) + "@example.com";
    u.api_key = "key-" + u.email;
    u.transfer_token = "t-" + u.email;
    store_->write([&](WriteTx& tx) { user_ = tx.insert_user(u); });
  }
  void TearDown() override {
    store_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }

  ImportOptions options(std::string file_name = "contacts.csv") {
    ImportOptions o;
    o.user_id = user_;
    o.actor = user_;
    o.default_region = "DE";
    o.file_name = std::move(file_name);
    o.clock = [this] { return now_; };
    return o;
  }

  std::vector<Contact> all() {
    storage::ContactFilter f;
    f.user_id = user_;
    f.limit = 1000;
    return store_->contacts(f, nullptr);
  }

  std::vector<storage::ContactImportError> stored_errors(std::int64_t import_id) {
    std::vector<storage::ContactImportError> out;
    store_->each_contact_import_error(import_id, [&](const storage::ContactImportError& e) { out.push_back(e); });
    return out;
  }

  std::string path_;
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  std::int64_t user_ = 0;
  std::int64_t now_ = kNow;
};

TEST_F(ImporterTest, XlsxNumbersIdsAndGapsImportLikeCsv) {
  std::string sheet =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c>"
      "<c r=\"E1\" t=\"s\"><v>3</v></c></row>"
      // Telegram id and phone stored as numbers, one in scientific notation; column D is blank
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>4</v></c><c r=\"B2\"><v>5318008421</v></c><c "
      "r=\"C2\"><v>4.91711234567E11</v></c>"
      "<c r=\"E2\" t=\"inlineStr\"><is><t>vip|eu</t></is></c></row>"
      "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>bad name!</t></is></c><c r=\"C5\"><v>12</v></c></row>"
      "<row r=\"6\"><c r=\"A6\" t=\"s\"><v>4</v></c><c r=\"B6\"><v>5318008421</v></c><c "
      "r=\"C6\"><v>4.91711234567E11</v></c>"
      "<c r=\"E6\" t=\"inlineStr\"><is><t>vip|eu</t></is></c></row>";
  std::string data = util::testing::zip_bytes(
      util::testing::workbook_entries(sheet, {"Username", "telegram_id", "Phone", "tags", "alina_k"}));
  ImportReport r = import_contacts(*store_, data, options("contacts.xlsx"));
  ASSERT_EQ(r.fatal, "");
  EXPECT_EQ(r.format, "xlsx");
  EXPECT_EQ(r.rows, 3u);
  EXPECT_EQ(r.created, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.error_count, 1u);  // one row, two columns
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].row, 5u);  // the sheet's row number, not a count
  EXPECT_EQ(r.errors[0].column, "Username");
  EXPECT_EQ(r.errors[1].row, 5u);
  EXPECT_EQ(r.errors[1].column, "Phone");
  auto contacts = all();
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].telegram_id, 5318008421);
  // The cell's text was "491711234567": a float rendering would have been refused as scientific notation.
  std::string phone = make_phone_normalizer("DE")->normalize("491711234567").value;
  EXPECT_FALSE(phone.empty());
  EXPECT_EQ(contacts[0].phone, phone);
  EXPECT_EQ(contacts[0].username, "alina_k");
  EXPECT_EQ(contacts[0].tags, (std::vector<std::string>{"eu", "vip"}));

  auto run = store_->contact_import(user_, r.import_id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->state, "done");
  EXPECT_EQ(run->format, "xlsx");
  EXPECT_EQ((std::vector<std::int64_t>{run->rows, run->created, run->duplicates, run->errors}),
            (std::vector<std::int64_t>{3, 1, 1, 1}));
  EXPECT_EQ(run->done, run->total);
  auto errors = stored_errors(r.import_id);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].row, 5);
  EXPECT_EQ(errors[1].column, "Phone");
  EXPECT_NE(errors[1].reason.find("12"), std::string::npos);
}

TEST_F(ImporterTest, Utf16IsConvertedAndLatin1IsFlagged) {
  std::string text = "username\tfirst_name\nmuller_k\tM\xC3\xBCller\n";
  std::string utf16 = "\xFF\xFE";
  // UTF-8 -> UTF-16LE for this ASCII + U+00FC sample
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3) {
      utf16 += '\xFC';
      utf16 += '\0';
      ++i;
      continue;
    }
    utf16 += static_cast<char>(c);
    utf16 += '\0';
  }
  ImportReport r = import_contacts(*store_, utf16, options());
  ASSERT_EQ(r.fatal, "");
  EXPECT_EQ(r.created, 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("UTF-16"), std::string::npos);
  EXPECT_EQ(all().at(0).first_name, "M\xC3\xBCller");

  ImportReport latin = import_contacts(*store_, "username,first_name\nschulz_k,J\xFCrgen\nplain_k,Jan\n", options());
  ASSERT_EQ(latin.fatal, "");
  ASSERT_EQ(latin.warnings.size(), 1u);
  EXPECT_NE(latin.warnings[0].find("not UTF-8"), std::string::npos);
  EXPECT_EQ(latin.created, 1u);
  ASSERT_EQ(latin.error_count, 1u);
  EXPECT_NE(latin.errors[0].reason.find("UTF-8"), std::string::npos);
}

TEST_F(ImporterTest, UnreadableFilesAreRefusedBeforeAnyRun) {
  auto check = [&](std::string_view data, std::string name, const char* expected) {
    ImportReport r = import_contacts(*store_, data, options(name));
    EXPECT_EQ(r.import_id, 0);
    EXPECT_NE(r.fatal.find(expected), std::string::npos) << name << ": " << r.fatal;
    EXPECT_EQ(check_import_file(data, name, {}).fatal, r.fatal);
  };
  check(std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", 12), "old.xls", ".xls");
  check("username\nalina_k\n", "contacts.xlsx", "not an XLSX");
  check(std::string_view("user\0name\x01\x02\x03\x04\x05\x06", 14), "blob.bin", "binary");
  check("PK\x03\x04garbage", "broken.xlsx", "not a readable XLSX");
  check("first_name\nA\n", "names.csv", "identifier column");
  check("", "empty.csv", "empty");
  EXPECT_EQ(all().size(), 0u);
  ImportCheck ok = check_import_file("username,notes\nalina_k,x\n", "c.csv", {});
  EXPECT_EQ(ok.fatal, "");
  EXPECT_EQ(ok.format, "csv");
  ASSERT_EQ(ok.warnings.size(), 1u);
  EXPECT_NE(ok.warnings[0].find("notes"), std::string::npos);
}

TEST_F(ImporterTest, CheckShowsWhatEachHeaderColumnFills) {
  FieldDefinition spend;
  spend.id = 7;
  spend.name = "spend";
  spend.label = "Total Spend";
  spend.type = FieldType::Number;
  ImportCheck check = check_import_file("Telegram ID;User Name;total spend;notes;;username;Phone\n1;a;2;x;;b;+4930\n",
                                        "c.csv", {spend});
  ASSERT_EQ(check.fatal, "");
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& c : check.columns) got.emplace_back(c.header, c.target);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{{"Telegram ID", "telegram_id"},
                                                                    {"User Name", "username"},
                                                                    {"total spend", "field:spend"},
                                                                    {"notes", ""},
                                                                    {"", ""},
                                                                    {"username", ""},  // the first one is used
                                                                    {"Phone", "phone_number"}}));
}

TEST_F(ImporterTest, QueuedRunsGoThroughRunningToDoneOrFailed) {
  storage::ContactImportRecord queued;
  queued.user_id = user_;
  queued.mode = "create_update";
  queued.state = "queued";
  queued.started = kNow;
  store_->write([&](WriteTx& tx) { queued.id = tx.insert_contact_import(queued); });
  ImportOptions o = options();
  o.import_id = queued.id;
  std::vector<std::string> states;
  ImportReport r = import_contacts(*store_, "username\nalina_k\nmarco_it\n", o,
                                   [&](std::uint64_t done, std::uint64_t total, const ImportReport&) {
                                     states.push_back(store_->contact_import(user_, queued.id)->state);
                                     EXPECT_LE(done, total);
                                   });
  EXPECT_EQ(r.import_id, queued.id);
  EXPECT_EQ(states, std::vector<std::string>{"running"});
  EXPECT_EQ(store_->contact_import(user_, queued.id)->state, "done");

  // A queued run whose file turns out unreadable is failed with the reason.
  queued.id = 0;
  store_->write([&](WriteTx& tx) { queued.id = tx.insert_contact_import(queued); });
  o.import_id = queued.id;
  r = import_contacts(*store_, "first_name\nA\n", o);
  auto run = store_->contact_import(user_, queued.id);
  EXPECT_EQ(run->state, "failed");
  EXPECT_NE(run->fatal.find("identifier column"), std::string::npos);

  // A stop request ends the import at the next batch.
  std::string big = "username\n";
  for (int i = 0; i < 50; ++i) big += "user_" + std::to_string(10000 + i) + "\n";
  std::atomic<bool> stop{true};
  o = options();
  o.batch_rows = 10;
  o.stop = &stop;
  r = import_contacts(*store_, big, o);
  EXPECT_NE(r.fatal.find("stopped"), std::string::npos);
  EXPECT_EQ(store_->contact_import(user_, r.import_id)->state, "failed");

  storage::ContactImportRecord stale = queued;
  stale.id = 0;
  stale.state = "running";
  store_->write([&](WriteTx& tx) {
    stale.id = tx.insert_contact_import(stale);
    EXPECT_EQ(tx.fail_unfinished_contact_imports(kNow, "restart"), 1);
  });
  EXPECT_EQ(store_->contact_import(user_, stale.id)->state, "failed");
}

TEST_F(ImporterTest, ErrorFileKeepsRowsColumnsAndReasonsUpToTheLimit) {
  std::string csv = "Phone,Handle\n";
  for (int i = 0; i < 30; ++i) csv += "12,ok_handle_" + std::to_string(i) + "\n";
  ImportOptions o = options();
  o.batch_rows = 7;
  o.max_errors = 5;
  o.max_stored_errors = 12;
  ImportReport r = import_contacts(*store_, csv, o);
  EXPECT_EQ(r.error_count, 30u);
  EXPECT_EQ(r.errors.size(), 5u);
  auto stored = stored_errors(r.import_id);
  ASSERT_EQ(stored.size(), 12u);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(stored[i].row, static_cast<std::int64_t>(i + 2));
    EXPECT_EQ(stored[i].column, "Phone");
  }
  EXPECT_EQ(store_->contact_import(user_, r.import_id)->errors, 30);
}

TEST_F(ImporterTest, CustomFieldColumnsAreValidatedAndStored) {
  FieldDefinition score;
  score.user_id = user_;
  score.name = "score";
  score.label = "Lead score";
  score.type = FieldType::Number;
  score.min = 0;
  score.max = 100;
  score.created = score.updated = kNow;
  store_->write([&](WriteTx& tx) { score.id = tx.insert_field(score); });
  ImportReport r = import_contacts(*store_, "username,Lead Score\nalina_k,42\nmarco_it,500\nivan_kk,\n", options());
  ASSERT_EQ(r.fatal, "");
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
  EXPECT_EQ(r.created, 2u);
  ASSERT_EQ(r.error_count, 1u);
  EXPECT_EQ(r.errors[0].row, 3u);
  EXPECT_EQ(r.errors[0].column, "Lead Score");
  std::int64_t alina = 0;
  for (const auto& c : all()) {
    if (c.username == "alina_k") alina = c.id;
  }
  std::vector<std::pair<std::int64_t, FieldValue>> values;
  store_->write([&](WriteTx& tx) { values = tx.contact_values(alina); });
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].second.text, "42");
}

// Rows that share no identifier are tried as new contacts ahead of the batch's file order; an
// identifier one row frees for another must still decide as in file order.
TEST_F(ImporterTest, RowsDecideInFileOrderEvenWhenTriedAheadAsNew) {
  auto run = [&](const std::string& rows) {
    domain::User u;
    u.email = "order" + std::to_string(g_counter++) + "@example.com";
    u.api_key = "key-" + u.email;
    u.transfer_token = "t-" + u.email;
    store_->write([&](WriteTx& tx) { user_ = tx.insert_user(u); });
    EXPECT_EQ(import_contacts(*store_, "username,phone\nalice_old,+49 30 11111111\n", options()).created, 1u);
    ImportReport r = import_contacts(*store_, "username,phone\n" + rows, options());
    EXPECT_EQ((std::vector<std::size_t>{r.created, r.updated, r.error_count}), (std::vector<std::size_t>{1, 1, 0}));
    std::map<std::string, std::string> phones;
    for (const auto& c : all()) phones[c.username] = c.phone + (c.import_id == r.import_id ? " new" : " old");
    return phones;
  };
  // alice_old moves to a new phone first, so the old phone is free for bob_new1.
  EXPECT_EQ(run("alice_old,+49 30 22222222\nbob_new1,+49 30 11111111\n"),
            (std::map<std::string, std::string>{{"alice_old", "+493022222222 old"}, {"bob_new1", "+493011111111 new"}}));
  // The other way round bob_new1 takes over alice_old's contact by its phone, and alice_old is new.
  EXPECT_EQ(run("bob_new1,+49 30 11111111\nalice_old,+49 30 22222222\n"),
            (std::map<std::string, std::string>{{"alice_old", "+493022222222 new"}, {"bob_new1", "+493011111111 old"}}));
}

TEST_F(ImporterTest, RevertRemovesOnlyWhatTheImportCreated) {
  // An existing contact the import will update, and one it will leave alone.
  ImportReport before = import_contacts(*store_, "username,first_name\nexisting_1,Old\nuntouched,U\n", options());
  ASSERT_EQ(before.created, 2u);
  now_ = kNow + 100;
  ImportReport r = import_contacts(
      *store_, "username,first_name\nexisting_1,New\nfresh_one,F\nfresh_two,G\nfresh_three,H\n", options());
  ASSERT_EQ((std::vector<std::size_t>{r.created, r.updated}), (std::vector<std::size_t>{3, 1}));
  std::unordered_map<std::string, std::int64_t> ids;
  for (const auto& c : all()) ids[c.username] = c.id;
  // Later: someone edits fresh_two; fresh_three absorbs another contact by a merge.
  store_->write([&](WriteTx& tx) {
    UpsertContext ctx;
    ctx.user_id = user_;
    ctx.now = kNow + 500;
    PreparedContact edit;
    edit.fields.last_name = "Edited";
    edit_contact(tx, ctx, ids["fresh_two"], edit);
    EXPECT_EQ(merge_contacts(tx, user_, ids["fresh_three"], ids["untouched"], kNow + 600), "");
  });

  RevertResult reverted = revert_import(*store_, user_, r.import_id, kNow + 1000, 1);
  ASSERT_EQ(reverted.error, "");
  EXPECT_EQ(reverted.record.state, "reverted");
  EXPECT_EQ(reverted.record.reverted, kNow + 1000);
  EXPECT_EQ(reverted.record.revert_deleted, 2);
  EXPECT_EQ(reverted.record.revert_changed, 1);
  EXPECT_EQ(reverted.record.revert_kept, 1);
  std::unordered_map<std::string, Contact> left;
  for (const auto& c : all()) left[c.username] = c;
  EXPECT_EQ(left.size(), 2u);
  ASSERT_TRUE(left.count("existing_1"));
  EXPECT_EQ(left["existing_1"].first_name, "New");  // updates are not undone
  EXPECT_TRUE(left.count("fresh_three"));

  RevertResult again = revert_import(*store_, user_, r.import_id, kNow + 2000, 1);
  EXPECT_EQ(again.error, "");
  EXPECT_EQ(again.record.reverted, kNow + 1000);
  EXPECT_EQ(again.record.revert_deleted, 2);
  EXPECT_EQ(all().size(), 2u);

  EXPECT_NE(revert_import(*store_, user_, 999999, kNow).error.find("no import"), std::string::npos);
  storage::ContactImportRecord running;
  running.user_id = user_;
  running.mode = "create";
  running.state = "running";
  store_->write([&](WriteTx& tx) { running.id = tx.insert_contact_import(running); });
  EXPECT_NE(revert_import(*store_, user_, running.id, kNow).error.find("still running"), std::string::npos);
}

}  // namespace
}  // namespace tglead::crm
