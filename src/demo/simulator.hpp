// Realistic subscriber traffic for `tglead demo`: a fortnight of history
// (starts, join requests, joins, leaves, kicks, organic joins) followed by a
// live stream, all delivered to the service's real webhook endpoint exactly
// as Telegram would, so every dashboard page shows live data.
//
// Contract: talks only to 127.0.0.1. backfill() runs once, then start()
// streams on a background thread until stop(). Thread-safe entry points.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "demo/telegram_double.hpp"
#include "net/http_client.hpp"

namespace tglead::demo {

struct DemoChat {
  std::int64_t id = 0;
  std::string title;
  std::string type;  // channel / supergroup
  std::string code;  // campaign code users start with
  bool approval = false;
};

class Simulator {
 public:
  Simulator(net::HttpClient& http, TelegramDouble& telegram, std::string service_url, std::int64_t bot_id,
            std::vector<DemoChat> chats);
  ~Simulator() { stop(); }

  void promote_bot();      // my_chat_member: the bot becomes administrator in every chat
  void backfill(int days);  // history with past dates
  void start();
  void stop();
  // Telegram admits a user whose request the bot approved.
  void approved(std::int64_t chat_id, std::int64_t user_id);

 private:
  struct Person {
    std::int64_t id = 0;
    std::string first_name, last_name, username;
    std::string click;
  };
  enum class State { None, Started, Requested, Member, Left };

  Person new_person();
  std::string new_click();
  void post(const std::string& update_json);
  void start_bot(const Person& p, const DemoChat& chat, std::int64_t date);
  void request(const Person& p, const DemoChat& chat, std::int64_t date);
  void member_change(const Person& p, const DemoChat& chat, const std::string& from, const std::string& to,
                     std::int64_t date, bool by_admin, bool via_request);
  void live_step();
  void admit_approved();

  net::HttpClient& http_;
  TelegramDouble& telegram_;
  std::string service_url_;
  std::int64_t bot_id_;
  std::vector<DemoChat> chats_;
  std::mutex mutex_;
  std::mt19937_64 rng_{20261123};
  std::int64_t next_update_ = 900000000;
  std::int64_t next_user_ = 7000000000;
  std::vector<Person> people_;
  std::map<std::pair<std::size_t, std::int64_t>, State> state_;  // (chat index, person id)
  std::mutex approvals_mutex_;
  std::vector<std::pair<std::int64_t, std::int64_t>> approvals_;  // (chat, user) admitted by Telegram
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace tglead::demo
