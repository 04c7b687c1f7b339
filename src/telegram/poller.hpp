// Long polling (`tglead serve --updates poll`): for machines without a public
// HTTPS URL, or a self-hosted Bot API server, updates are fetched with
// getUpdates instead of arriving by webhook.
//
// Contract: keeps one getUpdates long poll in flight per connected bot. Each
// fetched update goes through the same path as a webhook (dedup on
// update_id, atomic apply); the offset that confirms updates to Telegram
// only advances past updates that are durably applied, so a crash re-fetches
// them. Errors (409 while a webhook is set, network) back off per bot.
// start()/stop() are thread-safe; the HttpClient must complete (or abort)
// outstanding polls before the poller is destroyed.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>

#include "storage/store.hpp"
#include "telegram/bot_api.hpp"
#include "util/worker.hpp"

namespace tglead::telegram {

class UpdatePoller {
 public:
  UpdatePoller(storage::Store& store, BotApi& api, std::function<std::int64_t()> clock,
               std::function<void()> on_applied, int poll_timeout_seconds = 25);
  void start() { worker_.start(); }
  void stop();

 private:
  struct Fetched {
    domain::Bot bot;
    ApiResult answer;
  };
  struct BotState {
    std::int64_t offset = 0;
    bool in_flight = false;
    std::chrono::steady_clock::time_point retry_at{};
    int failures = 0;
  };

  std::chrono::milliseconds step();
  void apply(const Fetched& fetched);

  storage::Store& store_;
  BotApi& api_;
  std::function<std::int64_t()> clock_;
  std::function<void()> on_applied_;
  int poll_timeout_;
  std::mutex mutex_;
  std::deque<Fetched> fetched_;
  std::map<std::int64_t, BotState> bots_;  // worker thread only, except in_flight under mutex_
  util::Worker worker_;
};

}  // namespace tglead::telegram
