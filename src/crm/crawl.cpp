#include "crm/crawl.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "util/json_text.hpp"

namespace tglead::crm {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxGroup = 256;  // the contact text limit of crm/contacts.cpp

bool same_details(const Contact& a, const Contact& b) {
  return a.telegram_id == b.telegram_id && a.username == b.username && a.first_name == b.first_name &&
         a.last_name == b.last_name && a.language == b.language && a.group == b.group;
}

// The contact record_telegram_user will update for `user`, if any: the one with
// its Telegram id, else one holding its username without a Telegram id (adopted).
std::optional<Contact> existing_contact(storage::WriteTx& tx, std::int64_t user_id, const telegram::User& user) {
  if (auto by_id = tx.contact_by_telegram_id(user_id, user.id)) return by_id;
  Normalized name = normalize_username(user.username);
  if (!name.ok() || name.value.empty()) return std::nullopt;
  auto by_name = tx.contact_by_username(user_id, name.value);
  if (by_name && by_name->telegram_id == 0) return by_name;
  return std::nullopt;
}

void record_member(storage::WriteTx& tx, const storage::Crawl& crawl, const telegram::User& user,
                   const std::string& group, Via via, std::int64_t now) {
  if (!tx.mark_crawl_member(crawl.id, crawl.round, user.id, via_name(via), now)) return;
  std::optional<Contact> before = existing_contact(tx, crawl.user_id, user);
  TelegramUser seen{user.id, user.username, user.first_name, user.last_name, user.language_code};
  std::int64_t id = record_telegram_user(tx, crawl.user_id, seen, Source::Crawling, "", "", now);
  auto after = tx.contact(crawl.user_id, id);
  if (!after) throw std::runtime_error("the crawled contact vanished");

  json detail{{"crawl", crawl.id}, {"group", group}, {"via", via_name(via)}};
  if (after->group.empty() && !group.empty()) {
    after->group = group;
    after->updated = now;
    tx.update_contact(*after);
    detail["changes"] = {{"group", json::array({"", group})}};
  }
  tx.insert_contact_history(HistoryEntry{0, id, crawl.user_id, now, "crawled",
                                         util::json_text(detail)});
  bool created = !before;
  bool updated = before && !same_details(*before, *after);
  tx.add_crawl_counts(crawl.id, created ? 1 : 0, updated ? 1 : 0, !created && !updated ? 1 : 0, 0);
}

}  // namespace

std::string_view via_name(Via via) {
  switch (via) {
    case Via::Message: return "message";
    case Via::Member: return "member";
    case Via::Request: return "request";
    case Via::Admin: return "admin";
    case Via::Export: return "export";
  }
  return "message";
}

bool is_crawlable_user(std::int64_t id, bool is_bot) {
  constexpr std::int64_t kTelegramService = 777000;
  constexpr std::int64_t kGroupAnonymousBot = 1087968824;
  constexpr std::int64_t kChannelBot = 136817688;
  return id > 0 && !is_bot && id != kTelegramService && id != kGroupAnonymousBot && id != kChannelBot;
}

const telegram::User* message_author(const telegram::Message& message) {
  const std::string& type = message.chat.type;
  if (type != "group" && type != "supergroup") return nullptr;
  if (message.sent_as_chat || !is_crawlable_user(message.from.id, message.from.is_bot)) return nullptr;
  return &message.from;
}

bool crawl_is_fresh(const storage::Crawl& crawl, std::int64_t now) {
  return crawl.refreshed != 0 && now - crawl.refreshed < kCrawlCacheSeconds;
}

void record_sighting(storage::WriteTx& tx, std::int64_t user_id, std::int64_t bot_id, const telegram::Chat& chat,
                     const telegram::User& user, Via via, std::int64_t now) {
  if (!is_crawlable_user(user.id, user.is_bot)) return;
  auto crawl = tx.chat_crawl(user_id, bot_id, chat.id);
  if (!crawl || !crawl->active) return;
  record_member(tx, *crawl, user, chat.title.empty() ? crawl->title : utf8_prefix(chat.title, kMaxGroup), via, now);
}

std::int64_t resume_fresh_chat_crawl(storage::WriteTx& tx, std::int64_t user_id, std::int64_t bot_id,
                                     std::int64_t chat_id, std::int64_t now) {
  auto crawl = tx.chat_crawl(user_id, bot_id, chat_id);
  if (!crawl || !crawl_is_fresh(*crawl, now)) return 0;
  if (!crawl->active) {
    crawl->active = true;
    crawl->stopped = 0;
    tx.update_crawl(*crawl);
  }
  return crawl->id;
}

std::int64_t start_chat_crawl(storage::WriteTx& tx, std::int64_t user_id, std::int64_t bot_id, std::int64_t chat_id,
                              const std::string& title, const std::vector<telegram::User>& admins,
                              bool admins_fetched, std::int64_t now) {
  storage::Crawl crawl;
  if (auto existing = tx.chat_crawl(user_id, bot_id, chat_id)) {
    crawl = *existing;
    crawl.round += 1;
  } else {
    crawl.user_id = user_id;
    crawl.kind = storage::CrawlKind::Chat;
    crawl.bot_id = bot_id;
    crawl.chat_id = chat_id;
    crawl.started = now;
  }
  if (!title.empty()) crawl.title = utf8_prefix(title, kMaxGroup);
  crawl.active = true;
  crawl.stopped = 0;
  if (admins_fetched) crawl.refreshed = now;
  if (crawl.id == 0) {
    crawl.id = tx.insert_crawl(crawl);
  } else {
    tx.update_crawl(crawl);
  }
  for (const telegram::User& admin : admins) {
    if (is_crawlable_user(admin.id, admin.is_bot)) record_member(tx, crawl, admin, crawl.title, Via::Admin, now);
  }
  return crawl.id;
}

std::string utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

}  // namespace tglead::crm
