// Delivers queued postbacks to trackers (§4 "Delivery") in the background.
//
// Contract: picks due postbacks from the store (per lead strictly in
// transition order), marks them `sending` durably before the first byte
// leaves, sends them concurrently through the HttpClient (GET, 10 s timeout,
// no redirects, SSRF guard unless private targets are allowed), and records
// every attempt with its outcome: 2xx sent; transport errors, 408, 429 and
// 5xx retried after the configured delays; anything else failed. At most
// max_in_flight postbacks are `sending` at once; at most prefetch more due
// ones wait in memory, still `pending` in the store. Never touches the
// webhook path. start()/stop()/wake() are thread-safe.
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
  // Due postbacks fetched per look-up and kept until slots free up: a backlog
  // then costs one look-up per `prefetch` postbacks instead of one per round.
  int prefetch = 4096;
};

class PostbackSender {
 public:
  PostbackSender(storage::Store& store, net::HttpClient& http, SenderOptions options);
  void start() { worker_.start(); }
  void stop();
  void wake() { worker_.wake(); }

 private:
  struct Result {
    std::int64_t id = 0;
    int attempts = 0;  // before this one
    net::HttpResponse response;
    std::int64_t time = 0;
  };

  std::chrono::milliseconds step();
  // Records finished attempts; call inside a write unit.
  void record(storage::WriteTx& tx, const std::vector<Result>& results);

  storage::Store& store_;
  net::HttpClient& http_;
  SenderOptions options_;
  // Due heads of their leads, in delivery order, not marked yet; worker thread only.
  std::deque<storage::DuePostback> due_;
  std::atomic<int> in_flight_{0};
  std::mutex results_mutex_;
  std::vector<Result> results_;
  util::Worker worker_;
};

}  // namespace tglead::postbacks
