// A background thread that runs one step function repeatedly, sleeping
// between steps until woken or until the delay the step asked for elapses.
//
// Contract: `step` runs only on the worker's thread and returns how long to
// sleep at most; with a `min_pause`, consecutive steps are at least that far
// apart even when woken, so a burst of wake-ups costs one step, not one each. wake() and stop() are thread-safe; stop()
// waits for the current step to finish and joins; the destructor stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace tglead::util {

class Worker {
 public:
  using Step = std::function<std::chrono::milliseconds()>;

  explicit Worker(Step step, std::chrono::milliseconds min_pause = std::chrono::milliseconds(0))
      : step_(std::move(step)), min_pause_(min_pause) {}
  ~Worker() { stop(); }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start() {
    thread_ = std::thread([this] { run(); });
  }

  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    cv_.notify_one();
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        woken_ = false;
      }
      auto delay = step_();
      std::unique_lock lock(mutex_);
      if (min_pause_.count() > 0 && cv_.wait_for(lock, min_pause_, [this] { return stopping_; })) return;
      cv_.wait_for(lock, delay, [this] { return stopping_ || woken_; });
    }
  }

  Step step_;
  std::chrono::milliseconds min_pause_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tglead::util
