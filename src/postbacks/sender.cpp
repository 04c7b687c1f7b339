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
    // The pause batches wake-ups from a busy webhook into one query and one commit.
    : store_(store), http_(http), options_(std::move(options)), worker_([this] { return step(); }, 5ms) {}

void PostbackSender::stop() {
  worker_.stop();
  // Let requests already on the wire finish so their outcome is recorded, not lost.
  for (int i = 0; i < 1200 && in_flight_.load() > 0; ++i) std::this_thread::sleep_for(10ms);
  std::deque<Result> rest;
  {
    std::lock_guard lock(results_mutex_);
    rest.swap(results_);
  }
  if (rest.empty()) return;
  try {
    store_.write([&](storage::WriteTx& tx) { record(tx, rest); });
  } catch (const std::exception& e) {
    spdlog::error("postback sender: {}", e.what());
  }
}

std::chrono::milliseconds PostbackSender::step() {
  std::deque<Result> finished;
  {
    std::lock_guard lock(results_mutex_);
    finished.swap(results_);
  }
  try {
    std::int64_t now = options_.clock();
    int room = options_.max_in_flight - in_flight_.load();
    std::vector<storage::DuePostback> due;
    if (room > 0) due = store_.due_postbacks(now, room);
    if (!finished.empty() || !due.empty()) {
      // One commit records what finished and marks the next ones "sending" durably
      // before any of them leaves: a crash now can never cause a second delivery.
      store_.write([&](storage::WriteTx& tx) {
        record(tx, finished);
        std::vector<std::int64_t> ids;
        ids.reserve(due.size());
        for (const auto& p : due) ids.push_back(p.id);
        tx.mark_postbacks_sending(ids);
      });
      finished.clear();
    }
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
    if (!due.empty()) return 0ms;
    if (in_flight_.load() > 0) return 1000ms;
    auto next = store_.next_postback_time();
    if (!next) return 5000ms;
    std::int64_t wait = std::clamp<std::int64_t>(*next - options_.clock(), 0, 5);
    return std::chrono::seconds(wait);
  } catch (const std::exception& e) {
    spdlog::error("postback sender: {}", e.what());
    // Results not recorded yet are kept for the next round.
    std::lock_guard lock(results_mutex_);
    results_.insert(results_.begin(), finished.begin(), finished.end());
    return 1000ms;
  }
}

void PostbackSender::record(storage::WriteTx& tx, const std::deque<Result>& results) {
  for (const auto& r : results) {
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
      if (auto delay = domain::retry_delay_seconds(options_.retry_delays, attempts, util::random_unit())) {
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
}

}  // namespace tglead::postbacks
