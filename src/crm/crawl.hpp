// Contact crawling of chats the bot administers (PRODUCT.md §8.2): the people
// the bot sees there (message authors in groups, subjects of `chat_member`
// updates, join requesters, the administrators) become CRM contacts with
// source `crawling` and group = the chat title. Only what Telegram delivers to
// the bot is used; nothing is scraped.
//
// Contract:
// * Opt-in per chat: nothing is collected until the account starts a crawl of
//   the chat (start_chat_crawl); stopping it stops collecting.
// * A start within kCrawlCacheSeconds of the last run is answered from the
//   cache (no Telegram call, no new round). A run outside that window starts a
//   new round: every member is recorded again (names, username refreshed) the
//   first time it is seen in that round.
// * record_sighting runs inside the webhook's write unit. A chat without a
//   crawl costs one indexed lookup; a member already recorded in this round one
//   more index probe; nothing else is read or written.
// * Contacts are matched on the Telegram id (crm::record_telegram_user, which
//   trusts Telegram's username): an existing contact keeps its source, and its
//   group when it has one.
// Thread-safety: as the WriteTx (the store's single writer).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crm/contacts.hpp"
#include "storage/store.hpp"
#include "telegram/update.hpp"

namespace tglead::crm {

inline constexpr std::int64_t kCrawlCacheSeconds = 24 * 3600;

// Where a crawl saw a member.
enum class Via { Message, Member, Request, Admin, Export };
std::string_view via_name(Via via);

// False for bots and for Telegram's own service accounts (777000, which
// relays linked-channel posts, GroupAnonymousBot, Channel_Bot).
bool is_crawlable_user(std::int64_t id, bool is_bot);

// The person who wrote a group or supergroup message, or nullptr: channel
// posts, private chats, messages sent on behalf of a chat and bots have none.
const telegram::User* message_author(const telegram::Message& message);

// True while a run at `refreshed` still answers repeated requests.
bool crawl_is_fresh(const storage::Crawl& crawl, std::int64_t now);

// Records `user`, seen by `bot_id` in `chat`, if the account runs a crawl of that chat.
void record_sighting(storage::WriteTx& tx, std::int64_t user_id, std::int64_t bot_id, const telegram::Chat& chat,
                     const telegram::User& user, Via via, std::int64_t now);

// A start answered from the cache: when the chat's last run is fresh, collecting
// resumes (if it was stopped) and the crawl id is returned; 0 when a run is due.
std::int64_t resume_fresh_chat_crawl(storage::WriteTx& tx, std::int64_t user_id, std::int64_t bot_id,
                                     std::int64_t chat_id, std::int64_t now);

// A run: creates the crawl of a chat or starts its next round, turns collecting
// on and records the administrators (getChatAdministrators; `admins_fetched`
// false when that call failed, so the next start tries again instead of
// answering from the cache). Returns the crawl id.
std::int64_t start_chat_crawl(storage::WriteTx& tx, std::int64_t user_id, std::int64_t bot_id, std::int64_t chat_id,
                              const std::string& title, const std::vector<telegram::User>& admins,
                              bool admins_fetched, std::int64_t now);

// At most `max_bytes` of `text`, cut on a UTF-8 character boundary.
std::string utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace tglead::crm
