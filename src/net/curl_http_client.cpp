#include "net/curl_http_client.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "net/address_policy.hpp"

namespace tglead::net {
namespace {

using Done = std::function<void(HttpResponse)>;

struct Job {
  HttpRequest request;
  Done done;
};

// Everything a running transfer points to through curl callbacks; it stays at
// a fixed address (owned by unique_ptr) from curl_multi_add_handle until the
// handle is removed.
struct Transfer {
  CURL* easy = nullptr;
  HttpRequest request;
  Done done;
  curl_slist* headers = nullptr;
  std::string body;
  std::string blocked;  // why the SSRF guard refused an address, if it did
  char error_buffer[CURL_ERROR_SIZE] = {};
};

void ensure_curl_global_init() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) throw std::runtime_error(std::string("curl_global_init: ") + curl_easy_strerror(code));
}

void complete(const Done& done, HttpResponse response) {
  // An exception escaping here would end the client thread and every transfer with it.
  try {
    done(std::move(response));
  } catch (const std::exception& e) {
    spdlog::error("http client: completion callback threw: {}", e.what());
  } catch (...) {
    spdlog::error("http client: completion callback threw");
  }
}

HttpResponse error_response(std::string reason) {
  HttpResponse response;
  response.error = std::move(reason);
  return response;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t total = size * count;
  const std::size_t room = t->request.max_response_bytes - std::min(t->body.size(), t->request.max_response_bytes);
  t->body.append(data, std::min(total, room));
  return total;  // keep reading: the rest is dropped, not an error
}

std::string address_text(const sockaddr* addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, text, sizeof text);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, text, sizeof text);
  } else {
    return "family " + std::to_string(addr->sa_family);
  }
  return text;
}

// New connections: the address curl resolved (any spelling of the host, any
// DNS answer) is judged right before the socket exists.
curl_socket_t open_guarded_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && !is_public_address(&address->addr)) {
    t->blocked = "address not allowed: " + address_text(&address->addr);
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// Reused connections skip the open-socket hook, and the pool may hold one that
// an unguarded request opened to a private address for the same host name.
int check_before_request(void* user, char* primary_ip, char*, int, int) {
  auto* t = static_cast<Transfer*>(user);
  if (is_public_ip_literal(primary_ip).value_or(false)) return CURL_PREREQFUNC_OK;
  t->blocked = std::string("address not allowed: ") + primary_ip;
  return CURL_PREREQFUNC_ABORT;
}

std::string describe_failure(CURLcode code, const Transfer& t) {
  if (!t.blocked.empty() && (code == CURLE_COULDNT_CONNECT || code == CURLE_ABORTED_BY_CALLBACK)) {
    return t.blocked;
  }
  if (code == CURLE_OPERATION_TIMEDOUT) return "timeout";
  if (code == CURLE_COULDNT_CONNECT) {
    long os_errno = 0;
    curl_easy_getinfo(t.easy, CURLINFO_OS_ERRNO, &os_errno);
    if (os_errno == ECONNREFUSED) return "connection refused";
  }
  if (t.error_buffer[0] != '\0') return t.error_buffer;
  return curl_easy_strerror(code);
}

}  // namespace

class CurlHttpClient::Impl {
 public:
  explicit Impl(Options options) : options_(std::move(options)) {
    ensure_curl_global_init();
    options_.max_in_flight = std::max<std::size_t>(options_.max_in_flight, 1);
    multi_ = curl_multi_init();
    if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
    // curl's default cache (4 connections per transfer running) shrinks as a burst
    // ends and closes the keep-alive connections the next burst to the same tracker
    // needs, so many postbacks paid a new TCP (and TLS) handshake.
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_in_flight));
    thread_ = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    thread_.join();
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);
  }

  void submit(HttpRequest request, Done done) {
    {
      std::lock_guard lock(mutex_);
      if (!stopping_) {
        pending_.push_back(Job{std::move(request), std::move(done)});
        curl_multi_wakeup(multi_);
        return;
      }
    }
    complete(done, error_response("shutdown"));
  }

 private:
  void run() {
    for (;;) {
      std::deque<Job> batch;
      {
        std::lock_guard lock(mutex_);
        if (stopping_) break;
        while (!pending_.empty() && active_.size() + batch.size() < options_.max_in_flight) {
          batch.push_back(std::move(pending_.front()));
          pending_.pop_front();
        }
      }
      for (auto& job : batch) start(std::move(job));

      int running = 0;
      curl_multi_perform(multi_, &running);
      const bool freed_slots = collect_finished();

      if (freed_slots) {
        std::lock_guard lock(mutex_);
        if (!pending_.empty()) continue;  // start queued work before sleeping
      }
      // curl shortens the wait to its own next timeout; submit() and the
      // destructor interrupt it with curl_multi_wakeup.
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    abandon_all();
  }

  void start(Job job) {
    CURL* easy = nullptr;
    if (!idle_.empty()) {
      easy = idle_.back();
      idle_.pop_back();
    } else {
      easy = curl_easy_init();
      if (easy == nullptr) {
        complete(job.done, error_response("curl_easy_init failed"));
        return;
      }
    }
    auto t = std::make_unique<Transfer>();
    t->easy = easy;
    t->request = std::move(job.request);
    t->done = std::move(job.done);

    CURLcode code = configure(*t);
    if (code == CURLE_OK && curl_multi_add_handle(multi_, easy) != CURLM_OK) code = CURLE_FAILED_INIT;
    if (code != CURLE_OK) {
      HttpResponse response = error_response(describe_failure(code, *t));
      recycle(*t);
      complete(t->done, std::move(response));
      return;
    }
    active_.emplace(easy, std::move(t));
  }

  CURLcode configure(Transfer& t) {
    CURL* easy = t.easy;
    const HttpRequest& r = t.request;
    CURLcode code = CURLE_OK;
    auto set = [&](CURLoption option, auto value) {
      if (code == CURLE_OK) code = curl_easy_setopt(easy, option, value);
    };
    set(CURLOPT_ERRORBUFFER, t.error_buffer);
    set(CURLOPT_PRIVATE, static_cast<void*>(&t));
    set(CURLOPT_URL, r.url.c_str());
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    set(CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
    set(CURLOPT_MAXREDIRS, 5L);
    set(CURLOPT_TIMEOUT_MS, r.timeout_ms);
    set(CURLOPT_USERAGENT, options_.user_agent.c_str());
    set(CURLOPT_WRITEFUNCTION, &on_body);
    set(CURLOPT_WRITEDATA, static_cast<void*>(&t));

    // An empty "Expect:" stops curl from waiting for "100 Continue" on large
    // bodies, a round trip (or a full second with servers that never send it).
    t.headers = curl_slist_append(t.headers, "Expect:");
    for (const auto& line : r.headers) {
      // A header value must never smuggle a second header or a body.
      if (line.find_first_of("\r\n") == std::string::npos) t.headers = curl_slist_append(t.headers, line.c_str());
    }
    if (!r.content_type.empty()) {
      t.headers = curl_slist_append(t.headers, ("Content-Type: " + r.content_type).c_str());
    }
    set(CURLOPT_HTTPHEADER, t.headers);

    if (r.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
    } else if (r.method == "POST" || (r.method != "GET" && !r.body.empty())) {
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      set(CURLOPT_POSTFIELDS, r.body.data());
    }
    if (r.method != "GET" && r.method != "HEAD" && r.method != "POST") {
      set(CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }

    if (r.block_private_addresses) {
      set(CURLOPT_OPENSOCKETFUNCTION, &open_guarded_socket);
      set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(&t));
      set(CURLOPT_PREREQFUNCTION, &check_before_request);
      set(CURLOPT_PREREQDATA, static_cast<void*>(&t));
      set(CURLOPT_PROXY, "");
    }
    return code;
  }

  // Returns whether any transfer finished (and so freed an in-flight slot).
  bool collect_finished() {
    bool any = false;
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      const auto it = active_.find(message->easy_handle);
      if (it == active_.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      active_.erase(it);
      any = true;

      HttpResponse response;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &response.status);
      if (message->data.result != CURLE_OK) response.error = describe_failure(message->data.result, *t);
      response.body = std::move(t->body);
      curl_multi_remove_handle(multi_, t->easy);
      recycle(*t);
      complete(t->done, std::move(response));
    }
    return any;
  }

  void recycle(Transfer& t) {
    curl_slist_free_all(t.headers);
    t.headers = nullptr;
    curl_easy_reset(t.easy);
    idle_.push_back(t.easy);
    t.easy = nullptr;
  }

  void abandon_all() {
    for (auto& [easy, t] : active_) {
      curl_multi_remove_handle(multi_, easy);
      recycle(*t);
      complete(t->done, error_response("shutdown"));
    }
    active_.clear();
    // stopping_ is set, so submit() no longer queues: one swap empties the queue.
    std::deque<Job> left;
    {
      std::lock_guard lock(mutex_);
      left.swap(pending_);
    }
    for (auto& job : left) complete(job.done, error_response("shutdown"));
  }

  Options options_;
  CURLM* multi_ = nullptr;
  std::mutex mutex_;
  std::deque<Job> pending_;  // guarded by mutex_
  bool stopping_ = false;    // guarded by mutex_
  // Owned by the client thread only.
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;
  std::vector<CURL*> idle_;
  std::thread thread_;
};

CurlHttpClient::CurlHttpClient() : CurlHttpClient(Options{}) {}

CurlHttpClient::CurlHttpClient(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

CurlHttpClient::~CurlHttpClient() = default;

void CurlHttpClient::submit(HttpRequest request, std::function<void(HttpResponse)> done) {
  impl_->submit(std::move(request), std::move(done));
}

}  // namespace tglead::net
