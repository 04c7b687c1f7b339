#include "telegram/sender.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "domain/retry_policy.hpp"
#include "util/random.hpp"

namespace tglead::telegram {

using namespace std::chrono_literals;
using nlohmann::json;

TelegramSender::TelegramSender(storage::Store& store, BotApi& api, std::function<std::int64_t()> clock,
                               int max_in_flight)
    : store_(store), api_(api), clock_(std::move(clock)), max_in_flight_(max_in_flight),
      worker_([this] { return step(); }) {}

void TelegramSender::stop() {
  worker_.stop();
  for (int i = 0; i < 1500; ++i) {
    {
      std::lock_guard lock(mutex_);
      if (in_flight_.empty()) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::deque<Result> rest;
  {
    std::lock_guard lock(mutex_);
    rest.swap(results_);
  }
  try {
    record(rest);
  } catch (const std::exception& e) {
    spdlog::error("telegram sender: {}", e.what());
  }
}

std::chrono::milliseconds TelegramSender::step() {
  std::deque<Result> finished;
  std::size_t busy = 0;
  {
    std::lock_guard lock(mutex_);
    finished.swap(results_);
    busy = in_flight_.size();
  }
  try {
    record(finished);
    int room = max_in_flight_ - static_cast<int>(busy);
    bool sent_any = false;
    if (room > 0) {
      // Ask for more than the room: jobs already in flight are still "pending" in the store.
      for (auto& job : store_.due_telegram_jobs(clock_(), room + static_cast<int>(busy))) {
        {
          std::lock_guard lock(mutex_);
          if (in_flight_.count(job.id) || static_cast<int>(in_flight_.size()) >= max_in_flight_) continue;
          in_flight_.insert(job.id);
        }
        sent_any = true;
        send(std::move(job));
      }
    }
    if (sent_any) return 50ms;
    auto next = store_.next_telegram_time();
    if (!next) return 5000ms;
    return std::chrono::seconds(std::clamp<std::int64_t>(*next - clock_(), 1, 5));
  } catch (const std::exception& e) {
    spdlog::error("telegram sender: {}", e.what());
    return 1000ms;
  }
}

bool TelegramSender::resolve_join_button(const storage::TelegramJob& job, json& payload) {
  std::string label = payload.value("tglead_join_button", "");
  std::int64_t campaign_id = payload.value("tglead_campaign", std::int64_t{0});
  payload.erase("tglead_join_button");
  payload.erase("tglead_campaign");
  auto campaign = store_.campaign(campaign_id);
  if (!campaign) return true;  // deleted since: send without the button
  std::string link = campaign->invite_link;
  if (link.empty()) {
    auto chat = store_.chat(campaign->bot_id, campaign->chat_id);
    bool requests = campaign->approve_requests || (chat && chat->requests);
    json params{{"chat_id", campaign->chat_id}, {"name", campaign->code}, {"creates_join_request", requests}};
    auto created = api_.call(job.token, "createChatInviteLink", params);
    if (!created.ok) {
      spdlog::warn("bot {}: createChatInviteLink for campaign {} failed: {}", job.bot_id, campaign_id,
                   created.description);
      return created.error_code != 0;  // Telegram said no: send without the button; unreachable: retry later
    }
    link = created.result.value("invite_link", "");
    store_.write([&](storage::WriteTx& tx) { tx.set_campaign_invite_link(campaign_id, link); });
  }
  if (!link.empty()) {
    json& keyboard = payload["reply_markup"]["inline_keyboard"];
    if (!keyboard.is_array()) keyboard = json::array();
    keyboard.push_back(json::array({{{"text", label}, {"url", link}}}));
  }
  return true;
}

void TelegramSender::send(storage::TelegramJob job) {
  json payload = json::parse(job.payload, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) payload = json::object();
  if (payload.contains("tglead_join_button") && !resolve_join_button(job, payload)) {
    std::lock_guard lock(mutex_);
    results_.push_back(Result{job, ApiResult{false, {}, 0, "invite link not created yet", 0, 0}});
    return;
  }
  api_.call_async(job.token, job.method, payload, [this, job, payload](ApiResult answer) mutable {
    // Markdown the user typed may not parse; the text is still worth delivering plain.
    if (!answer.ok && answer.error_code == 400 && answer.description.find("parse entities") != std::string::npos &&
        payload.contains("parse_mode")) {
      payload.erase("parse_mode");
      api_.call_async(job.token, job.method, payload, [this, job](ApiResult plain) {
        std::lock_guard lock(mutex_);
        results_.push_back(Result{job, std::move(plain)});
        worker_.wake();
      });
      return;
    }
    std::lock_guard lock(mutex_);
    results_.push_back(Result{job, std::move(answer)});
    worker_.wake();
  });
}

void TelegramSender::record(std::deque<Result>& results) {
  if (results.empty()) return;
  std::int64_t now = clock_();
  store_.write([&](storage::WriteTx& tx) {
    for (auto& r : results) {
      const ApiResult& a = r.answer;
      if (a.ok) {
        tx.finish_telegram(r.job.id, true, 0, "");
        continue;
      }
      std::int64_t next = 0;
      if (a.error_code == 429) {
        next = now + std::max<std::int64_t>(a.retry_after, 1);
      } else if (a.error_code == 0 || a.error_code >= 500) {
        if (auto delay = domain::retry_delay_seconds(r.job.attempts + 1, util::random_unit())) next = now + *delay;
      } else if (a.error_code == 403 && r.job.subscriber != 0 &&
                 a.description.find("blocked") != std::string::npos) {
        tx.set_subscriber_blocked(r.job.bot_id, r.job.subscriber, true, now);
      }
      tx.finish_telegram(r.job.id, false, next, a.description);
    }
  });
  {
    std::lock_guard lock(mutex_);
    for (auto& r : results) in_flight_.erase(r.job.id);
  }
  results.clear();
}

}  // namespace tglead::telegram
