// The storage interface: everything tglead keeps, behind one abstraction with
// an SQLite implementation (default) and room for PostgreSQL.
//
// Contract:
// * Reads (`Store` methods) may be called from any thread concurrently; each
//   sees the latest committed state.
// * Writes happen only inside `Store::write(fn)`: `fn` runs on the store's
//   single writer with a `WriteTx`, and everything it does commits atomically
//   or not at all (an exception from `fn` rolls back only that unit). The call
//   returns once the unit is durably committed. Units are batched into shared
//   transactions for throughput; that is invisible to callers.
// * Ownership checks are the caller's job: methods taking a `user_id` scope
//   results to that account, others trust their ids.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crm/contact.hpp"
#include "crm/fields.hpp"
#include "crm/segments.hpp"
#include "domain/model.hpp"

namespace tglead::storage {

struct LeadFilter {
  std::int64_t user_id = 0;
  std::optional<std::int64_t> campaign_id;
  std::optional<domain::LeadStatus> status;
  std::optional<std::int64_t> from;  // on start_time, inclusive
  std::optional<std::int64_t> to;
  std::int64_t limit = 50;
  std::int64_t offset = 0;
};

struct JournalFilter {
  std::int64_t bot_id = 0;
  std::int64_t chat_id = 0;
  std::optional<domain::JournalAction> action;
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> to;
  std::int64_t limit = 50;
  std::int64_t offset = 0;
};

struct StatsScope {
  std::int64_t user_id = 0;
  std::optional<std::int64_t> campaign_id;  // with its bot and chat for organic counts
  std::int64_t bot_id = 0;
  std::int64_t chat_id = 0;
};

struct StatsCounts {
  std::int64_t starts = 0, holds = 0, confirms = 0, cancels = 0, trashes = 0;
  std::int64_t organic_joins = 0, organic_leaves = 0;
};

struct DayCounts {
  std::int64_t day = 0;  // UTC midnight
  StatsCounts counts;
};

// A postback picked for delivery, with everything the sender needs.
struct DuePostback {
  std::int64_t id = 0;
  std::int64_t lead_id = 0;
  std::string url;
  int attempts = 0;
};

struct TelegramJob {
  std::int64_t id = 0;
  std::int64_t bot_id = 0;
  std::string token;
  std::string method;
  std::string payload;  // JSON object
  std::int64_t subscriber = 0;  // the private chat it targets, 0 if none
  int attempts = 0;
};

// A lead the reconciler should check with getChatMember (§3.14).
struct ReconcileTarget {
  std::int64_t lead_id = 0;
  std::int64_t subscriber = 0;
  std::int64_t bot_id = 0;
  std::string token;
  std::int64_t chat_id = 0;
};

// CRM contact listings (§8.1). `q` searches names, username, phone and Telegram id.
struct ContactFilter {
  std::int64_t user_id = 0;
  std::string q;
  std::optional<crm::Status> status;
  std::optional<crm::Source> source;
  std::optional<std::int64_t> tag_id;
  std::vector<crm::SegmentRule> rules;  // a segment's resolved rules, AND-ed with the rest
  std::int64_t limit = 50;
  std::int64_t offset = 0;
};

// One contact import run: its state, progress and report (crm/importer.hpp).
struct ContactImportRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string file_name;
  std::string mode;
  std::int64_t started = 0, finished = 0;
  std::int64_t rows = 0, created = 0, updated = 0, skipped = 0, errors = 0;
  std::string state = "running";  // queued, running, done, failed, reverted
  std::string format = "csv";     // csv, xlsx
  std::int64_t unchanged = 0, duplicates = 0;
  std::int64_t done = 0, total = 0;  // progress: bytes of the file (the sheet for XLSX) read
  std::string warnings = "[]";       // JSON array of strings
  std::string fatal;                 // why the run stopped early or failed
  std::int64_t reverted = 0;         // when it was reverted, 0 = never
  std::int64_t revert_deleted = 0, revert_changed = 0, revert_kept = 0;
};

// One line of an import's error file.
struct ContactImportError {
  std::int64_t row = 0;  // line (CSV) or sheet row (XLSX)
  std::string column;    // the file's header of the offending column; "" = the whole row
  std::string reason;
};

// A contact an import created, as its revert sees it.
struct ImportedContact {
  std::int64_t id = 0;
  std::int64_t updated = 0;
  bool merged = false;  // it absorbed another contact through a merge since
};

// Contact crawling (§8.2, crm/crawl.hpp): one crawled source, a chat the bot
// administers or a Telegram Desktop export, and its results.
enum class CrawlKind { Chat, Export };

struct Crawl {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  CrawlKind kind = CrawlKind::Chat;
  std::int64_t bot_id = 0, chat_id = 0;  // chat crawls
  std::string source_hash;               // export crawls: SHA-256 (hex) of the file
  std::string title;                     // the chat title or the export's group name
  bool active = false;                   // chat crawls: collecting what the bot sees
  // Bumped by every run that is not answered from the cache; a member is
  // recorded as a contact once per round.
  std::int64_t round = 1;
  std::int64_t started = 0, refreshed = 0, stopped = 0;  // refreshed: the last run, 0 = none yet
  std::int64_t members = 0;  // distinct members found (filled by reads)
  std::int64_t created = 0, updated = 0, unchanged = 0, skipped = 0;
  std::string report = "{}";  // export crawls: the last run's report (JSON object)
};

// A member a crawl found, with the contact that has its Telegram id (0 = none now).
struct CrawlMember {
  std::int64_t telegram_id = 0;
  std::string via;  // message, member, request, admin, export
  std::int64_t first_seen = 0, recorded = 0;
  std::int64_t contact_id = 0;
  std::string username, first_name, last_name;
};

class WriteTx {
 public:
  virtual ~WriteTx() = default;

  // Telegram update dedup (rule 11): false when already processed.
  virtual bool mark_update_seen(std::int64_t bot_id, std::int64_t update_id, std::int64_t now) = 0;

  // Accounts.
  virtual std::optional<domain::User> user(std::int64_t id) = 0;
  virtual std::int64_t insert_user(const domain::User& user) = 0;
  virtual void update_user(const domain::User& user) = 0;

  // Bots and chats.
  virtual void upsert_bot(const domain::Bot& bot) = 0;
  virtual void set_bot_status(std::int64_t bot_id, domain::BotStatus status) = 0;
  virtual void upsert_chat(const domain::Chat& chat) = 0;
  virtual void set_chat_ok(std::int64_t bot_id, std::int64_t chat_id, bool ok) = 0;
  virtual void set_chat_requests(std::int64_t bot_id, std::int64_t chat_id) = 0;
  // Recomputes 0/1 from the chats' flags; a deleted bot stays deleted.
  virtual domain::BotStatus refresh_bot_status(std::int64_t bot_id) = 0;
  virtual void migrate_chat(std::int64_t bot_id, std::int64_t old_chat_id, std::int64_t new_chat_id) = 0;
  virtual void set_subscriber_blocked(std::int64_t bot_id, std::int64_t subscriber, bool blocked,
                                      std::int64_t now) = 0;

  // Campaigns.
  virtual std::optional<domain::Campaign> campaign(std::int64_t id) = 0;
  virtual std::optional<domain::Campaign> campaign_by_code(std::int64_t bot_id, std::string_view code) = 0;
  virtual std::vector<domain::Campaign> active_campaigns_of_bot(std::int64_t bot_id) = 0;
  virtual std::vector<domain::Campaign> campaigns_of_chat(std::int64_t bot_id, std::int64_t chat_id) = 0;
  virtual std::int64_t count_active_campaigns(std::int64_t user_id) = 0;
  virtual bool code_taken(std::int64_t user_id, std::string_view code, std::int64_t except_id) = 0;
  virtual bool chat_taken(std::int64_t bot_id, std::int64_t chat_id, std::int64_t except_id) = 0;
  virtual std::int64_t insert_campaign(const domain::Campaign& campaign, std::int64_t now) = 0;
  virtual void update_campaign(const domain::Campaign& campaign, std::int64_t now) = 0;
  virtual void delete_campaign(std::int64_t id, std::int64_t now) = 0;
  virtual void set_campaign_invite_link(std::int64_t id, std::string_view link) = 0;
  // Transfers (§6.3 transfer/send): the campaign, or the bot with all its campaigns, and their history.
  virtual void move_campaign(std::int64_t campaign_id, std::int64_t from_user, std::int64_t to_user,
                             std::int64_t now) = 0;
  virtual void move_bot(std::int64_t bot_id, std::int64_t to_user) = 0;
  // Returns how many campaigns were paused.
  virtual int pause_expired_campaigns(std::int64_t now) = 0;

  // Leads, journal, transitions.
  virtual std::optional<domain::Lead> lead(std::int64_t campaign_id, std::int64_t subscriber) = 0;
  virtual std::optional<domain::Lead> lead_by_id(std::int64_t id) = 0;
  virtual std::int64_t insert_lead(const domain::Lead& lead) = 0;
  virtual void update_lead(const domain::Lead& lead) = 0;
  virtual void insert_transition(const domain::Lead& lead, domain::LeadStatus status, std::int64_t time,
                                 bool first, bool reconciled) = 0;
  virtual void insert_journal(const domain::JournalEntry& entry) = 0;
  // Organic journal rows of one subscriber in one chat dated at or after `since`, oldest first.
  virtual std::vector<domain::JournalEntry> organic_journal_since(std::int64_t bot_id, std::int64_t chat_id,
                                                                  std::int64_t subscriber, std::int64_t since) = 0;
  virtual void mark_journal_paid(const domain::JournalEntry& entry) = 0;

  // Postbacks: `postback.state` is Pending or Skipped. Returns the id.
  virtual std::int64_t insert_postback(const domain::Postback& postback) = 0;
  virtual void mark_postbacks_sending(const std::vector<std::int64_t>& ids) = 0;
  virtual void record_postback_attempt(std::int64_t id, const domain::PostbackAttempt& attempt,
                                       domain::PostbackState state, std::int64_t next_attempt,
                                       std::string_view reason) = 0;

  // Outbound Telegram calls (welcome messages, approvals, notices).
  virtual void enqueue_telegram(std::int64_t bot_id, std::string_view method, std::string_view payload,
                                std::int64_t subscriber, std::int64_t now) = 0;
  virtual void finish_telegram(std::int64_t job_id, bool done, std::int64_t next_attempt,
                               std::string_view error) = 0;

  virtual void insert_notice(std::int64_t user_id, std::string_view text, std::int64_t now) = 0;
  virtual bool dismiss_notice(std::int64_t user_id, std::int64_t notice_id) = 0;  // false: no such notice

  // Dashboard sessions.
  virtual void insert_session(const domain::Session& session, std::int64_t now) = 0;
  virtual void delete_session(std::string_view token_hash) = 0;
  virtual void delete_expired_sessions(std::int64_t now) = 0;

  // Rollups of complete past days (§6.3): computed once, dropped when a late event lands on that day.
  virtual void store_rollup(std::int64_t user_id, std::int64_t day) = 0;

  // CRM contacts (§8.1); every lookup is scoped to `user_id`. Contacts read here carry no tags.
  virtual std::optional<crm::Contact> contact(std::int64_t user_id, std::int64_t id) = 0;
  virtual std::optional<crm::Contact> contact_by_telegram_id(std::int64_t user_id, std::int64_t telegram_id) = 0;
  virtual std::optional<crm::Contact> contact_by_username(std::int64_t user_id, std::string_view username) = 0;  // any case
  virtual std::optional<crm::Contact> contact_by_phone(std::int64_t user_id, std::string_view phone) = 0;
  virtual std::int64_t insert_contact(const crm::Contact& contact) = 0;
  // Inserts `contact` only if no contact of its account holds its Telegram id, username (any
  // case) or phone; returns the new id, or 0 (nothing written) when one does.
  virtual std::int64_t insert_contact_if_new(const crm::Contact& contact) = 0;
  // insert_contact_if_new for many contacts of one account in one pass (imports). ids[i] is the
  // new id of contacts[i], or 0 when nothing was written for it: one of its identifiers is held by
  // a stored contact or by an earlier one of `contacts`.
  virtual std::vector<std::int64_t> insert_contacts_if_new(const std::vector<crm::Contact>& contacts) = 0;
  // Loads what the dedup of the account's contacts needs, so that the rows a large import writes
  // first do not wait for it; the import calls it while it reads those rows.
  virtual void warm_contact_dedup(std::int64_t user_id) = 0;
  virtual void update_contact(const crm::Contact& contact) = 0;  // every column but id, user_id, created
  // update_contact for a contact whose Telegram id, username and phone stay as stored: those
  // columns are not written, which spares their index and the dedup checks.
  virtual void update_contact_details(const crm::Contact& contact) = 0;
  virtual void delete_contact(std::int64_t user_id, std::int64_t id) = 0;  // with its tag links and history
  virtual void insert_contact_history(const crm::HistoryEntry& entry) = 0;
  // Moves tag links and history of contact `from` onto contact `to` (merge).
  virtual void move_contact_relations(std::int64_t from, std::int64_t to) = 0;
  virtual std::optional<crm::Tag> tag(std::int64_t user_id, std::int64_t tag_id) = 0;
  virtual std::optional<crm::Tag> tag_by_name(std::int64_t user_id, std::string_view name) = 0;  // any case
  virtual std::int64_t insert_tag(const crm::Tag& tag, std::int64_t now) = 0;
  virtual void delete_tag(std::int64_t user_id, std::int64_t tag_id) = 0;  // and its links
  virtual void update_tag(const crm::Tag& tag) = 0;  // name and colour
  // Tagging changes the contact (segment counts read its tags): true when newly linked.
  virtual bool tag_contact(std::int64_t user_id, std::int64_t contact_id, std::int64_t tag_id) = 0;
  virtual std::vector<std::int64_t> tag_ids_of_contact(std::int64_t contact_id) = 0;
  // Many (contact id, tag id) links at once, for contacts this unit wrote (their change is
  // logged with them); links that exist already stay as they are.
  virtual void link_tags(const std::vector<std::pair<std::int64_t, std::int64_t>>& links) = 0;
  virtual bool untag_contact(std::int64_t user_id, std::int64_t contact_id, std::int64_t tag_id) = 0;  // true when it was linked
  virtual std::int64_t insert_contact_import(const ContactImportRecord& record) = 0;
  virtual void update_contact_import(const ContactImportRecord& record) = 0;

  // Contact import runs (issue 6: background imports, error files, revert, batched dedup).
  virtual std::optional<ContactImportRecord> contact_import(std::int64_t user_id, std::int64_t id) = 0;
  // Appends rows to the run's error file, after those already stored.
  virtual void add_contact_import_errors(std::int64_t import_id, const std::vector<ContactImportError>& errors) = 0;
  // Runs still queued or running become failed with `reason` (a restart interrupted them); returns how many.
  virtual int fail_unfinished_contact_imports(std::int64_t now, std::string_view reason) = 0;
  // Contacts that import `import_id` created, in id order after `after_id`.
  virtual std::vector<ImportedContact> contacts_of_import(std::int64_t user_id, std::int64_t import_id,
                                                          std::int64_t after_id, int max) = 0;

  // CRM custom fields and segments (§8.2), scoped to `user_id`.
  virtual std::vector<crm::FieldDefinition> fields(std::int64_t user_id) = 0;  // by label
  virtual std::int64_t insert_field(const crm::FieldDefinition& field) = 0;
  // Label, description, required, options, min, max and updated; never name or type.
  virtual void update_field(const crm::FieldDefinition& field) = 0;
  virtual void delete_field(std::int64_t user_id, std::int64_t field_id) = 0;  // and its values
  virtual std::vector<std::pair<std::int64_t, crm::FieldValue>> contact_values(std::int64_t contact_id) = 0;
  virtual void set_contact_value(std::int64_t contact_id, std::int64_t field_id, const crm::FieldValue& value) = 0;
  virtual void clear_contact_value(std::int64_t contact_id, std::int64_t field_id) = 0;
  virtual std::optional<crm::Segment> segment(std::int64_t user_id, std::int64_t id) = 0;
  virtual std::optional<crm::Segment> segment_by_name(std::int64_t user_id, std::string_view name) = 0;  // any case
  virtual std::vector<crm::Segment> segments(std::int64_t user_id) = 0;  // by name
  virtual std::int64_t insert_segment(const crm::Segment& segment) = 0;
  virtual void update_segment(const crm::Segment& segment) = 0;  // every column but id, user_id, created
  virtual void delete_segment(std::int64_t user_id, std::int64_t id) = 0;

  // Contact crawling (§8.2, crm/crawl.hpp), scoped to `user_id`. chat_crawl is
  // on the webhook path for group messages: one indexed lookup.
  virtual std::optional<Crawl> crawl(std::int64_t user_id, std::int64_t id) = 0;
  virtual std::optional<Crawl> chat_crawl(std::int64_t user_id, std::int64_t bot_id, std::int64_t chat_id) = 0;
  virtual std::optional<Crawl> export_crawl(std::int64_t user_id, std::string_view source_hash) = 0;
  virtual std::int64_t insert_crawl(const Crawl& crawl) = 0;
  // Title, active, round, refreshed, stopped, the counts and the report.
  virtual void update_crawl(const Crawl& crawl) = 0;
  virtual void add_crawl_counts(std::int64_t crawl_id, std::int64_t created, std::int64_t updated,
                                std::int64_t unchanged, std::int64_t skipped) = 0;
  // True when the member is new to the crawl or was last recorded in an earlier round.
  virtual bool mark_crawl_member(std::int64_t crawl_id, std::int64_t round, std::int64_t telegram_id,
                                 std::string_view via, std::int64_t now) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs `unit` atomically on the writer; rethrows its exception after rollback.
  virtual void write(std::function<void(WriteTx&)> unit) = 0;

  virtual std::optional<domain::User> user_by_key(std::string_view api_key) = 0;
  virtual std::optional<domain::User> user_by_email(std::string_view email) = 0;
  virtual std::optional<domain::User> user_by_id(std::int64_t id) = 0;
  virtual std::optional<domain::User> user_by_transfer_token(std::string_view token) = 0;

  virtual std::optional<domain::Bot> bot(std::int64_t bot_id) = 0;
  virtual std::vector<domain::Bot> bots_of_user(std::int64_t user_id) = 0;
  virtual std::vector<domain::Bot> connected_bots() = 0;  // every bot not deleted
  virtual std::vector<domain::Chat> chats_of_bot(std::int64_t bot_id) = 0;
  virtual std::optional<domain::Chat> chat(std::int64_t bot_id, std::int64_t chat_id) = 0;

  virtual std::optional<domain::Campaign> campaign(std::int64_t id) = 0;
  virtual std::vector<domain::Campaign> campaigns_of_user(std::int64_t user_id, std::optional<bool> active) = 0;

  virtual std::vector<domain::Lead> leads(const LeadFilter& filter, std::int64_t* total) = 0;
  // Streams every matching lead (no paging) in list order, with campaign codes.
  virtual void each_lead(const LeadFilter& filter, const std::function<void(const domain::Lead&)>& row) = 0;
  virtual std::optional<domain::Lead> lead_by_id(std::int64_t id) = 0;
  virtual std::vector<domain::Postback> postbacks_of_lead(std::int64_t lead_id) = 0;
  virtual std::vector<domain::JournalEntry> journal(const JournalFilter& filter, std::int64_t* total) = 0;

  virtual StatsCounts stats_summary(const StatsScope& scope, std::int64_t from, std::int64_t to) = 0;
  // Per UTC day in [first_day, last_day]; days before `today` come from rollups when present.
  virtual std::vector<DayCounts> stats_series(const StatsScope& scope, std::int64_t first_day,
                                              std::int64_t last_day, std::int64_t today) = 0;
  // Complete days with activity but no rollup yet, for the rollup worker.
  virtual std::vector<std::pair<std::int64_t, std::int64_t>> missing_rollups(std::int64_t today, int max) = 0;

  virtual std::vector<domain::Notice> notices(std::int64_t user_id) = 0;
  virtual std::optional<domain::Session> session(std::string_view token_hash, std::int64_t now) = 0;

  // Leads in wait/hold/approve started or changed since `since`, of live bots
  // and chats, with ids above `after_lead_id`, in id order.
  virtual std::vector<ReconcileTarget> reconcile_targets(std::int64_t since, std::int64_t after_lead_id, int max) = 0;

  // Work queues for the background senders.
  virtual std::vector<DuePostback> due_postbacks(std::int64_t now, int max) = 0;
  virtual std::vector<TelegramJob> due_telegram_jobs(std::int64_t now, int max) = 0;
  virtual std::optional<std::int64_t> next_postback_time() = 0;
  virtual std::optional<std::int64_t> next_telegram_time() = 0;

  // CRM contacts, with their tag names; newest `updated` first.
  virtual std::vector<crm::Contact> contacts(const ContactFilter& filter, std::int64_t* total) = 0;
  virtual std::optional<crm::Contact> contact(std::int64_t user_id, std::int64_t id) = 0;
  virtual std::vector<crm::HistoryEntry> contact_history(std::int64_t user_id, std::int64_t contact_id, int max) = 0;
  virtual std::vector<crm::Tag> tags(std::int64_t user_id) = 0;  // by name, with contact counts

  // Contact import runs (issue 6): newest first; one run; its error file in row order.
  virtual std::vector<ContactImportRecord> contact_imports(std::int64_t user_id, std::int64_t limit,
                                                           std::int64_t offset, std::int64_t* total) = 0;
  virtual std::optional<ContactImportRecord> contact_import(std::int64_t user_id, std::int64_t id) = 0;
  virtual void each_contact_import_error(std::int64_t import_id,
                                         const std::function<void(const ContactImportError&)>& row) = 0;

  // CRM custom fields and segments (§8.2).
  virtual std::vector<crm::FieldDefinition> fields(std::int64_t user_id) = 0;  // by label
  virtual std::vector<crm::Segment> segments(std::int64_t user_id) = 0;        // by name
  virtual std::optional<crm::Segment> segment(std::int64_t user_id, std::int64_t id) = 0;
  // How many contacts match (a segment's live count).
  virtual std::int64_t count_contacts(const ContactFilter& filter) = 0;

  // Contact crawling (§8.2): crawls newest first, members most recently found first.
  virtual std::vector<Crawl> crawls(std::int64_t user_id, std::optional<CrawlKind> kind, std::int64_t limit,
                                    std::int64_t offset, std::int64_t* total) = 0;
  virtual std::optional<Crawl> crawl(std::int64_t user_id, std::int64_t id) = 0;
  virtual std::optional<Crawl> export_crawl(std::int64_t user_id, std::string_view source_hash) = 0;
  virtual std::vector<CrawlMember> crawl_members(std::int64_t user_id, std::int64_t crawl_id, std::int64_t limit,
                                                 std::int64_t offset, std::int64_t* total) = 0;
};

}  // namespace tglead::storage
