#include "postbacks/sender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

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
  std::vector<Result> rest;
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
  std::vector<Result> finished;
  {
    std::lock_guard lock(results_mutex_);
    finished.swap(results_);
  }
  try {
    const std::size_t room = static_cast<std::size_t>(std::max(options_.max_in_flight - in_flight_.load(), 0));
    if (room > 0 && due_.size() < room) {
      // Rows waiting here are still pending and still the heads of their leads (only
      // this sender moves a postback on), so a fresh look-up returns them again, in
      // order, with whatever became due since: it replaces the list.
      auto fresh = store_.due_postbacks(options_.clock(), std::max<int>(options_.prefetch, options_.max_in_flight));
      due_.assign(std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
    }
    const std::size_t take = std::min(room, due_.size());
    if (!finished.empty() || take > 0) {
      // One commit records what finished and marks the next ones "sending" durably
      // before any of them leaves: a crash now can never cause a second delivery.
      store_.write([&](storage::WriteTx& tx) {
        record(tx, finished);
        std::vector<std::int64_t> ids;
        ids.reserve(take);
        for (std::size_t i = 0; i < take; ++i) ids.push_back(due_[i].id);
        tx.mark_postbacks_sending(ids);
      });
      finished.clear();
    }
    for (std::size_t i = 0; i < take; ++i) {
      storage::DuePostback& p = due_.front();
      net::HttpRequest request;
      request.url = std::move(p.url);
      request.timeout_ms = options_.timeout_ms;
      request.follow_redirects = false;
      request.block_private_addresses = !options_.allow_private;
      request.max_response_bytes = kStoredBodyBytes;
      in_flight_.fetch_add(1);
      http_.submit(std::move(request), [this, id = p.id, attempts = p.attempts](net::HttpResponse response) {
        {
          std::lock_guard lock(results_mutex_);
          results_.push_back(Result{id, attempts, std::move(response), options_.clock()});
        }
        in_flight_.fetch_sub(1);
        worker_.wake();
      });
      due_.pop_front();
    }
    if (take > 0) return 0ms;
    if (in_flight_.load() > 0) return 1000ms;
    auto next = store_.next_postback_time();
    if (!next) return 5000ms;
    std::int64_t wait = std::clamp<std::int64_t>(*next - options_.clock(), 0, 5);
    return std::chrono::seconds(wait);
  } catch (const std::exception& e) {
    spdlog::error("postback sender: {}", e.what());
    // Results not recorded yet are kept for the next round; due rows are looked up again.
    due_.clear();
    std::lock_guard lock(results_mutex_);
    results_.insert(results_.begin(), std::make_move_iterator(finished.begin()),
                    std::make_move_iterator(finished.end()));
    return 1000ms;
  }
}

void PostbackSender::record(storage::WriteTx& tx, const std::vector<Result>& results) {
  for (const auto& r : results) {
    domain::PostbackAttempt attempt;
    attempt.time = r.time;
    attempt.http_code = r.response.status;
    attempt.body = r.response.body.substr(0, kStoredBodyBytes);
    attempt.error = r.response.error;
    int attempts = r.attempts + 1;
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
    tx.record_postback_attempt(r.id, attempt, state, next_attempt, reason);
  }
}

}  // namespace tglead::postbacks
