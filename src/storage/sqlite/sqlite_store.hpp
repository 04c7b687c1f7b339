// The SQLite implementation of storage::Store.
//
// Contract: as storage::Store. One writer thread owns the only read-write
// connection and commits queued write units in batches (one BEGIN IMMEDIATE …
// COMMIT for many units, each inside its own SAVEPOINT so a failing unit rolls
// back alone). Readers borrow connections from a pool. Segment counts are
// answered from an in-memory copy of the workspace's contacts, brought up to
// date from the contact change log at every count and dropped after 10 idle
// minutes (crm/contact_columns.hpp); a plain total while no copy is held is
// counted by SQL instead of loading one. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "crm/contact_columns.hpp"
#include "storage/store.hpp"

namespace tglead::storage::sqlite {

class Db;

// Applies pending migrations to the database file; returns the version reached.
int migrate(const std::string& path);

// How the store's writer commits; the defaults suit the service.
struct WriterOptions {
  std::size_t max_batch = 512;  // write units per transaction
  // WAL pages after which a commit copies them into the database file. A bulk writer (the CLI
  // import) raises it: pages that consecutive units rewrite are then copied once, not per unit.
  int checkpoint_pages = 1000;
  // The writer's page cache. Dedup look-ups and writes of a large import touch pages all over the
  // contacts' tables and indexes, and a page read again after its eviction costs a read from the
  // OS; a bulk writer raises it to hold the whole of a database of a few million contacts (the
  // cache only grows as pages are read, so a small database never uses it all).
  int cache_mib = 256;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::string path, WriterOptions options = {});
  ~SqliteStore() override;

  void write(std::function<void(WriteTx&)> unit) override;

  std::optional<domain::User> user_by_key(std::string_view api_key) override;
  std::optional<domain::User> user_by_email(std::string_view email) override;
  std::optional<domain::User> user_by_id(std::int64_t id) override;
  std::optional<domain::User> user_by_transfer_token(std::string_view token) override;
  std::optional<domain::Bot> bot(std::int64_t bot_id) override;
  std::vector<domain::Bot> bots_of_user(std::int64_t user_id) override;
  std::vector<domain::Bot> connected_bots() override;
  std::vector<domain::Chat> chats_of_bot(std::int64_t bot_id) override;
  std::optional<domain::Chat> chat(std::int64_t bot_id, std::int64_t chat_id) override;
  std::optional<domain::Campaign> campaign(std::int64_t id) override;
  std::vector<domain::Campaign> campaigns_of_user(std::int64_t user_id, std::optional<bool> active) override;
  std::vector<domain::Lead> leads(const LeadFilter& filter, std::int64_t* total) override;
  void each_lead(const LeadFilter& filter, const std::function<void(const domain::Lead&)>& row) override;
  std::optional<domain::Lead> lead_by_id(std::int64_t id) override;
  std::vector<domain::Postback> postbacks_of_lead(std::int64_t lead_id) override;
  std::vector<domain::JournalEntry> journal(const JournalFilter& filter, std::int64_t* total) override;
  StatsCounts stats_summary(const StatsScope& scope, std::int64_t from, std::int64_t to) override;
  std::vector<DayCounts> stats_series(const StatsScope& scope, std::int64_t first_day, std::int64_t last_day,
                                      std::int64_t today) override;
  std::vector<std::pair<std::int64_t, std::int64_t>> missing_rollups(std::int64_t today, int max) override;
  std::vector<domain::Notice> notices(std::int64_t user_id) override;
  std::optional<domain::Session> session(std::string_view token_hash, std::int64_t now) override;
  std::vector<ReconcileTarget> reconcile_targets(std::int64_t since, std::int64_t after_lead_id, int max) override;
  std::vector<DuePostback> due_postbacks(std::int64_t now, int max) override;
  std::vector<TelegramJob> due_telegram_jobs(std::int64_t now, int max) override;
  std::optional<std::int64_t> next_postback_time() override;
  std::optional<std::int64_t> next_telegram_time() override;
  std::vector<crm::Contact> contacts(const ContactFilter& filter, std::int64_t* total) override;
  std::optional<crm::Contact> contact(std::int64_t user_id, std::int64_t id) override;
  std::vector<crm::HistoryEntry> contact_history(std::int64_t user_id, std::int64_t contact_id, int max) override;
  std::vector<crm::Tag> tags(std::int64_t user_id) override;
  // Contact import runs (issue 6).
  std::vector<ContactImportRecord> contact_imports(std::int64_t user_id, std::int64_t limit, std::int64_t offset,
                                                   std::int64_t* total) override;
  std::optional<ContactImportRecord> contact_import(std::int64_t user_id, std::int64_t id) override;
  void each_contact_import_error(std::int64_t import_id,
                                 const std::function<void(const ContactImportError&)>& row) override;
  std::vector<crm::FieldDefinition> fields(std::int64_t user_id) override;
  std::vector<crm::Segment> segments(std::int64_t user_id) override;
  std::optional<crm::Segment> segment(std::int64_t user_id, std::int64_t id) override;
  std::int64_t count_contacts(const ContactFilter& filter) override;

  // Contact crawling (§8.2).
  std::vector<Crawl> crawls(std::int64_t user_id, std::optional<CrawlKind> kind, std::int64_t limit,
                            std::int64_t offset, std::int64_t* total) override;
  std::optional<Crawl> crawl(std::int64_t user_id, std::int64_t id) override;
  std::optional<Crawl> export_crawl(std::int64_t user_id, std::string_view source_hash) override;
  std::vector<CrawlMember> crawl_members(std::int64_t user_id, std::int64_t crawl_id, std::int64_t limit,
                                         std::int64_t offset, std::int64_t* total) override;

 private:
  struct Unit {
    std::function<void(WriteTx&)> fn;
    std::promise<void> done;
  };
  class Reader;
  struct WorkspaceColumns;

  Reader read();
  void evict_idle_columns(std::chrono::steady_clock::time_point now);  // columns_mutex_ held
  bool columns_held(std::int64_t user_id);
  std::shared_ptr<WorkspaceColumns> columns_of(std::int64_t user_id);
  std::int64_t count_in_columns(const ContactFilter& filter);
  // The filter's rules and member lists evaluated on the workspace's columns, brought up to date
  // first: `evaluate` runs with the columns locked.
  using ColumnsQuery = std::function<void(const crm::ContactColumns&, const std::vector<crm::SegmentRule>&,
                                          const std::vector<crm::MemberList>&)>;
  void query_columns(const ContactFilter& filter, const ColumnsQuery& evaluate);
  void writer_loop();

  std::string path_;
  WriterOptions options_;
  std::unique_ptr<Db> writer_db_;
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Unit> queue_;
  bool stopping_ = false;
  std::thread writer_;

  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Db>> pool_;

  std::mutex columns_mutex_;
  std::unordered_map<std::int64_t, std::shared_ptr<WorkspaceColumns>> columns_;
};

}  // namespace tglead::storage::sqlite
