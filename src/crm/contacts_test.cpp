// Contact dedup, merge, tags, Telegram-sourced contacts and CSV import against a real SqliteStore.
#include "crm/contacts.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "crm/importer.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace tglead::crm {
namespace {

using storage::WriteTx;

std::atomic<int> g_counter{0};
constexpr std::int64_t kNow = 1763740800;

class ContactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/tglead_contacts_test_" + std::to_string(::getpid()) + "_" + std::to_string(g_counter++) + ".db";
    remove_files();
    store_ = std::make_unique<storage::sqlite::SqliteStore>(path_);
    for (auto* id : {&user_, &other_user_}) {
      domain::User u;
      u.email = "u" + std::to_string(g_counter++) + "@example.com";
      u.api_key = "key-" + u.email;
      u.transfer_token = "t-" + u.email;
      store_->write([&](WriteTx& tx) { *id = tx.insert_user(u); });
    }
    phones_ = make_phone_normalizer("RU");
  }
  void TearDown() override {
    store_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }

  PreparedContact prep(ContactInput in) {
    auto p = prepare_contact(in, *phones_);
    EXPECT_TRUE(p.ok()) << (p.errors.empty() ? "" : p.errors[0]);
    return p;
  }

  UpsertResult upsert(ContactInput in, Mode mode = Mode::CreateUpdate, std::int64_t user = 0) {
    UpsertContext ctx;
    ctx.user_id = user ? user : user_;
    ctx.actor = ctx.user_id;
    ctx.mode = mode;
    ctx.now = kNow;
    UpsertResult r;
    auto p = prep(std::move(in));
    store_->write([&](WriteTx& tx) { r = upsert_contact(tx, ctx, p); });
    return r;
  }

  std::vector<Contact> all(std::int64_t user = 0) {
    storage::ContactFilter f;
    f.user_id = user ? user : user_;
    f.limit = 1000000;
    return store_->contacts(f, nullptr);
  }

  Contact get(std::int64_t id) { return *store_->contact(user_, id); }

  std::string path_;
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  std::unique_ptr<PhoneNormalizer> phones_;
  std::int64_t user_ = 0, other_user_ = 0;
};

TEST_F(ContactsTest, CreateThenMatchUpdatesNeverDuplicates) {
  auto a = upsert({.username = "@Alina_K", .first_name = "Alina"});
  EXPECT_EQ(a.outcome, Outcome::Created);
  // Same handle in another case, plus a phone written differently: the same contact.
  auto b = upsert({.username = "https://t.me/alina_k", .phone = "8 (916) 123-45-67", .last_name = "Korneeva"});
  EXPECT_EQ(b.outcome, Outcome::Updated);
  EXPECT_EQ(b.contact_id, a.contact_id);
  EXPECT_EQ(b.matched_on, "username");
  auto c = upsert({.telegram_id = "5318008421", .phone = "+7 916 123 45 67"});
  EXPECT_EQ(c.outcome, Outcome::Updated);
  EXPECT_EQ(c.matched_on, "phone");
  auto d = upsert({.telegram_id = "5318008421", .first_name = "Alina"});
  EXPECT_EQ(d.outcome, Outcome::Unchanged);
  ASSERT_EQ(all().size(), 1u);
  Contact got = get(a.contact_id);
  EXPECT_EQ(got.username, "Alina_K");
  EXPECT_EQ(got.phone, "+79161234567");
  EXPECT_EQ(got.telegram_id, 5318008421);
  EXPECT_EQ(got.first_name, "Alina");
  EXPECT_EQ(got.last_name, "Korneeva");
  auto history = store_->contact_history(user_, a.contact_id, 100);
  ASSERT_EQ(history.size(), 3u);  // created + 2 updates; the unchanged one leaves no trace
  EXPECT_EQ(history[0].kind, "updated");
  EXPECT_NE(history[0].detail.find("telegram_id"), std::string::npos);
  // Accounts never see each other's contacts.
  EXPECT_EQ(upsert({.username = "alina_k"}, Mode::CreateUpdate, other_user_).outcome, Outcome::Created);
  EXPECT_EQ(all(other_user_).size(), 1u);
}

TEST_F(ContactsTest, ModesCreateOnlyAndUpdateOnly) {
  auto a = upsert({.username = "dmitry_v"});
  auto again = upsert({.username = "DMITRY_V", .first_name = "Dmitry"}, Mode::Create);
  EXPECT_EQ(again.outcome, Outcome::Skipped);
  EXPECT_EQ(again.contact_id, a.contact_id);
  EXPECT_EQ(get(a.contact_id).first_name, "");
  auto missing = upsert({.username = "nobody_here"}, Mode::Update);
  EXPECT_EQ(missing.outcome, Outcome::Skipped);
  EXPECT_EQ(all().size(), 1u);
}

TEST_F(ContactsTest, ConflictingIdentifiersAreReportedNotMerged) {
  auto a = upsert({.telegram_id = "100", .username = "old_handle"});
  auto b = upsert({.username = "new_handle"});
  auto c = upsert({.telegram_id = "100", .username = "new_handle", .first_name = "X"});
  ASSERT_EQ(c.outcome, Outcome::Conflict);
  ASSERT_EQ(c.conflicts.size(), 1u);
  EXPECT_EQ(c.conflicts[0].contact_id, b.contact_id);
  EXPECT_EQ(get(a.contact_id).first_name, "");  // nothing written
  EXPECT_EQ(all().size(), 2u);
  // A reassigned handle: @old_handle belongs to Telegram id 100, the row says id 200.
  auto d = upsert({.telegram_id = "200", .username = "old_handle"});
  EXPECT_EQ(d.outcome, Outcome::Conflict);
  EXPECT_EQ(all().size(), 2u);
}

TEST_F(ContactsTest, EditRefusesAnIdentifierOfAnotherContact) {
  auto a = upsert({.username = "first_one"});
  auto b = upsert({.username = "second_one"});
  UpsertContext ctx{user_, user_, Source::Manual, Mode::CreateUpdate, kNow};
  UpsertResult r;
  auto p = prepare_contact({.username = "SECOND_ONE"}, *phones_, false);
  store_->write([&](WriteTx& tx) { r = edit_contact(tx, ctx, a.contact_id, p); });
  EXPECT_EQ(r.outcome, Outcome::Conflict);
  EXPECT_EQ(r.conflicts[0].contact_id, b.contact_id);
  // Its own handle in another case is fine.
  p = prepare_contact({.username = "First_One", .priority = Priority::High}, *phones_, false);
  store_->write([&](WriteTx& tx) { r = edit_contact(tx, ctx, a.contact_id, p); });
  EXPECT_EQ(r.outcome, Outcome::Updated);
  EXPECT_EQ(get(a.contact_id).username, "First_One");
  EXPECT_EQ(get(a.contact_id).priority, Priority::High);
}

TEST_F(ContactsTest, EditClearsDetailsButKeepsAnIdentifier) {
  auto a = upsert({.telegram_id = "100", .username = "clear_me", .first_name = "Olga", .country = "DE"});
  UpsertContext ctx{user_, user_, Source::Manual, Mode::CreateUpdate, kNow + 60};
  UpsertResult r;
  auto p = prepare_contact({}, *phones_, false);
  p.cleared = {"username", "first_name", "country", "phone"};  // no phone to clear: no change there
  store_->write([&](WriteTx& tx) { r = edit_contact(tx, ctx, a.contact_id, p); });
  EXPECT_EQ(r.outcome, Outcome::Updated);
  Contact got = get(a.contact_id);
  EXPECT_EQ(got.username, "");
  EXPECT_EQ(got.first_name, "");
  EXPECT_EQ(got.country, "");
  EXPECT_EQ(got.telegram_id, 100);
  auto history = store_->contact_history(user_, a.contact_id, 10);
  ASSERT_FALSE(history.empty());
  EXPECT_NE(history[0].detail.find(R"("username":["clear_me",""])"), std::string::npos) << history[0].detail;
  EXPECT_EQ(history[0].detail.find("phone"), std::string::npos) << history[0].detail;
  // The handle is free again for another contact.
  EXPECT_EQ(upsert({.username = "clear_me"}).outcome, Outcome::Created);

  // The last identifier stays: the whole edit is refused and nothing is written.
  p = prepare_contact({.first_name = "Never"}, *phones_, false);
  p.cleared = {"telegram_id"};
  store_->write([&](WriteTx& tx) { r = edit_contact(tx, ctx, a.contact_id, p); });
  EXPECT_EQ(r.outcome, Outcome::Invalid);
  EXPECT_EQ(get(a.contact_id).telegram_id, 100);
  EXPECT_EQ(get(a.contact_id).first_name, "");
}

TEST_F(ContactsTest, TelegramUserIsAuthoritative) {
  // An imported @handle without an id is adopted by the Telegram user who has it.
  auto imported = upsert({.username = "alina_k", .phone = "+79161234567"});
  std::int64_t id = 0;
  store_->write([&](WriteTx& tx) {
    id = record_telegram_user(tx, user_, {5318008421, "Alina_K", "Alina", "K", "ru"}, Source::Campaign,
                              "campaign_start", "{}", kNow);
  });
  EXPECT_EQ(id, imported.contact_id);
  Contact c = get(id);
  EXPECT_EQ(c.telegram_id, 5318008421);
  EXPECT_EQ(c.source, Source::Manual);  // the first source is kept
  EXPECT_EQ(c.language, "ru");
  // The handle moves to another Telegram account: the stale copy is released, no merge.
  std::int64_t other = 0;
  store_->write([&](WriteTx& tx) {
    other = record_telegram_user(tx, user_, {777000111, "alina_k", "New", "", ""}, Source::Campaign, "", "", kNow);
  });
  EXPECT_NE(other, id);
  EXPECT_EQ(get(id).username, "");
  EXPECT_EQ(get(other).username, "alina_k");
  EXPECT_EQ(get(other).source, Source::Campaign);
  // A handle held by a contact without Telegram id while the user already has a contact: conflict noted.
  auto loose = upsert({.username = "loose_handle"});
  store_->write([&](WriteTx& tx) {
    record_telegram_user(tx, user_, {777000111, "loose_handle", "New", "", ""}, Source::Campaign, "", "", kNow);
  });
  EXPECT_EQ(get(loose.contact_id).username, "loose_handle");
  auto history = store_->contact_history(user_, other, 100);
  bool conflict = false;
  for (const auto& h : history) conflict = conflict || h.kind == "conflict";
  EXPECT_TRUE(conflict);
  EXPECT_EQ(all().size(), 3u);
}

TEST_F(ContactsTest, BlockAndUnblock) {
  auto a = upsert({.telegram_id = "42424242"});
  store_->write([&](WriteTx& tx) { set_telegram_blocked(tx, user_, 42424242, true, kNow); });
  EXPECT_EQ(get(a.contact_id).status, Status::Blocked);
  store_->write([&](WriteTx& tx) { set_telegram_blocked(tx, user_, 42424242, false, kNow); });
  EXPECT_EQ(get(a.contact_id).status, Status::Active);
  store_->write([&](WriteTx& tx) { set_telegram_blocked(tx, user_, 1, true, kNow); });  // unknown: no-op
}

TEST_F(ContactsTest, MergeMovesTagsHistoryAndFields) {
  auto a = upsert({.username = "primary_one", .tags = {"vip"}});
  auto b = upsert({.telegram_id = "900", .phone = "+79161234567", .first_name = "Sec", .tags = {"crypto", "VIP"}});
  std::string error;
  store_->write([&](WriteTx& tx) { error = merge_contacts(tx, user_, a.contact_id, b.contact_id, kNow); });
  EXPECT_EQ(error, "");
  EXPECT_FALSE(store_->contact(user_, b.contact_id));
  Contact m = get(a.contact_id);
  EXPECT_EQ(m.telegram_id, 900);
  EXPECT_EQ(m.phone, "+79161234567");
  EXPECT_EQ(m.first_name, "Sec");
  EXPECT_EQ(m.tags, (std::vector<std::string>{"crypto", "vip"}));
  auto history = store_->contact_history(user_, a.contact_id, 100);
  EXPECT_EQ(history.front().kind, "merged");
  EXPECT_EQ(history.size(), 3u);  // both "created" entries and the merge
  // The secondary's identifiers now find the primary.
  EXPECT_EQ(upsert({.telegram_id = "900"}).contact_id, a.contact_id);
  store_->write([&](WriteTx& tx) { error = merge_contacts(tx, user_, a.contact_id, a.contact_id, kNow); });
  EXPECT_NE(error, "");
}

// Username and phone uniqueness lives in each store's identity index, kept complete from the
// contact change log: a second store on the same file stands for another process (the CLI).
TEST_F(ContactsTest, DedupHoldsBetweenStoresSharingTheDatabase) {
  storage::sqlite::SqliteStore other(path_);
  auto upsert_in = [&](storage::Store& store, ContactInput in) {
    UpsertContext ctx;
    ctx.user_id = ctx.actor = user_;
    ctx.now = kNow;
    UpsertResult r;
    auto p = prep(std::move(in));
    store.write([&](WriteTx& tx) { r = upsert_contact(tx, ctx, p); });
    return r;
  };
  auto first = upsert({.username = "@Shared_Name", .phone = "+79161234567"});
  ASSERT_EQ(first.outcome, Outcome::Created);
  auto seen = upsert_in(other, {.username = "@shared_name", .first_name = "Seen"});  // loads other's index
  EXPECT_EQ(seen.outcome, Outcome::Updated);
  EXPECT_EQ(seen.contact_id, first.contact_id);

  auto later = upsert({.username = "@Later_One", .phone = "+79161234568"});  // after other loaded
  ASSERT_EQ(later.outcome, Outcome::Created);
  EXPECT_EQ(upsert_in(other, {.username = "@LATER_ONE"}).contact_id, later.contact_id);
  EXPECT_EQ(upsert_in(other, {.phone = "+7 916 123-45-68"}).contact_id, later.contact_id);

  // A deleted contact's identifiers are free again; a renamed one's old name too.
  store_->write([&](WriteTx& tx) { tx.delete_contact(user_, later.contact_id); });
  EXPECT_EQ(upsert_in(other, {.username = "@later_one"}).outcome, Outcome::Created);  // may reuse the row id
  UpsertContext ctx;
  ctx.user_id = ctx.actor = user_;
  ctx.now = kNow;
  auto rename = prep({.username = "@Renamed_Now"});
  other.write([&](WriteTx& tx) { EXPECT_EQ(edit_contact(tx, ctx, first.contact_id, rename).outcome, Outcome::Updated); });
  EXPECT_EQ(upsert({.username = "@renamed_now"}).contact_id, first.contact_id);
  EXPECT_EQ(upsert({.username = "@shared_name"}).outcome, Outcome::Created);
  EXPECT_EQ(all().size(), 3u);

  // What the dropped unique indexes refused, the store still refuses, in any case.
  Contact clash;
  clash.user_id = user_;
  clash.username = "RENAMED_now";
  clash.source = Source::Manual;
  EXPECT_THROW(store_->write([&](WriteTx& tx) { tx.insert_contact(clash); }), std::runtime_error);
  EXPECT_THROW(other.write([&](WriteTx& tx) { tx.insert_contact(clash); }), std::runtime_error);
  clash.username.clear();
  clash.phone = "+79161234567";
  EXPECT_THROW(other.write([&](WriteTx& tx) { tx.insert_contact(clash); }), std::runtime_error);
  // The Telegram id too, though no SQL index holds it any more: on insert and on update.
  auto with_id = upsert({.telegram_id = "4242", .username = "@Has_Telegram"});
  ASSERT_EQ(with_id.outcome, Outcome::Created);
  clash.phone.clear();
  clash.telegram_id = 4242;
  EXPECT_THROW(other.write([&](WriteTx& tx) { tx.insert_contact(clash); }), std::runtime_error);
  Contact moved = get(first.contact_id);
  moved.telegram_id = 4242;
  EXPECT_THROW(other.write([&](WriteTx& tx) { tx.update_contact(moved); }), std::runtime_error);
  other.write([&](WriteTx& tx) {
    auto found = tx.contact_by_telegram_id(user_, 4242);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, with_id.contact_id);
  });
  store_->write([&](WriteTx& tx) { tx.delete_contact(user_, with_id.contact_id); });
  other.write([&](WriteTx& tx) { EXPECT_FALSE(tx.contact_by_telegram_id(user_, 4242)); });
  EXPECT_EQ(all().size(), 3u);
  // Other workspaces are not concerned.
  EXPECT_EQ(upsert({.username = "@renamed_now"}, Mode::CreateUpdate, other_user_).outcome, Outcome::Created);
}

// An import's new rows go in with one insert pass. What a stored contact or an earlier input holds
// is refused (upsert_contact then decides that row), and what the pass creates reaches another
// store (process) through the contact change log, like any other write.
TEST_F(ContactsTest, CreateAllIfNewRefusesHeldIdentifiersAndOtherStoresSeeItsContacts) {
  storage::sqlite::SqliteStore other(path_);
  auto held = upsert({.telegram_id = "700", .username = "@Held_Name", .phone = "+79161230000"});
  ASSERT_EQ(held.outcome, Outcome::Created);
  storage::ContactFilter active;
  active.user_id = user_;
  active.status = Status::Active;
  ASSERT_EQ(other.count_contacts(active), 1);  // other holds its copies from here on
  UpsertContext ctx;
  ctx.user_id = ctx.actor = user_;
  ctx.now = kNow;
  ctx.history_on_create = false;
  other.write([&](WriteTx& tx) { EXPECT_EQ(upsert_contact(tx, ctx, prep({.username = "@held_name"})).outcome, Outcome::Unchanged); });

  std::vector<PreparedContact> rows = {
      prep({.username = "@Fresh_One", .phone = "+79161230001"}),  // new
      prep({.username = "@HELD_NAME"}),                           // a stored contact holds it
      prep({.telegram_id = "700", .username = "@Other_Tg"}),      // the Telegram id is held
      prep({.username = "@fresh_one"}),                           // an earlier input holds it
      prep({.telegram_id = "701", .phone = "+79161230002"}),      // new
      prep({.username = "@held_name", .phone = "+79161230003"}),  // a stored contact holds the username
      prep({.phone = "+79161230003"}),  // new: the earlier input with this phone was refused
  };
  for (int i = 0; i < 70; ++i) rows.push_back(prep({.username = "@bulk_user_" + std::to_string(i)}));
  std::vector<const PreparedContact*> inputs;
  for (const auto& r : rows) inputs.push_back(&r);
  std::vector<bool> created;
  store_->write([&](WriteTx& tx) { created = create_all_if_new(tx, ctx, inputs); });
  ASSERT_EQ(created.size(), rows.size());
  EXPECT_TRUE(created[0]);
  EXPECT_FALSE(created[1]);
  EXPECT_FALSE(created[2]);
  EXPECT_FALSE(created[3]);
  EXPECT_TRUE(created[4]);
  EXPECT_FALSE(created[5]);
  EXPECT_TRUE(created[6]);
  EXPECT_EQ(std::count(created.begin(), created.end(), true), 73);
  EXPECT_EQ(all().size(), 74u);

  EXPECT_EQ(other.count_contacts(active), 74);
  std::optional<Contact> fresh;
  store_->write([&](WriteTx& tx) { fresh = tx.contact_by_username(user_, "fresh_one"); });
  ASSERT_TRUE(fresh);
  other.write([&](WriteTx& tx) {
    auto again = upsert_contact(tx, ctx, prep({.username = "@FRESH_ONE", .phone = "+7 916 123-00-01"}));
    EXPECT_EQ(again.outcome, Outcome::Unchanged);
    EXPECT_EQ(again.contact_id, fresh->id);
    auto last = upsert_contact(tx, ctx, prep({.username = "@bulk_user_69"}));
    EXPECT_EQ(last.outcome, Outcome::Unchanged);
  });
  EXPECT_EQ(all().size(), 74u);
}

TEST_F(ContactsTest, RolledBackUnitNeitherLeavesNorHidesIdentifiers) {
  storage::sqlite::SqliteStore other(path_);
  auto p = prep({.username = "@Ghost_User", .phone = "+79161234599"});
  UpsertContext ctx;
  ctx.user_id = ctx.actor = user_;
  ctx.now = kNow;
  EXPECT_THROW(store_->write([&](WriteTx& tx) {
                 ASSERT_EQ(upsert_contact(tx, ctx, p).outcome, Outcome::Created);
                 throw std::runtime_error("the unit fails after the insert");
               }),
               std::runtime_error);
  EXPECT_TRUE(all().empty());
  // The other store writes while this one's index holds the rolled-back entry: this store must
  // still catch up on it rather than take its own rolled-back revision for the other's.
  UpsertResult from_other;
  other.write([&](WriteTx& tx) { from_other = upsert_contact(tx, ctx, prep({.username = "@From_Other"})); });
  ASSERT_EQ(from_other.outcome, Outcome::Created);
  EXPECT_EQ(upsert({.username = "@from_other"}).contact_id, from_other.contact_id);
  auto ghost = upsert({.username = "@ghost_user", .phone = "+79161234599"});
  EXPECT_EQ(ghost.outcome, Outcome::Created);
  EXPECT_EQ(all().size(), 2u);

  // A deletion rolled back: the contact is there again, and so must its identifiers be.
  EXPECT_THROW(store_->write([&](WriteTx& tx) {
                 tx.delete_contact(user_, ghost.contact_id);
                 throw std::runtime_error("the unit fails after the delete");
               }),
               std::runtime_error);
  auto back = upsert({.phone = "+7 916 123 45 99"});
  EXPECT_EQ(back.outcome, Outcome::Unchanged);
  EXPECT_EQ(back.contact_id, ghost.contact_id);
  EXPECT_EQ(all().size(), 2u);
}

TEST_F(ContactsTest, PrepareReportsEveryBadField) {
  auto p = prepare_contact({.telegram_id = "-5", .username = "ab", .phone = "12", .country = "Russia"}, *phones_);
  EXPECT_EQ(p.errors.size(), 4u);
  p = prepare_contact({.first_name = "Only a name"}, *phones_);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_NE(p.errors[0].find("no identifier"), std::string::npos);
}

TEST_F(ContactsTest, ImportCsvReportsAndDedups) {
  std::string csv =
      "\xEF\xBB\xBF" "first_name;last_name;username;phone_number;telegram_id;country;language;tags;notes\n"
      "Alina;Korneeva;@alina_k;+7 916 123-45-67;;ru;ru;vip,crypto;x\n"
      "Alina;Korneeva;@alina_k;+7 916 123-45-67;;ru;ru;vip,crypto;x\n"   // identical: once
      "Al;;ALINA_K;;5318008421;;;;\n"                                    // same person: update
      "Bad;;ab;;;;;;\n"                                                   // bad username
      "Marco;;;8 (916) 765-43-21;;;;;\n"                                  // local number, region RU
      "Nobody;;;;;;;;\n"                                                  // no identifier
      "\"Broken\"x;;;;;;;;\n"                                             // bad quote
      "\"=cmd|' /C calc'!A0\";;formula_guy;;;;;;\n";
  ImportOptions options;
  options.user_id = user_;
  options.actor = user_;
  options.default_region = "RU";
  options.batch_rows = 2;
  options.clock = [] { return kNow; };
  int progress_calls = 0;
  ImportReport r = import_contacts(*store_, csv, options, [&](std::size_t, std::size_t, const ImportReport&) {
    ++progress_calls;
  });
  EXPECT_EQ(r.fatal, "");
  EXPECT_GT(r.import_id, 0);
  EXPECT_EQ(r.rows, 8u);
  EXPECT_EQ(r.created, 3u);
  EXPECT_EQ(r.updated, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.error_count, 3u);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].row, 5u);
  EXPECT_NE(r.errors[0].reason.find("5-32"), std::string::npos);
  EXPECT_EQ(r.errors[1].row, 7u);
  EXPECT_EQ(r.errors[2].row, 8u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("notes"), std::string::npos);
  EXPECT_GE(progress_calls, 2);
  auto contacts = all();
  ASSERT_EQ(contacts.size(), 3u);
  storage::ContactFilter f;
  f.user_id = user_;
  f.q = "alina";
  auto found = store_->contacts(f, nullptr);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].telegram_id, 5318008421);
  EXPECT_EQ(found[0].first_name, "Al");
  EXPECT_EQ(found[0].source, Source::FileUpload);
  EXPECT_EQ(found[0].import_id, r.import_id);
  EXPECT_EQ(found[0].tags, (std::vector<std::string>{"crypto", "vip"}));
  f.q = "formula";
  EXPECT_EQ(store_->contacts(f, nullptr).at(0).first_name, "=cmd|' /C calc'!A0");
  // Re-import in create mode: everything exists, nothing changes.
  options.mode = Mode::Create;
  r = import_contacts(*store_, csv, options);
  EXPECT_EQ(r.created, 0u);
  EXPECT_EQ(r.skipped, 4u);
  EXPECT_EQ(all().size(), 3u);
}

TEST_F(ContactsTest, ImportWithoutIdentifierColumnIsFatal) {
  ImportOptions options;
  options.user_id = user_;
  auto r = import_contacts(*store_, "first_name,last_name\nA,B\n", options);
  EXPECT_NE(r.fatal.find("identifier column"), std::string::npos);
  EXPECT_EQ(r.import_id, 0);
  r = import_contacts(*store_, "", options);
  EXPECT_NE(r.fatal, "");
}

}  // namespace
}  // namespace tglead::crm
