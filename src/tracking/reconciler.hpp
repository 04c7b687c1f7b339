// The reconciler of §3.14: Telegram drops some chat_member updates, so recent
// leads are checked periodically with getChatMember and missed joins and
// leaves are applied, marked as reconciled, at the time of the check.
//
// Contract: runs on its own thread every `every` seconds (0 = never), calls
// the Bot API at most `max_calls_per_second` per bot, and applies each
// finding in its own write unit via tracking::apply_member_check. A failed
// call skips that lead until the next cycle. start()/stop()/run_cycle() are
// thread-safe; run_cycle() is also what tests call directly.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>

#include "storage/store.hpp"
#include "telegram/bot_api.hpp"
#include "util/worker.hpp"

namespace tglead::tracking {

struct ReconcilerOptions {
  std::int64_t every = 600;  // seconds
  int max_calls_per_second = 20;
  std::int64_t recent = 7 * 86400;
  std::function<std::int64_t()> clock;
  std::function<void()> on_change;  // new postbacks were queued
};

class Reconciler {
 public:
  Reconciler(storage::Store& store, telegram::BotApi& api, ReconcilerOptions options);
  void start();
  void stop() {
    stopping_ = true;
    worker_.stop();
  }
  // One full pass over the recent leads; returns how many leads changed.
  int run_cycle();

 private:
  std::chrono::milliseconds step();
  void pace(std::int64_t bot_id);

  storage::Store& store_;
  telegram::BotApi& api_;
  ReconcilerOptions options_;
  std::map<std::int64_t, std::chrono::steady_clock::time_point> next_call_;
  std::chrono::steady_clock::time_point next_cycle_{};
  std::atomic<bool> stopping_{false};
  util::Worker worker_;
};

}  // namespace tglead::tracking
