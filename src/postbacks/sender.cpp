#include "postbacks/sender.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "domain/retry_policy.hpp"
#include "util/random.hpp"

namespace tglead::postbacks {

using namespace std::chrono_literals;
using domain::PostbackState;

namespace {

constexpr std::size_t kStoredBodyBytes = 1024;

}  // namespace

PostbackSender::PostbackSender(storage::Store& store, net::HttpClient& http, SenderOptions options)
    : store_(store), http_(http), options_(std::move(options)), worker_([this] { return step(); }) {}

void PostbackSender::stop() {
  worker_.stop();
  // Let requests already on the wire finish so their outcome is recorded, not lost.
  for (int i = 0; i < 1200 && in_flight_.load() > 0; ++i) std::this_thread::sleep_for(10ms);
  std::deque<Result> rest;
  {
    std::lock_guard lock(results_mutex_);
    rest.swap(results_);
  }
  record(rest);
}

std::chrono::milliseconds PostbackSender::step() {
  std::deque<Result> finished;
  {
    std::lock_guard lock(results_mutex_);
    finished.swap(results_);
  }
  try {
    record(finished);

    std::int64_t now = options_.clock();
    int room = options_.max_in_flight - in_flight_.load();
    if (room > 0) {
      auto due = store_.due_postbacks(now, room);
      if (!due.empty()) {
        std::vector<std::int64_t> ids;
        ids.reserve(due.size());
        for (const auto& p : due) ids.push_back(p.id);
        // Durably "sending" before any request leaves: a crash now can never cause a second delivery.
        store_.write([&](storage::WriteTx& tx) { tx.mark_postbacks_sending(ids); });
        for (auto& p : due) {
          net::HttpRequest request;
          request.url = p.url;
          request.timeout_ms = options_.timeout_ms;
          request.follow_redirects = false;
          request.block_private_addresses = !options_.allow_private;
          request.max_response_bytes = kStoredBodyBytes;
          in_flight_.fetch_add(1);
          http_.submit(std::move(request), [this, p](net::HttpResponse response) {
            {
              std::lock_guard lock(results_mutex_);
              results_.push_back(Result{p, std::move(response), options_.clock()});
            }
            in_flight_.fetch_sub(1);
            worker_.wake();
          });
        }
        return 0ms;
      }
    }
    if (in_flight_.load() > 0) return 1000ms;
    auto next = store_.next_postback_time();
    if (!next) return 5000ms;
    std::int64_t wait = std::clamp<std::int64_t>(*next - options_.clock(), 0, 5);
    return std::chrono::seconds(wait);
  } catch (const std::exception& e) {
    spdlog::error("postback sender: {}", e.what());
    return 1000ms;
  }
}

void PostbackSender::record(std::deque<Result>& results) {
  if (results.empty()) return;
  store_.write([&](storage::WriteTx& tx) {
    for (auto& r : results) {
      domain::PostbackAttempt attempt;
      attempt.time = r.time;
      attempt.http_code = r.response.status;
      attempt.body = r.response.body.substr(0, kStoredBodyBytes);
      attempt.error = r.response.error;
      int attempts = r.postback.attempts + 1;
      PostbackState state = PostbackState::Failed;
      std::string reason;
      std::int64_t next_attempt = 0;
      bool refused = r.response.error.rfind("address not allowed", 0) == 0;
      if (r.response.transport_ok() && r.response.status >= 200 && r.response.status < 300) {
        state = PostbackState::Sent;
      } else if (!refused && (!r.response.transport_ok() || domain::is_retryable_http_status(r.response.status))) {
        if (auto delay = domain::retry_delay_seconds(attempts, util::random_unit())) {
          state = PostbackState::Pending;
          next_attempt = r.time + *delay;
        } else {
          reason = "gave up after " + std::to_string(attempts) + " attempts";
        }
      } else {
        reason = refused ? r.response.error : "tracker answered HTTP " + std::to_string(r.response.status);
      }
      tx.record_postback_attempt(r.postback.id, attempt, state, next_attempt, reason);
    }
  });
  results.clear();
}

}  // namespace tglead::postbacks
