#include "crm/contacts.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_set>

#include "util/ascii.hpp"
#include "util/json_text.hpp"

namespace tglead::crm {

using nlohmann::json;

namespace {


std::optional<std::int64_t> parse_telegram_id(std::string_view raw) {
  std::string text = clean_text(raw);
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value <= 0) return std::nullopt;
  return value;
}


void history(storage::WriteTx& tx, std::int64_t user_id, std::int64_t contact_id, std::int64_t now,
             const std::string& kind, const json& detail) {
  tx.insert_contact_history(HistoryEntry{0, contact_id, user_id, now, kind, util::json_text(detail)});
}

Identity identity_of(const Contact& c) { return Identity{c.telegram_id, c.username, c.phone}; }

std::optional<Candidate> candidate(const std::optional<Contact>& c) {
  if (!c) return std::nullopt;
  return Candidate{c->id, identity_of(*c)};
}

// The stored contacts holding each identifier of an input.
struct Holders {
  std::optional<Contact> by_telegram_id, by_username, by_phone;

  Lookups candidates() const { return {candidate(by_telegram_id), candidate(by_username), candidate(by_phone)}; }
  const Contact* with_id(std::int64_t id) const {
    for (const auto* c : {&by_telegram_id, &by_username, &by_phone}) {
      if (*c && (*c)->id == id) return &**c;
    }
    return nullptr;
  }
};

// Identifiers are unique per workspace, so a contact already found holding one of the input's
// identifiers is the only possible holder of it: a row matching one contact costs one read.
Holders find_holders(storage::WriteTx& tx, std::int64_t user_id, const Contact& in) {
  Holders found;
  found.by_telegram_id = tx.contact_by_telegram_id(user_id, in.telegram_id);
  auto holds_username = [&](const std::optional<Contact>& c) {
    return c && !in.username.empty() && util::ascii_iequals(c->username, in.username);
  };
  auto holds_phone = [&](const std::optional<Contact>& c) { return c && !in.phone.empty() && c->phone == in.phone; };
  found.by_username = holds_username(found.by_telegram_id) ? found.by_telegram_id
                                                           : tx.contact_by_username(user_id, in.username);
  if (holds_phone(found.by_telegram_id)) {
    found.by_phone = found.by_telegram_id;
  } else if (holds_phone(found.by_username)) {
    found.by_phone = found.by_username;
  } else {
    found.by_phone = tx.contact_by_phone(user_id, in.phone);
  }
  return found;
}

// Copies the given (non-empty) fields of `in` onto `target`; returns {field: [old, new]} of what changed.
json apply_fields(Contact& target, const PreparedContact& in) {
  json changes = json::object();
  auto text = [&](const char* name, std::string& field, const std::string& value) {
    if (value.empty() || value == field) return;
    changes[name] = json::array({field, value});
    field = value;
  };
  if (in.fields.telegram_id != 0 && in.fields.telegram_id != target.telegram_id) {
    changes["telegram_id"] = json::array({target.telegram_id, in.fields.telegram_id});
    target.telegram_id = in.fields.telegram_id;
  }
  text("username", target.username, in.fields.username);
  text("phone", target.phone, in.fields.phone);
  text("first_name", target.first_name, in.fields.first_name);
  text("last_name", target.last_name, in.fields.last_name);
  text("country", target.country, in.fields.country);
  text("language", target.language, in.fields.language);
  text("group", target.group, in.fields.group);
  if (in.status && *in.status != target.status) {
    changes["status"] = json::array({status_name(target.status), status_name(*in.status)});
    target.status = *in.status;
  }
  if (in.priority && *in.priority != target.priority) {
    changes["priority"] = json::array({priority_name(target.priority), priority_name(*in.priority)});
    target.priority = *in.priority;
  }
  return changes;
}

// Empties the named details, recording {name: [old, ""]}; false (and `target` half-changed,
// so the caller must not write it) when no identifier would remain.
bool clear_fields(Contact& target, const std::vector<std::string>& names, json& changes) {
  for (const auto& name : names) {
    if (name == "telegram_id") {
      if (target.telegram_id == 0) continue;
      changes[name] = json::array({target.telegram_id, 0});
      target.telegram_id = 0;
      continue;
    }
    std::string* field = name == "username"     ? &target.username
                         : name == "phone"      ? &target.phone
                         : name == "first_name" ? &target.first_name
                         : name == "last_name"  ? &target.last_name
                         : name == "country"    ? &target.country
                         : name == "language"   ? &target.language
                         : name == "group"      ? &target.group
                                                : nullptr;
    if (!field || field->empty()) continue;
    changes[name] = json::array({*field, ""});
    field->clear();
  }
  return target.telegram_id != 0 || !target.username.empty() || !target.phone.empty();
}

// Writes custom field values; for an existing contact records {"field:<name>": [old, new]} in `changes`.
void apply_values(storage::WriteTx& tx, std::int64_t contact_id, const std::vector<FieldAssignment>& values,
                  bool is_new, json& changes) {
  if (values.empty()) return;
  std::vector<std::pair<std::int64_t, FieldValue>> current;
  if (!is_new) current = tx.contact_values(contact_id);
  for (const auto& a : values) {
    auto it = std::find_if(current.begin(), current.end(), [&](const auto& v) { return v.first == a.field_id; });
    const FieldValue* before = it == current.end() ? nullptr : &it->second;
    if (a.value) {
      if (before && before->text == a.value->text) continue;
      tx.set_contact_value(contact_id, a.field_id, *a.value);
    } else {
      if (!before) continue;
      tx.clear_contact_value(contact_id, a.field_id);
    }
    if (!is_new) changes["field:" + a.name] = json::array({before ? before->text : "", a.value ? a.value->text : ""});
  }
}

Contact new_contact(const UpsertContext& ctx, const PreparedContact& in) {
  Contact c = in.fields;
  c.user_id = ctx.user_id;
  c.source = ctx.source;
  c.status = in.status.value_or(Status::Active);
  c.priority = in.priority.value_or(Priority::Medium);
  c.created_by = ctx.actor;
  c.import_id = ctx.import_id;
  c.created = c.updated = ctx.now;
  return c;
}

// The tag called `name` (any case), created when missing; with its name as stored.
std::pair<std::int64_t, std::string> tag_named(storage::WriteTx& tx, std::int64_t user_id, const std::string& name,
                                               std::int64_t now, std::unordered_map<std::string, std::int64_t>* tag_cache) {
  if (tag_cache) {
    if (auto hit = tag_cache->find(username_key(name)); hit != tag_cache->end()) return {hit->second, name};
  }
  auto tag = tx.tag_by_name(user_id, name);
  std::int64_t tag_id = 0;
  if (tag) {
    tag_id = tag->id;
  } else {
    Tag fresh;
    fresh.user_id = user_id;
    fresh.name = name;
    fresh.colour = default_tag_colour(name);
    tag_id = tx.insert_tag(fresh, now);
  }
  if (tag_cache) (*tag_cache)[username_key(name)] = tag_id;
  return {tag_id, tag ? tag->name : name};
}

// What follows the insert of a new contact.
void created(storage::WriteTx& tx, const UpsertContext& ctx, const Contact& c, const PreparedContact& in) {
  if (ctx.history_on_create) history(tx, ctx.user_id, c.id, ctx.now, "created", {{"source", source_name(ctx.source)}});
  if (ctx.new_tag_links) {
    for (const auto& name : in.tags) {
      ctx.new_tag_links->emplace_back(c.id, tag_named(tx, ctx.user_id, name, ctx.now, ctx.tag_cache).first);
    }
  } else {
    add_tags(tx, ctx.user_id, c.id, in.tags, ctx.now, false, ctx.tag_cache);
  }
  json ignored;
  apply_values(tx, c.id, in.values, true, ignored);
}

// Writes a changed contact; `changes` (apply_fields) tells whether its identifiers moved: when
// they did not, the write leaves them as stored and skips the dedup checks.
void write_contact(storage::WriteTx& tx, const Contact& c, const json& changes) {
  if (changes.contains("telegram_id") || changes.contains("username") || changes.contains("phone")) {
    tx.update_contact(c);
  } else {
    tx.update_contact_details(c);
  }
}

std::string conflict_reason(const std::vector<MatchConflict>& conflicts) {
  std::string reason;
  for (const auto& c : conflicts) {
    if (!reason.empty()) reason += "; ";
    reason += c.reason;
  }
  return reason;
}

}  // namespace

std::optional<std::string> clean_tag_name(std::string_view raw) {
  std::string name = clean_text(raw);
  if (name.empty() || name.size() > 64) return std::nullopt;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == ',') return std::nullopt;
  }
  return name;
}

std::optional<std::string> clean_colour(std::string_view raw) {
  std::string c = clean_text(raw);
  if (c.size() != 7 || c[0] != '#') return std::nullopt;
  for (std::size_t i = 1; i < 7; ++i) {
    char& ch = c[i];
    if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch - 'A' + 'a');
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return std::nullopt;
  }
  return c;
}

std::string default_tag_colour(std::string_view name) {
  static constexpr const char* kPalette[] = {"#2563eb", "#16a34a", "#d97706", "#dc2626",
                                             "#7c3aed", "#0891b2", "#db2777", "#4b5563"};
  std::uint32_t h = 2166136261u;
  for (char c : username_key(name)) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return kPalette[h % 8];
}

std::optional<Mode> parse_mode(std::string_view text) {
  if (text == "create") return Mode::Create;
  if (text == "create_update") return Mode::CreateUpdate;
  if (text == "update") return Mode::Update;
  return std::nullopt;
}

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::Create: return "create";
    case Mode::CreateUpdate: return "create_update";
    case Mode::Update: return "update";
  }
  return "create_update";
}

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Created: return "created";
    case Outcome::Updated: return "updated";
    case Outcome::Unchanged: return "unchanged";
    case Outcome::Skipped: return "skipped";
    case Outcome::Conflict: return "conflict";
    case Outcome::Invalid: return "invalid";
  }
  return "skipped";
}

PreparedContact prepare_contact(const ContactInput& in, const PhoneNormalizer& phones, bool require_identifier) {
  PreparedContact out;
  Contact& c = out.fields;
  if (!clean_text(in.telegram_id).empty()) {
    if (auto id = parse_telegram_id(in.telegram_id)) {
      c.telegram_id = *id;
    } else {
      out.errors.push_back("telegram_id '" + clean_text(in.telegram_id) + "' must be a positive whole number");
    }
  }
  auto take = [&](const Normalized& n, std::string& field) {
    if (n.ok()) {
      field = n.value;
    } else {
      out.errors.push_back(n.error);
    }
  };
  take(normalize_username(in.username), c.username);
  take(phones.normalize(in.phone), c.phone);
  take(normalize_country(in.country), c.country);
  take(normalize_language(in.language), c.language);
  auto text = [&](const char* name, const std::string& raw, std::string& field) {
    field = clean_text(raw);
    if (field.size() > kMaxContactText) out.errors.push_back(std::string(name) + " is longer than 256 bytes");
  };
  text("first_name", in.first_name, c.first_name);
  text("last_name", in.last_name, c.last_name);
  text("group", in.group, c.group);
  std::unordered_set<std::string> seen;
  for (const auto& raw : in.tags) {
    if (clean_text(raw).empty()) continue;
    auto name = clean_tag_name(raw);
    if (!name) {
      out.errors.push_back("tag '" + clean_text(raw) + "' must be 1-64 characters without commas");
      continue;
    }
    if (seen.insert(username_key(*name)).second) out.tags.push_back(*name);
  }
  out.status = in.status;
  out.priority = in.priority;
  if (require_identifier && out.errors.empty() && !c.has_identifier()) {
    out.errors.push_back("no identifier: give a telegram_id, username or phone number");
  }
  return out;
}

std::optional<UpsertResult> create_if_new(storage::WriteTx& tx, const UpsertContext& ctx, const PreparedContact& in) {
  if (ctx.mode == Mode::Update || !ctx.required_missing.empty()) return std::nullopt;
  Contact c = new_contact(ctx, in);
  c.id = tx.insert_contact_if_new(c);
  if (c.id == 0) return std::nullopt;
  created(tx, ctx, c, in);
  UpsertResult result;
  result.outcome = Outcome::Created;
  result.contact_id = c.id;
  return result;
}

std::vector<bool> create_all_if_new(storage::WriteTx& tx, const UpsertContext& ctx,
                                    const std::vector<const PreparedContact*>& inputs) {
  std::vector<bool> created_here(inputs.size());
  if (ctx.mode == Mode::Update || inputs.empty()) return created_here;
  if (!ctx.required_missing.empty()) throw std::logic_error("create_all_if_new with required fields missing");
  std::vector<Contact> contacts;
  contacts.reserve(inputs.size());
  for (const PreparedContact* in : inputs) contacts.push_back(new_contact(ctx, *in));
  std::vector<std::int64_t> ids = tx.insert_contacts_if_new(contacts);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (ids[i] == 0) continue;
    contacts[i].id = ids[i];
    created(tx, ctx, contacts[i], *inputs[i]);
    created_here[i] = true;
  }
  return created_here;
}

UpsertResult upsert_contact(storage::WriteTx& tx, const UpsertContext& ctx, const PreparedContact& in) {
  if (!ctx.create_refused) {
    if (auto fresh = create_if_new(tx, ctx, in)) return *fresh;
  }
  UpsertResult result;
  Holders holders = find_holders(tx, ctx.user_id, in.fields);
  MatchResult m = match(identity_of(in.fields), holders.candidates());
  result.matched_on = m.matched_on;
  if (m.kind == MatchKind::Conflict) {
    result.outcome = Outcome::Conflict;
    result.contact_id = m.contact_id;
    result.conflicts = std::move(m.conflicts);
    result.reason = conflict_reason(result.conflicts);
    return result;
  }
  if (m.kind == MatchKind::None) {
    if (ctx.mode == Mode::Update) {
      result.reason = "no existing contact has these identifiers";
      return result;
    }
    // What held an identifier when create_if_new refused the input has let go of it since.
    if (ctx.create_refused) {
      if (auto fresh = create_if_new(tx, ctx, in)) return *fresh;
    }
    // create_if_new inserted every other input that matches nothing.
    if (ctx.required_missing.empty()) throw std::logic_error("contact neither inserted nor matched");
    result.outcome = Outcome::Invalid;
    result.reason = "required fields missing: ";
    for (std::size_t i = 0; i < ctx.required_missing.size(); ++i) {
      result.reason += (i ? ", " : "") + ctx.required_missing[i];
    }
    return result;
  }
  result.contact_id = m.contact_id;
  if (ctx.mode == Mode::Create) {
    result.reason = "a contact with this " + m.matched_on + " exists (contact " + std::to_string(m.contact_id) + ")";
    return result;
  }
  const Contact* held = holders.with_id(m.contact_id);
  if (!held) throw std::logic_error("matched contact not among the holders");
  Contact existing = *held;
  json changes;
  if (!in.fields.username.empty() && in.fields.username != existing.username &&
      username_key(in.fields.username) == username_key(existing.username)) {
    PreparedContact same_case = in;  // a handle written in another case is the same handle: keep the stored one
    same_case.fields.username = existing.username;
    changes = apply_fields(existing, same_case);
  } else {
    changes = apply_fields(existing, in);
  }
  apply_values(tx, existing.id, in.values, false, changes);
  int tagged = add_tags(tx, ctx.user_id, existing.id, in.tags, ctx.now, false, ctx.tag_cache);
  if (changes.empty() && tagged == 0) {
    result.outcome = Outcome::Unchanged;
    return result;
  }
  if (!changes.empty()) {
    existing.updated = ctx.now;
    write_contact(tx, existing, changes);
  }
  json detail{{"source", source_name(ctx.source)}, {"matched_on", m.matched_on}, {"changes", changes}};
  if (tagged > 0) detail["tags"] = in.tags;
  history(tx, ctx.user_id, existing.id, ctx.now, "updated", detail);
  result.outcome = Outcome::Updated;
  return result;
}

UpsertResult edit_contact(storage::WriteTx& tx, const UpsertContext& ctx, std::int64_t id, const PreparedContact& in) {
  UpsertResult result;
  result.contact_id = id;
  auto existing = tx.contact(ctx.user_id, id);
  if (!existing) {
    result.reason = "no contact " + std::to_string(id);
    return result;
  }
  // New identifiers must not belong to another contact.
  Holders found = find_holders(tx, ctx.user_id, in.fields);
  for (auto [field, hit] : {std::pair{"telegram_id", &found.by_telegram_id}, std::pair{"username", &found.by_username},
                            std::pair{"phone", &found.by_phone}}) {
    if (*hit && (*hit)->id != id) {
      result.conflicts.push_back({field, (*hit)->id,
                                  std::string(field) + " already belongs to contact " + std::to_string((*hit)->id)});
    }
  }
  if (!result.conflicts.empty()) {
    result.outcome = Outcome::Conflict;
    result.reason = conflict_reason(result.conflicts);
    return result;
  }
  Status before = existing->status;
  json changes = apply_fields(*existing, in);
  if (!clear_fields(*existing, in.cleared, changes)) {
    result.outcome = Outcome::Invalid;
    result.reason = "a contact keeps at least one of telegram_id, username and phone";
    return result;
  }
  apply_values(tx, id, in.values, false, changes);
  int tagged = add_tags(tx, ctx.user_id, id, in.tags, ctx.now, false);
  if (changes.empty() && tagged == 0) {
    result.outcome = Outcome::Unchanged;
    return result;
  }
  if (!changes.empty()) {
    existing->updated = ctx.now;
    write_contact(tx, *existing, changes);
  }
  json detail{{"source", source_name(ctx.source)}, {"changes", changes}};
  if (tagged > 0) detail["tags"] = in.tags;
  history(tx, ctx.user_id, id, ctx.now, before != existing->status ? "status" : "updated", detail);
  result.outcome = Outcome::Updated;
  return result;
}

std::int64_t record_telegram_user(storage::WriteTx& tx, std::int64_t user_id, const TelegramUser& user, Source source,
                                  const std::string& history_kind, const std::string& history_detail,
                                  std::int64_t now) {
  Normalized name = normalize_username(user.username);
  std::string username = name.ok() ? name.value : "";
  Normalized language = normalize_language(user.language);

  auto by_id = tx.contact_by_telegram_id(user_id, user.id);
  auto by_name = tx.contact_by_username(user_id, username);
  std::optional<Contact> target = by_id;
  if (!target && by_name && by_name->telegram_id == 0) target = by_name;  // adopt the imported @handle

  bool conflict = false;
  if (by_name && (!target || by_name->id != target->id)) {
    if (by_name->telegram_id != 0) {
      // Telegram says the handle now belongs to this user: the other contact's copy is stale.
      Contact stale = *by_name;
      stale.username.clear();
      stale.updated = now;
      tx.update_contact(stale);
      history(tx, user_id, stale.id, now, "updated",
              {{"source", source_name(source)},
               {"changes", {{"username", json::array({by_name->username, ""})}}},
               {"reason", "username now belongs to Telegram id " + std::to_string(user.id)}});
    } else {
      conflict = true;  // a contact without Telegram id holds it: maybe the same person, never merged silently
    }
  }

  std::int64_t id = 0;
  if (!target) {
    Contact c;
    c.user_id = user_id;
    c.telegram_id = user.id;
    c.username = conflict ? "" : username;
    c.first_name = user.first_name.substr(0, kMaxContactText);
    c.last_name = user.last_name.substr(0, kMaxContactText);
    c.language = language.ok() ? language.value : "";
    c.source = source;
    c.created_by = user_id;
    c.created = c.updated = now;
    id = tx.insert_contact(c);
    history(tx, user_id, id, now, "created", {{"source", source_name(source)}});
  } else {
    Contact c = *target;
    id = c.id;
    PreparedContact in;
    in.fields.telegram_id = user.id;
    in.fields.first_name = user.first_name.substr(0, kMaxContactText);
    in.fields.last_name = user.last_name.substr(0, kMaxContactText);
    json changes = apply_fields(c, in);
    std::string wanted = conflict ? std::string() : username;
    if (wanted != c.username) {
      changes["username"] = json::array({c.username, wanted});
      c.username = wanted;
    }
    if (c.language.empty() && language.ok() && !language.value.empty()) {
      changes["language"] = json::array({"", language.value});
      c.language = language.value;
    }
    if (!changes.empty()) {
      c.updated = now;
      write_contact(tx, c, changes);
      history(tx, user_id, id, now, "updated", {{"source", source_name(source)}, {"changes", changes}});
    }
  }
  if (conflict) {
    history(tx, user_id, id, now, "conflict",
            {{"field", "username"},
             {"contact", by_name->id},
             {"reason", "username @" + username + " is held by contact " + std::to_string(by_name->id) +
                            ", which has no Telegram id; merge them if they are the same person"}});
  }
  if (!history_kind.empty()) {
    tx.insert_contact_history(HistoryEntry{0, id, user_id, now, history_kind, history_detail});
  }
  return id;
}

void set_telegram_blocked(storage::WriteTx& tx, std::int64_t user_id, std::int64_t telegram_id, bool blocked,
                          std::int64_t now) {
  auto c = tx.contact_by_telegram_id(user_id, telegram_id);
  if (!c) return;
  Status from = blocked ? Status::Active : Status::Blocked;
  Status to = blocked ? Status::Blocked : Status::Active;
  if (c->status != from) return;
  c->status = to;
  c->updated = now;
  tx.update_contact_details(*c);
  history(tx, user_id, c->id, now, blocked ? "blocked" : "unblocked",
          {{"changes", {{"status", json::array({status_name(from), status_name(to)})}}}});
}

std::string merge_contacts(storage::WriteTx& tx, std::int64_t user_id, std::int64_t primary_id,
                           std::int64_t secondary_id, std::int64_t now) {
  if (primary_id == secondary_id) return "primary and secondary are the same contact";
  auto primary = tx.contact(user_id, primary_id);
  if (!primary) return "no contact " + std::to_string(primary_id);
  auto secondary = tx.contact(user_id, secondary_id);
  if (!secondary) return "no contact " + std::to_string(secondary_id);

  PreparedContact fill;  // the secondary's values where the primary has none
  const Contact& p = *primary;
  const Contact& s = *secondary;
  if (p.telegram_id == 0) fill.fields.telegram_id = s.telegram_id;
  auto missing = [](const std::string& mine, const std::string& theirs) { return mine.empty() ? theirs : ""; };
  fill.fields.username = missing(p.username, s.username);
  fill.fields.phone = missing(p.phone, s.phone);
  fill.fields.first_name = missing(p.first_name, s.first_name);
  fill.fields.last_name = missing(p.last_name, s.last_name);
  fill.fields.country = missing(p.country, s.country);
  fill.fields.language = missing(p.language, s.language);
  fill.fields.group = missing(p.group, s.group);

  json snapshot{{"id", s.id},           {"telegram_id", s.telegram_id}, {"username", s.username},
                {"phone", s.phone},     {"first_name", s.first_name},   {"last_name", s.last_name},
                {"country", s.country}, {"language", s.language},       {"group", s.group},
                {"source", source_name(s.source)}, {"status", status_name(s.status)},
                {"created", s.created}};
  tx.move_contact_relations(s.id, p.id);
  tx.delete_contact(user_id, s.id);  // frees its identifiers before the primary takes them
  Contact merged = p;
  json changes = apply_fields(merged, fill);
  if (s.created != 0 && s.created < merged.created) merged.created = s.created;
  merged.updated = now;
  tx.update_contact(merged);
  history(tx, user_id, p.id, now, "merged", {{"secondary", snapshot}, {"changes", changes}});
  return "";
}

int add_tags(storage::WriteTx& tx, std::int64_t user_id, std::int64_t contact_id, const std::vector<std::string>& names,
             std::int64_t now, bool record_history, std::unordered_map<std::string, std::int64_t>* tag_cache) {
  if (names.empty()) return 0;
  int linked = 0;
  std::vector<std::string> added;
  // One read of the links held, instead of one attempted insert per tag: imports mostly repeat them.
  std::vector<std::int64_t> held = tx.tag_ids_of_contact(contact_id);
  for (const auto& name : names) {
    auto [tag_id, stored_name] = tag_named(tx, user_id, name, now, tag_cache);
    if (std::find(held.begin(), held.end(), tag_id) != held.end()) continue;
    held.push_back(tag_id);
    if (tx.tag_contact(user_id, contact_id, tag_id)) {
      ++linked;
      if (record_history) added.push_back(std::move(stored_name));
    }
  }
  if (record_history && linked > 0) history(tx, user_id, contact_id, now, "tagged", {{"tags", added}});
  return linked;
}

int remove_tags(storage::WriteTx& tx, std::int64_t user_id, std::int64_t contact_id,
                const std::vector<std::string>& names, std::int64_t now) {
  int removed = 0;
  std::vector<std::string> gone;
  for (const auto& name : names) {
    auto tag = tx.tag_by_name(user_id, name);
    if (tag && tx.untag_contact(user_id, contact_id, tag->id)) {
      ++removed;
      gone.push_back(tag->name);
    }
  }
  if (removed > 0) history(tx, user_id, contact_id, now, "untagged", {{"tags", gone}});
  return removed;
}

}  // namespace tglead::crm
