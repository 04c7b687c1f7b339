// Every fixed SQL statement of the SQLite store, as a named constant.
//
// Contract: statements are prepared once per connection and cached by the
// constant's address (see Db::prepare), so each must be a single statement.
// Column lists of the k*Columns constants match the row readers in sqlite_store.cpp.
#pragma once

#include <cstddef>
#include <string>

namespace tglead::storage::sqlite::sql {

#define TGLEAD_USER_COLUMNS \
  "id, email, password_hash, api_key, transfer_token, plan, paid_until, telegram_id, timezone, " \
  "pb_wait, pb_hold, pb_approve, pb_cancel, pb_trash"
#define TGLEAD_BOT_COLUMNS "id, user_id, token, username, name, secret, status"
#define TGLEAD_CHAT_COLUMNS "bot_id, id, title, type, username, requests, ok"
#define TGLEAD_CAMPAIGN_COLUMNS                                                                     \
  "c.id, c.user_id, c.bot_id, c.chat_id, c.code, c.name, c.active, c.unsub_window, c.approve_requests, " \
  "c.pb_wait, c.pb_hold, c.pb_approve, c.pb_cancel, c.pb_trash, c.welcome, c.invite_link, "       \
  "COALESCE(NOT ch.ok, 0), COALESCE(b.username, ''), c.messages"
#define TGLEAD_CAMPAIGN_FROM \
  " FROM campaigns c LEFT JOIN chats ch ON ch.bot_id = c.bot_id AND ch.id = c.chat_id LEFT JOIN bots b ON b.id = c.bot_id "
#define TGLEAD_LEAD_COLUMNS                                                                       \
  "l.id, l.user_id, l.campaign_id, l.subscriber, l.username, l.first_name, l.last_name, l.click, " \
  "l.status, l.start_time, l.join_time, l.leave_time, l.updated, l.reconciled"

inline constexpr const char* kBegin = "BEGIN IMMEDIATE";
inline constexpr const char* kCommit = "COMMIT";
inline constexpr const char* kRollback = "ROLLBACK";
inline constexpr const char* kSavepoint = "SAVEPOINT unit";
inline constexpr const char* kRelease = "RELEASE unit";
inline constexpr const char* kRollbackToSavepoint = "ROLLBACK TO unit";

inline constexpr const char* kMarkUpdateSeen =
    "INSERT INTO seen_updates (bot_id, update_id, time) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
inline constexpr const char* kPruneSeenUpdates = "DELETE FROM seen_updates WHERE time < ?";

inline constexpr const char* kInsertUser =
    "INSERT INTO users (email, password_hash, api_key, transfer_token, plan, paid_until, telegram_id, timezone, "
    "pb_wait, pb_hold, pb_approve, pb_cancel, pb_trash, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
inline constexpr const char* kUpdateUser =
    "UPDATE users SET email=?, password_hash=?, api_key=?, transfer_token=?, plan=?, paid_until=?, telegram_id=?, "
    "timezone=?, pb_wait=?, pb_hold=?, pb_approve=?, pb_cancel=?, pb_trash=? WHERE id=?";
inline constexpr const char* kUserByKey = "SELECT " TGLEAD_USER_COLUMNS " FROM users WHERE api_key = ?";
inline constexpr const char* kUserByEmail = "SELECT " TGLEAD_USER_COLUMNS " FROM users WHERE email = ?";
inline constexpr const char* kUserById = "SELECT " TGLEAD_USER_COLUMNS " FROM users WHERE id = ?";
inline constexpr const char* kUserByTransferToken =
    "SELECT " TGLEAD_USER_COLUMNS " FROM users WHERE transfer_token = ?";

inline constexpr const char* kUpsertBot =
    "INSERT INTO bots (id, user_id, token, username, name, secret, status, created) VALUES (?,?,?,?,?,?,?,?) "
    "ON CONFLICT(id) DO UPDATE SET user_id=excluded.user_id, token=excluded.token, username=excluded.username, "
    "name=excluded.name, secret=excluded.secret, status=excluded.status";
inline constexpr const char* kSetBotStatus = "UPDATE bots SET status = ? WHERE id = ?";
inline constexpr const char* kBotById = "SELECT " TGLEAD_BOT_COLUMNS " FROM bots WHERE id = ?";
inline constexpr const char* kBotsOfUser =
    "SELECT " TGLEAD_BOT_COLUMNS ", (SELECT COUNT(*) FROM chats ch WHERE ch.bot_id = bots.id AND ch.ok = 1) "
    "FROM bots WHERE user_id = ? ORDER BY created, id";
inline constexpr const char* kConnectedBots = "SELECT " TGLEAD_BOT_COLUMNS " FROM bots WHERE status != 3 ORDER BY id";
inline constexpr const char* kFlaggedChatCount = "SELECT COUNT(*) FROM chats WHERE bot_id = ? AND ok = 0";

inline constexpr const char* kUpsertChat =
    "INSERT INTO chats (bot_id, id, title, type, username, requests, ok) VALUES (?,?,?,?,?,?,?) "
    "ON CONFLICT(bot_id, id) DO UPDATE SET title=excluded.title, type=excluded.type, username=excluded.username, "
    "requests=MAX(chats.requests, excluded.requests), ok=excluded.ok";
inline constexpr const char* kSetChatOk = "UPDATE chats SET ok = ? WHERE bot_id = ? AND id = ?";
inline constexpr const char* kSetChatRequests = "UPDATE chats SET requests = 1 WHERE bot_id = ? AND id = ?";
inline constexpr const char* kChatsOfBot =
    "SELECT " TGLEAD_CHAT_COLUMNS " FROM chats WHERE bot_id = ? ORDER BY title, id";
inline constexpr const char* kChat = "SELECT " TGLEAD_CHAT_COLUMNS " FROM chats WHERE bot_id = ? AND id = ?";
inline constexpr const char* kMigrateChat = "UPDATE OR REPLACE chats SET id = ? WHERE bot_id = ? AND id = ?";
inline constexpr const char* kMigrateCampaigns = "UPDATE campaigns SET chat_id = ? WHERE bot_id = ? AND chat_id = ?";
inline constexpr const char* kMigrateJournal = "UPDATE journal SET chat_id = ? WHERE bot_id = ? AND chat_id = ?";
inline constexpr const char* kMigrateRollupChat =
    "UPDATE OR REPLACE rollup_chat SET chat_id = ? WHERE bot_id = ? AND chat_id = ?";

inline constexpr const char* kUpsertSubscriberBlocked =
    "INSERT INTO subscribers (bot_id, id, blocked, updated) VALUES (?,?,?,?) "
    "ON CONFLICT(bot_id, id) DO UPDATE SET blocked=excluded.blocked, updated=excluded.updated";

inline constexpr const char* kCampaignById =
    "SELECT " TGLEAD_CAMPAIGN_COLUMNS TGLEAD_CAMPAIGN_FROM "WHERE c.id = ? AND c.deleted = 0";
inline constexpr const char* kCampaignByCode =
    "SELECT " TGLEAD_CAMPAIGN_COLUMNS TGLEAD_CAMPAIGN_FROM
    "WHERE c.bot_id = ? AND c.code = ? AND c.deleted = 0 ORDER BY c.user_id = b.user_id DESC, c.id LIMIT 1";
inline constexpr const char* kActiveCampaignsOfBot =
    "SELECT " TGLEAD_CAMPAIGN_COLUMNS TGLEAD_CAMPAIGN_FROM
    "WHERE c.bot_id = ? AND c.active = 1 AND c.deleted = 0 ORDER BY c.id";
inline constexpr const char* kCampaignsOfChat =
    "SELECT " TGLEAD_CAMPAIGN_COLUMNS TGLEAD_CAMPAIGN_FROM
    "WHERE c.bot_id = ? AND c.chat_id = ? AND c.deleted = 0 ORDER BY c.id";
inline constexpr const char* kCampaignsOfUser =
    "SELECT " TGLEAD_CAMPAIGN_COLUMNS TGLEAD_CAMPAIGN_FROM "WHERE c.user_id = ? AND c.deleted = 0 ORDER BY c.id";
inline constexpr const char* kCampaignsOfUserByState =
    "SELECT " TGLEAD_CAMPAIGN_COLUMNS TGLEAD_CAMPAIGN_FROM
    "WHERE c.user_id = ? AND c.deleted = 0 AND c.active = ? ORDER BY c.id";
inline constexpr const char* kCountActiveCampaigns =
    "SELECT COUNT(*) FROM campaigns WHERE user_id = ? AND active = 1 AND deleted = 0";
inline constexpr const char* kCodeTaken =
    "SELECT 1 FROM campaigns WHERE user_id = ? AND code = ? AND deleted = 0 AND id != ?";
inline constexpr const char* kChatTaken =
    "SELECT 1 FROM campaigns WHERE bot_id = ? AND chat_id = ? AND active = 1 AND deleted = 0 AND id != ?";
inline constexpr const char* kInsertCampaign =
    "INSERT INTO campaigns (user_id, bot_id, chat_id, code, name, active, unsub_window, approve_requests, "
    "pb_wait, pb_hold, pb_approve, pb_cancel, pb_trash, welcome, invite_link, created, updated, messages) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
inline constexpr const char* kUpdateCampaign =
    "UPDATE campaigns SET bot_id=?, chat_id=?, code=?, name=?, active=?, unsub_window=?, approve_requests=?, "
    "pb_wait=?, pb_hold=?, pb_approve=?, pb_cancel=?, pb_trash=?, welcome=?, invite_link=?, updated=?, messages=? "
    "WHERE id=?";
inline constexpr const char* kSetCampaignInviteLink = "UPDATE campaigns SET invite_link = ? WHERE id = ?";
// Moving a campaign moves its history: leads, transitions and postbacks carry the account id.
inline constexpr const char* kMoveCampaign = "UPDATE campaigns SET user_id = ?, updated = ? WHERE id = ?";
inline constexpr const char* kMoveLeads = "UPDATE leads SET user_id = ? WHERE campaign_id = ?";
inline constexpr const char* kMoveTransitions = "UPDATE transitions SET user_id = ? WHERE campaign_id = ?";
inline constexpr const char* kMovePostbacks =
    "UPDATE postbacks SET user_id = ? WHERE lead_id IN (SELECT id FROM leads WHERE campaign_id = ?)";
inline constexpr const char* kMoveBot = "UPDATE bots SET user_id = ? WHERE id = ?";
inline constexpr const char* kForgetRollups = "DELETE FROM rollup_days WHERE user_id IN (?, ?)";
// §7: 14 days after paid_until, a paid account's active campaigns pause (never deleted).
inline constexpr const char* kPauseExpired =
    "UPDATE campaigns SET active = 0, updated = ?1 WHERE active = 1 AND deleted = 0 AND user_id IN "
    "(SELECT id FROM users WHERE plan != 0 AND paid_until < ?1 - 14 * 86400)";
inline constexpr const char* kDeleteCampaign = "UPDATE campaigns SET deleted = 1, active = 0, updated = ? WHERE id = ?";

inline constexpr const char* kLeadOf =
    "SELECT " TGLEAD_LEAD_COLUMNS " FROM leads l WHERE l.campaign_id = ? AND l.subscriber = ?";
inline constexpr const char* kLeadById = "SELECT " TGLEAD_LEAD_COLUMNS " FROM leads l WHERE l.id = ?";
inline constexpr const char* kReconcileTargets =
    "SELECT l.id, l.subscriber, c.bot_id, b.token, c.chat_id FROM leads l JOIN campaigns c ON c.id = l.campaign_id "
    "JOIN bots b ON b.id = c.bot_id JOIN chats ch ON ch.bot_id = c.bot_id AND ch.id = c.chat_id "
    "WHERE l.id > ? AND l.status IN (0, 1, 2) AND (l.start_time >= ? OR l.updated >= ?) AND c.deleted = 0 "
    "AND b.status != 3 AND ch.ok = 1 ORDER BY l.id LIMIT ?";
inline constexpr const char* kInsertLead =
    "INSERT INTO leads (user_id, campaign_id, subscriber, username, first_name, last_name, click, status, "
    "start_time, join_time, leave_time, updated, reconciled) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
inline constexpr const char* kUpdateLead =
    "UPDATE leads SET username=?, first_name=?, last_name=?, click=?, status=?, start_time=?, join_time=?, "
    "leave_time=?, updated=?, reconciled=? WHERE id=?";

inline constexpr const char* kInsertTransition =
    "INSERT INTO transitions (user_id, campaign_id, lead_id, status, time, first, reconciled) VALUES (?,?,?,?,?,?,?)";
inline constexpr const char* kInsertJournal =
    "INSERT INTO journal (bot_id, chat_id, subscriber, username, action, paid, time) VALUES (?,?,?,?,?,?,?)";
inline constexpr const char* kOrganicJournalSince =
    "SELECT id, bot_id, chat_id, subscriber, username, action, paid, time FROM journal "
    "WHERE bot_id = ? AND chat_id = ? AND subscriber = ? AND paid = 0 AND time >= ? ORDER BY time, id";
inline constexpr const char* kMarkJournalPaid = "UPDATE journal SET paid = 1 WHERE id = ?";
inline constexpr const char* kInvalidateRollupDay = "DELETE FROM rollup_days WHERE user_id = ? AND day = ?";
inline constexpr const char* kInvalidateRollupDayOfBot =
    "DELETE FROM rollup_days WHERE day = ? AND user_id = (SELECT user_id FROM bots WHERE id = ?)";

inline constexpr const char* kInsertPostback =
    "INSERT INTO postbacks (lead_id, user_id, status, url, state, reason, tid, created, next_attempt) "
    "VALUES (?,?,?,?,?,?,?,?,?)";
inline constexpr const char* kMarkPostbackSending = "UPDATE postbacks SET state = 1 WHERE id = ? AND state = 0";
inline constexpr const char* kFinishPostback =
    "UPDATE postbacks SET state = ?, next_attempt = ?, reason = ?, attempts = attempts + 1 WHERE id = ?";
inline constexpr const char* kInsertAttempt =
    "INSERT INTO postback_attempts (postback_id, time, http_code, body, error) VALUES (?,?,?,?,?)";
// A postback is due when no earlier postback of the same lead is still open:
// per-lead transition order is kept even across retries. The redundant
// `state IN (0, 1)` here and below repeats the predicate of the partial index
// postbacks_open: SQLite only picks a partial index whose WHERE the query spells out.
inline constexpr const char* kDuePostbacks =
    "SELECT p.id, p.lead_id, p.url, p.attempts FROM postbacks p "
    "WHERE p.state IN (0, 1) AND p.state = 0 AND p.next_attempt <= ? "
    "AND NOT EXISTS (SELECT 1 FROM postbacks e WHERE e.lead_id = p.lead_id AND e.id < p.id AND e.state IN (0, 1)) "
    "ORDER BY p.next_attempt, p.id LIMIT ?";
inline constexpr const char* kNextPostbackTime =
    "SELECT MIN(next_attempt) FROM postbacks WHERE state IN (0, 1) AND state = 0";
// A crash between "sending" and the recorded answer leaves the outcome unknown;
// resending could double-count a conversion, so it is failed visibly instead.
inline constexpr const char* kAbandonSending =
    "UPDATE postbacks SET state = 3, reason = 'interrupted: delivery outcome unknown' "
    "WHERE state IN (0, 1) AND state = 1";
inline constexpr const char* kPostbacksOfLead =
    "SELECT id, lead_id, user_id, status, url, state, reason, tid, created, next_attempt, attempts "
    "FROM postbacks WHERE lead_id = ? ORDER BY id";
inline constexpr const char* kAttemptsOfPostback =
    "SELECT time, http_code, body, error FROM postback_attempts WHERE postback_id = ? ORDER BY id";

inline constexpr const char* kEnqueueTelegram =
    "INSERT INTO telegram_outbox (bot_id, method, payload, subscriber, created, next_attempt) VALUES (?,?,?,?,?,?)";
inline constexpr const char* kFinishTelegram =
    "UPDATE telegram_outbox SET state = ?, next_attempt = ?, error = ?, attempts = attempts + 1 WHERE id = ?";
inline constexpr const char* kDueTelegram =
    "SELECT o.id, o.bot_id, b.token, o.method, o.payload, o.subscriber, o.attempts FROM telegram_outbox o "
    "JOIN bots b ON b.id = o.bot_id WHERE o.state = 0 AND o.next_attempt <= ? ORDER BY o.next_attempt, o.id LIMIT ?";
inline constexpr const char* kNextTelegramTime = "SELECT MIN(next_attempt) FROM telegram_outbox WHERE state = 0";

inline constexpr const char* kDismissNotice = "UPDATE notices SET dismissed = 1 WHERE user_id = ? AND id = ? AND dismissed = 0";
inline constexpr const char* kInsertSession =
    "INSERT INTO sessions (token_hash, user_id, csrf, created, expires) VALUES (?,?,?,?,?)";
inline constexpr const char* kDeleteSession = "DELETE FROM sessions WHERE token_hash = ?";
inline constexpr const char* kDeleteExpiredSessions = "DELETE FROM sessions WHERE expires < ?";
inline constexpr const char* kSession =
    "SELECT token_hash, user_id, csrf, expires FROM sessions WHERE token_hash = ? AND expires >= ?";
inline constexpr const char* kInsertNotice = "INSERT INTO notices (user_id, text, created) VALUES (?,?,?)";
inline constexpr const char* kNotices =
    "SELECT id, user_id, text, created FROM notices WHERE user_id = ? AND dismissed = 0 ORDER BY id DESC LIMIT 50";

// Statistics (§6.3). Distinct leads per status within [from, to].
inline constexpr const char* kSummaryTransitionsUser =
    "SELECT status, first, COUNT(DISTINCT lead_id) FROM transitions WHERE user_id = ? AND time BETWEEN ? AND ? "
    "GROUP BY status, first";
inline constexpr const char* kSummaryTransitionsCampaign =
    "SELECT status, first, COUNT(DISTINCT lead_id) FROM transitions WHERE campaign_id = ? AND time BETWEEN ? AND ? "
    "GROUP BY status, first";
inline constexpr const char* kSummaryOrganicUser =
    "SELECT j.action, COUNT(*) FROM journal j JOIN bots b ON b.id = j.bot_id WHERE b.user_id = ? AND j.paid = 0 "
    "AND j.time BETWEEN ? AND ? GROUP BY j.action";
inline constexpr const char* kSummaryOrganicChat =
    "SELECT action, COUNT(*) FROM journal WHERE bot_id = ? AND chat_id = ? AND paid = 0 AND time BETWEEN ? AND ? "
    "GROUP BY action";
inline constexpr const char* kSeriesTransitionsUser =
    "SELECT time - (time % 86400) - (CASE WHEN time % 86400 < 0 THEN 86400 ELSE 0 END) AS day, status, first, "
    "COUNT(DISTINCT lead_id) FROM transitions WHERE user_id = ? AND time BETWEEN ? AND ? GROUP BY day, status, first";
inline constexpr const char* kSeriesTransitionsCampaign =
    "SELECT time - (time % 86400) - (CASE WHEN time % 86400 < 0 THEN 86400 ELSE 0 END) AS day, status, first, "
    "COUNT(DISTINCT lead_id) FROM transitions WHERE campaign_id = ? AND time BETWEEN ? AND ? "
    "GROUP BY day, status, first";
inline constexpr const char* kSeriesOrganicUser =
    "SELECT j.time - (j.time % 86400) - (CASE WHEN j.time % 86400 < 0 THEN 86400 ELSE 0 END) AS day, j.action, "
    "COUNT(*) FROM journal j JOIN bots b ON b.id = j.bot_id WHERE b.user_id = ? AND j.paid = 0 "
    "AND j.time BETWEEN ? AND ? GROUP BY day, j.action";
inline constexpr const char* kSeriesOrganicChat =
    "SELECT time - (time % 86400) - (CASE WHEN time % 86400 < 0 THEN 86400 ELSE 0 END) AS day, action, COUNT(*) "
    "FROM journal WHERE bot_id = ? AND chat_id = ? AND paid = 0 AND time BETWEEN ? AND ? GROUP BY day, action";
inline constexpr const char* kRollupDaysInRange =
    "SELECT day FROM rollup_days WHERE user_id = ? AND day BETWEEN ? AND ?";
inline constexpr const char* kRollupCampaignUser =
    "SELECT r.day, SUM(starts), SUM(holds), SUM(confirms), SUM(cancels), SUM(trashes) FROM rollup_campaign r "
    "JOIN rollup_days d ON d.user_id = r.user_id AND d.day = r.day WHERE r.user_id = ? AND r.day BETWEEN ? AND ? "
    "GROUP BY r.day";
inline constexpr const char* kRollupCampaignOne =
    "SELECT r.day, starts, holds, confirms, cancels, trashes FROM rollup_campaign r "
    "JOIN rollup_days d ON d.user_id = r.user_id AND d.day = r.day WHERE r.user_id = ? AND r.campaign_id = ? "
    "AND r.day BETWEEN ? AND ?";
inline constexpr const char* kRollupChatUser =
    "SELECT r.day, SUM(joins), SUM(leaves) FROM rollup_chat r JOIN rollup_days d ON d.user_id = r.user_id "
    "AND d.day = r.day WHERE r.user_id = ? AND r.day BETWEEN ? AND ? GROUP BY r.day";
inline constexpr const char* kRollupChatOne =
    "SELECT r.day, joins, leaves FROM rollup_chat r JOIN rollup_days d ON d.user_id = r.user_id AND d.day = r.day "
    "WHERE r.user_id = ? AND r.bot_id = ? AND r.chat_id = ? AND r.day BETWEEN ? AND ?";
inline constexpr const char* kClearRollupCampaign = "DELETE FROM rollup_campaign WHERE user_id = ? AND day = ?";
inline constexpr const char* kClearRollupChat = "DELETE FROM rollup_chat WHERE user_id = ? AND day = ?";
inline constexpr const char* kFillRollupCampaign =
    "INSERT INTO rollup_campaign (user_id, campaign_id, day, starts, holds, confirms, cancels, trashes) "
    "SELECT ?1, campaign_id, ?2, "
    "COUNT(DISTINCT CASE WHEN first = 1 THEN lead_id END), COUNT(DISTINCT CASE WHEN status = 1 THEN lead_id END), "
    "COUNT(DISTINCT CASE WHEN status = 2 THEN lead_id END), COUNT(DISTINCT CASE WHEN status = 3 THEN lead_id END), "
    "COUNT(DISTINCT CASE WHEN status = 4 THEN lead_id END) "
    "FROM transitions WHERE user_id = ?1 AND time BETWEEN ?2 AND ?2 + 86399 GROUP BY campaign_id";
inline constexpr const char* kFillRollupChat =
    "INSERT INTO rollup_chat (user_id, bot_id, chat_id, day, joins, leaves) "
    "SELECT ?1, j.bot_id, j.chat_id, ?2, SUM(j.action = 0), SUM(j.action IN (1, 2)) FROM journal j "
    "JOIN bots b ON b.id = j.bot_id WHERE b.user_id = ?1 AND j.paid = 0 AND j.time BETWEEN ?2 AND ?2 + 86399 "
    "GROUP BY j.bot_id, j.chat_id";
inline constexpr const char* kMarkRollupDay = "INSERT OR REPLACE INTO rollup_days (user_id, day) VALUES (?, ?)";
// Past days that saw transitions but have no rollup yet (bounded scan of the last 60 days).
inline constexpr const char* kMissingRollups =
    "SELECT DISTINCT t.user_id, t.time - (t.time % 86400) AS day FROM transitions t WHERE t.time >= ? - 60 * 86400 "
    "AND t.time < ? AND NOT EXISTS (SELECT 1 FROM rollup_days d WHERE d.user_id = t.user_id "
    "AND d.day = t.time - (t.time % 86400)) LIMIT ?";

// CRM contacts (§8.1). NULL identifiers are bound as NULL, never as 0 / ''.
#define TGLEAD_CONTACT_COLUMNS                                                                            \
  "ct.id, ct.user_id, ct.telegram_id, ct.username, ct.phone, ct.first_name, ct.last_name, ct.country, " \
  "ct.language, ct.group_name, ct.source, ct.status, ct.priority, ct.created_by, ct.import_id, ct.created, ct.updated"

inline constexpr const char* kContactById =
    "SELECT " TGLEAD_CONTACT_COLUMNS " FROM contacts ct WHERE ct.user_id = ? AND ct.id = ?";
inline constexpr const char* kInsertContact =
    "INSERT INTO contacts (user_id, telegram_id, username, phone, first_name, last_name, country, language, "
    "group_name, source, status, priority, created_by, import_id, created, updated) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
// kInsertContact for many contacts in one statement, with ids the writer gives (it knows the next
// free one while it holds the write lock): a statement's fixed cost is paid once per
// kContactsPerInsert contacts.
inline constexpr std::size_t kContactsPerInsert = 64;
inline const char* contacts_insert(std::size_t rows) {
  static const auto text = [](std::size_t n) {
    std::string sql =
        "INSERT INTO contacts (id, user_id, telegram_id, username, phone, first_name, last_name, country, "
        "language, group_name, source, status, priority, created_by, import_id, created, updated) VALUES ";
    for (std::size_t i = 0; i < n; ++i) sql += i == 0 ? "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    return sql;
  };
  static const std::string one = text(1), many = text(kContactsPerInsert);
  return rows == 1 ? one.c_str() : many.c_str();
}
inline constexpr const char* kUpdateContact =
    "UPDATE contacts SET telegram_id=?, username=?, phone=?, first_name=?, last_name=?, country=?, language=?, "
    "group_name=?, source=?, status=?, priority=?, created_by=?, import_id=?, updated=? WHERE user_id=? AND id=?";
inline constexpr const char* kUpdateContactDetails =
    "UPDATE contacts SET first_name=?, last_name=?, country=?, language=?, group_name=?, source=?, status=?, "
    "priority=?, created_by=?, import_id=?, updated=? WHERE user_id=? AND id=?";
inline constexpr const char* kDeleteContact =
    "DELETE FROM contacts WHERE user_id = ? AND id = ? RETURNING username, phone, telegram_id";
// The writer's identity index (crm/identity_index.hpp): a full load, by the same two plans as the
// segment columns below, and the catch-up on what other processes changed.
inline constexpr const char* kIdentitiesOfWorkspace =
    "SELECT id, username, phone, telegram_id FROM contacts WHERE user_id = ?";
inline constexpr const char* kIdentitiesOfWorkspaceByScan =
    "SELECT id, username, phone, telegram_id FROM contacts WHERE +user_id = ?";
inline constexpr const char* kIdentifiersOfContact =
    "SELECT username, phone, telegram_id FROM contacts WHERE user_id = ? AND id = ?";
// The contacts written after a revision, by the ranges of the change log (a contact written by
// several units comes once per unit).
#define TGLEAD_CONTACTS_CHANGED_SINCE                                                      \
  " FROM contact_changes ch JOIN contacts ct ON ct.id BETWEEN ch.first_id AND ch.last_id " \
  "WHERE ch.user_id = ?1 AND ch.rev > ?2 AND ct.user_id = ?1"
inline constexpr const char* kIdentitiesChangedSince =
    "SELECT ct.id, ct.username, ct.phone, ct.telegram_id" TGLEAD_CONTACTS_CHANGED_SINCE;
// The contact change log (schema migration 9) read by the in-memory segment counts.
inline constexpr const char* kNextContactRevision =
    "UPDATE contact_revision SET value = value + 1 WHERE id = 1 RETURNING value";
inline constexpr const char* kContactRevision = "SELECT value FROM contact_revision WHERE id = 1";
inline constexpr const char* kInsertContactDeletion =
    "INSERT OR IGNORE INTO contact_deletions (user_id, rev, contact_id, time) VALUES (?,?,?,?)";
inline constexpr const char* kInsertContactChanges =
    "INSERT INTO contact_changes (user_id, rev, first_id, last_id, time) VALUES (?,?,?,?,?)";
inline constexpr const char* kPruneContactDeletions = "DELETE FROM contact_deletions WHERE time < ?";
inline constexpr const char* kPruneContactChanges = "DELETE FROM contact_changes WHERE time < ?";
// Loading a workspace in id order: through its index and a sort when it is a small share of the
// table, by one pass over the table (in id order already, 3x faster at 1M) when it is most of it.
inline constexpr const char* kContactsOfWorkspace =
    "SELECT " TGLEAD_CONTACT_COLUMNS " FROM contacts ct WHERE ct.user_id = ? ORDER BY ct.id";
inline constexpr const char* kContactsOfWorkspaceByScan =
    "SELECT " TGLEAD_CONTACT_COLUMNS " FROM contacts ct WHERE +ct.user_id = ? ORDER BY ct.id";
inline constexpr const char* kContactsInWorkspace = "SELECT COUNT(*) FROM contacts WHERE user_id = ?";
inline constexpr const char* kContactIdCeiling = "SELECT COALESCE(MAX(id), 0) FROM contacts";
inline constexpr const char* kContactsChangedSince = "SELECT " TGLEAD_CONTACT_COLUMNS TGLEAD_CONTACTS_CHANGED_SINCE;
inline constexpr const char* kContactsDeletedSince =
    "SELECT contact_id FROM contact_deletions WHERE user_id = ? AND rev > ?";
// Tag links are keyed by contact only: what a tag holds is read by these scans (the in-memory
// columns answer tag rules; deleting a tag logs its contacts as changed).
inline constexpr const char* kContactsWithTag = "SELECT contact_id FROM contact_tags WHERE tag_id = ?";
inline constexpr const char* kTagLinksOfWorkspace =
    "SELECT contact_id, tag_id FROM contact_tags WHERE tag_id IN (SELECT id FROM tags WHERE user_id = ?) "
    "ORDER BY contact_id, tag_id";
inline constexpr const char* kTagLinksChangedSince =
    "SELECT DISTINCT t.contact_id, t.tag_id FROM contact_changes ch "
    "JOIN contact_tags t ON t.contact_id BETWEEN ch.first_id AND ch.last_id "
    "WHERE ch.user_id = ? AND ch.rev > ? ORDER BY t.contact_id, t.tag_id";
inline constexpr const char* kDeleteContactTags = "DELETE FROM contact_tags WHERE contact_id = ?";
inline constexpr const char* kDeleteContactHistory = "DELETE FROM contact_history WHERE contact_id = ?";
inline constexpr const char* kInsertContactHistory =
    "INSERT INTO contact_history (contact_id, user_id, time, kind, detail) VALUES (?,?,?,?,?)";
inline constexpr const char* kContactHistory =
    "SELECT h.id, h.contact_id, h.user_id, h.time, h.kind, h.detail FROM contact_history h "
    "WHERE h.user_id = ? AND h.contact_id = ? ORDER BY h.time DESC, h.id DESC LIMIT ?";
inline constexpr const char* kMoveContactTags =
    "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) SELECT ?, tag_id FROM contact_tags WHERE contact_id = ?";
inline constexpr const char* kMoveContactHistory = "UPDATE contact_history SET contact_id = ? WHERE contact_id = ?";
inline constexpr const char* kTagNamesOfContact =
    "SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = ? ORDER BY lower(t.name)";
inline constexpr const char* kTagById = "SELECT id, user_id, name, colour FROM tags WHERE user_id = ? AND id = ?";
inline constexpr const char* kTagByName =
    "SELECT id, user_id, name, colour FROM tags WHERE user_id = ? AND lower(name) = lower(?)";
inline constexpr const char* kInsertTag = "INSERT INTO tags (user_id, name, colour, created) VALUES (?,?,?,?)";
inline constexpr const char* kUpdateTag = "UPDATE tags SET name = ?, colour = ? WHERE user_id = ? AND id = ?";
inline constexpr const char* kDeleteTag = "DELETE FROM tags WHERE user_id = ? AND id = ?";
inline constexpr const char* kDeleteTagLinks = "DELETE FROM contact_tags WHERE tag_id = ?";
inline constexpr const char* kTagContact = "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?, ?)";
// kTagContact for many links in one statement: an import's links cost half as much this way.
inline constexpr std::size_t kTagLinksPerInsert = 256;
inline const std::string& tag_links_insert() {
  static const std::string text = [] {
    std::string sql = "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?, ?)";
    for (std::size_t i = 1; i < kTagLinksPerInsert; ++i) sql += ",(?, ?)";
    return sql;
  }();
  return text;
}
inline constexpr const char* kTagIdsOfContact = "SELECT tag_id FROM contact_tags WHERE contact_id = ?";
inline constexpr const char* kUntagContact = "DELETE FROM contact_tags WHERE contact_id = ? AND tag_id = ?";
// One pass over the links counts every tag of the workspace.
inline constexpr const char* kTagsOfUser =
    "SELECT t.id, t.user_id, t.name, t.colour, COALESCE(n.contacts, 0) FROM tags t LEFT JOIN "
    "(SELECT tag_id, COUNT(*) AS contacts FROM contact_tags WHERE tag_id IN (SELECT id FROM tags WHERE user_id = ?1) "
    "GROUP BY tag_id) n ON n.tag_id = t.id WHERE t.user_id = ?1 ORDER BY lower(t.name), t.id";

// Contact import runs (issue 6: background imports, progress, error files, revert).
#define TGLEAD_CONTACT_IMPORT_COLUMNS                                                                          \
  "id, user_id, file_name, mode, started, finished, rows, created, updated, skipped, errors, state, format, " \
  "unchanged, duplicates, done, total, warnings, fatal, reverted, revert_deleted, revert_changed, revert_kept"
inline constexpr const char* kInsertContactImport =
    "INSERT INTO contact_imports (user_id, file_name, mode, started, finished, rows, created, updated, skipped, errors, "
    "state, format, unchanged, duplicates, done, total, warnings, fatal, reverted, revert_deleted, revert_changed, "
    "revert_kept) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
inline constexpr const char* kUpdateContactImport =
    "UPDATE contact_imports SET finished=?, rows=?, created=?, updated=?, skipped=?, errors=?, state=?, format=?, "
    "unchanged=?, duplicates=?, done=?, total=?, warnings=?, fatal=?, reverted=?, revert_deleted=?, revert_changed=?, "
    "revert_kept=? WHERE id=?";
inline constexpr const char* kContactImportById =
    "SELECT " TGLEAD_CONTACT_IMPORT_COLUMNS " FROM contact_imports WHERE user_id = ? AND id = ?";
inline constexpr const char* kLastContactImportErrorSeq =
    "SELECT COALESCE(MAX(seq), 0) FROM contact_import_errors WHERE import_id = ?";
inline constexpr const char* kInsertContactImportError =
    "INSERT INTO contact_import_errors (import_id, seq, row, column_name, reason) VALUES (?,?,?,?,?)";
inline constexpr const char* kContactImportErrors =
    "SELECT row, column_name, reason FROM contact_import_errors WHERE import_id = ? ORDER BY seq";
inline constexpr const char* kFailUnfinishedContactImports =
    "UPDATE contact_imports SET state = 'failed', fatal = ?, finished = ? WHERE state IN ('queued', 'running')";
inline constexpr const char* kContactsOfImport =
    "SELECT ct.id, ct.updated, EXISTS (SELECT 1 FROM contact_history h WHERE h.contact_id = ct.id AND h.kind = 'merged') "
    "FROM contacts ct WHERE ct.user_id = ? AND ct.import_id = ? AND ct.id > ? ORDER BY ct.id LIMIT ?";
// CRM custom fields, values and segments (§8.2).
#define TGLEAD_FIELD_COLUMNS \
  "id, user_id, name, label, description, type, required, options, min_value, max_value, created, updated"
inline constexpr const char* kFieldsOfUser =
    "SELECT " TGLEAD_FIELD_COLUMNS " FROM contact_fields WHERE user_id = ? ORDER BY lower(label), id";
inline constexpr const char* kInsertField =
    "INSERT INTO contact_fields (user_id, name, label, description, required, options, min_value, max_value, type, "
    "created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)";
inline constexpr const char* kUpdateField =
    "UPDATE contact_fields SET label=?, description=?, required=?, options=?, min_value=?, max_value=?, updated=? "
    "WHERE user_id=? AND id=?";
inline constexpr const char* kDeleteField = "DELETE FROM contact_fields WHERE user_id = ? AND id = ?";
inline constexpr const char* kDeleteFieldValues = "DELETE FROM contact_values WHERE field_id = ?";
inline constexpr const char* kContactValues =
    "SELECT field_id, value, number FROM contact_values WHERE contact_id = ? ORDER BY field_id";
inline constexpr const char* kSetContactValue =
    "INSERT INTO contact_values (contact_id, field_id, value, number) VALUES (?,?,?,?) "
    "ON CONFLICT (contact_id, field_id) DO UPDATE SET value = excluded.value, number = excluded.number";
inline constexpr const char* kClearContactValue = "DELETE FROM contact_values WHERE contact_id = ? AND field_id = ?";
inline constexpr const char* kDeleteContactValues = "DELETE FROM contact_values WHERE contact_id = ?";
// Merge: the primary keeps its own values and takes the secondary's for fields it has none of.
inline constexpr const char* kMoveContactValues =
    "INSERT OR IGNORE INTO contact_values (contact_id, field_id, value, number) "
    "SELECT ?, field_id, value, number FROM contact_values WHERE contact_id = ?";
#define TGLEAD_SEGMENT_COLUMNS "id, user_id, name, description, rules, active, created, updated"
inline constexpr const char* kSegmentsOfUser =
    "SELECT " TGLEAD_SEGMENT_COLUMNS " FROM segments WHERE user_id = ? ORDER BY lower(name), id";
inline constexpr const char* kSegmentById = "SELECT " TGLEAD_SEGMENT_COLUMNS " FROM segments WHERE user_id = ? AND id = ?";
inline constexpr const char* kSegmentByName =
    "SELECT " TGLEAD_SEGMENT_COLUMNS " FROM segments WHERE user_id = ? AND lower(name) = lower(?)";
inline constexpr const char* kInsertSegment =
    "INSERT INTO segments (user_id, name, description, rules, active, created, updated) VALUES (?,?,?,?,?,?,?)";
inline constexpr const char* kUpdateSegment =
    "UPDATE segments SET name=?, description=?, rules=?, active=?, updated=? WHERE user_id=? AND id=?";
inline constexpr const char* kDeleteSegment = "DELETE FROM segments WHERE user_id = ? AND id = ?";

// Contact crawling (§8.2).
#define TGLEAD_CRAWL_COLUMNS                                                                                  \
  "cr.id, cr.user_id, cr.kind, cr.bot_id, cr.chat_id, cr.source_hash, cr.title, cr.active, cr.round, cr.started, " \
  "cr.refreshed, cr.stopped, cr.created, cr.updated, cr.unchanged, cr.skipped, cr.report, "                      \
  "(SELECT COUNT(*) FROM crawl_members m WHERE m.crawl_id = cr.id)"
inline constexpr const char* kCrawlById = "SELECT " TGLEAD_CRAWL_COLUMNS " FROM crawls cr WHERE cr.user_id = ? AND cr.id = ?";
// The webhook's lookup: no member count, only what recording a sighting needs.
inline constexpr const char* kChatCrawl =
    "SELECT cr.id, cr.user_id, cr.kind, cr.bot_id, cr.chat_id, cr.source_hash, cr.title, cr.active, cr.round, "
    "cr.started, cr.refreshed, cr.stopped, cr.created, cr.updated, cr.unchanged, cr.skipped, cr.report, 0 "
    "FROM crawls cr WHERE cr.kind = 'chat' AND cr.bot_id = ? AND cr.chat_id = ? AND cr.user_id = ?";
inline constexpr const char* kExportCrawl =
    "SELECT " TGLEAD_CRAWL_COLUMNS " FROM crawls cr WHERE cr.kind = 'export' AND cr.user_id = ? AND cr.source_hash = ?";
inline constexpr const char* kCrawlsOfUser =
    "SELECT " TGLEAD_CRAWL_COLUMNS " FROM crawls cr WHERE cr.user_id = ?1 AND (?2 = '' OR cr.kind = ?2) "
    "ORDER BY cr.id DESC LIMIT ?3 OFFSET ?4";
inline constexpr const char* kCountCrawlsOfUser =
    "SELECT COUNT(*) FROM crawls cr WHERE cr.user_id = ?1 AND (?2 = '' OR cr.kind = ?2)";
inline constexpr const char* kInsertCrawl =
    "INSERT INTO crawls (user_id, kind, bot_id, chat_id, source_hash, title, active, round, started, refreshed, "
    "stopped, created, updated, unchanged, skipped, report) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
inline constexpr const char* kUpdateCrawl =
    "UPDATE crawls SET title=?, active=?, round=?, refreshed=?, stopped=?, created=?, updated=?, unchanged=?, "
    "skipped=?, report=? WHERE id=?";
inline constexpr const char* kAddCrawlCounts =
    "UPDATE crawls SET created = created + ?, updated = updated + ?, unchanged = unchanged + ?, "
    "skipped = skipped + ? WHERE id = ?";
inline constexpr const char* kMarkCrawlMember =
    "INSERT INTO crawl_members (crawl_id, telegram_id, round, via, first_seen, recorded) VALUES (?1,?2,?3,?4,?5,?5) "
    "ON CONFLICT (crawl_id, telegram_id) DO UPDATE SET round = excluded.round, recorded = excluded.recorded "
    "WHERE crawl_members.round < excluded.round";
inline constexpr const char* kCrawlMembers =
    "SELECT m.telegram_id, m.via, m.first_seen, m.recorded FROM crawls cr JOIN crawl_members m ON m.crawl_id = cr.id "
    "WHERE cr.user_id = ? AND cr.id = ? ORDER BY m.first_seen DESC, m.telegram_id DESC LIMIT ? OFFSET ?";
// The contacts of a page of crawl members: one pass over the account's contacts (no index on the
// Telegram id, see schema migration 11), with the page's ids in a JSON array.
inline constexpr const char* kContactsWithTelegramIds =
    "SELECT telegram_id, id, COALESCE(username, ''), first_name, last_name FROM contacts "
    "WHERE user_id = ? AND telegram_id IN (SELECT value FROM json_each(?))";
inline constexpr const char* kCountCrawlMembers =
    "SELECT COUNT(*) FROM crawls cr JOIN crawl_members m ON m.crawl_id = cr.id WHERE cr.user_id = ? AND cr.id = ?";
// Rule 13 for crawls; a crawl already running on the new id wins.
inline constexpr const char* kMigrateCrawls =
    "UPDATE OR IGNORE crawls SET chat_id = ? WHERE kind = 'chat' AND bot_id = ? AND chat_id = ?";

}  // namespace tglead::storage::sqlite::sql
