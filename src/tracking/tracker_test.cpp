// tracking::apply_update against a real SqliteStore (PRODUCT.md §3, §4, §6.3).
#include "tracking/tracker.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "storage/sqlite/sqlite_store.hpp"
#include "util/time_format.hpp"

namespace tglead::tracking {
namespace {

using nlohmann::json;
using namespace tglead::domain;
using storage::WriteTx;

constexpr std::int64_t kBotId = 7412583690;
constexpr std::int64_t kAlina = 5318008421;
constexpr std::int64_t kMarco = 984312765;
constexpr std::int64_t kDmitry = 6702145590;
constexpr std::int64_t kOleg = 287654193;
constexpr std::int64_t kChannel = -1002381745923;  // "Crypto Signals Daily"
constexpr std::int64_t kSupergroup = -1001954328761;  // "Crypto Signals Chat"
constexpr std::int64_t kOwnerTelegram = 42424242;
constexpr std::int64_t T0 = 1763740800;  // 2025-11-21 16:00:00 UTC
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kNow = T0 + 30 * kDay;

json fx(const std::string& name) {
  std::ifstream in(std::string(TGLEAD_FIXTURES_DIR) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return json::parse(out.str());
}

// Fixture #01 with another subscriber / text / date.
json start_update(std::int64_t update_id, std::int64_t subscriber, const std::string& text, std::int64_t date,
                  const std::string& first_name = "Alina") {
  json u = fx("01_start_with_payload.json");
  u["update_id"] = update_id;
  auto& m = u["message"];
  m["from"]["id"] = subscriber;
  m["from"]["first_name"] = first_name;
  m["chat"]["id"] = subscriber;
  m["chat"]["first_name"] = first_name;
  m["text"] = text;
  m["date"] = date;
  return u;
}

// Fixture #06 reshaped: `subject` goes old -> new in `chat`, done by `actor`.
json member_update(std::int64_t update_id, std::int64_t chat, std::int64_t subject, std::int64_t actor,
                   const std::string& old_status, const std::string& new_status, std::int64_t date) {
  json u = fx("06_chat_member_leave.json");
  u["update_id"] = update_id;
  auto& m = u["chat_member"];
  m["chat"]["id"] = chat;
  m["from"]["id"] = actor;
  m["old_chat_member"]["user"]["id"] = subject;
  m["new_chat_member"]["user"]["id"] = subject;
  m["old_chat_member"]["status"] = old_status;
  m["new_chat_member"]["status"] = new_status;
  m["date"] = date;
  return u;
}

// Fixture #10 reshaped.
json join_request_update(std::int64_t update_id, std::int64_t chat, std::int64_t subject, std::int64_t date) {
  json u = fx("10_chat_join_request.json");
  u["update_id"] = update_id;
  auto& r = u["chat_join_request"];
  r["chat"]["id"] = chat;
  r["from"]["id"] = subject;
  r["user_chat_id"] = subject;
  r["date"] = date;
  return u;
}

// Fixture #13 reshaped: the bot goes old -> new in a chat.
json my_member_update(std::int64_t update_id, std::int64_t chat, const std::string& type, const std::string& title,
                      const std::string& old_status, const std::string& new_status, std::int64_t date) {
  json u = fx("13_my_chat_member_promoted_admin_channel.json");
  u["update_id"] = update_id;
  auto& m = u["my_chat_member"];
  m["chat"]["id"] = chat;
  m["chat"]["type"] = type;
  m["chat"]["title"] = title;
  m["old_chat_member"]["status"] = old_status;
  m["new_chat_member"]["status"] = new_status;
  m["date"] = date;
  return u;
}

telegram::Update parsed(const json& body) {
  auto result = telegram::parse_update(body.dump());
  if (auto* error = std::get_if<telegram::ParseError>(&result)) throw std::runtime_error(error->message);
  return std::get<telegram::Update>(result);
}

std::atomic<int> g_counter{0};

class TrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/tglead_tracker_test_" + std::to_string(::getpid()) + "_" + std::to_string(g_counter++) + ".db";
    remove_files();
    store_ = std::make_unique<storage::sqlite::SqliteStore>(path_);
    User user;
    user.email = "owner@example.com";
    user.api_key = "key-" + path_;
    user.transfer_token = "transfer-" + path_;
    user.telegram_id = kOwnerTelegram;
    user.paid_until = kNow + 365 * kDay;
    user.plan = Plan::Tiger;
    write([&](WriteTx& tx) { user_id_ = tx.insert_user(user); });
    bot_.id = kBotId;
    bot_.user_id = user_id_;
    bot_.token = "7412583690:AAtest";
    bot_.username = "subtrack_demo_bot";
    bot_.name = "SubTrack";
    bot_.secret = "secret";
    write([&](WriteTx& tx) { tx.upsert_bot(bot_); });
    // The channel becomes available through the bot's promotion (fixture #13).
    EXPECT_EQ(apply(fx("13_my_chat_member_promoted_admin_channel.json")), Outcome::Applied);
  }

  void TearDown() override {
    store_.reset();
    remove_files();
  }

  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
  }

  void write(std::function<void(WriteTx&)> fn) { store_->write(std::move(fn)); }

  Outcome apply(const json& body, std::int64_t now = kNow) {
    telegram::Update update = parsed(body);
    Outcome out = Outcome::Ignored;
    write([&](WriteTx& tx) { out = apply_update(tx, bot_, update, now); });
    return out;
  }

  std::int64_t add_campaign(const std::string& code, std::int64_t chat = kChannel, bool active = true,
                            std::int64_t unsub_window = 0, bool approve_requests = false,
                            const std::string& welcome = "Hi {first_name}!", bool templates = true) {
    Campaign c;
    c.user_id = user_id_;
    c.bot_id = kBotId;
    c.chat_id = chat;
    c.code = code;
    c.name = code;
    c.active = active;
    c.unsub_window = unsub_window;
    c.approve_requests = approve_requests;
    if (templates) {
      for (auto s : {LeadStatus::Wait, LeadStatus::Hold, LeadStatus::Approve, LeadStatus::Cancel, LeadStatus::Trash}) {
        c.postbacks[s] = "http://t.example/pb?c={click}&s={status}&tid={tid}";
      }
    }
    c.welcome.text = welcome;
    std::int64_t id = 0;
    write([&](WriteTx& tx) { id = tx.insert_campaign(c, T0 - kDay); });
    return id;
  }

  void set_active(std::int64_t campaign_id, bool active) {
    write([&](WriteTx& tx) {
      auto c = tx.campaign(campaign_id);
      ASSERT_TRUE(c.has_value());
      c->active = active;
      tx.update_campaign(*c, kNow);
    });
  }

  std::vector<Lead> all_leads(std::optional<std::int64_t> campaign = std::nullopt, std::int64_t* total = nullptr) {
    storage::LeadFilter f;
    f.user_id = user_id_;
    f.campaign_id = campaign;
    f.limit = 200;
    return store_->leads(f, total);
  }

  std::optional<Lead> lead_of(std::int64_t campaign, std::int64_t subscriber) {
    for (auto& l : all_leads(campaign)) {
      if (l.subscriber == subscriber) return l;
    }
    return std::nullopt;
  }

  std::vector<JournalEntry> journal(std::int64_t chat = kChannel) {
    storage::JournalFilter f;
    f.bot_id = kBotId;
    f.chat_id = chat;
    f.limit = 200;
    return store_->journal(f, nullptr);
  }

  std::vector<storage::TelegramJob> jobs(const std::string& method = "") {
    std::vector<storage::TelegramJob> out;
    for (auto& j : store_->due_telegram_jobs(kNow + 10 * kDay, 1000)) {
      if (method.empty() || j.method == method) out.push_back(j);
    }
    return out;
  }

  std::string path_;
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  std::int64_t user_id_ = 0;
  Bot bot_;
};

// ---- rule 11: idempotency and atomicity ------------------------------------------

TEST_F(TrackerTest, DuplicateUpdateIdIsAcknowledgedAndIgnored) {
  std::int64_t campaign = add_campaign("CAMP42");
  json start = start_update(1000, kAlina, "/start CAMP42-click1", T0);
  EXPECT_EQ(apply(start), Outcome::Applied);
  EXPECT_EQ(apply(start), Outcome::Duplicate);
  start["message"]["text"] = "/start CAMP42-click2";  // same update_id, different content: still a re-delivery
  EXPECT_EQ(apply(start), Outcome::Duplicate);
  std::int64_t total = 0;
  auto leads = all_leads(campaign, &total);
  ASSERT_EQ(total, 1);
  EXPECT_EQ(leads[0].click, "click1");
  EXPECT_EQ(store_->postbacks_of_lead(leads[0].id).size(), 1u);
  EXPECT_EQ(jobs("sendMessage").size(), 1u);
}

TEST_F(TrackerTest, DuplicateJoinDoesNotDoubleJournalOrPostbacks) {
  add_campaign("CAMP42");
  apply(start_update(1000, kAlina, "/start CAMP42-c", T0));
  json join = member_update(1001, kChannel, kAlina, kAlina, "left", "member", T0 + 60);
  EXPECT_EQ(apply(join), Outcome::Applied);
  EXPECT_EQ(apply(join), Outcome::Duplicate);
  EXPECT_EQ(journal().size(), 1u);
  auto lead = all_leads().at(0);
  EXPECT_EQ(store_->postbacks_of_lead(lead.id).size(), 2u);
}

TEST_F(TrackerTest, FailedUnitRollsBackEverythingIncludingTheDedupMark) {
  std::int64_t campaign = add_campaign("CAMP42");
  json start = start_update(1000, kAlina, "/start CAMP42-c", T0);
  telegram::Update update = parsed(start);
  EXPECT_THROW(write([&](WriteTx& tx) {
                 apply_update(tx, bot_, update, kNow);
                 throw std::runtime_error("crash after apply");
               }),
               std::runtime_error);
  EXPECT_TRUE(all_leads(campaign).empty());
  EXPECT_TRUE(jobs().empty());
  EXPECT_EQ(apply(start), Outcome::Applied);  // the re-delivery is processed, not deduplicated
  EXPECT_EQ(all_leads(campaign).size(), 1u);
}

TEST_F(TrackerTest, SameUpdateIdForAnotherBotIsNotADuplicate) {
  add_campaign("CAMP42");
  Bot other = bot_;
  other.id = 999000111;
  other.token = "999000111:AA";
  write([&](WriteTx& tx) { tx.upsert_bot(other); });
  json start = start_update(1000, kAlina, "/start CAMP42-c", T0);
  EXPECT_EQ(apply(start), Outcome::Applied);
  telegram::Update update = parsed(start);
  Outcome out = Outcome::Applied;
  write([&](WriteTx& tx) { out = apply_update(tx, other, update, kNow); });
  EXPECT_NE(out, Outcome::Duplicate);
}

// ---- rules 1, 3, 4: /start -----------------------------------------------------

TEST_F(TrackerTest, StartCreatesLeadWaitPostbackAndWelcome) {
  std::int64_t campaign = add_campaign("CAMP42");
  EXPECT_EQ(apply(fx("03_start_payload_campaign_and_clickid.json")), Outcome::Applied);
  auto leads = all_leads(campaign);
  ASSERT_EQ(leads.size(), 1u);
  const Lead& lead = leads[0];
  EXPECT_EQ(lead.subscriber, kDmitry);
  EXPECT_EQ(lead.username, "dmitry_v");
  EXPECT_EQ(lead.click, "3tq8v1m0c9hsa7e2kxd");
  EXPECT_EQ(lead.status, LeadStatus::Wait);
  EXPECT_EQ(lead.start_time, 1763740831);
  EXPECT_EQ(lead.join_time, 0);

  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 1u);
  EXPECT_EQ(postbacks[0].status, LeadStatus::Wait);
  EXPECT_EQ(postbacks[0].state, PostbackState::Pending);
  EXPECT_FALSE(postbacks[0].tid.empty());
  EXPECT_EQ(postbacks[0].url, "http://t.example/pb?c=3tq8v1m0c9hsa7e2kxd&s=wait&tid=" + postbacks[0].tid);

  auto welcome = jobs("sendMessage");
  ASSERT_EQ(welcome.size(), 1u);
  EXPECT_EQ(welcome[0].bot_id, kBotId);
  EXPECT_EQ(welcome[0].subscriber, kDmitry);
  json payload = json::parse(welcome[0].payload);
  EXPECT_EQ(payload["chat_id"], kDmitry);
  EXPECT_EQ(payload["text"], "Hi Dmitry!");
}

TEST_F(TrackerTest, StartWithoutWelcomeQueuesNoMessage) {
  std::int64_t campaign = add_campaign("CAMP42", kChannel, true, 0, false, /*welcome=*/"");
  EXPECT_EQ(apply(fx("01_start_with_payload.json")), Outcome::Applied);
  ASSERT_EQ(all_leads(campaign).size(), 1u);
  EXPECT_EQ(all_leads(campaign)[0].click, "");
  EXPECT_TRUE(jobs().empty());
}

TEST_F(TrackerTest, RestartSameClickFiresNothingButWelcomesAgain) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(start_update(1000, kAlina, "/start CAMP42-aaa", T0));
  EXPECT_EQ(apply(start_update(1001, kAlina, "/start CAMP42-aaa", T0 + 100)), Outcome::Applied);
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(store_->postbacks_of_lead(lead.id).size(), 1u);
  EXPECT_EQ(lead.updated, T0);
  EXPECT_EQ(jobs("sendMessage").size(), 2u);  // "The welcome is sent on every /start"
}

TEST_F(TrackerTest, RestartNewClickOverwritesAndFiresWait) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(start_update(1000, kAlina, "/start CAMP42-aaa", T0));
  apply(member_update(1001, kChannel, kAlina, kAlina, "left", "member", T0 + 50));
  apply(start_update(1002, kAlina, "/start CAMP42-bbb", T0 + 100));
  std::int64_t total = 0;
  auto leads = all_leads(campaign, &total);
  ASSERT_EQ(total, 1);
  EXPECT_EQ(leads[0].click, "bbb");
  EXPECT_EQ(leads[0].status, LeadStatus::Approve);  // stays in approve
  EXPECT_EQ(leads[0].updated, T0 + 100);
  EXPECT_EQ(leads[0].start_time, T0);
  auto postbacks = store_->postbacks_of_lead(leads[0].id);
  ASSERT_EQ(postbacks.size(), 3u);
  EXPECT_EQ(postbacks[2].status, LeadStatus::Wait);
  EXPECT_EQ(postbacks[2].url, "http://t.example/pb?c=bbb&s=wait&tid=" + postbacks[2].tid);
  // Empty click on a later /start: nothing.
  apply(start_update(1003, kAlina, "/start CAMP42", T0 + 200));
  EXPECT_EQ(all_leads(campaign)[0].click, "bbb");
  EXPECT_EQ(store_->postbacks_of_lead(leads[0].id).size(), 3u);
}

TEST_F(TrackerTest, RestartFromCancelReturnsToWait) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(start_update(1000, kAlina, "/start CAMP42-aaa", T0));
  apply(member_update(1001, kChannel, kAlina, kAlina, "left", "member", T0 + 50));
  apply(member_update(1002, kChannel, kAlina, kAlina, "member", "left", T0 + 60));
  ASSERT_EQ(all_leads(campaign)[0].status, LeadStatus::Cancel);
  apply(start_update(1003, kAlina, "/start CAMP42-bbb", T0 + 100));
  EXPECT_EQ(all_leads(campaign)[0].status, LeadStatus::Wait);
  EXPECT_EQ(all_leads(campaign)[0].click, "bbb");
}

TEST_F(TrackerTest, UnknownCodeCreatesNothing) {
  add_campaign("CAMP42");
  EXPECT_NE(apply(start_update(1000, kAlina, "/start NOPE-abc", T0)), Outcome::Duplicate);
  EXPECT_TRUE(all_leads().empty());
  EXPECT_TRUE(jobs().empty());  // the welcome is not sent
}

TEST_F(TrackerTest, BareStartWithOneActiveCampaign) {
  std::int64_t campaign = add_campaign("CAMP42");
  EXPECT_EQ(apply(fx("02_start_without_payload.json")), Outcome::Applied);
  auto leads = all_leads(campaign);
  ASSERT_EQ(leads.size(), 1u);
  EXPECT_EQ(leads[0].subscriber, kMarco);
  EXPECT_EQ(leads[0].click, "");
  EXPECT_EQ(leads[0].first_name, "Marco");
}

TEST_F(TrackerTest, BareStartWithTwoActiveCampaignsCreatesNoLead) {
  apply(my_member_update(900, kSupergroup, "supergroup", "Crypto Signals Chat", "left", "administrator", T0 - kDay));
  add_campaign("CAMP42");
  add_campaign("CAMP77", kSupergroup);
  apply(fx("02_start_without_payload.json"));
  EXPECT_TRUE(all_leads().empty());
}

TEST_F(TrackerTest, BareStartIgnoresPausedCampaigns) {
  apply(my_member_update(900, kSupergroup, "supergroup", "Crypto Signals Chat", "left", "administrator", T0 - kDay));
  std::int64_t active = add_campaign("CAMP42");
  add_campaign("CAMP77", kSupergroup, /*active=*/false);
  apply(fx("02_start_without_payload.json"));
  EXPECT_EQ(all_leads(active).size(), 1u);
  EXPECT_EQ(all_leads().size(), 1u);
}

// ---- rule 2: paused -----------------------------------------------------------

TEST_F(TrackerTest, PausedCampaignCreatesNoLeadAndSendsNoWelcome) {
  std::int64_t campaign = add_campaign("CAMP42", kChannel, /*active=*/false);
  apply(start_update(1000, kAlina, "/start CAMP42-abc", T0));
  EXPECT_TRUE(all_leads(campaign).empty());
  EXPECT_TRUE(jobs().empty());
}

TEST_F(TrackerTest, PausedCampaignRecordsTransitionsWithoutFiring) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(start_update(1000, kAlina, "/start CAMP42-abc", T0));
  set_active(campaign, false);
  apply(member_update(1001, kChannel, kAlina, kAlina, "left", "member", T0 + 60));
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.status, LeadStatus::Approve);
  EXPECT_EQ(lead.join_time, T0 + 60);
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 2u);
  EXPECT_EQ(postbacks[1].status, LeadStatus::Approve);
  EXPECT_EQ(postbacks[1].state, PostbackState::Skipped);
  EXPECT_EQ(postbacks[1].reason, "paused");
  for (auto& due : store_->due_postbacks(kNow + kDay, 100)) EXPECT_NE(due.id, postbacks[1].id);
}

// ---- rule 5: join requests ------------------------------------------------------

TEST_F(TrackerTest, JoinRequestWithLeadHoldsAndApproves) {
  std::int64_t campaign = add_campaign("CAMP42", kChannel, true, 0, /*approve_requests=*/true);
  apply(start_update(1000, kDmitry, "/start CAMP42-k", T0, "Dmitry"));
  EXPECT_EQ(apply(fx("10_chat_join_request.json")), Outcome::Applied);
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.status, LeadStatus::Hold);
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 2u);
  EXPECT_EQ(postbacks[1].status, LeadStatus::Hold);
  EXPECT_EQ(postbacks[1].state, PostbackState::Pending);
  auto entries = journal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, JournalAction::Request);
  EXPECT_TRUE(entries[0].paid);
  EXPECT_EQ(entries[0].subscriber, kDmitry);
  EXPECT_EQ(entries[0].time, 1763748100);
  auto approvals = jobs("approveChatJoinRequest");
  ASSERT_EQ(approvals.size(), 1u);
  json payload = json::parse(approvals[0].payload);
  EXPECT_EQ(payload["chat_id"], kChannel);
  EXPECT_EQ(payload["user_id"], kDmitry);
  // The chat is now known to need join requests.
  auto chat = store_->chat(kBotId, kChannel);
  ASSERT_TRUE(chat.has_value());
  EXPECT_TRUE(chat->requests);

  // The approval arrives as a chat_member update (fixture #11): approve, journal "approve".
  EXPECT_EQ(apply(fx("11_chat_member_join_after_request_via_link.json")), Outcome::Applied);
  lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.status, LeadStatus::Approve);
  EXPECT_EQ(lead.join_time, 1763748105);
  entries = journal();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, JournalAction::Approve);
  EXPECT_TRUE(entries[0].paid);
}

TEST_F(TrackerTest, JoinRequestWithoutApproveFlagQueuesNoApproval) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(start_update(1000, kDmitry, "/start CAMP42-k", T0, "Dmitry"));
  apply(fx("10_chat_join_request.json"));
  EXPECT_EQ(all_leads(campaign).at(0).status, LeadStatus::Hold);
  EXPECT_TRUE(jobs("approveChatJoinRequest").empty());
}

TEST_F(TrackerTest, JoinRequestWithoutLeadIsOrganic) {
  add_campaign("CAMP42", kChannel, true, 0, true);
  apply(fx("10_chat_join_request.json"));
  EXPECT_TRUE(all_leads().empty());
  auto entries = journal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, JournalAction::Request);
  EXPECT_FALSE(entries[0].paid);
  EXPECT_TRUE(jobs("approveChatJoinRequest").empty());  // approvals are for leads
}

// ---- rules 6, 7, 9, 10: joins and leaves -------------------------------------------

TEST_F(TrackerTest, OrganicJoinIsJournaledUnpaid) {
  add_campaign("CAMP42");
  EXPECT_EQ(apply(fx("05_chat_member_join_via_invite_link.json")), Outcome::Applied);
  EXPECT_TRUE(all_leads().empty());
  auto entries = journal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, JournalAction::Join);
  EXPECT_FALSE(entries[0].paid);
  EXPECT_EQ(entries[0].subscriber, kAlina);
  EXPECT_EQ(entries[0].username, "alina_k");
  EXPECT_EQ(entries[0].time, 1763740858);
}

TEST_F(TrackerTest, JoinWithLeadApprovesAndJournalsPaid) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(fx("01_start_with_payload.json"));
  apply(fx("05_chat_member_join_via_invite_link.json"));
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.status, LeadStatus::Approve);
  EXPECT_EQ(lead.join_time, 1763740858);
  auto entries = journal();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, JournalAction::Join);
  EXPECT_TRUE(entries[0].paid);
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 2u);
  EXPECT_EQ(postbacks[1].status, LeadStatus::Approve);
  EXPECT_EQ(postbacks[1].url, "http://t.example/pb?c=&s=approve&tid=" + postbacks[1].tid);
}

TEST_F(TrackerTest, LeaveThenRejoinFiresApproveAgainWithOneLead) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(fx("01_start_with_payload.json"));
  apply(fx("05_chat_member_join_via_invite_link.json"));
  apply(fx("06_chat_member_leave.json"));
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.status, LeadStatus::Cancel);
  EXPECT_EQ(lead.leave_time, 1763744400);
  apply(fx("09_chat_member_rejoin_masked_link.json"));
  std::int64_t total = 0;
  auto leads = all_leads(campaign, &total);
  EXPECT_EQ(total, 1);
  EXPECT_EQ(leads[0].status, LeadStatus::Approve);
  EXPECT_EQ(leads[0].join_time, 1763748000);
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 4u);
  EXPECT_EQ(postbacks[2].status, LeadStatus::Cancel);
  EXPECT_EQ(postbacks[3].status, LeadStatus::Approve);
  auto entries = journal();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].action, JournalAction::Leave);  // newest first: join, leave, join
  EXPECT_EQ(entries[0].action, JournalAction::Join);
}

TEST_F(TrackerTest, KickByAdminTrashesAndJournalsBan) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(fx("03_start_payload_campaign_and_clickid.json"));
  apply(member_update(1001, kChannel, kDmitry, kDmitry, "left", "member", 1763744000));
  EXPECT_EQ(apply(fx("07_chat_member_kicked.json")), Outcome::Applied);
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.status, LeadStatus::Trash);
  EXPECT_EQ(lead.leave_time, 1763744520);
  EXPECT_EQ(journal().at(0).action, JournalAction::Ban);
  // Removed by an admin without a ban ("left", from != subject) is a kick too.
  apply(member_update(1002, kChannel, kDmitry, kDmitry, "left", "member", 1763744600));
  apply(member_update(1003, kChannel, kDmitry, kOleg, "member", "left", 1763744700));
  EXPECT_EQ(all_leads(campaign).at(0).status, LeadStatus::Trash);
  EXPECT_EQ(journal().at(0).action, JournalAction::Ban);
}

TEST_F(TrackerTest, LeaveWithoutSeenJoinIsReconciled) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(fx("01_start_with_payload.json"));
  apply(fx("06_chat_member_leave.json"));
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.status, LeadStatus::Cancel);
  EXPECT_EQ(lead.join_time, 1763744400);
  EXPECT_EQ(lead.leave_time, 1763744400);
  EXPECT_TRUE(lead.reconciled);
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 3u);
  EXPECT_EQ(postbacks[1].status, LeadStatus::Approve);
  EXPECT_EQ(postbacks[2].status, LeadStatus::Cancel);
  EXPECT_EQ(postbacks[2].state, PostbackState::Pending);
}

TEST_F(TrackerTest, RestrictedMemberIsNotALeave) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(start_update(1000, kAlina, "/start CAMP42-x", T0));
  apply(member_update(1001, kChannel, kAlina, kAlina, "left", "member", T0 + 10));
  json restricted = fx("08_chat_member_restricted_supergroup.json");
  restricted["chat_member"]["chat"]["id"] = kChannel;
  restricted["chat_member"]["old_chat_member"]["user"]["id"] = kAlina;
  restricted["chat_member"]["new_chat_member"]["user"]["id"] = kAlina;
  apply(restricted);
  EXPECT_EQ(all_leads(campaign).at(0).status, LeadStatus::Approve);
  EXPECT_EQ(journal().size(), 1u);
}

TEST_F(TrackerTest, JoinOfAHeldLeadWithoutLinkIsJournaledApprove) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(start_update(1000, kAlina, "/start CAMP42-h", T0));
  apply(join_request_update(1001, kChannel, kAlina, T0 + 10));
  // Approved by an admin: no invite_link, no via_join_request, but the lead was in hold.
  apply(member_update(1002, kChannel, kAlina, kOleg, "left", "member", T0 + 20));
  EXPECT_EQ(all_leads(campaign).at(0).status, LeadStatus::Approve);
  auto entries = journal();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, JournalAction::Approve);
  EXPECT_TRUE(entries[0].paid);
}

TEST_F(TrackerTest, OrganicJoinViaJoinRequestIsJournaledApproveUnpaid) {
  constexpr std::int64_t kDealsChat = -1002214567389;
  apply(my_member_update(900, kDealsChat, "supergroup", "Daily Deals EU Chat", "left", "administrator", T0 - kDay));
  add_campaign("DEALS", kDealsChat);
  EXPECT_EQ(apply(fx("12_chat_member_join_via_join_request_public_group.json")), Outcome::Applied);
  EXPECT_TRUE(all_leads().empty());
  auto entries = journal(kDealsChat);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, JournalAction::Approve);
  EXPECT_FALSE(entries[0].paid);
  EXPECT_EQ(entries[0].subscriber, kDmitry);  // the subject, never `from`
}

TEST_F(TrackerTest, LeadInAnotherChatsCampaignIsOrganicHere) {
  apply(my_member_update(900, kSupergroup, "supergroup", "Crypto Signals Chat", "left", "administrator", T0 - kDay));
  std::int64_t in_channel = add_campaign("CAMP42");
  add_campaign("CAMP77", kSupergroup);
  apply(start_update(1000, kAlina, "/start CAMP42-x", T0));
  apply(member_update(1001, kSupergroup, kAlina, kAlina, "left", "member", T0 + 10));
  EXPECT_EQ(all_leads(in_channel).at(0).status, LeadStatus::Wait);
  auto entries = journal(kSupergroup);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_FALSE(entries[0].paid);
}

TEST_F(TrackerTest, EveryPostbackHasItsOwnTid) {
  std::int64_t campaign = add_campaign("CAMP42");
  apply(start_update(1000, kAlina, "/start CAMP42-t", T0));
  apply(member_update(1001, kChannel, kAlina, kAlina, "left", "member", T0 + 10));
  apply(member_update(1002, kChannel, kAlina, kAlina, "member", "left", T0 + 20));
  apply(member_update(1003, kChannel, kAlina, kAlina, "left", "member", T0 + 30));
  auto postbacks = store_->postbacks_of_lead(all_leads(campaign).at(0).id);
  ASSERT_EQ(postbacks.size(), 4u);
  for (std::size_t i = 0; i < postbacks.size(); ++i) {
    EXPECT_FALSE(postbacks[i].tid.empty());
    EXPECT_NE(postbacks[i].url.find("tid=" + postbacks[i].tid), std::string::npos);
    for (std::size_t j = 0; j < i; ++j) EXPECT_NE(postbacks[i].tid, postbacks[j].tid);
  }
}

TEST_F(TrackerTest, WelcomeWithImageAndButtons) {
  Campaign c;
  c.user_id = user_id_;
  c.bot_id = kBotId;
  c.chat_id = kChannel;
  c.code = "IMG1";
  c.welcome.text = "Hello *{first_name}*";
  c.welcome.image = "https://img.example/a.png";
  c.welcome.buttons.push_back(Button{"Open {first_name}", "https://lp.example/?c={click}&n={first_name}"});
  write([&](WriteTx& tx) { tx.insert_campaign(c, T0); });
  apply(start_update(1000, kAlina, "/start IMG1-q_1", T0, "Алина"));
  auto photos = jobs("sendPhoto");
  ASSERT_EQ(photos.size(), 1u);
  json payload = json::parse(photos[0].payload);
  EXPECT_EQ(payload["chat_id"], kAlina);
  EXPECT_EQ(payload["photo"], "https://img.example/a.png");
  EXPECT_EQ(payload["caption"], "Hello *Алина*");
  EXPECT_EQ(payload["parse_mode"], "Markdown");
  auto button = payload["reply_markup"]["inline_keyboard"][0][0];
  EXPECT_EQ(button["text"], "Open Алина");
  EXPECT_EQ(button["url"], "https://lp.example/?c=q_1&n=%D0%90%D0%BB%D0%B8%D0%BD%D0%B0");
}

// ---- rule 8: unsub window ---------------------------------------------------------

TEST_F(TrackerTest, LeaveOutsideWindowIsSkipped) {
  std::int64_t campaign = add_campaign("CAMP42", kChannel, true, /*unsub_window=*/3600);
  apply(start_update(1000, kAlina, "/start CAMP42-w", T0));
  apply(member_update(1001, kChannel, kAlina, kAlina, "left", "member", T0 + 100));
  apply(member_update(1002, kChannel, kAlina, kAlina, "member", "left", T0 + 100 + 3601));
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.status, LeadStatus::Cancel);
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 3u);
  EXPECT_EQ(postbacks[2].status, LeadStatus::Cancel);
  EXPECT_EQ(postbacks[2].state, PostbackState::Skipped);
  EXPECT_EQ(postbacks[2].reason, "window");
  for (auto& due : store_->due_postbacks(kNow + kDay, 100)) EXPECT_NE(due.id, postbacks[2].id);
}

TEST_F(TrackerTest, LeaveAtWindowBoundaryFires) {
  std::int64_t campaign = add_campaign("CAMP42", kChannel, true, 3600);
  apply(start_update(1000, kAlina, "/start CAMP42-w", T0));
  apply(member_update(1001, kChannel, kAlina, kAlina, "left", "member", T0 + 100));
  apply(member_update(1002, kChannel, kAlina, kOleg, "member", "kicked", T0 + 100 + 3600));
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.status, LeadStatus::Trash);
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 3u);
  EXPECT_EQ(postbacks[2].state, PostbackState::Pending);
  EXPECT_EQ(postbacks[2].reason, "");
}

// ---- §4: templates and macros -----------------------------------------------------

TEST_F(TrackerTest, ProfileTemplatesUsedWhenCampaignHasNone) {
  write([&](WriteTx& tx) {
    auto user = tx.user(user_id_);
    ASSERT_TRUE(user.has_value());
    user->postbacks[LeadStatus::Wait] = "http://profile.example/w?c={click}&l={lead}&sub={subscriber}";
    user->postbacks[LeadStatus::Approve] = "http://profile.example/a?c={click}";
    tx.update_user(*user);
  });
  std::int64_t campaign = add_campaign("CAMP42", kChannel, true, 0, false, "Hi", /*templates=*/false);
  apply(start_update(1000, kAlina, "/start CAMP42-p1", T0));
  auto lead = all_leads(campaign).at(0);
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 1u);
  EXPECT_EQ(postbacks[0].url, "http://profile.example/w?c=p1&l=" + std::to_string(lead.id) +
                                  "&sub=" + std::to_string(kAlina));
  // Hold has no profile template: no postback at all.
  apply(join_request_update(1001, kChannel, kAlina, T0 + 5));
  EXPECT_EQ(store_->postbacks_of_lead(lead.id).size(), 1u);
}

TEST_F(TrackerTest, CampaignTemplatesAreAllOrNothing) {
  write([&](WriteTx& tx) {
    auto user = tx.user(user_id_);
    for (int i = 0; i < 5; ++i) user->postbacks.by_status[i] = "http://profile.example/x";
    tx.update_user(*user);
  });
  Campaign c;
  c.user_id = user_id_;
  c.bot_id = kBotId;
  c.chat_id = kChannel;
  c.code = "ONLYA";
  c.postbacks[LeadStatus::Approve] = "http://camp.example/a?c={click}";
  std::int64_t campaign = 0;
  write([&](WriteTx& tx) { campaign = tx.insert_campaign(c, T0); });
  apply(start_update(1000, kAlina, "/start ONLYA-z", T0));
  auto lead = all_leads(campaign).at(0);
  EXPECT_TRUE(store_->postbacks_of_lead(lead.id).empty());  // campaign's empty wait = no postback
  apply(member_update(1001, kChannel, kAlina, kAlina, "left", "member", T0 + 10));
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 1u);
  EXPECT_EQ(postbacks[0].url, "http://camp.example/a?c=z");
}

TEST_F(TrackerTest, MacrosAreUrlEncoded) {
  Campaign c;
  c.user_id = user_id_;
  c.bot_id = kBotId;
  c.chat_id = kChannel;
  c.code = "RU1";
  c.postbacks[LeadStatus::Wait] =
      "http://t.example/pb?n={first_name}&l={last_name}&u={username}&chat={chat}&t={time}&sc={status_code}"
      "&camp={campaign}&cid={campaign_id}&acc={user}&x={unknown}";
  std::int64_t campaign = 0;
  write([&](WriteTx& tx) { campaign = tx.insert_campaign(c, T0); });
  json start = start_update(1000, kAlina, "/start RU1-a_b-c", T0, "Алина");
  start["message"]["from"]["last_name"] = "K&K Co";
  apply(start);
  auto lead = all_leads(campaign).at(0);
  EXPECT_EQ(lead.first_name, "Алина");
  EXPECT_EQ(lead.click, "a_b-c");
  auto postbacks = store_->postbacks_of_lead(lead.id);
  ASSERT_EQ(postbacks.size(), 1u);
  EXPECT_EQ(postbacks[0].url, "http://t.example/pb?n=%D0%90%D0%BB%D0%B8%D0%BD%D0%B0&l=K%26K%20Co&u=alina_k"
                              "&chat=-1002381745923&t=" + std::to_string(T0) +
                                  "&sc=0&camp=RU1&cid=" + std::to_string(campaign) +
                                  "&acc=" + std::to_string(user_id_) + "&x={unknown}");
}

// ---- rule 12: bot admin rights ----------------------------------------------------

TEST_F(TrackerTest, PromotionStoresTheChat) {
  auto chats = store_->chats_of_bot(kBotId);
  ASSERT_EQ(chats.size(), 1u);
  EXPECT_EQ(chats[0].id, kChannel);
  EXPECT_EQ(chats[0].title, "Crypto Signals Daily");
  EXPECT_EQ(chats[0].type, "channel");
  EXPECT_EQ(chats[0].username, "");
  EXPECT_TRUE(chats[0].ok);
  EXPECT_FALSE(chats[0].requests);
  auto bots = store_->bots_of_user(user_id_);
  ASSERT_EQ(bots.size(), 1u);
  EXPECT_EQ(bots[0].status, BotStatus::Active);
  EXPECT_EQ(bots[0].admin_chats, 1);
}

TEST_F(TrackerTest, DemotionFlagsChatBotAndCampaignAndNotifies) {
  apply(my_member_update(900, kSupergroup, "supergroup", "Crypto Signals Chat", "left", "administrator", T0 - kDay));
  std::int64_t campaign = add_campaign("CAMP77", kSupergroup);
  EXPECT_EQ(apply(fx("14_my_chat_member_demoted_to_member_supergroup.json")), Outcome::Applied);
  auto chat = store_->chat(kBotId, kSupergroup);
  ASSERT_TRUE(chat.has_value());
  EXPECT_FALSE(chat->ok);
  EXPECT_TRUE(store_->chat(kBotId, kChannel)->ok);
  auto bot = store_->bot(kBotId);
  ASSERT_TRUE(bot.has_value());
  EXPECT_EQ(bot->status, BotStatus::LostAdmin);
  auto c = store_->campaign(campaign);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->warning);
  bool listed_warning = false;
  for (auto& listed : store_->campaigns_of_user(user_id_, std::nullopt)) {
    if (listed.id == campaign) listed_warning = listed.warning;
  }
  EXPECT_TRUE(listed_warning);
  auto notices = store_->notices(user_id_);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].text.find("Crypto Signals Chat"), std::string::npos);
  bool owner_messaged = false;
  for (auto& job : jobs("sendMessage")) owner_messaged = owner_messaged || job.subscriber == kOwnerTelegram;
  EXPECT_TRUE(owner_messaged);

  // Re-promoted: flags clear by themselves.
  apply(my_member_update(901, kSupergroup, "supergroup", "Crypto Signals Chat", "member", "administrator", T0));
  EXPECT_TRUE(store_->chat(kBotId, kSupergroup)->ok);
  EXPECT_EQ(store_->bot(kBotId)->status, BotStatus::Active);
  EXPECT_FALSE(store_->campaign(campaign)->warning);
}

TEST_F(TrackerTest, RemovalFromChannelFlagsToo) {
  std::int64_t campaign = add_campaign("CAMP42");
  EXPECT_EQ(apply(fx("15_my_chat_member_bot_removed_kicked.json")), Outcome::Applied);
  EXPECT_FALSE(store_->chat(kBotId, kChannel)->ok);
  EXPECT_EQ(store_->bot(kBotId)->status, BotStatus::LostAdmin);
  EXPECT_TRUE(store_->campaign(campaign)->warning);
  EXPECT_EQ(store_->notices(user_id_).size(), 1u);
  auto bots = store_->bots_of_user(user_id_);
  ASSERT_EQ(bots.size(), 1u);
  EXPECT_EQ(bots[0].status, BotStatus::LostAdmin);
  EXPECT_EQ(bots[0].admin_chats, 0);
}

TEST_F(TrackerTest, DemotionWithoutOwnerTelegramIdOnlyStoresANotice) {
  write([&](WriteTx& tx) {
    auto user = tx.user(user_id_);
    user->telegram_id = 0;
    tx.update_user(*user);
  });
  add_campaign("CAMP42");
  apply(fx("15_my_chat_member_bot_removed_kicked.json"));
  EXPECT_EQ(store_->notices(user_id_).size(), 1u);
  EXPECT_TRUE(jobs("sendMessage").empty());
}

TEST_F(TrackerTest, PrivateBlockIsAcceptedAndStoresNoChat) {
  EXPECT_EQ(apply(fx("16_my_chat_member_private_bot_blocked.json")), Outcome::Applied);
  auto chats = store_->chats_of_bot(kBotId);
  ASSERT_EQ(chats.size(), 1u);
  EXPECT_EQ(chats[0].id, kChannel);
  EXPECT_EQ(store_->bot(kBotId)->status, BotStatus::Active);
  EXPECT_TRUE(store_->notices(user_id_).empty());
}

// ---- rule 13: migration -----------------------------------------------------------

TEST_F(TrackerTest, GroupMigrationReplacesTheChatId) {
  constexpr std::int64_t kOldGroup = -4001234567;
  constexpr std::int64_t kNewSupergroup = -1009876543210;
  apply(my_member_update(900, kOldGroup, "group", "Old Group", "left", "administrator", T0 - kDay));
  std::int64_t campaign = add_campaign("GRP1", kOldGroup);
  apply(start_update(1000, kAlina, "/start GRP1-g", T0));
  apply(member_update(1001, kOldGroup, kAlina, kAlina, "left", "member", T0 + 10));

  json migrate = fx("01_start_with_payload.json");
  migrate["update_id"] = 1002;
  migrate["message"]["chat"] = json{{"id", kOldGroup}, {"type", "group"}, {"title", "Old Group"}};
  migrate["message"]["from"]["id"] = kOleg;
  migrate["message"].erase("text");
  migrate["message"].erase("entities");
  migrate["message"]["migrate_to_chat_id"] = kNewSupergroup;
  EXPECT_EQ(apply(migrate), Outcome::Applied);

  EXPECT_EQ(store_->campaign(campaign)->chat_id, kNewSupergroup);
  EXPECT_FALSE(store_->chat(kBotId, kOldGroup).has_value());
  EXPECT_TRUE(store_->chat(kBotId, kNewSupergroup).has_value());
  EXPECT_EQ(journal(kNewSupergroup).size(), 1u);
  EXPECT_TRUE(journal(kOldGroup).empty());

  // The new supergroup's own service message (migrate_from_chat_id) changes nothing more.
  json from_msg = migrate;
  from_msg["update_id"] = 1004;
  from_msg["message"]["chat"] = json{{"id", kNewSupergroup}, {"type", "supergroup"}, {"title", "Old Group"}};
  from_msg["message"].erase("migrate_to_chat_id");
  from_msg["message"]["migrate_from_chat_id"] = kOldGroup;
  EXPECT_EQ(apply(from_msg), Outcome::Applied);
  EXPECT_EQ(store_->campaign(campaign)->chat_id, kNewSupergroup);
  EXPECT_EQ(store_->chats_of_bot(kBotId).size(), 2u);  // the channel and the new supergroup

  // Later events in the new supergroup reach the lead.
  apply(member_update(1003, kNewSupergroup, kAlina, kAlina, "member", "left", T0 + 20));
  EXPECT_EQ(all_leads(campaign).at(0).status, LeadStatus::Cancel);
}

// ---- §6.3: statistics -------------------------------------------------------------

class TrackerStatsTest : public TrackerTest {
 protected:
  // Day 0 .. day 2 of activity around T0 (days are UTC midnights).
  std::int64_t day0 = util::utc_day_start(T0);
  std::int64_t today = util::utc_day_start(T0) + 5 * kDay;
  std::int64_t campaign = 0;

  void SetUp() override {
    TrackerTest::SetUp();
    campaign = add_campaign("CAMP42");
    std::int64_t uid = 5000;
    // Each lead enters each status at most once, so per-day sums equal range counts.
    apply(start_update(uid++, 1001, "/start CAMP42-a", day0 + 3600));          // start d0
    apply(start_update(uid++, 1002, "/start CAMP42-b", day0 + 7200));          // start d0
    apply(start_update(uid++, 1003, "/start CAMP42-c", day0 + kDay + 100));    // start d1
    apply(start_update(uid++, 1004, "/start CAMP42-d", day0 + 2 * kDay + 5));  // start d2
    apply(join_request_update(uid++, kChannel, 1002, day0 + 7300));           // hold d0
    apply(member_update(uid++, kChannel, 1001, 1001, "left", "member", day0 + kDay + 50));   // confirm d1
    apply(member_update(uid++, kChannel, 1002, kBotId, "left", "member", day0 + kDay + 60)); // confirm d1
    apply(member_update(uid++, kChannel, 1001, 1001, "member", "left", day0 + 2 * kDay + 10));  // cancel d2
    apply(member_update(uid++, kChannel, 1003, kOleg, "left", "member", day0 + 2 * kDay + 20));  // confirm d2
    apply(member_update(uid++, kChannel, 1002, kOleg, "member", "kicked", day0 + 2 * kDay + 30)); // trash d2
    apply(member_update(uid++, kChannel, 7001, 7001, "left", "member", day0 + 100));           // organic join d0
    apply(member_update(uid++, kChannel, 7002, 7002, "left", "member", day0 + kDay + 100));    // organic join d1
    apply(member_update(uid++, kChannel, 7001, 7001, "member", "left", day0 + kDay + 200));    // organic leave d1
    apply(member_update(uid++, kChannel, 7003, kOleg, "member", "kicked", day0 + 2 * kDay));  // organic ban d2
    next_uid = uid;
  }

  storage::StatsScope user_scope() const { return storage::StatsScope{user_id_, std::nullopt, 0, 0}; }
  storage::StatsScope campaign_scope() const { return storage::StatsScope{user_id_, campaign, kBotId, kChannel}; }

  static storage::StatsCounts sum(const std::vector<storage::DayCounts>& days) {
    storage::StatsCounts s;
    for (auto& d : days) {
      s.starts += d.counts.starts;
      s.holds += d.counts.holds;
      s.confirms += d.counts.confirms;
      s.cancels += d.counts.cancels;
      s.trashes += d.counts.trashes;
      s.organic_joins += d.counts.organic_joins;
      s.organic_leaves += d.counts.organic_leaves;
    }
    return s;
  }

  std::int64_t next_uid = 0;
};

void expect_counts(const storage::StatsCounts& c, std::int64_t starts, std::int64_t holds, std::int64_t confirms,
                   std::int64_t cancels, std::int64_t trashes, std::int64_t organic_joins,
                   std::int64_t organic_leaves, const std::string& where) {
  EXPECT_EQ(c.starts, starts) << where;
  EXPECT_EQ(c.holds, holds) << where;
  EXPECT_EQ(c.confirms, confirms) << where;
  EXPECT_EQ(c.cancels, cancels) << where;
  EXPECT_EQ(c.trashes, trashes) << where;
  EXPECT_EQ(c.organic_joins, organic_joins) << where;
  EXPECT_EQ(c.organic_leaves, organic_leaves) << where;
}

void expect_same(const storage::StatsCounts& a, const storage::StatsCounts& b, const std::string& where) {
  expect_counts(a, b.starts, b.holds, b.confirms, b.cancels, b.trashes, b.organic_joins, b.organic_leaves, where);
}

void expect_same_series(const std::vector<storage::DayCounts>& a, const std::vector<storage::DayCounts>& b,
                        const std::string& where) {
  ASSERT_EQ(a.size(), b.size()) << where;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].day, b[i].day) << where;
    expect_same(a[i].counts, b[i].counts, where + " day " + std::to_string(i));
  }
}

TEST_F(TrackerStatsTest, SummaryMatchesDefinitions) {
  auto all = store_->stats_summary(user_scope(), day0, day0 + 3 * kDay - 1);
  expect_counts(all, 4, 1, 3, 1, 1, 2, 2, "user");
  auto camp = store_->stats_summary(campaign_scope(), day0, day0 + 3 * kDay - 1);
  expect_counts(camp, 4, 1, 3, 1, 1, 2, 2, "campaign");
  // Inclusive bounds: exactly at the first start.
  auto edge = store_->stats_summary(user_scope(), day0 + 3600, day0 + 3600);
  expect_counts(edge, 1, 0, 0, 0, 0, 0, 0, "edge");
}

TEST_F(TrackerStatsTest, SeriesSumEqualsSummary) {
  for (auto scope : {user_scope(), campaign_scope()}) {
    auto series = store_->stats_series(scope, day0 - kDay, day0 + 3 * kDay, today);
    ASSERT_EQ(series.size(), 5u);  // zero days included
    EXPECT_EQ(series[0].day, day0 - kDay);
    EXPECT_EQ(series[4].day, day0 + 3 * kDay);
    expect_counts(series[0].counts, 0, 0, 0, 0, 0, 0, 0, "empty day before");
    expect_counts(series[1].counts, 2, 1, 0, 0, 0, 1, 0, "d0");
    expect_counts(series[2].counts, 1, 0, 2, 0, 0, 1, 1, "d1");
    expect_counts(series[3].counts, 1, 0, 1, 1, 1, 0, 1, "d2");
    auto summary = store_->stats_summary(scope, day0 - kDay, day0 + 4 * kDay - 1);
    expect_same(sum(series), summary, "sum vs summary");
    for (int d = 0; d < 3; ++d) {
      auto one_day = store_->stats_summary(scope, day0 + d * kDay, day0 + (d + 1) * kDay - 1);
      expect_same(series[d + 1].counts, one_day, "day " + std::to_string(d));
    }
  }
}

TEST_F(TrackerStatsTest, RollupsDoNotChangeTheSeries) {
  auto user_before = store_->stats_series(user_scope(), day0, day0 + 3 * kDay, today);
  auto camp_before = store_->stats_series(campaign_scope(), day0, day0 + 3 * kDay, today);
  write([&](WriteTx& tx) {
    for (int d = 0; d < 4; ++d) tx.store_rollup(user_id_, day0 + d * kDay);
  });
  expect_same_series(store_->stats_series(user_scope(), day0, day0 + 3 * kDay, today), user_before, "user");
  expect_same_series(store_->stats_series(campaign_scope(), day0, day0 + 3 * kDay, today), camp_before,
                     "campaign");
}

TEST_F(TrackerStatsTest, LateEventOnRolledUpDayInvalidatesTheRollup) {
  write([&](WriteTx& tx) {
    for (int d = 0; d < 3; ++d) tx.store_rollup(user_id_, day0 + d * kDay);
  });
  // Late arrivals dated on day 1: a new lead, an organic join, and a hold.
  apply(start_update(next_uid++, 1005, "/start CAMP42-late", day0 + kDay + 500));
  apply(member_update(next_uid++, kChannel, 7009, 7009, "left", "member", day0 + kDay + 600));
  apply(join_request_update(next_uid++, kChannel, 1005, day0 + kDay + 700));
  for (auto scope : {user_scope(), campaign_scope()}) {
    auto series = store_->stats_series(scope, day0, day0 + 2 * kDay, today);
    ASSERT_EQ(series.size(), 3u);
    expect_counts(series[1].counts, 2, 1, 2, 0, 0, 2, 1, "d1 after late events");
    for (int d = 0; d < 3; ++d) {
      auto one_day = store_->stats_summary(scope, day0 + d * kDay, day0 + (d + 1) * kDay - 1);
      expect_same(series[d].counts, one_day, "day " + std::to_string(d));
    }
  }
  // And re-rolling the day gives the same numbers again.
  auto before = store_->stats_series(user_scope(), day0, day0 + 2 * kDay, today);
  write([&](WriteTx& tx) { tx.store_rollup(user_id_, day0 + kDay); });
  expect_same_series(store_->stats_series(user_scope(), day0, day0 + 2 * kDay, today), before, "re-rolled");
}

TEST_F(TrackerStatsTest, RepeatedEntriesCountOnceAsDistinctLeads) {
  // Lead 1003 (confirmed on d2) leaves and re-joins twice on d2: still one confirm, one cancel that day.
  apply(member_update(next_uid++, kChannel, 1003, 1003, "member", "left", day0 + 2 * kDay + 40));
  apply(member_update(next_uid++, kChannel, 1003, 1003, "left", "member", day0 + 2 * kDay + 50));
  apply(member_update(next_uid++, kChannel, 1003, 1003, "member", "left", day0 + 2 * kDay + 60));
  apply(member_update(next_uid++, kChannel, 1003, 1003, "left", "member", day0 + 2 * kDay + 70));
  auto d2 = store_->stats_summary(user_scope(), day0 + 2 * kDay, day0 + 3 * kDay - 1);
  expect_counts(d2, 1, 0, 1, 2, 1, 0, 1, "d2 live");
  auto before = store_->stats_series(user_scope(), day0, day0 + 2 * kDay, today);
  expect_same(before[2].counts, d2, "series d2 live");
  write([&](WriteTx& tx) { tx.store_rollup(user_id_, day0 + 2 * kDay); });
  expect_same_series(store_->stats_series(user_scope(), day0, day0 + 2 * kDay, today), before, "rolled");
  // Over the whole range, 1001 and 1003 each cancelled: distinct leads.
  auto all = store_->stats_summary(user_scope(), day0, day0 + 3 * kDay - 1);
  EXPECT_EQ(all.confirms, 3);
  EXPECT_EQ(all.cancels, 2);
}

TEST_F(TrackerStatsTest, LateOrganicLeaveAloneInvalidatesTheRollup) {
  write([&](WriteTx& tx) { tx.store_rollup(user_id_, day0); });
  apply(member_update(next_uid++, kChannel, 7010, kOleg, "member", "kicked", day0 + 900));
  auto series = store_->stats_series(user_scope(), day0, day0, today);
  ASSERT_EQ(series.size(), 1u);
  expect_counts(series[0].counts, 2, 1, 0, 0, 0, 1, 1, "d0");
}

}  // namespace
}  // namespace tglead::tracking
