// tglead_load: a whole-process load driver for the webhook path.
//
// What it does, in order (everything on 127.0.0.1, every wait bounded):
//  1. creates a fresh SQLite database in a temporary directory and seeds it
//     through the store API: one tiger account, one bot with a known secret,
//     one channel where the bot is admin, one campaign with postback
//     templates for all five statuses pointing at (2) and a welcome message;
//  2. starts an in-process tracker sink (http::Server) answering 200, that
//     also plays the Telegram Bot API for welcome messages (/bot<token>/...);
//  3. starts `tglead serve` on that database as a child process, waits for
//     /healthz;
//  4. drives realistic updates over N keep-alive connections (one thread and
//     one request in flight each, like Telegram's max_connections): per
//     subscriber `/start CODE-<click>` -> `chat_member` join -> sometimes a
//     leave or a kick; some organic joins (no lead); some re-deliveries
//     (same update_id twice). update_ids are unique and increasing per
//     connection; dates are the wall clock;
//  5. reports updates/s (a 200 means the update is durably stored), latency
//     percentiles and non-200 answers, then waits until the sink has every
//     expected postback and reports the delivery rate, and stops the child
//     with SIGTERM.
//
// The last line of output is a machine-readable summary (key=value pairs,
// prefixed "RESULT").
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <spdlog/spdlog.h>

#include "domain/model.hpp"
#include "http/server.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::int64_t kBotId = 7412583690;
constexpr std::int64_t kChatId = -1002381745923;
constexpr const char* kSecret = "bench-secret-0123456789abcdefXYZ";
constexpr const char* kCode = "CAMP42";

struct Options {
  std::string binary = "build/tglead";
  int connections = 32;
  long updates = 100000;
  int workers = 0;             // 0 = tglead's default
  double max_seconds = 600;    // bound on the load phase
  double drain_seconds = 180;  // bound on waiting for postbacks
  double boot_seconds = 20;    // bound on waiting for /healthz (raise it under valgrind)
  bool welcome = true;
  bool postbacks = true;       // false: campaign without templates (ingest-only ceiling)
  bool keep = false;           // keep the temp dir (database, server log)
  std::string extra;           // extra args for `tglead serve`, space separated
  unsigned seed = 42;
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// ---------------------------------------------------------------- tracker sink

struct Sink {
  std::atomic<long> postbacks{0};
  std::atomic<long> telegram{0};
  std::atomic<long> other{0};
  std::atomic<std::int64_t> first_ns{0}, last_ns{0};
  std::mutex mutex;
  std::unordered_set<std::string> tids;
  std::unordered_set<std::string> click_status;
  long dup_tids = 0, dup_click_status = 0;

  static std::string param(const std::string& query, std::string_view name) {
    std::size_t pos = 0;
    while (pos < query.size()) {
      std::size_t end = query.find('&', pos);
      if (end == std::string::npos) end = query.size();
      std::string_view kv(query.data() + pos, end - pos);
      if (kv.size() > name.size() && kv.substr(0, name.size()) == name && kv[name.size()] == '=') {
        return std::string(kv.substr(name.size() + 1));
      }
      pos = end + 1;
    }
    return "";
  }

  tglead::http::Response handle(const tglead::http::Request& request) {
    if (request.path == "/pb") {
      std::int64_t now = Clock::now().time_since_epoch().count();
      std::int64_t zero = 0;
      first_ns.compare_exchange_strong(zero, now);
      last_ns.store(now);
      std::string tid = param(request.query, "tid");
      std::string cs = param(request.query, "click") + "|" + param(request.query, "status");
      {
        std::lock_guard lock(mutex);
        if (!tids.insert(tid).second) ++dup_tids;
        if (!click_status.insert(cs).second) ++dup_click_status;
      }
      postbacks.fetch_add(1);
      return {200, "text/plain", "ok", {}};
    }
    if (request.path.rfind("/bot", 0) == 0) {
      telegram.fetch_add(1);
      return {200, "application/json",
              R"({"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}})", {}};
    }
    other.fetch_add(1);
    return {404, "text/plain", "no", {}};
  }
};

// ---------------------------------------------------------------- child process

pid_t spawn(const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    std::exit(1);
  }
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    perror("execv");
    _exit(127);
  }
  return pid;
}

// Stops the child: SIGTERM, up to 15 s, then SIGKILL. Returns the exit status text.
std::string stop_child(pid_t pid) {
  kill(pid, SIGTERM);
  auto start = Clock::now();
  int status = 0;
  while (seconds_since(start) < 15) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
      if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
      return "stopped";
    }
    std::this_thread::sleep_for(20ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return "killed after 15 s";
}

std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    perror("bind");
    std::exit(1);
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// CPU seconds (user, system) of a process so far, from /proc/<pid>/stat.
std::pair<double, double> proc_cpu(pid_t pid) {
  std::string path = pid == 0 ? "/proc/self/stat" : "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return {0, 0};
  char buf[4096];
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');
  if (!p) return {0, 0};
  // Fields after the command: state(3) ... utime(14) stime(15).
  unsigned long long utime = 0, stime = 0;
  int field = 2;
  for (const char* q = p + 1; *q && field < 15; ++q) {
    if (*q == ' ') {
      ++field;
      if (field == 14) utime = std::strtoull(q + 1, nullptr, 10);
      if (field == 15) stime = std::strtoull(q + 1, nullptr, 10);
    }
  }
  double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {static_cast<double>(utime) / tick, static_cast<double>(stime) / tick};
}

// ---------------------------------------------------------------- HTTP/1.1 client

class Conn {
 public:
  explicit Conn(std::uint16_t port) : port_(port) {}
  ~Conn() { close_socket(); }

  // Sends one request and reads the answer. Returns the HTTP status, or -1 on
  // a transport error (the connection is then closed and reopened next time).
  int request(const std::string& raw) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !open_socket()) return -1;
      bool fresh = fresh_;
      fresh_ = false;
      if (!send_all(raw)) {
        close_socket();
        if (!fresh) continue;  // a kept-alive socket the server closed: reconnect once
        return -1;
      }
      int status = read_response();
      if (status < 0) {
        close_socket();
        if (!fresh && status == -2) continue;  // closed before any byte: retry on a new socket
        return -1;
      }
      return status;
    }
    return -1;
  }

  long reconnects = 0;

 private:
  bool open_socket() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port_);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close_socket();
      return false;
    }
    ++reconnects;
    fresh_ = true;
    buf_.clear();
    return true;
  }
  void close_socket() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    buf_.clear();
  }
  bool send_all(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  // -2: closed before any byte; -1: other error.
  int read_response() {
    char tmp[8192];
    std::size_t header_end;
    bool got_any = !buf_.empty();
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return got_any ? -1 : -2;
      got_any = true;
      buf_.append(tmp, static_cast<std::size_t>(n));
      if (buf_.size() > 65536) return -1;
    }
    if (buf_.size() < 12 || buf_.compare(0, 5, "HTTP/") != 0) return -1;
    int status = std::atoi(buf_.c_str() + 9);
    std::size_t length = 0;
    bool close_after = false;
    // Header names compared case-insensitively.
    std::string head = buf_.substr(0, header_end);
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto p = head.find("\r\ncontent-length:"); p != std::string::npos) {
      length = std::strtoul(head.c_str() + p + 17, nullptr, 10);
    }
    if (head.find("\r\nconnection: close") != std::string::npos) close_after = true;
    std::size_t total = header_end + 4 + length;
    while (buf_.size() < total) {
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return -1;
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
    buf_.erase(0, total);
    if (close_after) close_socket();
    return status;
  }

  std::uint16_t port_;
  int fd_ = -1;
  bool fresh_ = false;
  std::string buf_;
};

int http_get_status(std::uint16_t port, const std::string& path) {
  Conn c(port);
  return c.request("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

// ---------------------------------------------------------------- update bodies

struct Person {
  std::int64_t id;
  std::string first, last, username;
};

std::string user_json(const Person& p) {
  std::string s = "{\"id\":" + std::to_string(p.id) + ",\"is_bot\":false,\"first_name\":\"" + p.first + "\"";
  if (!p.last.empty()) s += ",\"last_name\":\"" + p.last + "\"";
  if (!p.username.empty()) s += ",\"username\":\"" + p.username + "\"";
  s += ",\"language_code\":\"ru\"}";
  return s;
}

std::string start_body(std::int64_t update_id, const Person& p, std::int64_t date, const std::string& click,
                       int message_id) {
  std::string u = user_json(p);
  std::string text = std::string("/start ") + kCode + "-" + click;
  return "{\"update_id\":" + std::to_string(update_id) + ",\"message\":{\"message_id\":" +
         std::to_string(message_id) + ",\"from\":" + u + ",\"chat\":{\"id\":" + std::to_string(p.id) +
         ",\"first_name\":\"" + p.first + "\",\"username\":\"" + p.username +
         "\",\"type\":\"private\"},\"date\":" + std::to_string(date) + ",\"text\":\"" + text +
         "\",\"entities\":[{\"offset\":0,\"length\":6,\"type\":\"bot_command\"}]}}";
}

const char* kChatJson = R"({"id":-1002381745923,"title":"Crypto Signals Daily","type":"channel"})";
const char* kAdminJson =
    R"({"id":287654193,"is_bot":false,"first_name":"Oleg","username":"oleg_admin","language_code":"ru"})";

// kind: 0 join via invite link, 1 join public (no link), 2 leave, 3 kicked by admin
std::string member_body(std::int64_t update_id, const Person& p, std::int64_t date, int kind) {
  std::string u = user_json(p);
  const char* old_status = kind <= 1 ? "left" : "member";
  const char* new_status = kind <= 1 ? "member" : (kind == 2 ? "left" : "kicked");
  std::string from = kind == 3 ? std::string(kAdminJson) : u;
  std::string s = "{\"update_id\":" + std::to_string(update_id) + ",\"chat_member\":{\"chat\":" + kChatJson +
                  ",\"from\":" + from + ",\"date\":" + std::to_string(date) +
                  ",\"old_chat_member\":{\"user\":" + u + ",\"status\":\"" + old_status +
                  "\"},\"new_chat_member\":{\"user\":" + u + ",\"status\":\"" + new_status + "\"" +
                  (kind == 3 ? ",\"until_date\":0" : "") + "}";
  if (kind == 0) {
    s += R"(,"invite_link":{"invite_link":"https://t.me/+Xk3bQ9rV2mYzN4Ff","creator":{"id":7412583690,"is_bot":true,"first_name":"SubTrack","username":"subtrack_demo_bot"},"creates_join_request":false,"is_primary":false,"is_revoked":false,"name":"CAMP42 keitaro","pending_join_request_count":0})";
  }
  s += "}}";
  return s;
}

std::string wrap_post(const std::string& body) {
  return "POST /tg/" + std::to_string(kBotId) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nContent-Type: application/json\r\n"
         "X-Telegram-Bot-Api-Secret-Token: " +
         kSecret + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// ---------------------------------------------------------------- per-connection driver

struct ThreadResult {
  long sent = 0, ok = 0, non200 = 0, transport_errors = 0, duplicates_sent = 0;
  long starts = 0, joins = 0, leaves = 0, kicks = 0, organic = 0;
  long expected_postbacks = 0;
  long reconnects = 0;
  std::vector<std::uint32_t> latency_us;
};

const char* kFirst[] = {"Alina", "Dmitry", "Oleg", "Maria", "Ivan", "Olga", "Sergey", "Anna", "Пётр", "Nguyễn"};
const char* kLast[] = {"", "Volkov", "Korneeva", "Smith", "Ivanova", "O'Brien", "Петрова", ""};

void drive(int index, std::uint16_t port, long quota, const Options& opt, Clock::time_point deadline,
           std::atomic<bool>& stop, ThreadResult& out) {
  Conn conn(port);
  std::mt19937_64 rng(opt.seed * 1000003u + static_cast<unsigned>(index));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  out.latency_us.reserve(static_cast<std::size_t>(quota));
  // update_id: unique over connections, increasing within one.
  std::int64_t next_update = 800000000 + static_cast<std::int64_t>(index) * 100000000LL;
  std::int64_t subscriber_base = 5000000000LL + static_cast<std::int64_t>(index) * 10000000LL;
  long subscriber_no = 0;
  int message_id = 1;

  auto send = [&](const std::string& body) -> int {
    std::string raw = wrap_post(body);
    auto t0 = Clock::now();
    int status = conn.request(raw);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
    out.latency_us.push_back(static_cast<std::uint32_t>(std::min<long long>(us, UINT32_MAX)));
    ++out.sent;
    if (status == 200) {
      ++out.ok;
    } else if (status < 0) {
      ++out.transport_errors;
    } else {
      ++out.non200;
    }
    return status;
  };
  auto budget_left = [&] { return out.sent < quota && !stop.load(std::memory_order_relaxed) && Clock::now() < deadline; };
  // Sends one update; 5% of them are delivered twice (Telegram re-delivery).
  // Returns true when the first delivery was acknowledged.
  auto deliver = [&](const std::string& body) -> bool {
    bool ok = send(body) == 200;
    if (budget_left() && unit(rng) < 0.05) {
      send(body);
      ++out.duplicates_sent;
    }
    return ok;
  };

  while (budget_left()) {
    Person p;
    p.id = subscriber_base + subscriber_no++;
    p.first = kFirst[rng() % std::size(kFirst)];
    p.last = kLast[rng() % std::size(kLast)];
    p.username = unit(rng) < 0.7 ? "u" + std::to_string(p.id) : "";
    double r = unit(rng);
    if (r < 0.8) {
      // Tracked subscriber: /start with a click, join, maybe leave or kick.
      char click[32];
      std::snprintf(click, sizeof click, "c%llx_%d", static_cast<unsigned long long>(rng() & 0xffffffffffULL), index);
      auto now = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
      if (deliver(start_body(next_update++, p, now(), click, message_id++))) {
        ++out.starts;
        ++out.expected_postbacks;  // wait
      }
      if (!budget_left()) break;
      if (unit(rng) < 0.1) continue;  // never joins
      if (deliver(member_body(next_update++, p, now(), unit(rng) < 0.7 ? 0 : 1))) {
        ++out.joins;
        ++out.expected_postbacks;  // approve
      }
      if (!budget_left()) break;
      double l = unit(rng);
      if (l < 0.25) {
        if (deliver(member_body(next_update++, p, now(), 2))) {
          ++out.leaves;
          ++out.expected_postbacks;  // cancel (inside the unsub window)
        }
      } else if (l < 0.30) {
        if (deliver(member_body(next_update++, p, now(), 3))) {
          ++out.kicks;
          ++out.expected_postbacks;  // trash
        }
      }
    } else {
      // Organic: joins (and sometimes leaves) without a lead; no postbacks.
      auto now = static_cast<std::int64_t>(std::time(nullptr));
      if (deliver(member_body(next_update++, p, now, 1))) ++out.organic;
      if (budget_left() && unit(rng) < 0.3) deliver(member_body(next_update++, p, now, 2));
    }
  }
  out.reconnects = conn.reconnects;
}

// ---------------------------------------------------------------- seeding

void seed(const std::string& db_path, std::uint16_t sink_port, bool welcome, bool postbacks) {
  using namespace tglead;
  storage::sqlite::SqliteStore store(db_path);
  std::int64_t now = std::time(nullptr);
  store.write([&](storage::WriteTx& tx) {
    domain::User user;
    user.email = "bench@example.com";
    user.api_key = "bench-api-key-0123456789";
    user.transfer_token = "bench-transfer";
    user.plan = domain::Plan::Tiger;
    user.paid_until = now + 30 * 86400;
    user.id = tx.insert_user(user);

    domain::Bot bot;
    bot.id = kBotId;
    bot.user_id = user.id;
    bot.token = "7412583690:AAbenchbenchbenchbenchbenchbenchbe";
    bot.username = "subtrack_demo_bot";
    bot.name = "SubTrack";
    bot.secret = kSecret;
    tx.upsert_bot(bot);

    domain::Chat chat;
    chat.bot_id = kBotId;
    chat.id = kChatId;
    chat.title = "Crypto Signals Daily";
    chat.type = "channel";
    chat.ok = true;
    tx.upsert_chat(chat);

    domain::Campaign c;
    c.user_id = user.id;
    c.bot_id = kBotId;
    c.chat_id = kChatId;
    c.code = kCode;
    c.name = "bench campaign";
    c.active = true;
    c.unsub_window = 86400;
    std::string base = "http://127.0.0.1:" + std::to_string(sink_port) +
                       "/pb?click={click}&status={status}&tid={tid}&code={status_code}&lead={lead}"
                       "&sub={subscriber}&t={time}&camp={campaign}";
    if (postbacks) {
      for (domain::LeadStatus s : domain::kAllStatuses) c.postbacks[s] = base;
    }
    if (welcome) {
      c.welcome.text = "Hi {first_name}! Welcome to *Crypto Signals Daily*.";
      c.welcome.buttons.push_back({"Open", "https://example.com/?c={click}"});
    }
    tx.insert_campaign(c, now);
  });
}

// ---------------------------------------------------------------- main

void usage() {
  std::fprintf(stderr,
               "usage: tglead_load [--binary build/tglead] [--connections 32] [--updates 100000]\n"
               "                   [--workers N] [--max-seconds 600] [--drain-seconds 180]\n"
               "                   [--boot-seconds 20] [--no-welcome] [--no-postbacks] [--keep] [--seed N]\n"
               "                   [--serve-args \"...\"]   (--binary may be a wrapper script, e.g. valgrind)\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--binary") opt.binary = next();
    else if (a == "--connections") opt.connections = std::stoi(next());
    else if (a == "--updates") opt.updates = std::stol(next());
    else if (a == "--workers") opt.workers = std::stoi(next());
    else if (a == "--max-seconds") opt.max_seconds = std::stod(next());
    else if (a == "--drain-seconds") opt.drain_seconds = std::stod(next());
    else if (a == "--boot-seconds") opt.boot_seconds = std::stod(next());
    else if (a == "--no-welcome") opt.welcome = false;
    else if (a == "--no-postbacks") opt.postbacks = false;
    else if (a == "--keep") opt.keep = true;
    else if (a == "--seed") opt.seed = static_cast<unsigned>(std::stoul(next()));
    else if (a == "--serve-args") opt.extra = next();
    else {
      usage();
      return 2;
    }
  }
  if (opt.connections < 1 || opt.connections > 1000 || opt.updates < 1) {
    usage();
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  spdlog::set_level(spdlog::level::warn);
  std::string binary = std::filesystem::absolute(opt.binary).string();
  if (access(binary.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "tglead_load: %s is not executable (use --binary)\n", binary.c_str());
    return 2;
  }

  char dir_template[] = "/tmp/tglead_load.XXXXXX";
  if (!mkdtemp(dir_template)) {
    perror("mkdtemp");
    return 1;
  }
  std::string dir = dir_template;
  std::string db_path = dir + "/load.db";
  std::string log_path = dir + "/serve.log";

  // (b) the sink, first, so the templates can name its port.
  Sink sink;
  tglead::http::ServerOptions sink_options;
  sink_options.host = "127.0.0.1";
  sink_options.port = 0;
  sink_options.worker_threads = 4;
  tglead::http::Server sink_server(sink_options, [&sink](const tglead::http::Request& r) { return sink.handle(r); });
  if (auto err = sink_server.start(); !err.empty()) {
    std::fprintf(stderr, "tglead_load: sink: %s\n", err.c_str());
    return 1;
  }
  std::uint16_t sink_port = sink_server.port();

  // (a) the database.
  try {
    seed(db_path, sink_port, opt.welcome, opt.postbacks);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tglead_load: seeding failed: %s\n", e.what());
    return 1;
  }

  // (c) the service.
  std::uint16_t port = free_port();
  std::vector<std::string> args = {binary,
                                   "serve",
                                   "--listen",
                                   "127.0.0.1:" + std::to_string(port),
                                   "--db",
                                   "sqlite:" + db_path,
                                   "--public-url",
                                   "http://x",
                                   "--telegram-api",
                                   "http://127.0.0.1:" + std::to_string(sink_port),
                                   "--allow-private-postbacks",
                                   "--log-level",
                                   "warn"};
  if (opt.workers > 0) {
    args.push_back("--workers");
    args.push_back(std::to_string(opt.workers));
  }
  for (std::size_t pos = 0; pos < opt.extra.size();) {
    std::size_t end = opt.extra.find(' ', pos);
    if (end == std::string::npos) end = opt.extra.size();
    if (end > pos) args.push_back(opt.extra.substr(pos, end - pos));
    pos = end + 1;
  }
  pid_t child = spawn(args, log_path);
  auto boot = Clock::now();
  bool healthy = false;
  while (seconds_since(boot) < opt.boot_seconds) {
    if (http_get_status(port, "/healthz") == 200) {
      healthy = true;
      break;
    }
    int status;
    if (waitpid(child, &status, WNOHANG) == child) break;
    std::this_thread::sleep_for(50ms);
  }
  if (!healthy) {
    std::fprintf(stderr, "tglead_load: the service did not become healthy; log in %s\n", log_path.c_str());
    stop_child(child);
    return 1;
  }
  std::printf("tglead_load: serve pid %d on 127.0.0.1:%u, sink on :%u, db %s\n", child, port, sink_port,
              db_path.c_str());
  std::printf("tglead_load: %ld updates over %d connections%s%s%s\n", opt.updates, opt.connections,
              opt.welcome ? ", welcome on" : ", welcome off", opt.postbacks ? ", postbacks on" : ", postbacks off",
              opt.workers > 0 ? (", workers " + std::to_string(opt.workers)).c_str() : "");
  std::fflush(stdout);

  // (d) the load.
  std::vector<ThreadResult> results(static_cast<std::size_t>(opt.connections));
  std::vector<std::thread> threads;
  std::atomic<bool> stop{false};
  auto serve_cpu0 = proc_cpu(child);
  auto self_cpu0 = proc_cpu(0);
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.max_seconds));
  for (int i = 0; i < opt.connections; ++i) {
    long quota = opt.updates / opt.connections + (i < opt.updates % opt.connections ? 1 : 0);
    threads.emplace_back(drive, i, port, quota, std::cref(opt), deadline, std::ref(stop),
                         std::ref(results[static_cast<std::size_t>(i)]));
  }
  for (auto& t : threads) t.join();
  double load_seconds = seconds_since(t0);
  auto serve_cpu1 = proc_cpu(child);
  auto self_cpu1 = proc_cpu(0);
  long postbacks_at_load_end = sink.postbacks.load();

  ThreadResult total;
  std::vector<std::uint32_t> lat;
  for (auto& r : results) {
    total.sent += r.sent;
    total.ok += r.ok;
    total.non200 += r.non200;
    total.transport_errors += r.transport_errors;
    total.duplicates_sent += r.duplicates_sent;
    total.starts += r.starts;
    total.joins += r.joins;
    total.leaves += r.leaves;
    total.kicks += r.kicks;
    total.organic += r.organic;
    total.expected_postbacks += r.expected_postbacks;
    total.reconnects += r.reconnects;
    lat.insert(lat.end(), r.latency_us.begin(), r.latency_us.end());
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) -> double {
    if (lat.empty()) return 0;
    std::size_t i = std::min(lat.size() - 1, static_cast<std::size_t>(p * static_cast<double>(lat.size())));
    return lat[i] / 1000.0;
  };
  if (!opt.postbacks) total.expected_postbacks = 0;
  double ups = static_cast<double>(total.ok) / load_seconds;
  std::printf("load: sent %ld (dup re-deliveries %ld) in %.2f s; 200: %ld, non-200: %ld, transport errors: %ld, "
              "connections opened: %ld\n",
              total.sent, total.duplicates_sent, load_seconds, total.ok, total.non200, total.transport_errors,
              total.reconnects);
  std::printf("load: %.0f updates/s durable (200); latency ms p50 %.2f p90 %.2f p99 %.2f max %.2f\n", ups, pct(0.50),
              pct(0.90), pct(0.99), lat.empty() ? 0.0 : lat.back() / 1000.0);
  double serve_user = serve_cpu1.first - serve_cpu0.first, serve_sys = serve_cpu1.second - serve_cpu0.second;
  double self_user = self_cpu1.first - self_cpu0.first, self_sys = self_cpu1.second - self_cpu0.second;
  std::printf("load: CPU during the load phase: serve %.2f s user + %.2f s sys (%.0f%% of one core, %.0f us/update); "
              "driver+sink %.2f s user + %.2f s sys\n",
              serve_user, serve_sys, 100 * (serve_user + serve_sys) / load_seconds,
              total.ok > 0 ? 1e6 * (serve_user + serve_sys) / static_cast<double>(total.ok) : 0.0, self_user, self_sys);
  std::printf("load: starts %ld joins %ld leaves %ld kicks %ld organic joins %ld; expected postbacks %ld "
              "(%ld already at the sink)\n",
              total.starts, total.joins, total.leaves, total.kicks, total.organic, total.expected_postbacks,
              postbacks_at_load_end);
  std::fflush(stdout);

  // (e) drain the postbacks.
  auto drain_start = Clock::now();
  long last_seen = -1;
  auto last_progress = Clock::now();
  while (seconds_since(drain_start) < opt.drain_seconds) {
    long n = sink.postbacks.load();
    if (n >= total.expected_postbacks) break;
    if (n != last_seen) {
      last_seen = n;
      last_progress = Clock::now();
    } else if (seconds_since(last_progress) > 30) {
      break;  // no progress for 30 s: something is stuck
    }
    std::this_thread::sleep_for(20ms);
  }
  // A short grace period to catch postbacks beyond the expected count (duplicates).
  std::this_thread::sleep_for(500ms);
  double drain_seconds = seconds_since(drain_start);
  long delivered = sink.postbacks.load();
  double first_s = sink.first_ns.load() == 0 ? 0.0 : std::chrono::duration<double>(Clock::duration(sink.first_ns.load()) - t0.time_since_epoch()).count();
  double last_s = sink.last_ns.load() == 0 ? 0.0 : std::chrono::duration<double>(Clock::duration(sink.last_ns.load()) - t0.time_since_epoch()).count();
  double pb_rate = last_s > 0 ? static_cast<double>(delivered) / last_s : 0;
  long dup_tids, dup_cs;
  {
    std::lock_guard lock(sink.mutex);
    dup_tids = sink.dup_tids;
    dup_cs = sink.dup_click_status;
  }
  std::printf("postbacks: %ld delivered of %ld expected; first at %.2f s, last at %.2f s after load start "
              "(%.0f postbacks/s from load start to last); drain waited %.2f s; duplicate tids %ld, "
              "duplicate click+status %ld; telegram calls %ld\n",
              delivered, total.expected_postbacks, first_s, last_s, pb_rate, drain_seconds, dup_tids, dup_cs,
              sink.telegram.load());

  std::string exit_text = stop_child(child);
  std::printf("serve: stopped (%s); log %s\n", exit_text.c_str(), log_path.c_str());
  sink_server.stop();

  std::printf("RESULT updates=%ld ok=%ld non200=%ld errors=%ld seconds=%.3f updates_per_s=%.0f p50_ms=%.3f "
              "p99_ms=%.3f postbacks_expected=%ld postbacks_delivered=%ld postbacks_per_s=%.0f "
              "postback_last_s=%.3f dup_postbacks=%ld connections=%d workers=%d serve_cpu_s=%.2f\n",
              total.sent, total.ok, total.non200, total.transport_errors, load_seconds, ups, pct(0.5), pct(0.99),
              total.expected_postbacks, delivered, pb_rate, last_s, dup_cs, opt.connections, opt.workers, serve_user + serve_sys);
  if (!opt.keep) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  bool ok = total.non200 == 0 && total.transport_errors == 0 && delivered == total.expected_postbacks && dup_cs == 0;
  return ok ? 0 : 1;
}
