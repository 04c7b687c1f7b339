#include "tracking/reconciler.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "tracking/tracker.hpp"

namespace tglead::tracking {

using namespace std::chrono_literals;

Reconciler::Reconciler(storage::Store& store, telegram::BotApi& api, ReconcilerOptions options)
    : store_(store), api_(api), options_(std::move(options)), worker_([this] { return step(); }) {}

void Reconciler::start() {
  if (options_.every <= 0) return;
  next_cycle_ = std::chrono::steady_clock::now() + std::chrono::seconds(options_.every);
  worker_.start();
}

std::chrono::milliseconds Reconciler::step() {
  auto now = std::chrono::steady_clock::now();
  if (now >= next_cycle_) {
    try {
      int changed = run_cycle();
      if (changed > 0) spdlog::info("reconciler: {} lead(s) corrected from getChatMember", changed);
    } catch (const std::exception& e) {
      spdlog::error("reconciler: {}", e.what());
    }
    next_cycle_ = std::chrono::steady_clock::now() + std::chrono::seconds(options_.every);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(next_cycle_ - std::chrono::steady_clock::now()) + 1ms;
}

void Reconciler::pace(std::int64_t bot_id) {
  auto interval = std::chrono::microseconds(1000000 / std::max(1, options_.max_calls_per_second));
  auto& next = next_call_[bot_id];
  auto now = std::chrono::steady_clock::now();
  if (next > now) std::this_thread::sleep_for(next - now);
  next = std::max(next, now) + interval;
}

int Reconciler::run_cycle() {
  int changed = 0;
  std::int64_t since = options_.clock() - options_.recent;
  std::int64_t after = 0;
  for (;;) {
    auto targets = store_.reconcile_targets(since, after, 500);
    if (targets.empty()) break;
    for (const auto& t : targets) {
      if (stopping_) return changed;
      after = t.lead_id;
      pace(t.bot_id);
      auto answer = api_.call(t.token, "getChatMember", {{"chat_id", t.chat_id}, {"user_id", t.subscriber}});
      if (!answer.ok || !answer.result.is_object()) {
        spdlog::debug("reconciler: getChatMember {}/{} failed: {}", t.chat_id, t.subscriber, answer.description);
        continue;
      }
      domain::MemberSnapshot member{answer.result.value("status", ""), answer.result.value("is_member", false)};
      std::int64_t check_time = options_.clock();
      Outcome outcome = Outcome::Ignored;
      store_.write([&](storage::WriteTx& tx) { outcome = apply_member_check(tx, t.lead_id, member, check_time); });
      if (outcome == Outcome::Applied) ++changed;
    }
  }
  if (changed > 0 && options_.on_change) options_.on_change();
  return changed;
}

}  // namespace tglead::tracking
