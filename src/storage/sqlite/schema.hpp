// Versioned schema migrations for the SQLite store.
//
// Contract: kMigrations[i] upgrades the schema from version i to i+1 and is
// never edited once released; new changes are appended. `PRAGMA user_version`
// records the version reached. Applied at start and by `tglead migrate`.
#pragma once

#include <array>

namespace tglead::storage::sqlite {

inline constexpr auto kMigrations = std::to_array<const char*>({
    R"~(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL DEFAULT '',
  api_key TEXT NOT NULL UNIQUE,
  transfer_token TEXT NOT NULL UNIQUE,
  plan INTEGER NOT NULL DEFAULT 0,
  paid_until INTEGER NOT NULL DEFAULT 0,
  telegram_id INTEGER NOT NULL DEFAULT 0,
  timezone TEXT NOT NULL DEFAULT 'UTC',
  pb_wait TEXT NOT NULL DEFAULT '', pb_hold TEXT NOT NULL DEFAULT '', pb_approve TEXT NOT NULL DEFAULT '',
  pb_cancel TEXT NOT NULL DEFAULT '', pb_trash TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE bots (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  token TEXT NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  secret TEXT NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX bots_user ON bots(user_id);

CREATE TABLE chats (
  bot_id INTEGER NOT NULL REFERENCES bots(id),
  id INTEGER NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL DEFAULT '',
  username TEXT NOT NULL DEFAULT '',
  requests INTEGER NOT NULL DEFAULT 0,
  ok INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (bot_id, id)
) WITHOUT ROWID;

CREATE TABLE subscribers (
  bot_id INTEGER NOT NULL,
  id INTEGER NOT NULL,
  blocked INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (bot_id, id)
) WITHOUT ROWID;

CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  bot_id INTEGER NOT NULL,
  chat_id INTEGER NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  deleted INTEGER NOT NULL DEFAULT 0,
  unsub_window INTEGER NOT NULL DEFAULT 0,
  approve_requests INTEGER NOT NULL DEFAULT 0,
  pb_wait TEXT NOT NULL DEFAULT '', pb_hold TEXT NOT NULL DEFAULT '', pb_approve TEXT NOT NULL DEFAULT '',
  pb_cancel TEXT NOT NULL DEFAULT '', pb_trash TEXT NOT NULL DEFAULT '',
  welcome TEXT NOT NULL DEFAULT '{}',
  invite_link TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX campaigns_code ON campaigns(user_id, code) WHERE deleted = 0;
CREATE UNIQUE INDEX campaigns_active_chat ON campaigns(bot_id, chat_id) WHERE deleted = 0 AND active = 1;
CREATE INDEX campaigns_bot ON campaigns(bot_id, chat_id);

CREATE TABLE leads (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  subscriber INTEGER NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  click TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL,
  start_time INTEGER NOT NULL,
  join_time INTEGER NOT NULL DEFAULT 0,
  leave_time INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  reconciled INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX leads_campaign_subscriber ON leads(campaign_id, subscriber);
CREATE INDEX leads_user_start ON leads(user_id, start_time DESC, id DESC);

-- Every status a lead entered, for statistics (§6.3 definitions).
CREATE TABLE transitions (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  campaign_id INTEGER NOT NULL,
  lead_id INTEGER NOT NULL,
  status INTEGER NOT NULL,
  time INTEGER NOT NULL,
  first INTEGER NOT NULL DEFAULT 0,
  reconciled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX transitions_user_time ON transitions(user_id, time);
CREATE INDEX transitions_campaign_time ON transitions(campaign_id, time);

CREATE TABLE journal (
  id INTEGER PRIMARY KEY,
  bot_id INTEGER NOT NULL,
  chat_id INTEGER NOT NULL,
  subscriber INTEGER NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  action INTEGER NOT NULL,
  paid INTEGER NOT NULL,
  time INTEGER NOT NULL
);
CREATE INDEX journal_chat_time ON journal(bot_id, chat_id, time DESC, id DESC);
CREATE INDEX journal_bot_paid_time ON journal(bot_id, paid, time);

CREATE TABLE postbacks (
  id INTEGER PRIMARY KEY,
  lead_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  status INTEGER NOT NULL,
  url TEXT NOT NULL,
  state INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  tid TEXT NOT NULL,
  created INTEGER NOT NULL,
  next_attempt INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX postbacks_lead ON postbacks(lead_id, id);
CREATE INDEX postbacks_open ON postbacks(next_attempt, id) WHERE state IN (0, 1);

CREATE TABLE postback_attempts (
  id INTEGER PRIMARY KEY,
  postback_id INTEGER NOT NULL,
  time INTEGER NOT NULL,
  http_code INTEGER NOT NULL DEFAULT 0,
  body TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX postback_attempts_postback ON postback_attempts(postback_id, id);

CREATE TABLE telegram_outbox (
  id INTEGER PRIMARY KEY,
  bot_id INTEGER NOT NULL,
  method TEXT NOT NULL,
  payload TEXT NOT NULL,
  subscriber INTEGER NOT NULL DEFAULT 0,
  state INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created INTEGER NOT NULL
);
CREATE INDEX telegram_outbox_open ON telegram_outbox(next_attempt, id) WHERE state = 0;

CREATE TABLE seen_updates (
  bot_id INTEGER NOT NULL,
  update_id INTEGER NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (bot_id, update_id)
) WITHOUT ROWID;

CREATE TABLE notices (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  text TEXT NOT NULL,
  created INTEGER NOT NULL,
  dismissed INTEGER NOT NULL DEFAULT 0
);

-- Daily rollups of complete past days; a day is only read from here when
-- rollup_days says it was computed and nothing landed on it since.
CREATE TABLE rollup_days (
  user_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  PRIMARY KEY (user_id, day)
) WITHOUT ROWID;
CREATE TABLE rollup_campaign (
  user_id INTEGER NOT NULL,
  campaign_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  starts INTEGER NOT NULL, holds INTEGER NOT NULL, confirms INTEGER NOT NULL,
  cancels INTEGER NOT NULL, trashes INTEGER NOT NULL,
  PRIMARY KEY (user_id, day, campaign_id)
) WITHOUT ROWID;
CREATE TABLE rollup_chat (
  user_id INTEGER NOT NULL,
  bot_id INTEGER NOT NULL,
  chat_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  joins INTEGER NOT NULL, leaves INTEGER NOT NULL,
  PRIMARY KEY (user_id, day, bot_id, chat_id)
) WITHOUT ROWID;
)~",
    R"~(
-- Dashboard login sessions; only a hash of the cookie value is stored.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf TEXT NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);
)~",
    R"~(
-- CRM contacts (PRODUCT.md §8.1). Identifiers are normalised by crm/normalize.hpp; NULL = unknown.
-- Dedup is enforced per account: one contact per Telegram id, username (any case) and phone.
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  telegram_id INTEGER,
  username TEXT,
  phone TEXT,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  group_name TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  priority TEXT NOT NULL DEFAULT 'medium',
  created_by INTEGER NOT NULL DEFAULT 0,
  import_id INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
CREATE UNIQUE INDEX contacts_telegram ON contacts(user_id, telegram_id) WHERE telegram_id IS NOT NULL;
CREATE UNIQUE INDEX contacts_username ON contacts(user_id, lower(username)) WHERE username IS NOT NULL;
CREATE UNIQUE INDEX contacts_phone ON contacts(user_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX contacts_list ON contacts(user_id, updated, id);

CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  colour TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE UNIQUE INDEX tags_name ON tags(user_id, lower(name));

CREATE TABLE contact_tags (
  contact_id INTEGER NOT NULL,
  tag_id INTEGER NOT NULL,
  PRIMARY KEY (contact_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX contact_tags_tag ON contact_tags(tag_id, contact_id);

-- The activity timeline of a contact; detail is a JSON object.
CREATE TABLE contact_history (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  time INTEGER NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX contact_history_contact ON contact_history(contact_id, time, id);

-- One row per import run with its report counts (a later revert removes contacts by import_id).
CREATE TABLE contact_imports (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  file_name TEXT NOT NULL DEFAULT '',
  mode TEXT NOT NULL,
  started INTEGER NOT NULL,
  finished INTEGER NOT NULL DEFAULT 0,
  rows INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0
);
)~",
    R"~(
-- Per-status bot messages of a campaign (§5): {"approve": "text", ...}.
ALTER TABLE campaigns ADD COLUMN messages TEXT NOT NULL DEFAULT '{}';
)~",
    R"~(
-- CRM custom fields (§8.2): definitions per workspace; `name` never changes after creation.
-- `options` is a JSON array of choices (dropdown, multiselect); min_value/max_value bound numbers.
CREATE TABLE contact_fields (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  label TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,
  required INTEGER NOT NULL DEFAULT 0,
  options TEXT NOT NULL DEFAULT '[]',
  min_value REAL,
  max_value REAL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
CREATE UNIQUE INDEX contact_fields_name ON contact_fields(user_id, lower(name));

-- One canonical value per contact and field: numbers as decimal text (and in `number` for
-- comparisons), dates as YYYY-MM-DD, booleans as true/false, multiselect as a JSON array.
CREATE TABLE contact_values (
  contact_id INTEGER NOT NULL,
  field_id INTEGER NOT NULL,
  value TEXT NOT NULL,
  number REAL,
  PRIMARY KEY (contact_id, field_id)
) WITHOUT ROWID;
CREATE INDEX contact_values_field ON contact_values(field_id, value);

-- Segment rules on campaign lead statuses look leads up by the contact's Telegram id.
CREATE INDEX leads_user_subscriber ON leads(user_id, subscriber, status);

-- Segments (§8.2): AND-ed rules kept as a JSON array of {field, op, value}.
CREATE TABLE segments (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  rules TEXT NOT NULL DEFAULT '[]',
  active INTEGER NOT NULL DEFAULT 1,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
CREATE UNIQUE INDEX segments_name ON segments(user_id, lower(name));
)~",
    R"~(
-- Contact crawling (§8.2): one row per crawled source of an account, a chat the bot
-- administers (kind 'chat') or a Telegram Desktop export (kind 'export', keyed by the
-- file's SHA-256), with its counts; `refreshed` drives the 24 h result cache.
CREATE TABLE crawls (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  bot_id INTEGER NOT NULL DEFAULT 0,
  chat_id INTEGER NOT NULL DEFAULT 0,
  source_hash TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 0,
  round INTEGER NOT NULL DEFAULT 1,
  started INTEGER NOT NULL,
  refreshed INTEGER NOT NULL DEFAULT 0,
  stopped INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  report TEXT NOT NULL DEFAULT '{}'
);
-- The webhook looks a group message's chat up here.
CREATE UNIQUE INDEX crawls_chat ON crawls(bot_id, chat_id, user_id) WHERE kind = 'chat';
CREATE UNIQUE INDEX crawls_export ON crawls(user_id, source_hash) WHERE kind = 'export';
CREATE INDEX crawls_user ON crawls(user_id, id);

-- Distinct members a crawl found; `round` is the crawl round that last recorded them as contacts.
CREATE TABLE crawl_members (
  crawl_id INTEGER NOT NULL,
  telegram_id INTEGER NOT NULL,
  round INTEGER NOT NULL,
  via TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  recorded INTEGER NOT NULL,
  PRIMARY KEY (crawl_id, telegram_id)
) WITHOUT ROWID;
CREATE INDEX crawl_members_seen ON crawl_members(crawl_id, first_seen, telegram_id);
)~",
    R"~(
-- Background contact imports (issue 6): run state and progress, the whole report, revert.
-- state: queued, running, done, failed, reverted; done/total: bytes of the file (or sheet) read.
ALTER TABLE contact_imports ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
ALTER TABLE contact_imports ADD COLUMN format TEXT NOT NULL DEFAULT 'csv';
ALTER TABLE contact_imports ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contact_imports ADD COLUMN fatal TEXT NOT NULL DEFAULT '';
ALTER TABLE contact_imports ADD COLUMN reverted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN revert_deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN revert_changed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN revert_kept INTEGER NOT NULL DEFAULT 0;
CREATE INDEX contact_imports_user ON contact_imports(user_id, id);

-- Row errors of an import in file order, for its downloadable error file.
CREATE TABLE contact_import_errors (
  import_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  row INTEGER NOT NULL,
  column_name TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  PRIMARY KEY (import_id, seq)
) WITHOUT ROWID;
)~",
    R"~(
-- Segment counts over a large workspace read this narrow covering index instead of the rows:
-- rules on these columns never touch the table (PRODUCT.md §8.2; docs/benchmarks.md).
CREATE INDEX contacts_segment ON contacts(user_id, status, source, priority, country, language, created, updated,
                                          telegram_id);
CREATE INDEX contact_values_number ON contact_values(field_id, number);
)~",
    R"~(
-- Segment counts come from an in-memory copy of each workspace's contacts
-- (crm/contact_columns.hpp), kept current from this change log: every write to a contact stamps
-- it with the writing unit's revision, and a deleted contact leaves its id here. The copy
-- replaces the covering index contacts_segment, which cost every contact insert 4-6 µs.
ALTER TABLE contacts ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
CREATE INDEX contacts_rev ON contacts(user_id, rev);
CREATE TABLE contact_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
);
INSERT INTO contact_revision (id, value) VALUES (1, 0);
CREATE TABLE contact_deletions (
  user_id INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  contact_id INTEGER NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (user_id, rev, contact_id)
) WITHOUT ROWID;
DROP INDEX contacts_segment;
)~",
    R"~(
-- Username and phone stay unique per account, enforced by the store's writer through an
-- in-memory identity index (crm/identity_index.hpp) kept complete from the change log above.
-- These two unique indexes took random keys and cost ~15 µs of every imported contact
-- (docs/benchmarks.md, "Contact import"); the Telegram id keeps its unique index.
DROP INDEX contacts_username;
DROP INDEX contacts_phone;
)~",
    R"~(
-- The contact change log names the contacts each write unit wrote as ranges of ids instead of
-- stamping the rows: an import's new contacts are a range or two per unit, where the stamp cost
-- each new contact an entry in contacts_rev and each updated one a random page of it.
-- The Telegram id joins username and phone in the writer's identity index: an import's new
-- Telegram ids fell all over contacts_telegram, whose pages then made 60 % of the WAL it wrote.
CREATE TABLE contact_changes (
  user_id INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (user_id, rev, first_id)
) WITHOUT ROWID;
DROP INDEX contacts_rev;
DROP INDEX contacts_telegram;
ALTER TABLE contacts DROP COLUMN rev;
)~",
    R"~(
-- Contact listings take their order (newest `updated` first) from the in-memory columns that
-- answer segment counts (crm/contact_columns.hpp): contacts_list moved an entry to a random
-- page on every contact update, ~10 % of an import's time (docs/benchmarks.md, "Contact
-- import"). What a workspace holds is still found without a scan of every workspace's contacts,
-- through entries that never move: (user_id, id).
DROP INDEX contacts_list;
CREATE INDEX contacts_user ON contacts(user_id);

-- Tag rules and filters are answered by the same columns, which hold each contact's tags: the
-- tag-major copy of every link took each new link a second B-tree insert and each tag added to an
-- older contact a random page.
DROP INDEX contact_tags_tag;
)~",
});

}  // namespace tglead::storage::sqlite
