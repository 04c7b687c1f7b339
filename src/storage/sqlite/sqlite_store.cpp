#include "storage/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "crm/contact_columns.hpp"
#include "crm/identity_index.hpp"
#include "util/ascii.hpp"
#include "domain/welcome_json.hpp"
#include "storage/sqlite/schema.hpp"
#include "storage/sqlite/segment_sql.hpp"
#include "storage/sqlite/sql.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "util/time_format.hpp"

namespace tglead::storage::sqlite {

using namespace tglead::domain;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr auto kColumnsIdle = std::chrono::minutes(10);
// The contact change log keeps 2 days (the writer prunes it hourly); a copy reloads well before.
constexpr std::int64_t kColumnsMaxAge = 12 * 3600;
constexpr std::int64_t kChangesKept = 2 * 86400;
// The writer's identity indexes: dropped after an idle half hour, rebuilt twice a day to shed
// the entries of identifiers that changed or were deleted.
constexpr auto kIdentitiesIdle = std::chrono::minutes(30);
constexpr auto kIdentitiesMaxAge = std::chrono::hours(12);

User read_user(const Stmt& s) {
  User u;
  u.id = s.int64(0);
  u.email = s.text(1);
  u.password_hash = s.text(2);
  u.api_key = s.text(3);
  u.transfer_token = s.text(4);
  u.plan = static_cast<Plan>(s.int64(5));
  u.paid_until = s.int64(6);
  u.telegram_id = s.int64(7);
  u.timezone = s.text(8);
  for (int i = 0; i < 5; ++i) u.postbacks.by_status[i] = s.text(9 + i);
  return u;
}

Bot read_bot(const Stmt& s) {
  Bot b;
  b.id = s.int64(0);
  b.user_id = s.int64(1);
  b.token = s.text(2);
  b.username = s.text(3);
  b.name = s.text(4);
  b.secret = s.text(5);
  b.status = static_cast<BotStatus>(s.int64(6));
  return b;
}

Chat read_chat(const Stmt& s) {
  Chat c;
  c.bot_id = s.int64(0);
  c.id = s.int64(1);
  c.title = s.text(2);
  c.type = s.text(3);
  c.username = s.text(4);
  c.requests = s.int64(5) != 0;
  c.ok = s.int64(6) != 0;
  return c;
}

// Per-status texts are stored as {"approve": "...", ...}; unknown keys and non-strings are ignored.
TemplateSet texts_from_json(const std::string& text) {
  TemplateSet out;
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return out;
  for (LeadStatus status : kAllStatuses) {
    auto it = json.find(std::string(status_name(status)));
    if (it != json.end() && it->is_string()) out[status] = it->get<std::string>();
  }
  return out;
}

std::string texts_to_json(const TemplateSet& set) {
  nlohmann::json out = nlohmann::json::object();
  for (LeadStatus status : kAllStatuses) {
    if (!set[status].empty()) out[std::string(status_name(status))] = set[status];
  }
  return out.dump();
}

Campaign read_campaign(const Stmt& s) {
  Campaign c;
  c.id = s.int64(0);
  c.user_id = s.int64(1);
  c.bot_id = s.int64(2);
  c.chat_id = s.int64(3);
  c.code = s.text(4);
  c.name = s.text(5);
  c.active = s.int64(6) != 0;
  c.unsub_window = s.int64(7);
  c.approve_requests = s.int64(8) != 0;
  for (int i = 0; i < 5; ++i) c.postbacks.by_status[i] = s.text(9 + i);
  c.welcome = welcome_from_text(s.text(14));
  c.invite_link = s.text(15);
  c.warning = s.int64(16) != 0;
  c.bot_username = s.text(17);
  c.status_messages = texts_from_json(s.text(18));
  return c;
}

JournalEntry read_journal(const Stmt& s) {
  return JournalEntry{s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.text(4),
                      static_cast<JournalAction>(s.int64(5)), s.int64(6) != 0, s.int64(7)};
}

Lead read_lead(const Stmt& s) {
  Lead l;
  l.id = s.int64(0);
  l.user_id = s.int64(1);
  l.campaign_id = s.int64(2);
  l.subscriber = s.int64(3);
  l.username = s.text(4);
  l.first_name = s.text(5);
  l.last_name = s.text(6);
  l.click = s.text(7);
  l.status = static_cast<LeadStatus>(s.int64(8));
  l.start_time = s.int64(9);
  l.join_time = s.int64(10);
  l.leave_time = s.int64(11);
  l.updated = s.int64(12);
  l.reconciled = s.int64(13) != 0;
  return l;
}

crm::Contact read_contact(const Stmt& s) {
  crm::Contact c;
  c.id = s.int64(0);
  c.user_id = s.int64(1);
  c.telegram_id = s.is_null(2) ? 0 : s.int64(2);
  c.username = s.text(3);
  c.phone = s.text(4);
  c.first_name = s.text(5);
  c.last_name = s.text(6);
  c.country = s.text(7);
  c.language = s.text(8);
  c.group = s.text(9);
  c.source = crm::parse_source(s.text(10)).value_or(crm::Source::Manual);
  c.status = crm::parse_status(s.text(11)).value_or(crm::Status::Active);
  c.priority = crm::parse_priority(s.text(12)).value_or(crm::Priority::Medium);
  c.created_by = s.int64(13);
  c.import_id = s.int64(14);
  c.created = s.int64(15);
  c.updated = s.int64(16);
  return c;
}

crm::FieldDefinition read_field(const Stmt& s) {
  crm::FieldDefinition f;
  f.id = s.int64(0);
  f.user_id = s.int64(1);
  f.name = s.text(2);
  f.label = s.text(3);
  f.description = s.text(4);
  f.type = crm::parse_field_type(s.text(5)).value_or(crm::FieldType::Text);
  f.required = s.int64(6) != 0;
  auto options = nlohmann::json::parse(s.text(7), nullptr, false);
  if (options.is_array()) {
    for (const auto& o : options) {
      if (o.is_string()) f.options.push_back(o.get<std::string>());
    }
  }
  if (!s.is_null(8)) f.min = s.real(8);
  if (!s.is_null(9)) f.max = s.real(9);
  f.created = s.int64(10);
  f.updated = s.int64(11);
  return f;
}

crm::Segment read_segment(const Stmt& s) {
  return crm::Segment{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.int64(5) != 0, s.int64(6), s.int64(7)};
}

void bind_field(Stmt& stmt, int first, const crm::FieldDefinition& f) {
  stmt.bind(first, f.label);
  stmt.bind(first + 1, f.description);
  stmt.bind(first + 2, f.required);
  stmt.bind(first + 3, nlohmann::json(f.options).dump());
  if (f.min) {
    stmt.bind(first + 4, *f.min);
  } else {
    stmt.bind_null(first + 4);
  }
  if (f.max) {
    stmt.bind(first + 5, *f.max);
  } else {
    stmt.bind_null(first + 5);
  }
}

// Columns of TGLEAD_CONTACT_IMPORT_COLUMNS.
ContactImportRecord read_contact_import(const Stmt& s) {
  ContactImportRecord r;
  r.id = s.int64(0);
  r.user_id = s.int64(1);
  r.file_name = s.text(2);
  r.mode = s.text(3);
  r.started = s.int64(4);
  r.finished = s.int64(5);
  r.rows = s.int64(6);
  r.created = s.int64(7);
  r.updated = s.int64(8);
  r.skipped = s.int64(9);
  r.errors = s.int64(10);
  r.state = s.text(11);
  r.format = s.text(12);
  r.unchanged = s.int64(13);
  r.duplicates = s.int64(14);
  r.done = s.int64(15);
  r.total = s.int64(16);
  r.warnings = s.text(17);
  r.fatal = s.text(18);
  r.reverted = s.int64(19);
  r.revert_deleted = s.int64(20);
  r.revert_changed = s.int64(21);
  r.revert_kept = s.int64(22);
  return r;
}

crm::Tag read_tag(const Stmt& s) {
  crm::Tag t;
  t.id = s.int64(0);
  t.user_id = s.int64(1);
  t.name = s.text(2);
  t.colour = s.text(3);
  return t;
}

std::string_view crawl_kind_name(CrawlKind kind) { return kind == CrawlKind::Chat ? "chat" : "export"; }

Crawl read_crawl(const Stmt& s) {
  Crawl c;
  c.id = s.int64(0);
  c.user_id = s.int64(1);
  c.kind = s.text(2) == "export" ? CrawlKind::Export : CrawlKind::Chat;
  c.bot_id = s.int64(3);
  c.chat_id = s.int64(4);
  c.source_hash = s.text(5);
  c.title = s.text(6);
  c.active = s.int64(7) != 0;
  c.round = s.int64(8);
  c.started = s.int64(9);
  c.refreshed = s.int64(10);
  c.stopped = s.int64(11);
  c.created = s.int64(12);
  c.updated = s.int64(13);
  c.unchanged = s.int64(14);
  c.skipped = s.int64(15);
  c.report = s.text(16);
  c.members = s.int64(17);
  return c;
}

CrawlMember read_crawl_member(const Stmt& s) { return CrawlMember{s.int64(0), s.text(1), s.int64(2), s.int64(3)}; }

// Unknown identifiers are NULL, never 0 or '' (segment rules test them with IS NULL).
void bind_id_or_null(Stmt& stmt, int index, std::int64_t value) {
  if (value == 0) {
    stmt.bind_null(index);
  } else {
    stmt.bind(index, value);
  }
}

void bind_text_or_null(Stmt& stmt, int index, const std::string& value) {
  if (value.empty()) {
    stmt.bind_null(index);
  } else {
    stmt.bind_unowned(index, value);
  }
}

// Binds first_name .. import_id of `c`, which must outlive `stmt` (bind_unowned); returns the
// next parameter.
int bind_contact_details(Stmt& stmt, int first, const crm::Contact& c) {
  stmt.bind_unowned(first, c.first_name);
  stmt.bind_unowned(first + 1, c.last_name);
  stmt.bind_unowned(first + 2, c.country);
  stmt.bind_unowned(first + 3, c.language);
  stmt.bind_unowned(first + 4, c.group);
  stmt.bind_unowned(first + 5, crm::source_name(c.source));
  stmt.bind_unowned(first + 6, crm::status_name(c.status));
  stmt.bind_unowned(first + 7, crm::priority_name(c.priority));
  stmt.bind(first + 8, c.created_by);
  stmt.bind(first + 9, c.import_id);
  return first + 10;
}

// Binds telegram_id .. import_id (13 values) of `c`, which must outlive `stmt`, from `first`.
void bind_contact_fields(Stmt& stmt, int first, const crm::Contact& c) {
  bind_id_or_null(stmt, first, c.telegram_id);
  bind_text_or_null(stmt, first + 1, c.username);
  bind_text_or_null(stmt, first + 2, c.phone);
  bind_contact_details(stmt, first + 3, c);
}

// Segment rule parameters follow the fixed contact filter parameters ?1..?6.
constexpr int kFirstRuleParam = 7;

std::string contact_where(const ContactFilter& f, const SqlFilter& rules) {
  // The unary + keeps user_id from choosing an index (segment_sql.hpp, drive_by_ids).
  std::string where = rules.drive_by_ids ? " WHERE +ct.user_id = ?1" : " WHERE ct.user_id = ?1";
  if (!f.q.empty()) {
    where +=
        " AND (ct.first_name LIKE ?2 ESCAPE '\\' OR ct.last_name LIKE ?2 ESCAPE '\\' OR ct.username LIKE ?2 ESCAPE '\\'"
        " OR ct.phone LIKE ?2 ESCAPE '\\' OR CAST(ct.telegram_id AS TEXT) = ?3"
        " OR (ct.first_name || ' ' || ct.last_name) LIKE ?2 ESCAPE '\\')";
  }
  if (f.status) where += " AND ct.status = ?4";
  if (f.source) where += " AND ct.source = ?5";
  if (f.tag_id) where += " AND EXISTS (SELECT 1 FROM contact_tags x WHERE x.contact_id = ct.id AND x.tag_id = ?6)";
  return where + rules.sql;
}

void bind_contact_filter(Stmt& stmt, const ContactFilter& f, const SqlFilter& rules) {
  stmt.bind(1, f.user_id);
  if (!f.q.empty()) {
    std::string q = f.q;
    if (!q.empty() && q.front() == '@') q.erase(0, 1);
    std::string like = "%";
    for (char c : q) {
      if (c == '%' || c == '_' || c == '\\') like += '\\';
      like += c;
    }
    like += '%';
    stmt.bind(2, like);
    stmt.bind(3, q);
  }
  if (f.status) stmt.bind(4, crm::status_name(*f.status));
  if (f.source) stmt.bind(5, crm::source_name(*f.source));
  if (f.tag_id) stmt.bind(6, *f.tag_id);
  int index = kFirstRuleParam;
  for (const auto& value : rules.values) std::visit([&](const auto& v) { stmt.bind(index++, v); }, value);
}

template <typename T, typename Reader, typename... Args>
std::optional<T> one(Db& db, const char* query, Reader reader, const Args&... args) {
  auto stmt = db.prepare(query);
  stmt.bind_all(args...);
  if (!stmt.step()) return std::nullopt;
  return reader(stmt);
}

template <typename T, typename Reader, typename... Args>
std::vector<T> many(Db& db, const char* query, Reader reader, const Args&... args) {
  auto stmt = db.prepare(query);
  stmt.bind_all(args...);
  std::vector<T> out;
  while (stmt.step()) out.push_back(reader(stmt));
  return out;
}

std::vector<std::pair<std::int64_t, std::string>> read_values(Db& db, std::int64_t contact_id) {
  return many<std::pair<std::int64_t, std::string>>(
      db, sql::kContactValues, [](const Stmt& s) { return std::make_pair(s.int64(0), s.text(1)); }, contact_id);
}

template <typename... Args>
bool exists(Db& db, const char* query, const Args&... args) {
  auto stmt = db.prepare(query);
  stmt.bind_all(args...);
  return stmt.step();
}

std::optional<std::int64_t> nullable_int(Db& db, const char* query) {
  auto stmt = db.prepare(query);
  if (!stmt.step() || stmt.is_null(0)) return std::nullopt;
  return stmt.int64(0);
}

// A filtered listing: the total before paging (when asked) and one page.
// `from_where` is " FROM ... WHERE ..." with filter parameters numbered below
// `page_index`; LIMIT and OFFSET take ?page_index and ?page_index+1.
template <typename T, typename Bind, typename Reader>
std::vector<T> paged(Db& db, const std::string& columns, const std::string& from_where, const std::string& order,
                     int page_index, std::int64_t limit, std::int64_t offset, Bind bind, Reader reader,
                     std::int64_t* total) {
  if (total) {
    auto count = db.prepare_uncached("SELECT COUNT(*)" + from_where);
    bind(count);
    count.step();
    *total = count.int64(0);
  }
  std::string page = " LIMIT ?" + std::to_string(page_index) + " OFFSET ?" + std::to_string(page_index + 1);
  auto stmt = db.prepare_uncached("SELECT " + columns + from_where + " ORDER BY " + order + page);
  bind(stmt);
  stmt.bind(page_index, limit);
  stmt.bind(page_index + 1, offset);
  std::vector<T> out;
  while (stmt.step()) out.push_back(reader(stmt));
  return out;
}

void bind_templates(Stmt& stmt, int first_index, const TemplateSet& set) {
  for (int i = 0; i < 5; ++i) stmt.bind(first_index + i, set.by_status[i]);
}

void bind_user(Stmt& stmt, const User& u) {
  stmt.bind_all(u.email, u.password_hash, u.api_key, u.transfer_token, static_cast<int>(u.plan), u.paid_until,
                u.telegram_id, u.timezone);
  bind_templates(stmt, 9, u.postbacks);
}

// The filter part of lead listings; the same shape for list, count and export.
std::string lead_where(const LeadFilter& f) {
  std::string where = " WHERE l.user_id = ?1";
  if (f.campaign_id) where += " AND l.campaign_id = ?2";
  if (f.status) where += " AND l.status = ?3";
  if (f.from) where += " AND l.start_time >= ?4";
  if (f.to) where += " AND l.start_time <= ?5";
  return where;
}

void bind_lead_filter(Stmt& stmt, const LeadFilter& f) {
  stmt.bind(1, f.user_id);
  if (f.campaign_id) stmt.bind(2, *f.campaign_id);
  if (f.status) stmt.bind(3, static_cast<int>(*f.status));
  if (f.from) stmt.bind(4, *f.from);
  if (f.to) stmt.bind(5, *f.to);
}

std::string journal_where(const JournalFilter& f) {
  std::string where = " WHERE bot_id = ?1 AND chat_id = ?2";
  if (f.action) where += " AND action = ?3";
  if (f.from) where += " AND time >= ?4";
  if (f.to) where += " AND time <= ?5";
  return where;
}

void bind_journal_filter(Stmt& stmt, const JournalFilter& f) {
  stmt.bind(1, f.bot_id);
  stmt.bind(2, f.chat_id);
  if (f.action) stmt.bind(3, static_cast<int>(*f.action));
  if (f.from) stmt.bind(4, *f.from);
  if (f.to) stmt.bind(5, *f.to);
}

void add_transition_count(StatsCounts& c, std::int64_t status, bool first, std::int64_t n) {
  if (first) {
    c.starts += n;
    return;
  }
  switch (static_cast<LeadStatus>(status)) {
    case LeadStatus::Hold: c.holds += n; break;
    case LeadStatus::Approve: c.confirms += n; break;
    case LeadStatus::Cancel: c.cancels += n; break;
    case LeadStatus::Trash: c.trashes += n; break;
    case LeadStatus::Wait: break;
  }
}

void add_organic_count(StatsCounts& c, std::int64_t action, std::int64_t n) {
  auto a = static_cast<JournalAction>(action);
  if (a == JournalAction::Join) c.organic_joins += n;
  if (a == JournalAction::Leave || a == JournalAction::Ban) c.organic_leaves += n;
}

std::vector<std::int64_t> ids_of(Stmt& stmt) {
  std::vector<std::int64_t> ids;
  while (stmt.step()) ids.push_back(stmt.int64(0));
  return ids;
}

std::int64_t contacts_in_workspace(Db& db, std::int64_t user_id) {
  return one<std::int64_t>(db, sql::kContactsInWorkspace, [](const Stmt& s) { return s.int64(0); }, user_id).value_or(0);
}

// Whether loading `held` contacts of one workspace is cheaper by one pass over the whole table
// than through the workspace's index (random row reads).
bool most_of_table(Db& db, std::int64_t held) {
  return 4 * held > nullable_int(db, sql::kContactIdCeiling).value_or(0);
}

// One workspace's identity index and the change-log revision it reflects.
struct WorkspaceIdentities {
  crm::IdentityIndex index;
  std::int64_t revision = -1;  // -1: not loaded
  std::chrono::steady_clock::time_point loaded, used;
};

class SqliteWriteTx final : public WriteTx {
 public:
  explicit SqliteWriteTx(Db& db) : db_(db) {}

  void begin_unit() {
    revision_ = 0;
    synced_.clear();
    pruned_.clear();
    written_.clear();
  }

  // Logs the contacts the unit wrote, as runs of consecutive ids (an import's new contacts are
  // one run), before the unit is released; prunes the log once an hour.
  void log_changes() {
    if (written_.empty()) return;
    std::sort(written_.begin(), written_.end());
    const std::int64_t revision = contact_revision();
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    auto log = [&](std::int64_t user_id, std::int64_t first_id, std::int64_t last_id) {
      db_.prepare(sql::kInsertContactChanges).bind_all(user_id, revision, first_id, last_id, now).run();
    };
    std::size_t start = 0;
    for (std::size_t i = 1; i <= written_.size(); ++i) {
      bool run_goes_on = i < written_.size() && written_[i].first == written_[start].first &&
                         written_[i].second <= written_[i - 1].second + 1;
      if (run_goes_on) continue;
      log(written_[start].first, written_[start].second, written_[i - 1].second);
      start = i;
    }
    if (now - pruned_log_ >= 3600) {
      db_.prepare(sql::kPruneContactChanges).bind_all(now - kChangesKept).run();
      db_.prepare(sql::kPruneContactDeletions).bind_all(now - kChangesKept).run();
      pruned_log_ = now;
    }
  }

  // A kept unit's own contact writes are in the identity indexes it synced, so they reflect its
  // revision too. A rolled-back unit's additions name nothing, which is allowed, but the entries
  // its deletions removed belong to contacts that exist again: those indexes are reloaded.
  void end_unit(bool kept) {
    if (!kept) {
      for (std::int64_t user_id : pruned_) identities_.erase(user_id);
      return;
    }
    if (revision_ == 0) return;
    for (std::int64_t user_id : synced_) identities_[user_id].revision = revision_;
  }

  // After a failed commit the revisions held may run ahead of the database: reload on next use.
  void abandon_batch() { identities_.clear(); }

  void evict_idle_identities(std::chrono::steady_clock::time_point now) {
    std::erase_if(identities_, [&](const auto& entry) { return now - entry.second.used > kIdentitiesIdle; });
  }

  bool mark_update_seen(std::int64_t bot_id, std::int64_t update_id, std::int64_t now) override {
    db_.prepare(sql::kMarkUpdateSeen).bind_all(bot_id, update_id, now).run();
    return db_.changes() == 1;
  }

  std::optional<User> user(std::int64_t id) override { return one<User>(db_, sql::kUserById, read_user, id); }

  std::int64_t insert_user(const User& user) override {
    auto stmt = db_.prepare(sql::kInsertUser);
    bind_user(stmt, user);
    stmt.bind(14, static_cast<std::int64_t>(std::time(nullptr)));
    stmt.run();
    return db_.last_insert_id();
  }

  void update_user(const User& user) override {
    auto stmt = db_.prepare(sql::kUpdateUser);
    bind_user(stmt, user);
    stmt.bind(14, user.id);
    stmt.run();
  }

  void upsert_bot(const Bot& b) override {
    db_.prepare(sql::kUpsertBot)
        .bind_all(b.id, b.user_id, b.token, b.username, b.name, b.secret, static_cast<int>(b.status),
                  static_cast<std::int64_t>(std::time(nullptr)))
        .run();
  }

  void set_bot_status(std::int64_t bot_id, BotStatus status) override {
    db_.prepare(sql::kSetBotStatus).bind_all(static_cast<int>(status), bot_id).run();
  }

  void upsert_chat(const Chat& c) override {
    db_.prepare(sql::kUpsertChat).bind_all(c.bot_id, c.id, c.title, c.type, c.username, c.requests, c.ok).run();
  }

  void set_chat_ok(std::int64_t bot_id, std::int64_t chat_id, bool ok) override {
    db_.prepare(sql::kSetChatOk).bind_all(ok, bot_id, chat_id).run();
  }

  void set_chat_requests(std::int64_t bot_id, std::int64_t chat_id) override {
    db_.prepare(sql::kSetChatRequests).bind_all(bot_id, chat_id).run();
  }

  BotStatus refresh_bot_status(std::int64_t bot_id) override {
    auto bot = one<Bot>(db_, sql::kBotById, read_bot, bot_id);
    if (!bot || bot->status == BotStatus::Deleted) return BotStatus::Deleted;
    auto stmt = db_.prepare(sql::kFlaggedChatCount);
    stmt.bind(1, bot_id);
    stmt.step();
    BotStatus status = stmt.int64(0) > 0 ? BotStatus::LostAdmin : BotStatus::Active;
    if (status != bot->status) set_bot_status(bot_id, status);
    return status;
  }

  void migrate_chat(std::int64_t bot_id, std::int64_t old_chat_id, std::int64_t new_chat_id) override {
    for (const char* query : {sql::kMigrateChat, sql::kMigrateCampaigns, sql::kMigrateJournal,
                              sql::kMigrateRollupChat, sql::kMigrateCrawls}) {
      db_.prepare(query).bind_all(new_chat_id, bot_id, old_chat_id).run();
    }
  }

  void set_subscriber_blocked(std::int64_t bot_id, std::int64_t subscriber, bool blocked,
                              std::int64_t now) override {
    db_.prepare(sql::kUpsertSubscriberBlocked).bind_all(bot_id, subscriber, blocked, now).run();
  }

  std::optional<Campaign> campaign(std::int64_t id) override {
    return one<Campaign>(db_, sql::kCampaignById, read_campaign, id);
  }

  std::optional<Campaign> campaign_by_code(std::int64_t bot_id, std::string_view code) override {
    return one<Campaign>(db_, sql::kCampaignByCode, read_campaign, bot_id, code);
  }

  std::vector<Campaign> active_campaigns_of_bot(std::int64_t bot_id) override {
    return many<Campaign>(db_, sql::kActiveCampaignsOfBot, read_campaign, bot_id);
  }

  std::vector<Campaign> campaigns_of_chat(std::int64_t bot_id, std::int64_t chat_id) override {
    return many<Campaign>(db_, sql::kCampaignsOfChat, read_campaign, bot_id, chat_id);
  }

  std::int64_t count_active_campaigns(std::int64_t user_id) override {
    auto stmt = db_.prepare(sql::kCountActiveCampaigns);
    stmt.bind(1, user_id);
    stmt.step();
    return stmt.int64(0);
  }

  bool code_taken(std::int64_t user_id, std::string_view code, std::int64_t except_id) override {
    return exists(db_, sql::kCodeTaken, user_id, code, except_id);
  }

  bool chat_taken(std::int64_t bot_id, std::int64_t chat_id, std::int64_t except_id) override {
    return exists(db_, sql::kChatTaken, bot_id, chat_id, except_id);
  }

  std::int64_t insert_campaign(const Campaign& c, std::int64_t now) override {
    auto stmt = db_.prepare(sql::kInsertCampaign);
    stmt.bind_all(c.user_id, c.bot_id, c.chat_id, c.code, c.name, c.active, c.unsub_window, c.approve_requests);
    bind_templates(stmt, 9, c.postbacks);
    stmt.bind(14, welcome_to_json(c.welcome).dump());
    stmt.bind(15, c.invite_link);
    stmt.bind(16, now);
    stmt.bind(17, now);
    stmt.bind(18, texts_to_json(c.status_messages));
    stmt.run();
    return db_.last_insert_id();
  }

  void update_campaign(const Campaign& c, std::int64_t now) override {
    auto stmt = db_.prepare(sql::kUpdateCampaign);
    stmt.bind_all(c.bot_id, c.chat_id, c.code, c.name, c.active, c.unsub_window, c.approve_requests);
    bind_templates(stmt, 8, c.postbacks);
    stmt.bind(13, welcome_to_json(c.welcome).dump());
    stmt.bind(14, c.invite_link);
    stmt.bind(15, now);
    stmt.bind(16, texts_to_json(c.status_messages));
    stmt.bind(17, c.id);
    stmt.run();
  }

  void delete_campaign(std::int64_t id, std::int64_t now) override {
    db_.prepare(sql::kDeleteCampaign).bind_all(now, id).run();
  }

  void set_campaign_invite_link(std::int64_t id, std::string_view link) override {
    db_.prepare(sql::kSetCampaignInviteLink).bind_all(link, id).run();
  }

  std::optional<Lead> lead(std::int64_t campaign_id, std::int64_t subscriber) override {
    return one<Lead>(db_, sql::kLeadOf, read_lead, campaign_id, subscriber);
  }

  void move_campaign(std::int64_t campaign_id, std::int64_t from_user, std::int64_t to_user,
                     std::int64_t now) override {
    db_.prepare(sql::kMoveCampaign).bind_all(to_user, now, campaign_id).run();
    for (const char* query : {sql::kMoveLeads, sql::kMoveTransitions, sql::kMovePostbacks}) {
      db_.prepare(query).bind_all(to_user, campaign_id).run();
    }
    db_.prepare(sql::kForgetRollups).bind_all(from_user, to_user).run();
  }

  void move_bot(std::int64_t bot_id, std::int64_t to_user) override {
    db_.prepare(sql::kMoveBot).bind_all(to_user, bot_id).run();
  }

  int pause_expired_campaigns(std::int64_t now) override {
    db_.prepare(sql::kPauseExpired).bind_all(now).run();
    return db_.changes();
  }

  std::optional<Lead> lead_by_id(std::int64_t id) override { return one<Lead>(db_, sql::kLeadById, read_lead, id); }

  std::int64_t insert_lead(const Lead& l) override {
    db_.prepare(sql::kInsertLead)
        .bind_all(l.user_id, l.campaign_id, l.subscriber, l.username, l.first_name, l.last_name, l.click,
                  static_cast<int>(l.status), l.start_time, l.join_time, l.leave_time, l.updated, l.reconciled)
        .run();
    return db_.last_insert_id();
  }

  void update_lead(const Lead& l) override {
    db_.prepare(sql::kUpdateLead)
        .bind_all(l.username, l.first_name, l.last_name, l.click, static_cast<int>(l.status), l.start_time,
                  l.join_time, l.leave_time, l.updated, l.reconciled, l.id)
        .run();
  }

  void insert_transition(const Lead& lead, LeadStatus status, std::int64_t time, bool first,
                         bool reconciled) override {
    db_.prepare(sql::kInsertTransition)
        .bind_all(lead.user_id, lead.campaign_id, lead.id, static_cast<int>(status), time, first, reconciled)
        .run();
    db_.prepare(sql::kInvalidateRollupDay).bind_all(lead.user_id, util::utc_day_start(time)).run();
  }

  void insert_journal(const JournalEntry& e) override {
    db_.prepare(sql::kInsertJournal)
        .bind_all(e.bot_id, e.chat_id, e.subscriber, e.username, static_cast<int>(e.action), e.paid, e.time)
        .run();
    if (!e.paid) db_.prepare(sql::kInvalidateRollupDayOfBot).bind_all(util::utc_day_start(e.time), e.bot_id).run();
  }

  std::vector<JournalEntry> organic_journal_since(std::int64_t bot_id, std::int64_t chat_id, std::int64_t subscriber,
                                                  std::int64_t since) override {
    return many<JournalEntry>(db_, sql::kOrganicJournalSince, read_journal, bot_id, chat_id, subscriber, since);
  }

  void mark_journal_paid(const JournalEntry& e) override {
    db_.prepare(sql::kMarkJournalPaid).bind_all(e.id).run();
    // Organic counts of that day change.
    db_.prepare(sql::kInvalidateRollupDayOfBot).bind_all(util::utc_day_start(e.time), e.bot_id).run();
  }

  std::int64_t insert_postback(const Postback& p) override {
    db_.prepare(sql::kInsertPostback)
        .bind_all(p.lead_id, p.user_id, static_cast<int>(p.status), p.url, static_cast<int>(p.state), p.reason,
                  p.tid, p.created, p.next_attempt)
        .run();
    return db_.last_insert_id();
  }

  void mark_postbacks_sending(const std::vector<std::int64_t>& ids) override {
    for (auto id : ids) db_.prepare(sql::kMarkPostbackSending).bind_all(id).run();
  }

  void record_postback_attempt(std::int64_t id, const PostbackAttempt& a, PostbackState state,
                               std::int64_t next_attempt, std::string_view reason) override {
    db_.prepare(sql::kInsertAttempt).bind_all(id, a.time, static_cast<std::int64_t>(a.http_code), a.body, a.error).run();
    db_.prepare(sql::kFinishPostback).bind_all(static_cast<int>(state), next_attempt, reason, id).run();
  }

  void enqueue_telegram(std::int64_t bot_id, std::string_view method, std::string_view payload,
                        std::int64_t subscriber, std::int64_t now) override {
    db_.prepare(sql::kEnqueueTelegram).bind_all(bot_id, method, payload, subscriber, now, now).run();
  }

  void finish_telegram(std::int64_t job_id, bool done, std::int64_t next_attempt, std::string_view error) override {
    // state: 0 pending (retry at next_attempt), 1 done, 2 given up
    int state = done ? 1 : (next_attempt > 0 ? 0 : 2);
    db_.prepare(sql::kFinishTelegram).bind_all(state, next_attempt, error, job_id).run();
  }

  void insert_notice(std::int64_t user_id, std::string_view text, std::int64_t now) override {
    db_.prepare(sql::kInsertNotice).bind_all(user_id, text, now).run();
  }

  bool dismiss_notice(std::int64_t user_id, std::int64_t notice_id) override {
    db_.prepare(sql::kDismissNotice).bind_all(user_id, notice_id).run();
    return db_.changes() == 1;
  }

  void insert_session(const Session& s, std::int64_t now) override {
    db_.prepare(sql::kInsertSession).bind_all(s.token_hash, s.user_id, s.csrf, now, s.expires).run();
  }

  void delete_session(std::string_view token_hash) override {
    db_.prepare(sql::kDeleteSession).bind_all(token_hash).run();
  }

  void delete_expired_sessions(std::int64_t now) override {
    db_.prepare(sql::kDeleteExpiredSessions).bind_all(now).run();
  }

  void store_rollup(std::int64_t user_id, std::int64_t day) override {
    db_.prepare(sql::kClearRollupCampaign).bind_all(user_id, day).run();
    db_.prepare(sql::kClearRollupChat).bind_all(user_id, day).run();
    db_.prepare(sql::kFillRollupCampaign).bind_all(user_id, day).run();
    db_.prepare(sql::kFillRollupChat).bind_all(user_id, day).run();
    db_.prepare(sql::kMarkRollupDay).bind_all(user_id, day).run();
  }

  std::optional<crm::Contact> contact(std::int64_t user_id, std::int64_t id) override {
    return one<crm::Contact>(db_, sql::kContactById, read_contact, user_id, id);
  }

  std::optional<crm::Contact> contact_by_telegram_id(std::int64_t user_id, std::int64_t telegram_id) override {
    if (telegram_id == 0) return std::nullopt;
    crm::Contact wanted;
    wanted.telegram_id = telegram_id;
    return holder(user_id, crm::IdentityKind::Telegram, wanted);
  }

  std::optional<crm::Contact> contact_by_username(std::int64_t user_id, std::string_view username) override {
    if (username.empty()) return std::nullopt;
    crm::Contact wanted;
    wanted.username = username;
    return holder(user_id, crm::IdentityKind::Username, wanted);
  }

  std::optional<crm::Contact> contact_by_phone(std::int64_t user_id, std::string_view phone) override {
    if (phone.empty()) return std::nullopt;
    crm::Contact wanted;
    wanted.phone = phone;
    return holder(user_id, crm::IdentityKind::Phone, wanted);
  }

  std::int64_t insert_contact(const crm::Contact& c) override {
    refuse_taken_identifiers(c);
    insert(sql::kInsertContact, c);
    std::int64_t id = db_.last_insert_id();
    index_identifiers(c, id);
    return id;
  }

  std::int64_t insert_contact_if_new(const crm::Contact& c) override {
    if (taken_identifier(c)) return 0;
    insert(sql::kInsertContact, c);
    std::int64_t id = db_.last_insert_id();
    index_identifiers(c, id);
    return id;
  }

  std::vector<std::int64_t> insert_contacts_if_new(const std::vector<crm::Contact>& contacts) override {
    std::vector<std::int64_t> ids(contacts.size());
    if (contacts.empty()) return ids;
    // The look-ups miss the CPU caches (the index is tens of MiB): their slots are fetched a few
    // contacts ahead, so that the misses overlap. A contact's entries go in right after its
    // look-ups, while those slots are still cached.
    constexpr std::size_t kAhead = 8;
    crm::IdentityIndex& index = identities(contacts.front().user_id);
    std::vector<crm::IdentityKeys> keys(contacts.size());
    for (std::size_t i = 0; i < contacts.size(); ++i) keys[i] = keys_of(contacts[i]);
    auto prefetch = [&](std::size_t i) {
      if (i >= contacts.size()) return;
      for (std::uint64_t digest : {keys[i].telegram, keys[i].username, keys[i].phone}) index.prefetch(digest);
    };
    const std::int64_t first_id = nullable_int(db_, sql::kContactIdCeiling).value_or(0) + 1;
    std::vector<std::size_t> accepted;  // accepted[k] becomes contact first_id + k
    accepted.reserve(contacts.size());
    // Ids from first_id on name contacts accepted above and not written yet (or, beyond those,
    // entries a rolled-back unit left): their identifiers are compared here.
    auto free = [&](const crm::Contact& c, crm::IdentityKind kind, std::uint64_t digest) {
      return digest == 0 || !index.any_of(digest, [&](std::int64_t id) {
        if (id < first_id) return stored_holds(c, kind, id);
        auto k = static_cast<std::size_t>(id - first_id);
        if (k >= accepted.size()) return false;
        const crm::Contact& other = contacts[accepted[k]];
        return holds(kind, c, other.username, other.phone, other.telegram_id);
      });
    };
    for (std::size_t i = 0; i < kAhead; ++i) prefetch(i);
    for (std::size_t i = 0; i < contacts.size(); ++i) {
      prefetch(i + kAhead);
      const crm::Contact& c = contacts[i];
      const crm::IdentityKeys& k = keys[i];
      if (!free(c, crm::IdentityKind::Telegram, k.telegram) || !free(c, crm::IdentityKind::Username, k.username) ||
          !free(c, crm::IdentityKind::Phone, k.phone)) {
        continue;
      }
      const std::int64_t id = first_id + static_cast<std::int64_t>(accepted.size());
      accepted.push_back(i);
      for (std::uint64_t digest : {k.telegram, k.username, k.phone}) {
        if (digest) index.add(digest, id);
      }
    }

    std::int64_t next_id = first_id;
    for (std::size_t done = 0; done < accepted.size();) {
      std::size_t rows = accepted.size() - done >= sql::kContactsPerInsert ? sql::kContactsPerInsert : 1;
      auto stmt = db_.prepare(sql::contacts_insert(rows));
      for (std::size_t k = 0; k < rows; ++k) {
        const crm::Contact& c = contacts[accepted[done + k]];
        int p = static_cast<int>(17 * k) + 1;
        stmt.bind(p, next_id++);
        stmt.bind(p + 1, c.user_id);
        bind_contact_fields(stmt, p + 2, c);
        stmt.bind(p + 15, c.created);
        stmt.bind(p + 16, c.updated);
      }
      stmt.run();
      done += rows;
    }
    for (std::size_t k = 0; k < accepted.size(); ++k) {
      const std::int64_t id = first_id + static_cast<std::int64_t>(k);
      ids[accepted[k]] = id;
      written_.emplace_back(contacts[accepted[k]].user_id, id);
    }
    return ids;
  }

  void warm_contact_dedup(std::int64_t user_id) override { identities(user_id); }

  // The old identifiers keep their entries: nothing else holds them, so they cost only a check.
  void update_contact(const crm::Contact& c) override {
    refuse_taken_identifiers(c);
    auto stmt = db_.prepare(sql::kUpdateContact);
    bind_contact_fields(stmt, 1, c);
    stmt.bind(14, c.updated);
    stmt.bind(15, c.user_id);
    stmt.bind(16, c.id);
    stmt.run();
    written_.emplace_back(c.user_id, c.id);
    index_identifiers(c, c.id);
  }

  void update_contact_details(const crm::Contact& c) override {
    auto stmt = db_.prepare(sql::kUpdateContactDetails);
    int next = bind_contact_details(stmt, 1, c);
    stmt.bind(next, c.updated);
    stmt.bind(next + 1, c.user_id);
    stmt.bind(next + 2, c.id);
    stmt.run();
    written_.emplace_back(c.user_id, c.id);
  }

  void delete_contact(std::int64_t user_id, std::int64_t id) override {
    auto deleted = db_.prepare(sql::kDeleteContact);
    deleted.bind_all(user_id, id);
    if (!deleted.step()) return;
    if (auto held = identities_.find(user_id); held != identities_.end()) {
      if (!deleted.is_null(0)) held->second.index.remove(crm::IdentityIndex::digest(crm::IdentityKind::Username, deleted.text(0)), id);
      if (!deleted.is_null(1)) held->second.index.remove(crm::IdentityIndex::digest(crm::IdentityKind::Phone, deleted.text(1)), id);
      if (!deleted.is_null(2)) held->second.index.remove(crm::IdentityIndex::telegram_digest(deleted.int64(2)), id);
      pruned_.push_back(user_id);
    }
    while (deleted.step()) {
    }  // finishes the statement before the writes below
    db_.prepare(sql::kInsertContactDeletion)
        .bind_all(user_id, contact_revision(), id, static_cast<std::int64_t>(std::time(nullptr)))
        .run();
    db_.prepare(sql::kDeleteContactTags).bind_all(id).run();
    db_.prepare(sql::kDeleteContactHistory).bind_all(id).run();
    db_.prepare(sql::kDeleteContactValues).bind_all(id).run();
  }

  void insert_contact_history(const crm::HistoryEntry& e) override {
    db_.prepare(sql::kInsertContactHistory).bind_all(e.contact_id, e.user_id, e.time, e.kind, e.detail).run();
  }

  void move_contact_relations(std::int64_t from, std::int64_t to) override {
    db_.prepare(sql::kMoveContactTags).bind_all(to, from).run();
    db_.prepare(sql::kDeleteContactTags).bind_all(from).run();
    db_.prepare(sql::kMoveContactHistory).bind_all(to, from).run();
    db_.prepare(sql::kMoveContactValues).bind_all(to, from).run();
    db_.prepare(sql::kDeleteContactValues).bind_all(from).run();
  }

  std::optional<crm::Tag> tag(std::int64_t user_id, std::int64_t tag_id) override {
    return one<crm::Tag>(db_, sql::kTagById, read_tag, user_id, tag_id);
  }

  std::optional<crm::Tag> tag_by_name(std::int64_t user_id, std::string_view name) override {
    return one<crm::Tag>(db_, sql::kTagByName, read_tag, user_id, name);
  }

  std::int64_t insert_tag(const crm::Tag& t, std::int64_t now) override {
    db_.prepare(sql::kInsertTag).bind_all(t.user_id, t.name, t.colour, now).run();
    return db_.last_insert_id();
  }

  void delete_tag(std::int64_t user_id, std::int64_t tag_id) override {
    db_.prepare(sql::kDeleteTag).bind_all(user_id, tag_id).run();
    if (db_.changes() == 0) return;
    auto tagged = db_.prepare(sql::kContactsWithTag);
    tagged.bind_all(tag_id);
    for (std::int64_t contact_id : ids_of(tagged)) written_.emplace_back(user_id, contact_id);
    db_.prepare(sql::kDeleteTagLinks).bind_all(tag_id).run();
  }

  void update_tag(const crm::Tag& t) override {
    db_.prepare(sql::kUpdateTag).bind_all(t.name, t.colour, t.user_id, t.id).run();
  }

  bool tag_contact(std::int64_t user_id, std::int64_t contact_id, std::int64_t tag_id) override {
    db_.prepare(sql::kTagContact).bind_all(contact_id, tag_id).run();
    if (db_.changes() != 1) return false;
    written_.emplace_back(user_id, contact_id);
    return true;
  }

  std::vector<std::int64_t> tag_ids_of_contact(std::int64_t contact_id) override {
    auto stmt = db_.prepare(sql::kTagIdsOfContact);
    stmt.bind_all(contact_id);
    return ids_of(stmt);
  }

  void link_tags(const std::vector<std::pair<std::int64_t, std::int64_t>>& links) override {
    std::size_t i = 0;
    for (; i + sql::kTagLinksPerInsert <= links.size(); i += sql::kTagLinksPerInsert) {
      auto stmt = db_.prepare(sql::tag_links_insert().c_str());
      for (std::size_t k = 0; k < sql::kTagLinksPerInsert; ++k) {
        stmt.bind(static_cast<int>(2 * k + 1), links[i + k].first);
        stmt.bind(static_cast<int>(2 * k + 2), links[i + k].second);
      }
      stmt.run();
    }
    for (; i < links.size(); ++i) db_.prepare(sql::kTagContact).bind_all(links[i].first, links[i].second).run();
  }

  bool untag_contact(std::int64_t user_id, std::int64_t contact_id, std::int64_t tag_id) override {
    db_.prepare(sql::kUntagContact).bind_all(contact_id, tag_id).run();
    if (db_.changes() != 1) return false;
    written_.emplace_back(user_id, contact_id);
    return true;
  }

  std::int64_t insert_contact_import(const ContactImportRecord& r) override {
    db_.prepare(sql::kInsertContactImport)
        .bind_all(r.user_id, r.file_name, r.mode, r.started, r.finished, r.rows, r.created, r.updated, r.skipped,
                  r.errors, r.state, r.format, r.unchanged, r.duplicates, r.done, r.total, r.warnings, r.fatal,
                  r.reverted, r.revert_deleted, r.revert_changed, r.revert_kept)
        .run();
    return db_.last_insert_id();
  }

  void update_contact_import(const ContactImportRecord& r) override {
    db_.prepare(sql::kUpdateContactImport)
        .bind_all(r.finished, r.rows, r.created, r.updated, r.skipped, r.errors, r.state, r.format, r.unchanged,
                  r.duplicates, r.done, r.total, r.warnings, r.fatal, r.reverted, r.revert_deleted, r.revert_changed,
                  r.revert_kept, r.id)
        .run();
  }

  // Contact import runs (issue 6).
  std::optional<ContactImportRecord> contact_import(std::int64_t user_id, std::int64_t id) override {
    return one<ContactImportRecord>(db_, sql::kContactImportById, read_contact_import, user_id, id);
  }

  void add_contact_import_errors(std::int64_t import_id, const std::vector<ContactImportError>& errors) override {
    if (errors.empty()) return;
    std::int64_t seq = 0;
    {
      auto last = db_.prepare(sql::kLastContactImportErrorSeq);
      last.bind_all(import_id);
      if (last.step()) seq = last.int64(0);
    }
    for (const auto& e : errors) {
      db_.prepare(sql::kInsertContactImportError).bind_all(import_id, ++seq, e.row, e.column, e.reason).run();
    }
  }

  int fail_unfinished_contact_imports(std::int64_t now, std::string_view reason) override {
    db_.prepare(sql::kFailUnfinishedContactImports).bind_all(reason, now).run();
    return db_.changes();
  }

  std::vector<ImportedContact> contacts_of_import(std::int64_t user_id, std::int64_t import_id, std::int64_t after_id,
                                                  int max) override {
    return many<ImportedContact>(
        db_, sql::kContactsOfImport,
        [](const Stmt& s) { return ImportedContact{s.int64(0), s.int64(1), s.int64(2) != 0}; }, user_id, import_id,
        after_id, max);
  }

  // Contact crawling (§8.2).
  std::optional<Crawl> crawl(std::int64_t user_id, std::int64_t id) override {
    return one<Crawl>(db_, sql::kCrawlById, read_crawl, user_id, id);
  }

  std::optional<Crawl> chat_crawl(std::int64_t user_id, std::int64_t bot_id, std::int64_t chat_id) override {
    return one<Crawl>(db_, sql::kChatCrawl, read_crawl, bot_id, chat_id, user_id);
  }

  std::optional<Crawl> export_crawl(std::int64_t user_id, std::string_view source_hash) override {
    return one<Crawl>(db_, sql::kExportCrawl, read_crawl, user_id, source_hash);
  }

  std::int64_t insert_crawl(const Crawl& c) override {
    db_.prepare(sql::kInsertCrawl)
        .bind_all(c.user_id, crawl_kind_name(c.kind), c.bot_id, c.chat_id, c.source_hash, c.title, c.active, c.round,
                  c.started, c.refreshed, c.stopped, c.created, c.updated, c.unchanged, c.skipped, c.report)
        .run();
    return db_.last_insert_id();
  }

  void update_crawl(const Crawl& c) override {
    db_.prepare(sql::kUpdateCrawl)
        .bind_all(c.title, c.active, c.round, c.refreshed, c.stopped, c.created, c.updated, c.unchanged, c.skipped,
                  c.report, c.id)
        .run();
  }

  void add_crawl_counts(std::int64_t crawl_id, std::int64_t created, std::int64_t updated, std::int64_t unchanged,
                        std::int64_t skipped) override {
    db_.prepare(sql::kAddCrawlCounts).bind_all(created, updated, unchanged, skipped, crawl_id).run();
  }

  bool mark_crawl_member(std::int64_t crawl_id, std::int64_t round, std::int64_t telegram_id, std::string_view via,
                         std::int64_t now) override {
    db_.prepare(sql::kMarkCrawlMember).bind_all(crawl_id, telegram_id, round, via, now).run();
    return db_.changes() == 1;
  }

  std::vector<crm::FieldDefinition> fields(std::int64_t user_id) override {
    return many<crm::FieldDefinition>(db_, sql::kFieldsOfUser, read_field, user_id);
  }

  std::int64_t insert_field(const crm::FieldDefinition& f) override {
    auto stmt = db_.prepare(sql::kInsertField);
    stmt.bind_all(f.user_id, f.name);
    bind_field(stmt, 3, f);
    stmt.bind(9, crm::field_type_name(f.type));
    stmt.bind(10, f.created);
    stmt.bind(11, f.updated);
    stmt.run();
    return db_.last_insert_id();
  }

  void update_field(const crm::FieldDefinition& f) override {
    auto stmt = db_.prepare(sql::kUpdateField);
    bind_field(stmt, 1, f);
    stmt.bind(7, f.updated);
    stmt.bind(8, f.user_id);
    stmt.bind(9, f.id);
    stmt.run();
  }

  void delete_field(std::int64_t user_id, std::int64_t field_id) override {
    db_.prepare(sql::kDeleteField).bind_all(user_id, field_id).run();
    if (db_.changes() == 0) return;
    db_.prepare(sql::kDeleteFieldValues).bind_all(field_id).run();
  }

  std::vector<std::pair<std::int64_t, crm::FieldValue>> contact_values(std::int64_t contact_id) override {
    return many<std::pair<std::int64_t, crm::FieldValue>>(
        db_, sql::kContactValues,
        [](const Stmt& s) {
          crm::FieldValue v{s.text(1), std::nullopt};
          if (!s.is_null(2)) v.number = s.real(2);
          return std::make_pair(s.int64(0), std::move(v));
        },
        contact_id);
  }

  void set_contact_value(std::int64_t contact_id, std::int64_t field_id, const crm::FieldValue& value) override {
    auto stmt = db_.prepare(sql::kSetContactValue);
    stmt.bind_all(contact_id, field_id, value.text);
    if (value.number) {
      stmt.bind(4, *value.number);
    } else {
      stmt.bind_null(4);
    }
    stmt.run();
  }

  void clear_contact_value(std::int64_t contact_id, std::int64_t field_id) override {
    db_.prepare(sql::kClearContactValue).bind_all(contact_id, field_id).run();
  }

  std::optional<crm::Segment> segment(std::int64_t user_id, std::int64_t id) override {
    return one<crm::Segment>(db_, sql::kSegmentById, read_segment, user_id, id);
  }

  std::optional<crm::Segment> segment_by_name(std::int64_t user_id, std::string_view name) override {
    return one<crm::Segment>(db_, sql::kSegmentByName, read_segment, user_id, name);
  }

  std::vector<crm::Segment> segments(std::int64_t user_id) override {
    return many<crm::Segment>(db_, sql::kSegmentsOfUser, read_segment, user_id);
  }

  std::int64_t insert_segment(const crm::Segment& g) override {
    db_.prepare(sql::kInsertSegment).bind_all(g.user_id, g.name, g.description, g.rules, g.active, g.created, g.updated).run();
    return db_.last_insert_id();
  }

  void update_segment(const crm::Segment& g) override {
    db_.prepare(sql::kUpdateSegment).bind_all(g.name, g.description, g.rules, g.active, g.updated, g.user_id, g.id).run();
  }

  void delete_segment(std::int64_t user_id, std::int64_t id) override {
    db_.prepare(sql::kDeleteSegment).bind_all(user_id, id).run();
  }

 private:
  void insert(const char* query, const crm::Contact& c) {
    auto stmt = db_.prepare(query);
    stmt.bind(1, c.user_id);
    bind_contact_fields(stmt, 2, c);
    stmt.bind(15, c.created);
    stmt.bind(16, c.updated);
    stmt.run();
    written_.emplace_back(c.user_id, db_.last_insert_id());
  }

  // Telegram id, username and phone are unique per workspace: the identity index names the
  // candidates, the rows decide (an entry may be stale or share its digest).
  static bool holds(crm::IdentityKind kind, const crm::Contact& wanted, std::string_view username,
                    std::string_view phone, std::int64_t telegram_id) {
    switch (kind) {
      case crm::IdentityKind::Username: return util::ascii_iequals(username, wanted.username);
      case crm::IdentityKind::Phone: return phone == wanted.phone;
      case crm::IdentityKind::Telegram: return telegram_id == wanted.telegram_id;
    }
    return false;
  }

  // The contact holding the `kind` identifier of `wanted`.
  std::optional<crm::Contact> holder(std::int64_t user_id, crm::IdentityKind kind, const crm::Contact& wanted) {
    std::optional<crm::Contact> found;
    identities(user_id).any_of(keys_of(wanted).of(kind), [&](std::int64_t id) {
      found = contact(user_id, id);
      if (found && holds(kind, wanted, found->username, found->phone, found->telegram_id)) return true;
      found.reset();
      return false;
    });
    return found;
  }

  static crm::IdentityKeys keys_of(const crm::Contact& c) {
    return crm::identity_keys(c.telegram_id, c.username, c.phone);
  }

  // Whether stored contact `id` of c's workspace holds c's `kind` identifier.
  bool stored_holds(const crm::Contact& c, crm::IdentityKind kind, std::int64_t id) {
    auto held = db_.prepare(sql::kIdentifiersOfContact);
    held.bind_all(c.user_id, id);
    return held.step() && holds(kind, c, held.text_view(0), held.text_view(1), held.is_null(2) ? 0 : held.int64(2));
  }

  // Whether a contact other than `c` holds its `kind` identifier; reads only the identifiers of
  // candidates.
  bool taken(const crm::Contact& c, crm::IdentityKind kind, std::uint64_t digest) {
    return identities(c.user_id).any_of(digest, [&](std::int64_t id) { return id != c.id && stored_holds(c, kind, id); });
  }

  // The column of the first identifier of `c` another contact holds, or nullptr.
  const char* taken_identifier(const crm::Contact& c) {
    const crm::IdentityKeys keys = keys_of(c);
    if (keys.telegram && taken(c, crm::IdentityKind::Telegram, keys.telegram)) return "telegram_id";
    if (keys.username && taken(c, crm::IdentityKind::Username, keys.username)) return "username";
    if (keys.phone && taken(c, crm::IdentityKind::Phone, keys.phone)) return "phone";
    return nullptr;
  }

  // What the unique indexes on these columns used to throw; callers check before writing.
  void refuse_taken_identifiers(const crm::Contact& c) {
    if (const char* column = taken_identifier(c)) {
      throw std::runtime_error(std::string("UNIQUE constraint failed: contacts.") + column);
    }
  }

  void index_identifiers(const crm::Contact& c, std::int64_t id) {
    auto& index = identities(c.user_id);
    const crm::IdentityKeys keys = keys_of(c);
    for (std::uint64_t digest : {keys.telegram, keys.username, keys.phone}) {
      if (digest) index.add(digest, id);
    }
  }

  // The workspace's identity index, complete for this transaction: loaded on first use (and
  // again after kIdentitiesMaxAge, which sheds stale entries), then brought up to date once per
  // unit from the change log, which is how writes of other processes get in.
  crm::IdentityIndex& identities(std::int64_t user_id) {
    WorkspaceIdentities& held = identities_[user_id];
    if (std::find(synced_.begin(), synced_.end(), user_id) != synced_.end()) return held.index;
    auto now = std::chrono::steady_clock::now();
    held.used = now;
    std::int64_t current = nullable_int(db_, sql::kContactRevision).value_or(0);
    // Entries go in 64 at a time, their slots fetched first, so that the cache misses overlap.
    auto add_rows = [&](Stmt& rows) {
      std::array<std::pair<std::uint64_t, std::int64_t>, 64> pending;
      std::size_t waiting = 0;
      auto add = [&](std::uint64_t digest, std::int64_t id) {
        held.index.prefetch(digest);
        pending[waiting++] = {digest, id};
        if (waiting < pending.size()) return;
        for (const auto& [d, contact] : pending) held.index.add(d, contact);
        waiting = 0;
      };
      while (rows.step()) {
        std::int64_t id = rows.int64(0);
        if (!rows.is_null(1)) add(crm::IdentityIndex::digest(crm::IdentityKind::Username, rows.text_view(1)), id);
        if (!rows.is_null(2)) add(crm::IdentityIndex::digest(crm::IdentityKind::Phone, rows.text_view(2)), id);
        if (!rows.is_null(3)) add(crm::IdentityIndex::telegram_digest(rows.int64(3)), id);
      }
      for (std::size_t i = 0; i < waiting; ++i) held.index.add(pending[i].first, pending[i].second);
    };
    if (held.revision < 0 || now - held.loaded > kIdentitiesMaxAge) {
      held.index.clear();
      std::int64_t contacts = contacts_in_workspace(db_, user_id);
      held.index.reserve(3 * static_cast<std::size_t>(contacts));
      auto rows = db_.prepare(most_of_table(db_, contacts) ? sql::kIdentitiesOfWorkspaceByScan : sql::kIdentitiesOfWorkspace);
      rows.bind_all(user_id);
      add_rows(rows);
      held.loaded = now;
      if (contacts > 10000) {
        spdlog::info("contact dedup: indexed {} identifiers of account {} in {} ms ({} MiB)", held.index.size(), user_id,
                     std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - now).count(),
                     held.index.memory_bytes() >> 20);
      }
    } else if (current != held.revision) {
      auto rows = db_.prepare(sql::kIdentitiesChangedSince);
      rows.bind_all(user_id, held.revision);
      add_rows(rows);
    }
    held.revision = current;
    synced_.push_back(user_id);
    return held.index;
  }

  // The unit's stamp in the contact change log: one counter step per unit that writes contacts,
  // taken inside the unit so a rolled-back unit gives its step back.
  std::int64_t contact_revision() {
    if (revision_ == 0) {
      auto stmt = db_.prepare(sql::kNextContactRevision);
      stmt.step();
      revision_ = stmt.int64(0);
    }
    return revision_;
  }

  Db& db_;
  std::int64_t revision_ = 0;
  std::unordered_map<std::int64_t, WorkspaceIdentities> identities_;
  std::vector<std::int64_t> synced_;  // workspaces whose index this unit brought up to date
  std::vector<std::int64_t> pruned_;  // workspaces whose index lost entries in this unit
  std::vector<std::pair<std::int64_t, std::int64_t>> written_;  // (account, contact id) this unit wrote
  std::int64_t pruned_log_ = 0;  // when the change log was last pruned
};

}  // namespace

int migrate(const std::string& path) {
  Db db(path, false);
  // Read and reset before migrating: a statement left running makes DROP fail as "locked".
  auto version = [&] {
    auto stmt = db.prepare("PRAGMA user_version");
    stmt.step();
    return static_cast<std::size_t>(stmt.int64(0));
  }();
  if (version > kMigrations.size()) {
    throw SqliteError(0, "database schema is newer than this binary (version " + std::to_string(version) + ")");
  }
  for (; version < kMigrations.size(); ++version) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(kMigrations[version]);
      db.exec(("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
    spdlog::info("database migrated to schema version {}", version + 1);
  }
  return static_cast<int>(version);
}

// A pooled read connection, returned on destruction.
class SqliteStore::Reader {
 public:
  Reader(SqliteStore& store, std::unique_ptr<Db> db) : store_(store), db_(std::move(db)) {}
  Reader(Reader&&) = default;
  ~Reader() {
    if (!db_) return;
    std::lock_guard lock(store_.pool_mutex_);
    store_.pool_.push_back(std::move(db_));
  }
  Db& operator*() { return *db_; }

 private:
  SqliteStore& store_;
  std::unique_ptr<Db> db_;
};

SqliteStore::SqliteStore(std::string path, WriterOptions options) : path_(std::move(path)), options_(options) {
  migrate(path_);
  // Acknowledged webhooks must survive power loss too (gathered writes make every commit
  // durable); batching pays for the fsync.
  writer_db_ = std::make_unique<Db>(path_, false, Writes::Gathered);
  writer_db_->exec(("PRAGMA cache_size=-" + std::to_string(options_.cache_mib * 1024)).c_str());
  writer_db_->exec(("PRAGMA wal_autocheckpoint=" + std::to_string(options_.checkpoint_pages)).c_str());
  writer_db_->exec(sql::kAbandonSending);
  writer_db_->prepare(sql::kPruneSeenUpdates).bind_all(static_cast<std::int64_t>(std::time(nullptr)) - 8 * kDay).run();
  writer_ = std::thread([this] { writer_loop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  writer_.join();
}

void SqliteStore::write(std::function<void(WriteTx&)> unit) {
  std::future<void> done;
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) throw std::runtime_error("store is shutting down");
    queue_.push_back(Unit{std::move(unit), {}});
    done = queue_.back().done.get_future();
  }
  queue_cv_.notify_one();
  done.get();
}

void SqliteStore::writer_loop() {
  SqliteWriteTx tx(*writer_db_);
  std::vector<Unit> batch;
  std::vector<std::exception_ptr> errors;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    errors.assign(batch.size(), nullptr);
    tx.evict_idle_identities(std::chrono::steady_clock::now());
    std::exception_ptr batch_error;
    try {
      writer_db_->prepare(sql::kBegin).run();
      for (std::size_t i = 0; i < batch.size(); ++i) {
        writer_db_->prepare(sql::kSavepoint).run();
        tx.begin_unit();
        try {
          batch[i].fn(tx);
          tx.log_changes();
          writer_db_->prepare(sql::kRelease).run();
          tx.end_unit(true);
        } catch (...) {
          errors[i] = std::current_exception();
          tx.end_unit(false);
          writer_db_->prepare(sql::kRollbackToSavepoint).run();
          writer_db_->prepare(sql::kRelease).run();
        }
      }
      writer_db_->prepare(sql::kCommit).run();
    } catch (...) {
      batch_error = std::current_exception();
      tx.abandon_batch();
      spdlog::error("write batch of {} failed", batch.size());
      try {
        if (!sqlite3_get_autocommit(writer_db_->handle())) writer_db_->prepare(sql::kRollback).run();
      } catch (...) {
      }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch_error) {
        batch[i].done.set_exception(batch_error);
      } else if (errors[i]) {
        batch[i].done.set_exception(errors[i]);
      } else {
        batch[i].done.set_value();
      }
    }
    batch.clear();
  }
}

SqliteStore::Reader SqliteStore::read() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      auto db = std::move(pool_.back());
      pool_.pop_back();
      return Reader(*this, std::move(db));
    }
  }
  return Reader(*this, std::make_unique<Db>(path_, false));
}

std::optional<User> SqliteStore::user_by_key(std::string_view api_key) {
  auto r = read();
  return one<User>(*r, sql::kUserByKey, read_user, api_key);
}

std::optional<User> SqliteStore::user_by_email(std::string_view email) {
  auto r = read();
  return one<User>(*r, sql::kUserByEmail, read_user, email);
}

std::optional<User> SqliteStore::user_by_id(std::int64_t id) {
  auto r = read();
  return one<User>(*r, sql::kUserById, read_user, id);
}

std::optional<User> SqliteStore::user_by_transfer_token(std::string_view token) {
  auto r = read();
  return one<User>(*r, sql::kUserByTransferToken, read_user, token);
}

std::optional<Bot> SqliteStore::bot(std::int64_t bot_id) {
  auto r = read();
  return one<Bot>(*r, sql::kBotById, read_bot, bot_id);
}

std::vector<Bot> SqliteStore::bots_of_user(std::int64_t user_id) {
  auto r = read();
  return many<Bot>(
      *r, sql::kBotsOfUser,
      [](const Stmt& s) {
        Bot b = read_bot(s);
        b.admin_chats = s.int64(7);
        return b;
      },
      user_id);
}

std::vector<Bot> SqliteStore::connected_bots() {
  auto r = read();
  return many<Bot>(*r, sql::kConnectedBots, read_bot);
}

std::vector<Chat> SqliteStore::chats_of_bot(std::int64_t bot_id) {
  auto r = read();
  return many<Chat>(*r, sql::kChatsOfBot, read_chat, bot_id);
}

std::optional<Chat> SqliteStore::chat(std::int64_t bot_id, std::int64_t chat_id) {
  auto r = read();
  return one<Chat>(*r, sql::kChat, read_chat, bot_id, chat_id);
}

std::optional<Campaign> SqliteStore::campaign(std::int64_t id) {
  auto r = read();
  return one<Campaign>(*r, sql::kCampaignById, read_campaign, id);
}

std::vector<Campaign> SqliteStore::campaigns_of_user(std::int64_t user_id, std::optional<bool> active) {
  auto r = read();
  if (active) return many<Campaign>(*r, sql::kCampaignsOfUserByState, read_campaign, user_id, *active);
  return many<Campaign>(*r, sql::kCampaignsOfUser, read_campaign, user_id);
}

std::vector<Lead> SqliteStore::leads(const LeadFilter& f, std::int64_t* total) {
  auto r = read();
  return paged<Lead>(
      *r, TGLEAD_LEAD_COLUMNS, " FROM leads l" + lead_where(f), "l.start_time DESC, l.id DESC", 6, f.limit, f.offset,
      [&](Stmt& stmt) { bind_lead_filter(stmt, f); }, read_lead, total);
}

void SqliteStore::each_lead(const LeadFilter& f, const std::function<void(const Lead&)>& row) {
  auto r = read();
  auto stmt = (*r).prepare_uncached("SELECT " TGLEAD_LEAD_COLUMNS ", c.code FROM leads l JOIN campaigns c ON c.id = "
                                    "l.campaign_id" + lead_where(f) + " ORDER BY l.start_time DESC, l.id DESC");
  bind_lead_filter(stmt, f);
  while (stmt.step()) {
    Lead lead = read_lead(stmt);
    lead.campaign_code = stmt.text(14);
    row(lead);
  }
}

std::optional<Lead> SqliteStore::lead_by_id(std::int64_t id) {
  auto r = read();
  return one<Lead>(*r, sql::kLeadById, read_lead, id);
}

std::vector<Postback> SqliteStore::postbacks_of_lead(std::int64_t lead_id) {
  auto r = read();
  auto out = many<Postback>(
      *r, sql::kPostbacksOfLead,
      [](const Stmt& s) {
        Postback p;
        p.id = s.int64(0);
        p.lead_id = s.int64(1);
        p.user_id = s.int64(2);
        p.status = static_cast<LeadStatus>(s.int64(3));
        p.url = s.text(4);
        p.state = static_cast<PostbackState>(s.int64(5));
        p.reason = s.text(6);
        p.tid = s.text(7);
        p.created = s.int64(8);
        p.next_attempt = s.int64(9);
        p.attempts = static_cast<int>(s.int64(10));
        return p;
      },
      lead_id);
  for (auto& p : out) {
    p.attempt_log = many<PostbackAttempt>(
        *r, sql::kAttemptsOfPostback,
        [](const Stmt& s) { return PostbackAttempt{s.int64(0), static_cast<long>(s.int64(1)), s.text(2), s.text(3)}; },
        p.id);
  }
  return out;
}

std::vector<JournalEntry> SqliteStore::journal(const JournalFilter& f, std::int64_t* total) {
  auto r = read();
  return paged<JournalEntry>(
      *r, "id, bot_id, chat_id, subscriber, username, action, paid, time", " FROM journal" + journal_where(f),
      "time DESC, id DESC", 6, f.limit, f.offset, [&](Stmt& stmt) { bind_journal_filter(stmt, f); },
      read_journal, total);
}

StatsCounts SqliteStore::stats_summary(const StatsScope& scope, std::int64_t from, std::int64_t to) {
  auto r = read();
  StatsCounts counts;
  auto transitions = scope.campaign_id ? (*r).prepare(sql::kSummaryTransitionsCampaign)
                                       : (*r).prepare(sql::kSummaryTransitionsUser);
  transitions.bind_all(scope.campaign_id.value_or(scope.user_id), from, to);
  while (transitions.step()) {
    add_transition_count(counts, transitions.int64(0), transitions.int64(1) != 0, transitions.int64(2));
  }
  if (scope.campaign_id) {
    auto organic = (*r).prepare(sql::kSummaryOrganicChat);
    organic.bind_all(scope.bot_id, scope.chat_id, from, to);
    while (organic.step()) add_organic_count(counts, organic.int64(0), organic.int64(1));
  } else {
    auto organic = (*r).prepare(sql::kSummaryOrganicUser);
    organic.bind_all(scope.user_id, from, to);
    while (organic.step()) add_organic_count(counts, organic.int64(0), organic.int64(1));
  }
  return counts;
}

std::vector<DayCounts> SqliteStore::stats_series(const StatsScope& scope, std::int64_t first_day,
                                                 std::int64_t last_day, std::int64_t today) {
  auto r = read();
  std::map<std::int64_t, StatsCounts> days;
  // Counted, not compared, so a range ending near INT64_MAX cannot overflow.
  for (std::int64_t n = 0, count = (last_day - first_day) / kDay; n <= count; ++n) days[first_day + n * kDay];

  // Days before today with a valid rollup come from it; the rest are computed live.
  std::int64_t last_past_day = std::min(last_day, today - kDay);
  std::map<std::int64_t, bool> rolled;
  if (first_day <= last_past_day) {
    auto rolled_days = (*r).prepare(sql::kRollupDaysInRange);
    rolled_days.bind_all(scope.user_id, first_day, last_past_day);
    while (rolled_days.step()) rolled[rolled_days.int64(0)] = true;

    auto lead_rollups = scope.campaign_id ? (*r).prepare(sql::kRollupCampaignOne) : (*r).prepare(sql::kRollupCampaignUser);
    if (scope.campaign_id) {
      lead_rollups.bind_all(scope.user_id, *scope.campaign_id, first_day, last_past_day);
    } else {
      lead_rollups.bind_all(scope.user_id, first_day, last_past_day);
    }
    while (lead_rollups.step()) {
      auto& c = days[lead_rollups.int64(0)];
      c.starts = lead_rollups.int64(1);
      c.holds = lead_rollups.int64(2);
      c.confirms = lead_rollups.int64(3);
      c.cancels = lead_rollups.int64(4);
      c.trashes = lead_rollups.int64(5);
    }
    auto chat_rollups = scope.campaign_id ? (*r).prepare(sql::kRollupChatOne) : (*r).prepare(sql::kRollupChatUser);
    if (scope.campaign_id) {
      chat_rollups.bind_all(scope.user_id, scope.bot_id, scope.chat_id, first_day, last_past_day);
    } else {
      chat_rollups.bind_all(scope.user_id, first_day, last_past_day);
    }
    while (chat_rollups.step()) {
      auto& c = days[chat_rollups.int64(0)];
      c.organic_joins = chat_rollups.int64(1);
      c.organic_leaves = chat_rollups.int64(2);
    }
  }

  // Live part: one scan over the range, keeping only days without a rollup.
  std::int64_t live_from = first_day;
  while (live_from <= last_day && rolled.count(live_from)) live_from += kDay;
  if (live_from <= last_day) {
    std::int64_t live_to = last_day + kDay - 1;
    auto transitions = scope.campaign_id ? (*r).prepare(sql::kSeriesTransitionsCampaign)
                                         : (*r).prepare(sql::kSeriesTransitionsUser);
    transitions.bind_all(scope.campaign_id.value_or(scope.user_id), live_from, live_to);
    while (transitions.step()) {
      std::int64_t day = transitions.int64(0);
      if (rolled.count(day)) continue;
      add_transition_count(days[day], transitions.int64(1), transitions.int64(2) != 0, transitions.int64(3));
    }
    auto organic = scope.campaign_id ? (*r).prepare(sql::kSeriesOrganicChat) : (*r).prepare(sql::kSeriesOrganicUser);
    if (scope.campaign_id) {
      organic.bind_all(scope.bot_id, scope.chat_id, live_from, live_to);
    } else {
      organic.bind_all(scope.user_id, live_from, live_to);
    }
    while (organic.step()) {
      std::int64_t day = organic.int64(0);
      if (rolled.count(day)) continue;
      add_organic_count(days[day], organic.int64(1), organic.int64(2));
    }
  }

  std::vector<DayCounts> out;
  out.reserve(days.size());
  for (const auto& [day, counts] : days) out.push_back(DayCounts{day, counts});
  return out;
}

std::vector<std::pair<std::int64_t, std::int64_t>> SqliteStore::missing_rollups(std::int64_t today, int max) {
  auto r = read();
  return many<std::pair<std::int64_t, std::int64_t>>(
      *r, sql::kMissingRollups, [](const Stmt& s) { return std::make_pair(s.int64(0), s.int64(1)); }, today, today,
      max);
}

std::vector<Notice> SqliteStore::notices(std::int64_t user_id) {
  auto r = read();
  return many<Notice>(
      *r, sql::kNotices, [](const Stmt& s) { return Notice{s.int64(0), s.int64(1), s.text(2), s.int64(3)}; },
      user_id);
}

std::optional<Session> SqliteStore::session(std::string_view token_hash, std::int64_t now) {
  auto r = read();
  return one<Session>(
      *r, sql::kSession, [](const Stmt& s) { return Session{s.text(0), s.int64(1), s.text(2), s.int64(3)}; },
      token_hash, now);
}

std::vector<ReconcileTarget> SqliteStore::reconcile_targets(std::int64_t since, std::int64_t after_lead_id, int max) {
  auto r = read();
  return many<ReconcileTarget>(
      *r, sql::kReconcileTargets,
      [](const Stmt& s) { return ReconcileTarget{s.int64(0), s.int64(1), s.int64(2), s.text(3), s.int64(4)}; },
      after_lead_id, since, since, max);
}

std::vector<DuePostback> SqliteStore::due_postbacks(std::int64_t now, int max) {
  auto r = read();
  return many<DuePostback>(
      *r, sql::kDuePostbacks,
      [](const Stmt& s) { return DuePostback{s.int64(0), s.int64(1), s.text(2), static_cast<int>(s.int64(3))}; },
      now, max);
}

std::vector<TelegramJob> SqliteStore::due_telegram_jobs(std::int64_t now, int max) {
  auto r = read();
  return many<TelegramJob>(
      *r, sql::kDueTelegram,
      [](const Stmt& s) {
        return TelegramJob{s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.int64(5),
                           static_cast<int>(s.int64(6))};
      },
      now, max);
}

std::optional<std::int64_t> SqliteStore::next_postback_time() {
  auto r = read();
  return nullable_int(*r, sql::kNextPostbackTime);
}

std::optional<std::int64_t> SqliteStore::next_telegram_time() {
  auto r = read();
  return nullable_int(*r, sql::kNextTelegramTime);
}

// The FROM clause of contact listings and counts.
static std::string contact_from(const SqlFilter& rules) {
  return rules.scan_table ? " FROM contacts ct NOT INDEXED" : " FROM contacts ct";
}

std::vector<crm::Contact> SqliteStore::contacts(const ContactFilter& f, std::int64_t* total) {
  std::vector<crm::Contact> out;
  auto r = read();
  if (f.q.empty()) {
    // The listing order comes from the in-memory columns: an index on `updated` cost every
    // updated contact a random page (docs/benchmarks.md, "Contact import").
    std::vector<std::int64_t> ids;
    query_columns(f, [&](const crm::ContactColumns& columns, const std::vector<crm::SegmentRule>& rules,
                         const std::vector<crm::MemberList>& lists) {
      ids = columns.page(rules, lists, static_cast<std::size_t>(std::max<std::int64_t>(0, f.offset)),
                         static_cast<std::size_t>(std::max<std::int64_t>(0, f.limit)), total);
    });
    for (std::int64_t id : ids) {
      // A contact deleted since the columns were read is left out.
      if (auto c = one<crm::Contact>(*r, sql::kContactById, read_contact, f.user_id, id)) out.push_back(std::move(*c));
    }
  } else {
    SqlFilter rules = compile_rules(f.rules, kFirstRuleParam);
    out = paged<crm::Contact>(
        *r, TGLEAD_CONTACT_COLUMNS, contact_from(rules) + contact_where(f, rules), "ct.updated DESC, ct.id DESC",
        kFirstRuleParam + static_cast<int>(rules.values.size()), f.limit, f.offset,
        [&](Stmt& stmt) { bind_contact_filter(stmt, f, rules); }, read_contact, total);
  }
  for (auto& c : out) {
    c.tags = many<std::string>(*r, sql::kTagNamesOfContact, [](const Stmt& s) { return s.text(0); }, c.id);
    c.values = read_values(*r, c.id);
  }
  return out;
}

// One workspace's in-memory contact columns and the change-log revision they reflect.
struct SqliteStore::WorkspaceColumns {
  std::mutex mutex;  // held for a whole count: refresh and evaluation
  crm::ContactColumns columns;
  std::int64_t revision = -1;  // -1: not loaded
  std::int64_t loaded = 0;     // Unix time of the full load
  std::chrono::steady_clock::time_point used;
};

namespace {

// `links` yields (contact id, tag id) in contact order.
void set_tags_of_contacts(Stmt& links, crm::ContactColumns& columns) {
  std::int64_t contact = 0;
  std::vector<std::int64_t> tags;
  while (links.step()) {
    if (links.int64(0) != contact) {
      if (!tags.empty()) columns.set_tags(contact, tags);
      contact = links.int64(0);
      tags.clear();
    }
    tags.push_back(links.int64(1));
  }
  if (!tags.empty()) columns.set_tags(contact, tags);
}

void refresh_columns(Db& db, std::int64_t user_id, std::int64_t revision, std::int64_t& held_revision,
                     crm::ContactColumns& columns) {
  if (held_revision < 0) {
    columns = crm::ContactColumns();
    std::int64_t held = contacts_in_workspace(db, user_id);
    columns.reserve(static_cast<std::size_t>(held));
    auto rows = db.prepare(most_of_table(db, held) ? sql::kContactsOfWorkspaceByScan : sql::kContactsOfWorkspace);
    rows.bind_all(user_id);
    auto started = std::chrono::steady_clock::now();
    while (rows.step()) columns.upsert(read_contact(rows));
    auto links = db.prepare(sql::kTagLinksOfWorkspace);
    links.bind_all(user_id);
    set_tags_of_contacts(links, columns);
    spdlog::info("segment counts: loaded {} contacts of account {} in {} ms ({} MiB)", columns.size(), user_id,
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count(),
                 columns.memory_bytes() >> 20);
  } else if (revision != held_revision) {
    // Deletions first: a deleted row id can be given again to a new contact later on.
    auto deleted = db.prepare(sql::kContactsDeletedSince);
    deleted.bind_all(user_id, held_revision);
    while (deleted.step()) columns.erase(deleted.int64(0));
    auto changed = db.prepare(sql::kContactsChangedSince);
    changed.bind_all(user_id, held_revision);
    while (changed.step()) columns.upsert(read_contact(changed));
    // Tagging logs the contact as changed; its upsert above cleared what the columns held.
    auto links = db.prepare(sql::kTagLinksChangedSince);
    links.bind_all(user_id, held_revision);
    set_tags_of_contacts(links, columns);
  }
  held_revision = revision;
}

crm::SegmentRule enum_rule(const char* column, std::string_view value) {
  crm::SegmentRule rule;
  rule.field = rule.column = column;
  rule.subject = crm::RuleSubject::Enum;
  rule.op = crm::RuleOp::Eq;
  rule.value = std::string(value);
  return rule;
}

}  // namespace

void SqliteStore::evict_idle_columns(std::chrono::steady_clock::time_point now) {
  // A count in progress keeps its copy alive through its own reference.
  std::erase_if(columns_, [&](const auto& entry) {
    std::unique_lock busy(entry.second->mutex, std::try_to_lock);
    return busy.owns_lock() && now - entry.second->used > kColumnsIdle;
  });
}

bool SqliteStore::columns_held(std::int64_t user_id) {
  std::lock_guard lock(columns_mutex_);
  evict_idle_columns(std::chrono::steady_clock::now());
  return columns_.contains(user_id);
}

std::shared_ptr<SqliteStore::WorkspaceColumns> SqliteStore::columns_of(std::int64_t user_id) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(columns_mutex_);
  evict_idle_columns(now);
  auto& entry = columns_[user_id];
  if (!entry) {
    entry = std::make_shared<WorkspaceColumns>();
    entry->used = now;
  }
  return entry;
}

std::int64_t SqliteStore::count_in_columns(const ContactFilter& f) {
  // A plain total must not wait for a load: contacts_user answers it in ~50 ms at 1M.
  if (f.rules.empty() && !f.status && !f.source && !f.tag_id && !columns_held(f.user_id)) {
    auto r = read();
    return contacts_in_workspace(*r, f.user_id);
  }
  std::int64_t count = 0;
  query_columns(f, [&](const crm::ContactColumns& columns, const std::vector<crm::SegmentRule>& rules,
                       const std::vector<crm::MemberList>& lists) { count = columns.count(rules, lists); });
  return count;
}

void SqliteStore::query_columns(const ContactFilter& f, const ColumnsQuery& evaluate) {
  std::vector<crm::SegmentRule> rules;
  std::vector<crm::MemberList> lists;
  if (f.status) rules.push_back(enum_rule("status", crm::status_name(*f.status)));
  if (f.source) rules.push_back(enum_rule("source", crm::source_name(*f.source)));
  std::shared_ptr<WorkspaceColumns> held = columns_of(f.user_id);
  std::lock_guard lock(held->mutex);
  auto r = read();
  Db& db = *r;
  // One read transaction: the change log and the member lists describe the same moment.
  db.exec("BEGIN");
  try {
    std::int64_t revision = nullable_int(db, sql::kContactRevision).value_or(0);
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    if (held->revision >= 0 && now - held->loaded > kColumnsMaxAge) held->revision = -1;
    if (held->revision < 0) held->loaded = now;
    refresh_columns(db, f.user_id, revision, held->revision, held->columns);
    if (f.tag_id) {
      crm::SegmentRule tagged;
      tagged.field = "tag";
      tagged.subject = crm::RuleSubject::Tag;
      tagged.op = crm::RuleOp::Has;
      tagged.tag_id = *f.tag_id;
      rules.push_back(std::move(tagged));
    }
    for (const auto& rule : f.rules) {
      if (rule.subject == crm::RuleSubject::Tag) {
        crm::SegmentRule resolved = rule;
        auto tag = one<crm::Tag>(db, sql::kTagByName, read_tag, f.user_id, rule.value);
        resolved.tag_id = tag ? tag->id : 0;
        rules.push_back(std::move(resolved));
        continue;
      }
      if (crm::rule_reads_columns(rule)) {
        rules.push_back(rule);
        continue;
      }
      MemberQuery query = member_query(rule);
      auto members = db.prepare_uncached(query.sql);
      if (members.parameter_count() > 0) members.bind(1, f.user_id);  // custom field lists need no workspace
      int index = 2;
      for (const auto& value : query.values) std::visit([&](const auto& v) { members.bind(index++, v); }, value);
      lists.push_back(crm::MemberList{ids_of(members), query.negated, query.telegram_ids});
    }
    db.exec("COMMIT");
  } catch (...) {
    db.exec("ROLLBACK");
    held->revision = -1;  // a refresh cut short leaves the copy half-updated
    throw;
  }
  held->used = std::chrono::steady_clock::now();
  evaluate(held->columns, rules, lists);
}

std::int64_t SqliteStore::count_contacts(const ContactFilter& f) {
  if (f.q.empty()) return count_in_columns(f);
  auto r = read();
  SqlFilter rules = compile_rules(f.rules, kFirstRuleParam);
  auto count = (*r).prepare_uncached("SELECT COUNT(*)" + contact_from(rules) + contact_where(f, rules));
  bind_contact_filter(count, f, rules);
  count.step();
  return count.int64(0);
}

std::optional<crm::Contact> SqliteStore::contact(std::int64_t user_id, std::int64_t id) {
  auto r = read();
  auto c = one<crm::Contact>(*r, sql::kContactById, read_contact, user_id, id);
  if (c) {
    c->tags = many<std::string>(*r, sql::kTagNamesOfContact, [](const Stmt& s) { return s.text(0); }, c->id);
    c->values = read_values(*r, c->id);
  }
  return c;
}

std::vector<crm::HistoryEntry> SqliteStore::contact_history(std::int64_t user_id, std::int64_t contact_id, int max) {
  auto r = read();
  return many<crm::HistoryEntry>(
      *r, sql::kContactHistory,
      [](const Stmt& s) {
        return crm::HistoryEntry{s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.text(4), s.text(5)};
      },
      user_id, contact_id, max);
}

std::vector<crm::Tag> SqliteStore::tags(std::int64_t user_id) {
  auto r = read();
  return many<crm::Tag>(
      *r, sql::kTagsOfUser,
      [](const Stmt& s) {
        crm::Tag t = read_tag(s);
        t.contacts = s.int64(4);
        return t;
      },
      user_id);
}

std::vector<ContactImportRecord> SqliteStore::contact_imports(std::int64_t user_id, std::int64_t limit,
                                                              std::int64_t offset, std::int64_t* total) {
  auto r = read();
  return paged<ContactImportRecord>(
      *r, TGLEAD_CONTACT_IMPORT_COLUMNS, " FROM contact_imports WHERE user_id = ?1", "id DESC", 2, limit, offset,
      [&](Stmt& stmt) { stmt.bind(1, user_id); }, read_contact_import, total);
}

std::optional<ContactImportRecord> SqliteStore::contact_import(std::int64_t user_id, std::int64_t id) {
  auto r = read();
  return one<ContactImportRecord>(*r, sql::kContactImportById, read_contact_import, user_id, id);
}

void SqliteStore::each_contact_import_error(std::int64_t import_id,
                                            const std::function<void(const ContactImportError&)>& row) {
  auto r = read();
  auto stmt = (*r).prepare(sql::kContactImportErrors);
  stmt.bind_all(import_id);
  while (stmt.step()) row(ContactImportError{stmt.int64(0), stmt.text(1), stmt.text(2)});
}

std::vector<Crawl> SqliteStore::crawls(std::int64_t user_id, std::optional<CrawlKind> kind, std::int64_t limit,
                                       std::int64_t offset, std::int64_t* total) {
  auto r = read();
  std::string kind_text = kind ? std::string(crawl_kind_name(*kind)) : std::string();
  if (total) {
    auto count = (*r).prepare(sql::kCountCrawlsOfUser);
    count.bind_all(user_id, kind_text);
    *total = count.step() ? count.int64(0) : 0;
  }
  return many<Crawl>(*r, sql::kCrawlsOfUser, read_crawl, user_id, kind_text, limit, offset);
}

std::optional<Crawl> SqliteStore::crawl(std::int64_t user_id, std::int64_t id) {
  auto r = read();
  return one<Crawl>(*r, sql::kCrawlById, read_crawl, user_id, id);
}

std::optional<Crawl> SqliteStore::export_crawl(std::int64_t user_id, std::string_view source_hash) {
  auto r = read();
  return one<Crawl>(*r, sql::kExportCrawl, read_crawl, user_id, source_hash);
}

std::vector<CrawlMember> SqliteStore::crawl_members(std::int64_t user_id, std::int64_t crawl_id, std::int64_t limit,
                                                    std::int64_t offset, std::int64_t* total) {
  auto r = read();
  if (total) {
    *total = one<std::int64_t>(*r, sql::kCountCrawlMembers, [](const Stmt& s) { return s.int64(0); }, user_id,
                               crawl_id).value_or(0);
  }
  auto members = many<CrawlMember>(*r, sql::kCrawlMembers, read_crawl_member, user_id, crawl_id, limit, offset);
  if (members.empty()) return members;
  // A crawl lists a Telegram id once, and a workspace gives it to one contact at most.
  std::unordered_map<std::int64_t, CrawlMember*> by_telegram_id;
  nlohmann::json ids = nlohmann::json::array();
  for (auto& m : members) {
    by_telegram_id[m.telegram_id] = &m;
    ids.push_back(m.telegram_id);
  }
  auto found = (*r).prepare(sql::kContactsWithTelegramIds);
  found.bind_all(user_id, ids.dump());
  while (found.step()) {
    CrawlMember& m = *by_telegram_id.at(found.int64(0));
    m.contact_id = found.int64(1);
    m.username = found.text(2);
    m.first_name = found.text(3);
    m.last_name = found.text(4);
  }
  return members;
}

std::vector<crm::FieldDefinition> SqliteStore::fields(std::int64_t user_id) {
  auto r = read();
  return many<crm::FieldDefinition>(*r, sql::kFieldsOfUser, read_field, user_id);
}

std::vector<crm::Segment> SqliteStore::segments(std::int64_t user_id) {
  auto r = read();
  return many<crm::Segment>(*r, sql::kSegmentsOfUser, read_segment, user_id);
}

std::optional<crm::Segment> SqliteStore::segment(std::int64_t user_id, std::int64_t id) {
  auto r = read();
  return one<crm::Segment>(*r, sql::kSegmentById, read_segment, user_id, id);
}

}  // namespace tglead::storage::sqlite
