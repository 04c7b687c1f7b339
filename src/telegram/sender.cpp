#include "telegram/sender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "domain/retry_policy.hpp"
#include "util/random.hpp"

namespace tglead::telegram {

using namespace std::chrono_literals;
using nlohmann::json;

TelegramSender::TelegramSender(storage::Store& store, BotApi& api, std::function<std::int64_t()> clock,
                               int max_in_flight)
    : store_(store), api_(api), clock_(std::move(clock)), max_in_flight_(max_in_flight),
      worker_([this] { return step(); }, 5ms) {}

void TelegramSender::stop() {
  worker_.stop();
  // Wait for calls already on the wire, so their outcome is recorded rather than resent.
  for (int i = 0; i < 1500; ++i) {
    {
      std::lock_guard lock(mutex_);
      if (results_.size() >= in_flight_.size()) break;
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
  for (const auto& result : finished) release_budget(result);
  try {
    record(finished);
    int room = max_in_flight_ - static_cast<int>(busy);
    bool sent_any = false;
    bool throttled = false;
    if (room > 0) {
      // Ask for more than the room: jobs already in flight are still "pending" in the store.
      for (auto& job : store_.due_telegram_jobs(clock_(), room + static_cast<int>(busy))) {
        {
          std::lock_guard lock(mutex_);
          if (in_flight_.count(job.id) || static_cast<int>(in_flight_.size()) >= max_in_flight_) continue;
        }
        json payload = json::parse(job.payload, nullptr, false);
        if (payload.is_discarded() || !payload.is_object()) payload = json::object();
        std::int64_t chat_id = payload.contains("chat_id") && payload["chat_id"].is_number_integer()
                                   ? payload["chat_id"].get<std::int64_t>()
                                   : 0;
        if (!take_budget(job, chat_id)) {
          throttled = true;
          continue;
        }
        {
          std::lock_guard lock(mutex_);
          in_flight_.insert(job.id);
        }
        sent_any = true;
        send(std::move(job), std::move(payload));
      }
    }
    if (sent_any || throttled) return 50ms;
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
    if (!created.ok && created.migrate_to_chat_id != 0) {
      // Rule 13: the group became a supergroup since the campaign was made; move the campaign
      // and its chat to the new id, then ask there.
      std::int64_t new_chat = created.migrate_to_chat_id;
      store_.write([&](storage::WriteTx& tx) { tx.migrate_chat(job.bot_id, campaign->chat_id, new_chat); });
      params["chat_id"] = new_chat;
      created = api_.call(job.token, "createChatInviteLink", params);
    }
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

bool TelegramSender::take_budget(const storage::TelegramJob& job, std::int64_t chat_id) {
  constexpr std::size_t kBotPerSecond = 30;
  auto now = std::chrono::steady_clock::now();
  auto& bot = bot_budget_[job.bot_id];
  while (!bot.answered.empty() && now - bot.answered.front() >= 1s) bot.answered.pop_front();
  if (bot.answered.size() + bot.in_flight >= kBotPerSecond) return false;
  bool is_message = job.method.rfind("send", 0) == 0;
  if (is_message && chat_id != 0) {
    if (chat_next_.size() > 4096) std::erase_if(chat_next_, [&](const auto& entry) { return entry.second <= now; });
    auto& next = chat_next_[{job.bot_id, chat_id}];
    if (next > now) return false;
    next = std::chrono::steady_clock::time_point::max();
    job_chat_[job.id] = chat_id;
  }
  ++bot.in_flight;
  return true;
}

void TelegramSender::release_budget(const Result& result) {
  auto& bot = bot_budget_[result.job.bot_id];
  if (bot.in_flight > 0) --bot.in_flight;
  // Answers of one batch may be out of order; the window stays sorted so expiry pops the front.
  bot.answered.insert(std::upper_bound(bot.answered.begin(), bot.answered.end(), result.answered), result.answered);
  if (auto held = job_chat_.find(result.job.id); held != job_chat_.end()) {
    chat_next_[{result.job.bot_id, held->second}] = result.answered + 1s;
    job_chat_.erase(held);
  }
}

void TelegramSender::send(storage::TelegramJob job, json payload) {
  if (payload.contains("tglead_join_button") && !resolve_join_button(job, payload)) {
    std::lock_guard lock(mutex_);
    results_.push_back(Result{job, ApiResult{false, {}, 0, "invite link not created yet", 0, 0}, 0,
                              std::chrono::steady_clock::now()});
    return;
  }
  deliver(std::move(job), std::move(payload), 2, 0);
}

void TelegramSender::deliver(storage::TelegramJob job, json payload, int fallbacks_left, std::int64_t migrated_from) {
  api_.call_async(job.token, job.method, payload,
                  [this, job, payload, fallbacks_left, migrated_from](ApiResult answer) mutable {
    if (!answer.ok && fallbacks_left > 0) {
      // Markdown the user typed may not parse; the text is still worth delivering plain.
      if (answer.error_code == 400 && answer.description.find("parse entities") != std::string::npos &&
          payload.contains("parse_mode")) {
        payload.erase("parse_mode");
        deliver(job, std::move(payload), fallbacks_left - 1, migrated_from);
        return;
      }
      // Rule 13: the group became a supergroup; send there and remember the new id.
      if (answer.migrate_to_chat_id != 0 && payload.contains("chat_id")) {
        std::int64_t old_chat = payload.value("chat_id", std::int64_t{0});
        payload["chat_id"] = answer.migrate_to_chat_id;
        deliver(job, std::move(payload), fallbacks_left - 1, old_chat);
        return;
      }
    }
    std::lock_guard lock(mutex_);
    if (migrated_from != 0 && answer.migrate_to_chat_id == 0) answer.migrate_to_chat_id = payload.value("chat_id", std::int64_t{0});
    results_.push_back(Result{job, std::move(answer), migrated_from, std::chrono::steady_clock::now()});
    worker_.wake();
  });
}

void TelegramSender::record(std::deque<Result>& results) {
  if (results.empty()) return;
  std::int64_t now = clock_();
  store_.write([&](storage::WriteTx& tx) {
    for (auto& r : results) {
      const ApiResult& a = r.answer;
      if (r.migrated_from != 0 && a.migrate_to_chat_id != 0) tx.migrate_chat(r.job.bot_id, r.migrated_from, a.migrate_to_chat_id);
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
