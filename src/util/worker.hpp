// A background thread that runs one step function repeatedly, sleeping
// between steps until woken or until the delay the step asked for elapses.
//
// Contract: `step` runs only on the worker's thread and returns how long to
// sleep at most. wake() and stop() are thread-safe; stop() waits for the
// current step to finish and joins; the destructor stops.
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

  explicit Worker(Step step) : step_(std::move(step)) {}
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
      cv_.wait_for(lock, delay, [this] { return stopping_ || woken_; });
    }
  }

  Step step_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tglead::util
