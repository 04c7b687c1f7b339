// Sends queued Bot API calls (welcome messages, join-request approvals,
// owner notices) in the background (§5).
//
// Contract: jobs come from the store's Telegram outbox, committed together
// with the update that caused them. Each is attempted until Telegram answers:
// 429 waits `retry_after`, transport errors and 5xx back off and retry, 403
// "blocked" marks the subscriber blocked, other errors are final and
// recorded. A welcome with a join button gets the campaign's own invite link,
// created once and remembered. Never blocks update processing.
// start()/stop()/wake() are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <map>
#include <set>

#include "storage/store.hpp"
#include "telegram/bot_api.hpp"
#include "util/worker.hpp"

namespace tglead::telegram {

class TelegramSender {
 public:
  TelegramSender(storage::Store& store, BotApi& api, std::function<std::int64_t()> clock, int max_in_flight = 64);
  void start() { worker_.start(); }
  void stop();
  void wake() { worker_.wake(); }

 private:
  struct Result {
    storage::TelegramJob job;
    ApiResult answer;
    std::int64_t migrated_from = 0;  // the job's chat became this supergroup (answer.migrate_to_chat_id)
    std::chrono::steady_clock::time_point answered;
  };

  // Telegram's limits (§5): about 30 messages/s per bot, 1 message/s per chat. Telegram counts a
  // call when it receives it, which may be any moment until its answer, so a call holds its slot
  // while in flight and for one second after its answer: then no second of receipts can exceed
  // the limit, however requests queue on the way.
  bool take_budget(const storage::TelegramJob& job, std::int64_t chat_id);
  void release_budget(const Result& result);

  std::chrono::milliseconds step();
  void send(storage::TelegramJob job, nlohmann::json payload);
  void deliver(storage::TelegramJob job, nlohmann::json payload, int fallbacks_left, std::int64_t migrated_from);
  void record(std::deque<Result>& results);
  // Replaces tglead_* markers with the join button; false if the link cannot be made yet.
  bool resolve_join_button(const storage::TelegramJob& job, nlohmann::json& payload);

  storage::Store& store_;
  BotApi& api_;
  std::function<std::int64_t()> clock_;
  int max_in_flight_;
  std::mutex mutex_;
  std::set<std::int64_t> in_flight_;
  std::deque<Result> results_;
  // Worker thread only.
  struct BotBudget {
    std::deque<std::chrono::steady_clock::time_point> answered;  // in the last second, oldest first
    std::size_t in_flight = 0;
  };
  std::map<std::int64_t, BotBudget> bot_budget_;
  std::map<std::pair<std::int64_t, std::int64_t>, std::chrono::steady_clock::time_point> chat_next_;
  std::map<std::int64_t, std::int64_t> job_chat_;  // in-flight message job -> the chat it holds
  util::Worker worker_;
};

}  // namespace tglead::telegram
