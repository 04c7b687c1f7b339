// Delivers queued postbacks to trackers (§4 "Delivery") in the background.
//
// Contract: picks due postbacks from the store (per lead strictly in
// transition order), marks them `sending` durably before the first byte
// leaves, sends them concurrently through the HttpClient (GET, 10 s timeout,
// no redirects, SSRF guard unless private targets are allowed), and records
// every attempt with its outcome: 2xx sent; transport errors, 408, 429 and
// 5xx retried with backoff; anything else failed. Never touches the webhook
// path. start()/stop()/wake() are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "domain/retry_policy.hpp"
#include "net/http_client.hpp"
#include "storage/store.hpp"
#include "util/worker.hpp"

namespace tglead::postbacks {

struct SenderOptions {
  bool allow_private = false;
  int max_in_flight = 256;
  long timeout_ms = 10000;
  std::function<std::int64_t()> clock;
  // Seconds to wait before retries 1, 2, ... (jittered ±10 %); once used up, failed.
  std::vector<std::int64_t> retry_delays{domain::default_retry_delays().begin(), domain::default_retry_delays().end()};
};

class PostbackSender {
 public:
  PostbackSender(storage::Store& store, net::HttpClient& http, SenderOptions options);
  void start() { worker_.start(); }
  void stop();
  void wake() { worker_.wake(); }

 private:
  struct Result {
    storage::DuePostback postback;
    net::HttpResponse response;
    std::int64_t time = 0;
  };

  std::chrono::milliseconds step();
  // Records finished attempts; call inside a write unit.
  void record(storage::WriteTx& tx, const std::deque<Result>& results);

  storage::Store& store_;
  net::HttpClient& http_;
  SenderOptions options_;
  std::atomic<int> in_flight_{0};
  std::mutex results_mutex_;
  std::deque<Result> results_;
  util::Worker worker_;
};

}  // namespace tglead::postbacks
