// tglead_postback_bench: how fast `tglead serve` drains a backlog of due
// postbacks into a fast tracker on loopback, and how much memory it takes.
//
// What it does (everything on 127.0.0.1, every wait bounded):
//  1. starts a minimal tracker in this process: one epoll thread, HTTP/1.1
//     keep-alive, answers every request `200 ok`; it counts postbacks, checks
//     that every {tid} arrives once and that each lead's postbacks arrive in
//     transition order, and measures its own CPU time so a run shows whether
//     the tracker could have been the limit;
//  2. builds the backlog once: a fresh SQLite database seeded like tglead_load
//     (tiger account, bot, channel, campaign with templates for all statuses
//     pointing at the tracker, no welcome), then Telegram updates applied with
//     tracking::apply_update, the function the webhook handler runs, in write
//     units of 256 subscribers: per subscriber `/start CAMP42-<click>` (wait),
//     a join (approve) and for a quarter a leave (cancel), until there are
//     --postbacks postbacks queued, all due;
//  3. per run and per --binary (runs interleaved, so the binaries see the same
//     machine load): copies that database, starts `tglead serve` on the copy
//     and waits until the tracker has every postback and the database shows
//     every one `sent` with one recorded attempt. The real sender does all its
//     work: picks due rows, marks them `sending` durably, sends, records;
//  4. reports per run postbacks/s from the first request at the tracker to the
//     moment the last attempt is committed, the serve process's CPU per
//     postback, its RSS when the first postback arrives and its peak RSS
//     (VmRSS, VmHWM from /proc/<pid>/status) and the tracker's CPU; then per
//     binary the medians, and one `RESULT` line per binary.
//
// Exits 1 when a run missed or duplicated a postback, broke per-lead order or
// left a postback not `sent`.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
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
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "domain/model.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "telegram/update.hpp"
#include "tracking/tracker.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::int64_t kBotId = 7412583690;
constexpr std::int64_t kChatId = -1002381745923;
constexpr const char* kCode = "CAMP42";

struct Options {
  std::vector<std::string> binaries;
  long postbacks = 100000;
  int runs = 3;
  double drain_seconds = 300;  // bound on one run
  bool keep = false;
  std::string extra;  // extra args for `tglead serve`, space separated
};

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// ---------------------------------------------------------------- the tracker

std::string_view query_param(std::string_view target, std::string_view name) {
  std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::size_t pos = q + 1;
  while (pos < target.size()) {
    std::size_t end = target.find('&', pos);
    if (end == std::string_view::npos) end = target.size();
    std::string_view kv = target.substr(pos, end - pos);
    if (kv.size() > name.size() && kv.substr(0, name.size()) == name && kv[name.size()] == '=') {
      return kv.substr(name.size() + 1);
    }
    pos = end + 1;
  }
  return {};
}

class Tracker {
 public:
  struct Stats {
    long postbacks = 0, other = 0, duplicate_tids = 0, order_violations = 0, connections = 0;
    Clock::time_point first, last;
    std::int64_t cpu_ns = 0;
  };

  ~Tracker() { stop(); }

  std::string start() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 1024) != 0) {
      return std::string("tracker: ") + std::strerror(errno);
    }
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    add(listen_fd_);
    add(stop_fd_);
    thread_ = std::thread([this] { run(); });
    return "";
  }

  void stop() {
    if (!thread_.joinable()) return;
    std::uint64_t one = 1;
    if (write(stop_fd_, &one, sizeof one) < 0) std::perror("tracker stop");
    thread_.join();
    for (auto& [fd, conn] : conns_) close(fd);
    conns_.clear();
    close(listen_fd_);
    close(epoll_fd_);
    close(stop_fd_);
  }

  std::uint16_t port() const { return port_; }
  long postbacks() const { return postbacks_.load(); }

  // Between runs, when no request is in flight.
  void reset() {
    std::lock_guard lock(mutex_);
    stats_ = Stats{};
    tids_.clear();
    last_status_.clear();
    postbacks_.store(0);
    cpu_at_reset_ = cpu_ns_.load();
  }

  Stats stats() {
    std::lock_guard lock(mutex_);
    Stats s = stats_;
    s.cpu_ns = cpu_ns_.load() - cpu_at_reset_;
    return s;
  }

 private:
  struct Conn {
    std::string in;
    std::string out;
  };

  void add(int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }

  void run() {
    std::vector<epoll_event> events(256);
    char buf[65536];
    for (;;) {
      int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      for (int i = 0; i < n; ++i) {
        int fd = events[static_cast<std::size_t>(i)].data.fd;
        if (fd == stop_fd_) return;
        if (fd == listen_fd_) {
          accept_all();
          continue;
        }
        auto it = conns_.find(fd);
        if (it == conns_.end()) continue;
        Conn& c = it->second;
        bool closed = false;
        if (events[static_cast<std::size_t>(i)].events & EPOLLIN) {
          for (;;) {
            ssize_t got = recv(fd, buf, sizeof buf, 0);
            if (got > 0) {
              c.in.append(buf, static_cast<std::size_t>(got));
              continue;
            }
            if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
            break;
          }
          serve_requests(c);
        }
        if (!closed && !flush(fd, c)) closed = true;
        if (closed) {
          epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
          close(fd);
          conns_.erase(it);
        }
      }
      cpu_ns_.store(thread_cpu_ns());
    }
  }

  void accept_all() {
    for (;;) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      conns_.emplace(fd, Conn{});
      add(fd);
      std::lock_guard lock(mutex_);
      ++stats_.connections;
    }
  }

  // Answers every complete request in the buffer (GETs: no bodies).
  void serve_requests(Conn& c) {
    std::size_t start = 0;
    for (;;) {
      std::size_t end = c.in.find("\r\n\r\n", start);
      if (end == std::string::npos) break;
      std::string_view head(c.in.data() + start, end - start);
      std::size_t sp1 = head.find(' ');
      std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : head.find(' ', sp1 + 1);
      std::string_view target = sp2 == std::string_view::npos ? std::string_view{} : head.substr(sp1 + 1, sp2 - sp1 - 1);
      count(target);
      static constexpr std::string_view kAnswer =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
      c.out.append(kAnswer);
      start = end + 4;
    }
    c.in.erase(0, start);
  }

  void count(std::string_view target) {
    auto now = Clock::now();
    std::lock_guard lock(mutex_);
    if (target.substr(0, 4) != "/pb?") {
      ++stats_.other;
      return;
    }
    if (stats_.postbacks == 0) stats_.first = now;
    stats_.last = now;
    ++stats_.postbacks;
    if (!tids_.emplace(query_param(target, "tid")).second) ++stats_.duplicate_tids;
    std::int64_t lead = std::atoll(std::string(query_param(target, "lead")).c_str());
    int code = std::atoi(std::string(query_param(target, "code")).c_str());
    auto [it, fresh] = last_status_.try_emplace(lead, code);
    if (!fresh) {
      // wait(0) -> approve(2) -> cancel(3): each lead's codes must only grow.
      if (code <= it->second) ++stats_.order_violations;
      it->second = code;
    }
    postbacks_.fetch_add(1);
  }

  bool flush(int fd, Conn& c) {
    while (!c.out.empty()) {
      ssize_t sent = send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
        // Rare on loopback: wait for room, then continue writing.
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.fd = fd;
        epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
        return true;
      }
      c.out.erase(0, static_cast<std::size_t>(sent));
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
    return true;
  }

  int listen_fd_ = -1, epoll_fd_ = -1, stop_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::unordered_map<int, Conn> conns_;  // tracker thread only
  std::mutex mutex_;
  Stats stats_;
  std::unordered_set<std::string> tids_;
  std::unordered_map<std::int64_t, int> last_status_;
  std::atomic<long> postbacks_{0};
  std::atomic<std::int64_t> cpu_ns_{0};
  std::int64_t cpu_at_reset_ = 0;
};

// ---------------------------------------------------------------- the backlog

std::string user_json(std::int64_t id, const std::string& first) {
  return "{\"id\":" + std::to_string(id) + ",\"is_bot\":false,\"first_name\":\"" + first +
         "\",\"username\":\"u" + std::to_string(id) + "\",\"language_code\":\"ru\"}";
}

std::string start_body(std::int64_t update_id, std::int64_t sub, const std::string& first, std::int64_t date,
                       const std::string& click) {
  return "{\"update_id\":" + std::to_string(update_id) + ",\"message\":{\"message_id\":" +
         std::to_string(update_id % 1000000) + ",\"from\":" + user_json(sub, first) + ",\"chat\":{\"id\":" +
         std::to_string(sub) + ",\"first_name\":\"" + first + "\",\"type\":\"private\"},\"date\":" +
         std::to_string(date) + ",\"text\":\"/start " + kCode + "-" + click +
         "\",\"entities\":[{\"offset\":0,\"length\":6,\"type\":\"bot_command\"}]}}";
}

std::string member_body(std::int64_t update_id, std::int64_t sub, const std::string& first, std::int64_t date,
                        bool join) {
  std::string u = user_json(sub, first);
  return "{\"update_id\":" + std::to_string(update_id) +
         R"(,"chat_member":{"chat":{"id":-1002381745923,"title":"Crypto Signals Daily","type":"channel"},"from":)" +
         u + ",\"date\":" + std::to_string(date) + ",\"old_chat_member\":{\"user\":" + u + ",\"status\":\"" +
         (join ? "left" : "member") + "\"},\"new_chat_member\":{\"user\":" + u + ",\"status\":\"" +
         (join ? "member" : "left") + "\"}}}";
}

tglead::telegram::Update parse(const std::string& body) {
  auto parsed = tglead::telegram::parse_update(body);
  if (auto* e = std::get_if<tglead::telegram::ParseError>(&parsed)) throw std::runtime_error(e->message);
  return std::get<tglead::telegram::Update>(parsed);
}

struct Backlog {
  long postbacks = 0, leads = 0;
};

Backlog build_backlog(const std::string& db_path, std::uint16_t tracker_port, long wanted) {
  using namespace tglead;
  Backlog out;
  storage::sqlite::SqliteStore store(db_path);
  std::int64_t now = std::time(nullptr);
  domain::Bot bot;
  store.write([&](storage::WriteTx& tx) {
    domain::User user;
    user.email = "bench@example.com";
    user.api_key = "bench-api-key-0123456789";
    user.transfer_token = "bench-transfer";
    user.plan = domain::Plan::Tiger;
    user.paid_until = now + 30 * 86400;
    user.id = tx.insert_user(user);

    bot.id = kBotId;
    bot.user_id = user.id;
    bot.token = "7412583690:AAbenchbenchbenchbenchbenchbenchbe";
    bot.username = "subtrack_demo_bot";
    bot.name = "SubTrack";
    bot.secret = "bench-secret-0123456789abcdefXYZ";
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
    std::string tmpl = "http://127.0.0.1:" + std::to_string(tracker_port) +
                       "/pb?click={click}&status={status}&tid={tid}&code={status_code}&lead={lead}"
                       "&sub={subscriber}&t={time}&camp={campaign}";
    for (domain::LeadStatus s : domain::kAllStatuses) c.postbacks[s] = tmpl;
    tx.insert_campaign(c, now);
  });

  std::mt19937_64 rng(42);
  const char* names[] = {"Alina", "Dmitry", "Oleg", "Maria", "Пётр", "Nguyễn", "O'Brien"};
  std::int64_t update_id = 800000000, sub = 5000000000LL;
  while (out.postbacks < wanted) {
    std::vector<telegram::Update> updates;
    std::vector<int> postbacks_of_update;
    for (int i = 0; i < 256 && out.postbacks < wanted; ++i, ++sub) {
      std::string first = names[rng() % std::size(names)];
      char click[32];
      std::snprintf(click, sizeof click, "c%llx", static_cast<unsigned long long>(rng() & 0xffffffffffULL));
      std::int64_t date = now - 60;
      updates.push_back(parse(start_body(update_id++, sub, first, date, click)));
      ++out.postbacks;
      if (out.postbacks < wanted) {
        updates.push_back(parse(member_body(update_id++, sub, first, date + 1, true)));
        ++out.postbacks;
      }
      if (out.postbacks < wanted && rng() % 4 == 0) {
        updates.push_back(parse(member_body(update_id++, sub, first, date + 2, false)));
        ++out.postbacks;
      }
      ++out.leads;
    }
    store.write([&](storage::WriteTx& tx) {
      for (const auto& u : updates) {
        if (tracking::apply_update(tx, bot, u, now) != tracking::Outcome::Applied) {
          throw std::runtime_error("update " + std::to_string(u.update_id) + " not applied");
        }
      }
    });
  }
  return out;
}

// ---------------------------------------------------------------- the service

pid_t spawn(const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
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
    std::perror("execv");
    _exit(127);
  }
  return pid;
}

std::string stop_child(pid_t pid) {
  kill(pid, SIGTERM);
  auto start = Clock::now();
  int status = 0;
  while (seconds_between(start, Clock::now()) < 15) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
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
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("bind");
    std::exit(1);
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// CPU seconds (user + system) of a process so far, from /proc/<pid>/stat.
double proc_cpu_seconds(pid_t pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return 0;
  char buf[4096];
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');
  if (!p) return 0;
  unsigned long long utime = 0, stime = 0;
  int field = 2;
  for (const char* q = p + 1; *q && field < 15; ++q) {
    if (*q == ' ') {
      ++field;
      if (field == 14) utime = std::strtoull(q + 1, nullptr, 10);
      if (field == 15) stime = std::strtoull(q + 1, nullptr, 10);
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A field of /proc/<pid>/status in KiB ("VmHWM", "VmRSS"); 0 when unreadable.
long proc_status_kib(pid_t pid, const char* field) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
  if (!f) return 0;
  char line[256];
  long kib = 0;
  std::size_t len = std::strlen(field);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, field, len) == 0 && line[len] == ':') {
      kib = std::strtol(line + len + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kib;
}

// A second connection to the run's database, beside the running service (WAL); it only reads.
class DbProbe {
 public:
  explicit DbProbe(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~DbProbe() { sqlite3_close(db_); }
  DbProbe(const DbProbe&) = delete;
  DbProbe& operator=(const DbProbe&) = delete;

  long count(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    long out = -1;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      out = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

struct RunResult {
  bool ok = false;
  double rate = 0;           // postbacks/s, first request -> last attempt committed
  double seconds = 0;
  double boot_seconds = 0;   // spawn -> first request at the tracker
  double serve_cpu_us = 0;   // serve CPU per postback over the drain
  long peak_rss_kib = 0;
  long start_rss_kib = 0;    // when the first postback reached the tracker
  double tracker_cpu_us = 0; // tracker CPU per postback
  double tracker_busy = 0;   // tracker CPU / drain wall time
  std::string problems;
};

RunResult run_once(const Options& opt, const std::string& binary, const std::string& template_db,
                   const std::string& run_dir, Tracker& tracker, long expected) {
  RunResult out;
  std::filesystem::create_directories(run_dir);
  std::string db_path = run_dir + "/pb.db";
  for (const char* suffix : {"", "-wal"}) {
    std::filesystem::remove(db_path + suffix);
    if (std::filesystem::exists(template_db + suffix)) std::filesystem::copy_file(template_db + suffix, db_path + suffix);
  }
  tracker.reset();

  std::vector<std::string> args = {binary, "serve", "--listen", "127.0.0.1:" + std::to_string(free_port()),
                                   "--db", "sqlite:" + db_path, "--public-url", "http://x", "--telegram-api",
                                   "http://127.0.0.1:" + std::to_string(tracker.port()), "--allow-private-postbacks",
                                   "--reconcile-every", "0", "--log-level", "warn"};
  for (std::size_t pos = 0; pos < opt.extra.size();) {
    std::size_t end = opt.extra.find(' ', pos);
    if (end == std::string::npos) end = opt.extra.size();
    if (end > pos) args.push_back(opt.extra.substr(pos, end - pos));
    pos = end + 1;
  }
  auto spawned = Clock::now();
  pid_t child = spawn(args, run_dir + "/serve.log");
  DbProbe probe(db_path);
  auto deadline = spawned + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.drain_seconds));

  double cpu_at_first = -1;
  long last_seen = -1;
  auto last_progress = Clock::now();
  bool exited = false;
  Clock::time_point done{};
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) {
      exited = true;
      break;
    }
    long n = tracker.postbacks();
    if (n > 0 && cpu_at_first < 0) {
      cpu_at_first = proc_cpu_seconds(child);
      out.start_rss_kib = proc_status_kib(child, "VmRSS");
    }
    if (n >= expected && probe.count("SELECT count(*) FROM postbacks WHERE state IN (0, 1)") == 0) {
      done = Clock::now();
      break;
    }
    if (n != last_seen) {
      last_seen = n;
      last_progress = Clock::now();
    } else if (seconds_between(last_progress, Clock::now()) > 30) {
      break;  // no progress for 30 s: stuck
    }
    std::this_thread::sleep_for(n >= expected ? 2ms : 10ms);
  }
  double cpu_at_done = proc_cpu_seconds(child);
  out.peak_rss_kib = proc_status_kib(child, "VmHWM");
  std::string stop_text = exited ? "exited early" : stop_child(child);
  Tracker::Stats t = tracker.stats();

  long sent = probe.count("SELECT count(*) FROM postbacks WHERE state = 2");
  long attempts = probe.count("SELECT count(*) FROM postback_attempts");
  long ok_attempts = probe.count("SELECT count(*) FROM postback_attempts WHERE http_code = 200 AND error = ''");
  auto problem = [&](const std::string& p) { out.problems += (out.problems.empty() ? "" : "; ") + p; };
  if (done == Clock::time_point{}) problem(exited ? "serve exited early" : "not drained in time");
  if (t.postbacks != expected) problem("tracker got " + std::to_string(t.postbacks) + " of " + std::to_string(expected));
  if (sent != expected) problem(std::to_string(sent) + " sent of " + std::to_string(expected));
  if (attempts != expected || ok_attempts != expected) {
    problem(std::to_string(attempts) + " attempts recorded (" + std::to_string(ok_attempts) + " with 200)");
  }
  if (t.duplicate_tids != 0) problem(std::to_string(t.duplicate_tids) + " duplicate tids");
  if (t.order_violations != 0) problem(std::to_string(t.order_violations) + " per-lead order violations");
  if (!out.problems.empty()) return out;

  out.ok = true;
  out.seconds = seconds_between(t.first, done);
  out.rate = static_cast<double>(expected) / out.seconds;
  out.boot_seconds = seconds_between(spawned, t.first);
  out.serve_cpu_us = 1e6 * (cpu_at_done - std::max(cpu_at_first, 0.0)) / static_cast<double>(expected);
  out.tracker_cpu_us = 1e-3 * static_cast<double>(t.cpu_ns) / static_cast<double>(expected);
  out.tracker_busy = 1e-9 * static_cast<double>(t.cpu_ns) / out.seconds;
  std::printf("  %s: %.0f postbacks/s (%ld in %.2f s after %.2f s boot), serve CPU %.0f us/postback, RSS %.1f MiB "
              "at the first postback, peak %.1f MiB, tracker CPU %.1f us/postback (%.0f%% of one core), %ld tracker "
              "connections; serve %s\n",
              binary.c_str(), out.rate, expected, out.seconds, out.boot_seconds, out.serve_cpu_us,
              static_cast<double>(out.start_rss_kib) / 1024.0, static_cast<double>(out.peak_rss_kib) / 1024.0,
              out.tracker_cpu_us, 100 * out.tracker_busy,
              t.connections, stop_text.c_str());
  std::fflush(stdout);
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void usage() {
  std::fprintf(stderr,
               "usage: tglead_postback_bench [--binary build/tglead]... [--postbacks 100000] [--runs 3]\n"
               "                             [--drain-seconds 300] [--keep] [--serve-args \"...\"]\n"
               "  several --binary: runs alternate between them (side-by-side comparison)\n");
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
    if (a == "--binary") opt.binaries.push_back(next());
    else if (a == "--postbacks") opt.postbacks = std::stol(next());
    else if (a == "--runs") opt.runs = std::stoi(next());
    else if (a == "--drain-seconds") opt.drain_seconds = std::stod(next());
    else if (a == "--keep") opt.keep = true;
    else if (a == "--serve-args") opt.extra = next();
    else {
      usage();
      return 2;
    }
  }
  if (opt.binaries.empty()) opt.binaries.push_back("build/tglead");
  if (opt.postbacks < 1 || opt.runs < 1) {
    usage();
    return 2;
  }
  for (auto& b : opt.binaries) {
    b = std::filesystem::absolute(b).string();
    if (access(b.c_str(), X_OK) != 0) {
      std::fprintf(stderr, "tglead_postback_bench: %s is not executable\n", b.c_str());
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  spdlog::set_level(spdlog::level::warn);

  char dir_template[] = "/tmp/tglead_pb_bench.XXXXXX";
  if (!mkdtemp(dir_template)) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string dir = dir_template;

  Tracker tracker;
  if (auto err = tracker.start(); !err.empty()) {
    std::fprintf(stderr, "tglead_postback_bench: %s\n", err.c_str());
    return 1;
  }

  std::string template_db = dir + "/backlog.db";
  auto t0 = Clock::now();
  Backlog backlog;
  try {
    backlog = build_backlog(template_db, tracker.port(), opt.postbacks);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tglead_postback_bench: building the backlog failed: %s\n", e.what());
    return 1;
  }
  std::printf("tglead_postback_bench: backlog of %ld postbacks for %ld leads built in %.1f s (%s); tracker on :%u\n",
              backlog.postbacks, backlog.leads, seconds_between(t0, Clock::now()), template_db.c_str(), tracker.port());
  std::fflush(stdout);

  std::vector<std::vector<RunResult>> results(opt.binaries.size());
  bool all_ok = true;
  for (int run = 0; run < opt.runs; ++run) {
    std::printf("run %d of %d\n", run + 1, opt.runs);
    for (std::size_t b = 0; b < opt.binaries.size(); ++b) {
      std::string run_dir = dir + "/run" + std::to_string(run) + "-" + std::to_string(b);
      RunResult r = run_once(opt, opt.binaries[b], template_db, run_dir, tracker, backlog.postbacks);
      if (!r.ok) {
        all_ok = false;
        std::printf("  %s: FAILED: %s (log %s/serve.log)\n", opt.binaries[b].c_str(), r.problems.c_str(),
                    run_dir.c_str());
      }
      results[b].push_back(r);
      if (!opt.keep) {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(run_dir + "/pb.db" + suffix);
      }
    }
  }
  tracker.stop();

  for (std::size_t b = 0; b < opt.binaries.size(); ++b) {
    std::vector<double> rate, cpu, rss, start_rss, tcpu, busy;
    for (const auto& r : results[b]) {
      if (!r.ok) continue;
      rate.push_back(r.rate);
      cpu.push_back(r.serve_cpu_us);
      rss.push_back(static_cast<double>(r.peak_rss_kib) / 1024.0);
      start_rss.push_back(static_cast<double>(r.start_rss_kib) / 1024.0);
      tcpu.push_back(r.tracker_cpu_us);
      busy.push_back(r.tracker_busy);
    }
    std::printf("RESULT binary=%s postbacks=%ld runs_ok=%zu/%d postbacks_per_s=%.0f serve_cpu_us=%.0f "
                "start_rss_mib=%.1f peak_rss_mib=%.1f max_peak_rss_mib=%.1f tracker_cpu_us=%.1f tracker_busy=%.2f\n",
                opt.binaries[b].c_str(), backlog.postbacks, rate.size(), opt.runs, median(rate), median(cpu),
                median(start_rss), median(rss), rss.empty() ? 0.0 : *std::max_element(rss.begin(), rss.end()), median(tcpu),
                median(busy));
  }
  if (!opt.keep) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  } else {
    std::printf("kept %s\n", dir.c_str());
  }
  return all_ok ? 0 : 1;
}
