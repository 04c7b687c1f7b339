#include "telegram/poller.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "tracking/tracker.hpp"

namespace tglead::telegram {

using namespace std::chrono_literals;
using nlohmann::json;

UpdatePoller::UpdatePoller(storage::Store& store, BotApi& api, std::function<std::int64_t()> clock,
                           std::function<void()> on_applied, int poll_timeout_seconds)
    : store_(store), api_(api), clock_(std::move(clock)), on_applied_(std::move(on_applied)),
      poll_timeout_(poll_timeout_seconds), worker_([this] { return step(); }) {}

void UpdatePoller::stop() {
  // Long polls still open are abandoned: their updates stay unconfirmed at
  // Telegram and come again on the next start. Their callbacks only queue.
  worker_.stop();
}

std::chrono::milliseconds UpdatePoller::step() {
  std::deque<Fetched> fetched;
  {
    std::lock_guard lock(mutex_);
    fetched.swap(fetched_);
  }
  for (const auto& f : fetched) apply(f);

  try {
    auto now = std::chrono::steady_clock::now();
    for (const auto& bot : store_.connected_bots()) {
      BotState& state = bots_[bot.id];
      {
        std::lock_guard lock(mutex_);
        if (state.in_flight || now < state.retry_at) continue;
        state.in_flight = true;
      }
      json params{{"timeout", poll_timeout_}, {"allowed_updates", BotApi::allowed_updates()}};
      if (state.offset != 0) params["offset"] = state.offset;
      api_.call_async(bot.token, "getUpdates", params, [this, bot](ApiResult answer) {
        {
          std::lock_guard lock(mutex_);
          fetched_.push_back(Fetched{bot, std::move(answer)});
        }
        worker_.wake();
      });
    }
  } catch (const std::exception& e) {
    spdlog::error("poller: {}", e.what());
  }
  return 1000ms;  // also picks up newly connected bots
}

void UpdatePoller::apply(const Fetched& fetched) {
  BotState& state = bots_[fetched.bot.id];
  const ApiResult& answer = fetched.answer;
  bool ok = answer.ok && answer.result.is_array();
  if (ok) {
    bool applied_any = false;
    for (const auto& item : answer.result) {
      auto parsed = parse_update(item.dump());
      if (auto* update = std::get_if<Update>(&parsed)) {
        try {
          std::int64_t now = clock_();
          store_.write([&](storage::WriteTx& tx) { tracking::apply_update(tx, fetched.bot, *update, now); });
          applied_any = true;
          state.offset = std::max(state.offset, update->update_id + 1);
        } catch (const std::exception& e) {
          // Leave the offset here: Telegram hands this update out again on the next poll.
          spdlog::error("bot {}: update {} not stored: {}", fetched.bot.id, update->update_id, e.what());
          ok = false;
          break;
        }
      } else if (item.is_object() && item.contains("update_id") && item["update_id"].is_number_integer()) {
        state.offset = std::max(state.offset, item["update_id"].get<std::int64_t>() + 1);  // unusable: skip it
      }
    }
    if (applied_any && on_applied_) on_applied_();
  } else {
    spdlog::warn("bot {}: getUpdates failed: {}", fetched.bot.id, answer.description);
  }
  state.failures = ok ? 0 : std::min(state.failures + 1, 6);
  std::lock_guard lock(mutex_);
  state.in_flight = false;
  state.retry_at = std::chrono::steady_clock::now() + std::chrono::seconds(ok ? 0 : (1 << state.failures));
}

}  // namespace tglead::telegram
