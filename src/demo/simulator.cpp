#include "demo/simulator.hpp"

#include <spdlog/spdlog.h>

#include <ctime>
#include <nlohmann/json.hpp>

namespace tglead::demo {

using nlohmann::json;

namespace {

constexpr std::int64_t kAdminId = 287654193;
const char* const kFirstNames[] = {"Alina", "Marco", "Dmitry", "Sofia", "Liam", "Mateo", "Yuki", "Amara", "Olga",
                                   "Lucas", "Chen", "Fatima", "Ivan", "Noah", "Elena", "Arjun", "Zoe", "Mikhail"};
const char* const kLastNames[] = {"Korneeva", "Rossi", "Volkov", "Novak", "Smith", "Garcia", "Tanaka", "Okafor",
                                  "", "Silva", "Wang", "Haddad", "Petrov", "", "Popescu", "Sharma", "", "Ivanov"};

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

json user_json(std::int64_t id, const std::string& first, const std::string& last, const std::string& username) {
  json u{{"id", id}, {"is_bot", false}, {"first_name", first}};
  if (!last.empty()) u["last_name"] = last;
  if (!username.empty()) u["username"] = username;
  return u;
}

}  // namespace

Simulator::Simulator(net::HttpClient& http, TelegramDouble& telegram, std::string service_url, std::int64_t bot_id,
                     std::vector<DemoChat> chats)
    : http_(http), telegram_(telegram), service_url_(std::move(service_url)), bot_id_(bot_id), chats_(std::move(chats)) {}

Simulator::Person Simulator::new_person() {
  Person p;
  p.id = next_user_ += 1 + static_cast<std::int64_t>(rng_() % 977);
  std::size_t i = rng_() % std::size(kFirstNames);
  p.first_name = kFirstNames[i];
  p.last_name = kLastNames[rng_() % std::size(kLastNames)];
  if (rng_() % 3 != 0) p.username = std::string(kFirstNames[i]) + "_" + std::to_string(p.id % 10000);
  for (auto& c : p.username) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  p.click = new_click();
  people_.push_back(p);
  return p;
}

std::string Simulator::new_click() {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string click;
  for (int i = 0; i < 19; ++i) click += alphabet[rng_() % (sizeof alphabet - 1)];
  return click;
}

void Simulator::post(const std::string& update_json) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = service_url_ + "/tg/" + std::to_string(bot_id_);
  request.body = update_json;
  request.content_type = "application/json";
  request.headers.push_back("X-Telegram-Bot-Api-Secret-Token: " + telegram_.webhook_secret(bot_id_));
  auto response = http_.perform(std::move(request));
  if (!response.transport_ok() || response.status != 200) {
    spdlog::warn("demo: webhook answered {} {}", response.status, response.error);
  }
}

void Simulator::start_bot(const Person& p, const DemoChat& chat, std::int64_t date) {
  json chat_json{{"id", p.id}, {"first_name", p.first_name}, {"type", "private"}};
  json update{{"update_id", ++next_update_},
              {"message",
               {{"message_id", next_update_ % 100000},
                {"from", user_json(p.id, p.first_name, p.last_name, p.username)},
                {"chat", chat_json},
                {"date", date},
                {"text", "/start " + chat.code + "-" + p.click},
                {"entities", json::array({{{"offset", 0}, {"length", 6}, {"type", "bot_command"}}})}}}};
  post(update.dump());
}

void Simulator::request(const Person& p, const DemoChat& chat, std::int64_t date) {
  json update{{"update_id", ++next_update_},
              {"chat_join_request",
               {{"chat", {{"id", chat.id}, {"title", chat.title}, {"type", chat.type}}},
                {"from", user_json(p.id, p.first_name, p.last_name, p.username)},
                {"user_chat_id", p.id},
                {"date", date}}}};
  post(update.dump());
}

void Simulator::member_change(const Person& p, const DemoChat& chat, const std::string& from, const std::string& to,
                              std::int64_t date, bool by_admin, bool via_request) {
  json subject = user_json(p.id, p.first_name, p.last_name, p.username);
  json actor = by_admin ? json{{"id", kAdminId}, {"is_bot", false}, {"first_name", "Oleg"}, {"username", "oleg_admin"}}
                        : subject;
  json change{{"chat", {{"id", chat.id}, {"title", chat.title}, {"type", chat.type}}},
              {"from", actor},
              {"date", date},
              {"old_chat_member", {{"user", subject}, {"status", from}}},
              {"new_chat_member", {{"user", subject}, {"status", to}}}};
  if (to == "kicked") change["new_chat_member"]["until_date"] = 0;
  if (via_request) change["via_join_request"] = true;
  post(json{{"update_id", ++next_update_}, {"chat_member", change}}.dump());
  telegram_.set_member(chat.id, p.id, to);
}

void Simulator::promote_bot() {
  std::lock_guard lock(mutex_);
  json bot{{"id", bot_id_}, {"is_bot", true}, {"first_name", "tglead demo"}};
  for (const auto& chat : chats_) {
    json update{{"update_id", ++next_update_},
                {"my_chat_member",
                 {{"chat", {{"id", chat.id}, {"title", chat.title}, {"type", chat.type}}},
                  {"from", {{"id", kAdminId}, {"is_bot", false}, {"first_name", "Oleg"}}},
                  {"date", now_seconds() - 20 * 86400},
                  {"old_chat_member", {{"user", bot}, {"status", "left"}}},
                  {"new_chat_member",
                   {{"user", bot}, {"status", "administrator"}, {"can_be_edited", false}, {"is_anonymous", false},
                    {"can_manage_chat", true}, {"can_delete_messages", true}, {"can_manage_video_chats", false},
                    {"can_restrict_members", true}, {"can_promote_members", false}, {"can_change_info", false},
                    {"can_invite_users", true}, {"can_post_stories", false}, {"can_edit_stories", false},
                    {"can_delete_stories", false}}}}}};
    post(update.dump());
  }
}

void Simulator::backfill(int days) {
  std::lock_guard lock(mutex_);
  std::int64_t today = now_seconds() / 86400 * 86400;
  for (int d = days; d >= 1; --d) {
    std::int64_t day = today - d * 86400;
    for (std::size_t ci = 0; ci < chats_.size(); ++ci) {
      const DemoChat& chat = chats_[ci];
      int starts = 12 + static_cast<int>(rng_() % 20) + (days - d);  // growing campaign
      for (int i = 0; i < starts; ++i) {
        Person p = new_person();
        std::int64_t t = day + static_cast<std::int64_t>(rng_() % 80000);
        start_bot(p, chat, t);
        state_[{ci, p.id}] = State::Started;
        if (rng_() % 100 >= 78) continue;  // never joined
        t += 30 + static_cast<std::int64_t>(rng_() % 900);
        if (chat.approval) {
          request(p, chat, t);
          t += 20 + static_cast<std::int64_t>(rng_() % 300);
        }
        member_change(p, chat, "left", "member", t, chat.approval, chat.approval);
        state_[{ci, p.id}] = State::Member;
        auto fate = rng_() % 100;
        if (fate < 14) {
          member_change(p, chat, "member", "left", t + 3600 + static_cast<std::int64_t>(rng_() % 200000), false, false);
          state_[{ci, p.id}] = State::Left;
        } else if (fate < 18) {
          member_change(p, chat, "member", "kicked", t + 600 + static_cast<std::int64_t>(rng_() % 90000), true, false);
          state_[{ci, p.id}] = State::Left;
        }
      }
      int organic = 3 + static_cast<int>(rng_() % 9);
      for (int i = 0; i < organic; ++i) {
        Person p = new_person();
        std::int64_t t = day + static_cast<std::int64_t>(rng_() % 86000);
        member_change(p, chat, "left", "member", t, false, false);
        if (rng_() % 4 == 0) member_change(p, chat, "member", "left", t + 5000, false, false);
      }
    }
  }
}

void Simulator::approved(std::int64_t chat_id, std::int64_t user_id) {
  // Called on a Bot API thread; the join is delivered from the simulator's own thread.
  std::lock_guard lock(approvals_mutex_);
  approvals_.emplace_back(chat_id, user_id);
}

void Simulator::admit_approved() {
  std::vector<std::pair<std::int64_t, std::int64_t>> admitted;
  {
    std::lock_guard lock(approvals_mutex_);
    admitted.swap(approvals_);
  }
  std::lock_guard lock(mutex_);
  for (auto [chat_id, user_id] : admitted) {
    for (std::size_t ci = 0; ci < chats_.size(); ++ci) {
      if (chats_[ci].id != chat_id) continue;
      auto& state = state_[{ci, user_id}];
      if (state != State::Requested) continue;
      for (const auto& p : people_) {
        if (p.id != user_id) continue;
        member_change(p, chats_[ci], "left", "member", now_seconds(), false, true);
        state = State::Member;
        break;
      }
    }
  }
}

void Simulator::live_step() {
  std::lock_guard lock(mutex_);
  std::size_t ci = rng_() % chats_.size();
  const DemoChat& chat = chats_[ci];
  std::int64_t now = now_seconds();
  auto roll = rng_() % 100;
  auto pick = [&](State wanted) -> const Person* {
    std::vector<const Person*> found;
    for (const auto& p : people_) {
      auto it = state_.find({ci, p.id});
      if (it != state_.end() && it->second == wanted) found.push_back(&p);
    }
    return found.empty() ? nullptr : found[rng_() % found.size()];
  };
  if (roll < 40) {
    Person p = new_person();
    start_bot(p, chat, now);
    state_[{ci, p.id}] = State::Started;
  } else if (roll < 68) {
    if (const Person* p = pick(State::Started)) {
      if (chat.approval) {
        state_[{ci, p->id}] = State::Requested;
        request(*p, chat, now);  // tglead approves; approved() delivers the join
      } else {
        member_change(*p, chat, "left", "member", now, false, false);
        state_[{ci, p->id}] = State::Member;
      }
    }
  } else if (roll < 78) {
    if (const Person* p = pick(State::Member)) {
      bool kicked = rng_() % 5 == 0;
      member_change(*p, chat, "member", kicked ? "kicked" : "left", now, kicked, false);
      state_[{ci, p->id}] = State::Left;
    }
  } else if (roll < 84) {
    if (const Person* p = pick(State::Left)) {
      Person again = *p;
      again.click = new_click();
      start_bot(again, chat, now);  // came back from a new ad
      state_[{ci, p->id}] = State::Started;
    }
  } else {
    Person p = new_person();
    member_change(p, chat, "left", "member", now, false, false);  // organic
  }
}

void Simulator::start() {
  running_ = true;
  thread_ = std::thread([this] {
    while (running_) {
      admit_approved();
      live_step();
      for (int i = 0; i < 15 && running_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

void Simulator::stop() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
}

}  // namespace tglead::demo
