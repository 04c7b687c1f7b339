// Chat crawling (§8.2): the message-author rules, and sightings applied by the
// tracker to a real SqliteStore.
#include "crm/crawl.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "storage/sqlite/sqlite_store.hpp"
#include "tracking/tracker.hpp"

namespace tglead::crm {
namespace {

using nlohmann::json;
using storage::WriteTx;

constexpr std::int64_t kBotId = 7412583690;
constexpr std::int64_t kAlina = 5318008421;
constexpr std::int64_t kMarco = 984312765;
constexpr std::int64_t kDmitry = 6702145590;
constexpr std::int64_t kOleg = 287654193;
constexpr std::int64_t kSupergroup = -1001954328761;  // "Crypto Signals Chat"
constexpr std::int64_t kOtherGroup = -1002214567389;  // "Daily Deals EU Chat"
constexpr std::int64_t kLinkedChannel = -1002381745923;
constexpr std::int64_t T0 = 1763740800;

json person(std::int64_t id, const std::string& first, const std::string& username = "") {
  json u{{"id", id}, {"is_bot", false}, {"first_name", first}, {"language_code", "en"}};
  if (!username.empty()) u["username"] = username;
  return u;
}

json group_message(std::int64_t update_id, std::int64_t chat, const std::string& title, const json& from,
                   const std::string& type = "supergroup") {
  return {{"update_id", update_id},
          {"message",
           {{"message_id", update_id % 1000},
            {"from", from},
            {"chat", {{"id", chat}, {"title", title}, {"type", type}}},
            {"date", T0},
            {"text", "gm"}}}};
}

telegram::Message message_of(const json& update) {
  auto result = telegram::parse_update(update.dump());
  auto* parsed = std::get_if<telegram::Update>(&result);
  EXPECT_TRUE(parsed && parsed->kind == telegram::UpdateKind::Message);
  return parsed ? parsed->message : telegram::Message{};
}

TEST(MessageAuthor, APersonWritingInAGroupOrSupergroupIsTheAuthor) {
  auto m = message_of(group_message(1, kSupergroup, "Crypto Signals Chat", person(kAlina, "Alina")));
  const telegram::User* author = message_author(m);
  ASSERT_NE(author, nullptr);
  EXPECT_EQ(author->id, kAlina);
  EXPECT_NE(message_author(message_of(group_message(2, -4001, "Old group", person(kMarco, "Marco"), "group"))),
            nullptr);
}

TEST(MessageAuthor, PrivateChatsChannelsBotsAndServiceAccountsHaveNone) {
  json private_chat = group_message(1, kAlina, "", person(kAlina, "Alina"), "private");
  EXPECT_EQ(message_author(message_of(private_chat)), nullptr);

  json bot = person(kBotId, "SubTrack");
  bot["is_bot"] = true;
  EXPECT_EQ(message_author(message_of(group_message(2, kSupergroup, "t", bot))), nullptr);

  // A linked channel's post is relayed into its discussion group by the Telegram account 777000.
  json relayed = group_message(3, kSupergroup, "t", person(777000, "Telegram"));
  relayed["message"]["sender_chat"] = {{"id", kLinkedChannel}, {"title", "Crypto Signals Daily"}, {"type", "channel"}};
  relayed["message"]["is_automatic_forward"] = true;
  EXPECT_EQ(message_author(message_of(relayed)), nullptr);
  EXPECT_FALSE(is_crawlable_user(777000, false));

  // An anonymous admin posts as the group: `from` is GroupAnonymousBot.
  json anonymous_bot = person(1087968824, "Group");
  anonymous_bot["is_bot"] = true;
  json anonymous = group_message(4, kSupergroup, "t", anonymous_bot);
  anonymous["message"]["sender_chat"] = {{"id", kSupergroup}, {"title", "t"}, {"type", "supergroup"}};
  EXPECT_EQ(message_author(message_of(anonymous)), nullptr);

  // A member writing "as a channel" they own: `from` is a real user, but the message is the channel's.
  json as_channel = group_message(5, kSupergroup, "t", person(kDmitry, "Dmitry"));
  as_channel["message"]["sender_chat"] = {{"id", kLinkedChannel}, {"title", "x"}, {"type", "channel"}};
  EXPECT_EQ(message_author(message_of(as_channel)), nullptr);

  // A channel post has no `from` at all.
  json post = group_message(6, kLinkedChannel, "Crypto Signals Daily", json(), "channel");
  post["message"].erase("from");
  post["message"]["sender_chat"] = post["message"]["chat"];
  EXPECT_EQ(message_author(message_of(post)), nullptr);
}

TEST(CrawlHelpers, Utf8PrefixNeverCutsACharacter) {
  EXPECT_EQ(utf8_prefix("abc", 10), "abc");
  EXPECT_EQ(utf8_prefix("abcdef", 3), "abc");
  EXPECT_EQ(utf8_prefix("\xd0\x9a\xd0\xbe", 3), "\xd0\x9a");  // "Ко" cut inside the second letter
  EXPECT_EQ(utf8_prefix("\xf0\x9f\x9a\x80x", 2), "");         // a 4-byte emoji does not fit
}

std::atomic<int> g_counter{0};

class CrawlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/tglead_crawl_test_" + std::to_string(::getpid()) + "_" + std::to_string(g_counter++) + ".db";
    remove_files();
    store_ = std::make_unique<storage::sqlite::SqliteStore>(path_);
    domain::User user;
    user.email = "owner@example.com";
    user.api_key = "key-" + path_;
    user.transfer_token = "transfer-" + path_;
    store_->write([&](WriteTx& tx) { user_ = tx.insert_user(user); });
    bot_.id = kBotId;
    bot_.user_id = user_;
    bot_.token = std::to_string(kBotId) + ":AAH";
    bot_.username = "subtrack_demo_bot";
    bot_.secret = "s";
    store_->write([&](WriteTx& tx) {
      tx.upsert_bot(bot_);
      for (auto [id, title] : {std::pair{kSupergroup, "Crypto Signals Chat"}, std::pair{kOtherGroup, "Daily Deals"}}) {
        domain::Chat chat;
        chat.bot_id = kBotId;
        chat.id = id;
        chat.title = title;
        chat.type = "supergroup";
        chat.ok = true;
        tx.upsert_chat(chat);
      }
    });
  }
  void TearDown() override {
    store_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }

  std::int64_t start(std::int64_t chat, std::int64_t now, std::vector<telegram::User> admins = {}) {
    std::int64_t id = 0;
    store_->write([&](WriteTx& tx) {
      id = resume_fresh_chat_crawl(tx, user_, kBotId, chat, now);
      if (id == 0) id = start_chat_crawl(tx, user_, kBotId, chat, "Crypto Signals Chat", admins, true, now);
    });
    return id;
  }

  void apply(const json& update, std::int64_t now) {
    auto result = telegram::parse_update(update.dump());
    ASSERT_TRUE(std::holds_alternative<telegram::Update>(result));
    store_->write([&](WriteTx& tx) { tracking::apply_update(tx, bot_, std::get<telegram::Update>(result), now); });
  }

  std::optional<Contact> contact(std::int64_t telegram_id) {
    std::optional<Contact> out;
    store_->write([&](WriteTx& tx) { out = tx.contact_by_telegram_id(user_, telegram_id); });
    return out;
  }

  std::vector<std::string> history_kinds(std::int64_t contact_id) {
    std::vector<std::string> kinds;
    for (const auto& h : store_->contact_history(user_, contact_id, 100)) kinds.push_back(h.kind);
    return kinds;
  }

  std::string path_;
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  std::int64_t user_ = 0;
  domain::Bot bot_;
};

TEST_F(CrawlTest, AuthorsInACrawledChatBecomeCrawlingContactsWithTheChatTitle) {
  std::int64_t crawl = start(kSupergroup, T0);
  apply(group_message(1, kSupergroup, "Crypto Signals Chat", person(kAlina, "Alina", "alina_k")), T0 + 10);
  auto alina = contact(kAlina);
  ASSERT_TRUE(alina);
  EXPECT_EQ(alina->source, Source::Crawling);
  EXPECT_EQ(alina->group, "Crypto Signals Chat");
  EXPECT_EQ(alina->username, "alina_k");
  EXPECT_EQ(alina->first_name, "Alina");
  EXPECT_EQ(history_kinds(alina->id), (std::vector<std::string>{"crawled", "created"}));

  // Later messages of a member already recorded in this round write nothing.
  apply(group_message(2, kSupergroup, "Crypto Signals Chat", person(kAlina, "Alina", "alina_k")), T0 + 20);
  EXPECT_EQ(history_kinds(alina->id).size(), 2u);

  auto c = store_->crawl(user_, crawl);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->members, 1);
  EXPECT_EQ(c->created, 1);
  std::int64_t total = 0;
  auto members = store_->crawl_members(user_, crawl, 50, 0, &total);
  ASSERT_EQ(total, 1);
  EXPECT_EQ(members[0].telegram_id, kAlina);
  EXPECT_EQ(members[0].via, "message");
  EXPECT_EQ(members[0].contact_id, alina->id);
}

TEST_F(CrawlTest, ChatsWithoutACrawlCollectNothing) {
  start(kSupergroup, T0);
  apply(group_message(1, kOtherGroup, "Daily Deals", person(kMarco, "Marco")), T0 + 10);
  EXPECT_FALSE(contact(kMarco));
}

TEST_F(CrawlTest, MemberUpdatesAndJoinRequestsAreSightings) {
  std::int64_t crawl = start(kSupergroup, T0);
  json join{{"update_id", 10},
            {"chat_member",
             {{"chat", {{"id", kSupergroup}, {"title", "Crypto Signals Chat"}, {"type", "supergroup"}}},
              {"from", person(kMarco, "Marco")},
              {"date", T0},
              {"old_chat_member", {{"user", person(kMarco, "Marco")}, {"status", "left"}}},
              {"new_chat_member", {{"user", person(kMarco, "Marco")}, {"status", "member"}}}}}};
  apply(join, T0 + 1);
  json request{{"update_id", 11},
               {"chat_join_request",
                {{"chat", {{"id", kSupergroup}, {"title", "Crypto Signals Chat"}, {"type", "supergroup"}}},
                 {"from", person(kDmitry, "Dmitry", "dmitry_v")},
                 {"user_chat_id", kDmitry},
                 {"date", T0}}}};
  apply(request, T0 + 2);
  ASSERT_TRUE(contact(kMarco));
  ASSERT_TRUE(contact(kDmitry));
  EXPECT_EQ(contact(kDmitry)->group, "Crypto Signals Chat");
  std::int64_t total = 0;
  auto members = store_->crawl_members(user_, crawl, 50, 0, &total);
  EXPECT_EQ(total, 2);
  EXPECT_EQ(members[0].via, "request");
  EXPECT_EQ(members[1].via, "member");
}

TEST_F(CrawlTest, AnExistingContactKeepsItsSourceAndGroup) {
  store_->write([&](WriteTx& tx) {
    record_telegram_user(tx, user_, TelegramUser{kAlina, "alina_k", "Alina", "", "ru"}, Source::Campaign,
                         "", "", T0);
    record_telegram_user(tx, user_, TelegramUser{kMarco, "", "Marco", "", "it"}, Source::Manual, "", "", T0);
    auto marco = tx.contact_by_telegram_id(user_, kMarco);
    marco->group = "VIP";
    tx.update_contact(*marco);
  });
  std::int64_t crawl = start(kSupergroup, T0);
  apply(group_message(1, kSupergroup, "Crypto Signals Chat", person(kAlina, "Alina", "alina_k")), T0 + 1);
  apply(group_message(2, kSupergroup, "Crypto Signals Chat", person(kMarco, "Marco")), T0 + 2);
  EXPECT_EQ(contact(kAlina)->source, Source::Campaign);
  EXPECT_EQ(contact(kAlina)->group, "Crypto Signals Chat");  // it had none
  EXPECT_EQ(contact(kMarco)->source, Source::Manual);
  EXPECT_EQ(contact(kMarco)->group, "VIP");
  auto c = store_->crawl(user_, crawl);
  EXPECT_EQ(c->created, 0);
  EXPECT_EQ(c->updated, 1);
  EXPECT_EQ(c->unchanged, 1);
}

TEST_F(CrawlTest, StoppedCrawlsCollectNothingAndAFreshStartIsCached) {
  std::int64_t crawl = start(kSupergroup, T0);
  store_->write([&](WriteTx& tx) {
    auto c = tx.crawl(user_, crawl);
    c->active = false;
    tx.update_crawl(*c);
  });
  apply(group_message(1, kSupergroup, "Crypto Signals Chat", person(kMarco, "Marco")), T0 + 1);
  EXPECT_FALSE(contact(kMarco));

  // Within 24 h a start resumes collecting without a new run.
  std::int64_t resumed = 0;
  store_->write([&](WriteTx& tx) { resumed = resume_fresh_chat_crawl(tx, user_, kBotId, kSupergroup, T0 + 3600); });
  EXPECT_EQ(resumed, crawl);
  EXPECT_EQ(store_->crawl(user_, crawl)->round, 1);
  apply(group_message(2, kSupergroup, "Crypto Signals Chat", person(kMarco, "Marco")), T0 + 3601);
  EXPECT_TRUE(contact(kMarco));
}

TEST_F(CrawlTest, ARunAfter24HoursRecordsKnownMembersAgain) {
  telegram::User oleg;
  oleg.id = kOleg;
  oleg.first_name = "Oleg";
  oleg.username = "oleg_admin";
  telegram::User bot;
  bot.id = kBotId;
  bot.is_bot = true;
  std::int64_t crawl = start(kSupergroup, T0, {oleg, bot});
  ASSERT_TRUE(contact(kOleg));
  EXPECT_FALSE(contact(kBotId));
  apply(group_message(1, kSupergroup, "Crypto Signals Chat", person(kAlina, "Alina", "alina_k")), T0 + 1);

  std::int64_t resumed = 1;
  store_->write([&](WriteTx& tx) {
    resumed = resume_fresh_chat_crawl(tx, user_, kBotId, kSupergroup, T0 + kCrawlCacheSeconds);
  });
  EXPECT_EQ(resumed, 0);
  EXPECT_EQ(start(kSupergroup, T0 + kCrawlCacheSeconds), crawl);
  EXPECT_EQ(store_->crawl(user_, crawl)->round, 2);
  // Alina renamed her handle: the next sighting in the new round refreshes it.
  apply(group_message(2, kSupergroup, "Crypto Signals Chat", person(kAlina, "Alina", "alina_new")),
        T0 + kCrawlCacheSeconds + 1);
  EXPECT_EQ(contact(kAlina)->username, "alina_new");
  auto c = store_->crawl(user_, crawl);
  EXPECT_EQ(c->members, 2);
  EXPECT_EQ(c->created, 2);
  EXPECT_EQ(c->updated, 1);
}

TEST_F(CrawlTest, GroupMigrationMovesTheCrawl) {
  std::int64_t crawl = start(kSupergroup, T0);
  json migrated = group_message(1, kSupergroup, "Crypto Signals Chat", person(kOleg, "Oleg"), "group");
  migrated["message"]["migrate_to_chat_id"] = -1009999999999;
  apply(migrated, T0 + 1);
  EXPECT_EQ(store_->crawl(user_, crawl)->chat_id, -1009999999999);
  apply(group_message(2, -1009999999999, "Crypto Signals Chat", person(kMarco, "Marco")), T0 + 2);
  EXPECT_TRUE(contact(kMarco));
}

}  // namespace
}  // namespace tglead::crm
