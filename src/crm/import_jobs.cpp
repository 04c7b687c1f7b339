#include "crm/import_jobs.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tglead::crm {

ImportJobs::ImportJobs(storage::Store& store, std::function<std::int64_t()> clock, std::size_t threads)
    : store_(store), clock_(std::move(clock)), thread_count_(std::max<std::size_t>(1, threads)) {}

ImportJobs::~ImportJobs() { stop(); }

void ImportJobs::start() {
  int interrupted = 0;
  store_.write([&](storage::WriteTx& tx) {
    interrupted =
        tx.fail_unfinished_contact_imports(clock_(), "interrupted by a restart of the service; import the file again");
  });
  if (interrupted > 0) spdlog::warn("{} contact import(s) interrupted by the last shutdown marked failed", interrupted);
  started_ = true;
  for (std::size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { work(); });
}

void ImportJobs::stop() {
  std::deque<Job> dropped;
  {
    std::lock_guard lock(mutex_);
    if (stopping_.exchange(true)) return;
    dropped.swap(queue_);
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  for (const auto& job : dropped) fail(job.options, "the service stopped before the import started");
}

void ImportJobs::submit(ImportOptions options, std::string data) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Job{std::move(options), std::move(data)});
      cv_.notify_one();
      return;
    }
  }
  fail(options, "the service is stopping; import the file again");
}

void ImportJobs::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      std::deque<Job>::iterator next;
      cv_.wait(lock, [&] {
        if (stopping_) return true;
        next = std::find_if(queue_.begin(), queue_.end(),
                            [&](const Job& j) { return !busy_accounts_.count(j.options.user_id); });
        return next != queue_.end();
      });
      if (stopping_) return;
      job = std::move(*next);
      queue_.erase(next);
      busy_accounts_.insert(job.options.user_id);
    }
    run(job);
    {
      std::lock_guard lock(mutex_);
      busy_accounts_.erase(job.options.user_id);
    }
    cv_.notify_all();  // the account's next run may go now
  }
}

void ImportJobs::run(Job& job) {
  job.options.stop = &stopping_;
  job.options.clock = clock_;
  try {
    ImportReport report = import_contacts(store_, job.data, job.options);
    spdlog::info("contact import {} of account {}: {} rows, {} created, {} updated, {} errors{}{}", report.import_id,
                 job.options.user_id, report.rows, report.created, report.updated, report.error_count,
                 report.fatal.empty() ? "" : "; stopped: ", report.fatal);
  } catch (const std::exception& e) {
    spdlog::error("contact import {}: {}", job.options.import_id, e.what());
    fail(job.options, std::string("internal error: ") + e.what());
  }
}

void ImportJobs::fail(const ImportOptions& options, const std::string& reason) {
  try {
    store_.write([&](storage::WriteTx& tx) {
      auto rec = tx.contact_import(options.user_id, options.import_id);
      if (!rec || (rec->state != "queued" && rec->state != "running")) return;
      rec->state = "failed";
      rec->fatal = reason;
      rec->finished = clock_();
      tx.update_contact_import(*rec);
    });
  } catch (const std::exception& e) {
    spdlog::error("contact import {}: cannot record its failure: {}", options.import_id, e.what());
  }
}

}  // namespace tglead::crm
