// Background contact imports (PRODUCT.md §8.2, issue 6): the API records a
// run as queued and hands its file over; the import runs here while the
// caller polls the run's record (crm/importer.hpp keeps it up to date).
//
// Contract: submit() returns at once. Runs execute on `threads` background
// threads, oldest first, at most one per account at a time. Files live only
// in memory, so nothing survives a restart: start() first marks runs a
// restart interrupted (still queued or running in the database) as failed,
// and stop() ends running imports at their next batch and fails queued ones
// (both recorded), then joins. An import that throws is recorded as failed;
// nothing escapes a worker thread.
// Thread-safety: submit() from any thread; start()/stop() from one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "crm/importer.hpp"
#include "storage/store.hpp"

namespace tglead::crm {

class ImportJobs {
 public:
  ImportJobs(storage::Store& store, std::function<std::int64_t()> clock, std::size_t threads = 2);
  ~ImportJobs();
  ImportJobs(const ImportJobs&) = delete;
  ImportJobs& operator=(const ImportJobs&) = delete;

  void start();
  void stop();
  // Queues an import of `data`; `options.import_id` names its run, recorded as queued by the caller.
  void submit(ImportOptions options, std::string data);

 private:
  struct Job {
    ImportOptions options;
    std::string data;
  };
  void work();
  void run(Job& job);
  void fail(const ImportOptions& options, const std::string& reason);

  storage::Store& store_;
  std::function<std::int64_t()> clock_;
  std::size_t thread_count_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::unordered_set<std::int64_t> busy_accounts_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tglead::crm
