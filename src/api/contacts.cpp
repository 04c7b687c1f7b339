// /api/contacts/* and /api/tags/*: CRM contacts with dedup, merge, tags and
// CSV import/export (PRODUCT.md §8.1-§8.2; shapes in docs/api.md).
#include <algorithm>
#include <unordered_map>

#include "api/endpoint.hpp"
#include "crm/contacts.hpp"
#include "crm/segments.hpp"
#include "util/csv.hpp"
#include "util/time_format.hpp"
#include "util/json_text.hpp"

namespace tglead::api {

using nlohmann::json;

namespace {

constexpr int kHistoryShown = 200;


json contact_json(const crm::Contact& c, const std::vector<crm::FieldDefinition>& fields) {
  json values = json::object();
  for (const auto& [field_id, text] : c.values) {
    auto f = std::find_if(fields.begin(), fields.end(), [&](const auto& d) { return d.id == field_id; });
    if (f != fields.end()) values[f->name] = crm::field_value_json(*f, text);
  }
  return {{"id", c.id},
          {"telegram_id", c.telegram_id},
          {"username", c.username},
          {"phone", c.phone},
          {"first_name", c.first_name},
          {"last_name", c.last_name},
          {"country", c.country},
          {"language", c.language},
          {"group", c.group},
          {"source", crm::source_name(c.source)},
          {"status", crm::status_name(c.status)},
          {"priority", crm::priority_name(c.priority)},
          {"tags", c.tags},
          {"fields", std::move(values)},
          {"created_by", c.created_by},
          {"created", util::format_datetime(c.created)},
          {"updated", util::format_datetime(c.updated)}};
}

json tag_json(const crm::Tag& t) {
  return {{"id", t.id}, {"name", t.name}, {"colour", t.colour}, {"contacts", t.contacts}};
}

json conflicts_json(const std::vector<crm::MatchConflict>& conflicts) {
  json out = json::array();
  for (const auto& c : conflicts) out.push_back({{"field", c.field}, {"contact", c.contact_id}, {"reason", c.reason}});
  return out;
}

// The error envelope plus details (`exists` answers name the contacts involved).
http::Response error_with(const ApiError& error, const json& extra) {
  json body{{"status", "error"}, {"error", error.code()}, {"message", error.what()}};
  for (auto& [key, value] : extra.items()) body[key] = value;
  http::Response response;
  response.status = error.http_status();
  response.body = util::json_text(body);
  return response;
}

std::string region_of(Call& call) {
  std::string region = call.params.text("region").value_or("");
  if (region.empty()) return region;
  auto n = crm::normalize_country(region);
  if (!n.ok()) throw ApiError::param("region must be a two-letter country code such as DE");
  return n.value;
}

crm::ContactInput contact_input(Call& call) {
  const Params& p = call.params;
  crm::ContactInput in;
  in.telegram_id = p.text("telegram_id").value_or("");
  in.username = p.text("username").value_or("");
  in.phone = p.text("phone").value_or(p.text("phone_number").value_or(""));
  in.first_name = p.text("first_name").value_or("");
  in.last_name = p.text("last_name").value_or("");
  in.country = p.text("country").value_or("");
  in.language = p.text("language").value_or("");
  in.group = p.text("group").value_or("");
  in.tags = p.list("tags");
  if (auto status = p.text("status")) {
    in.status = crm::parse_status(*status);
    if (!in.status) throw ApiError::param("status must be active, blocked or archived");
  }
  if (auto priority = p.text("priority")) {
    in.priority = crm::parse_priority(*priority);
    if (!in.priority) throw ApiError::param("priority must be high, medium or low");
  }
  return in;
}

// `fields` {name: value}: each value validated for its field; null or "" clears it.
std::vector<crm::FieldAssignment> field_values(Call& call, const std::vector<crm::FieldDefinition>& fields,
                                               const crm::PhoneNormalizer& phones) {
  std::vector<crm::FieldAssignment> out;
  auto given = call.params.object("fields");
  if (!given) return out;
  for (const auto& [name, raw] : given->items()) {
    auto f = std::find_if(fields.begin(), fields.end(), [&](const auto& d) { return d.name == name; });
    if (f == fields.end()) throw ApiError::param("fields: there is no custom field named '" + name + "'");
    crm::ParsedValue parsed = crm::parse_field_json(*f, raw, phones);
    if (!parsed.ok()) throw ApiError::param("fields." + name + ": " + parsed.error);
    out.push_back(crm::FieldAssignment{f->id, f->name, parsed.value});
  }
  return out;
}

crm::PreparedContact prepared(Call& call, bool require_identifier, const std::vector<crm::FieldDefinition>& fields) {
  auto phones = crm::make_phone_normalizer(region_of(call));
  crm::PreparedContact p = crm::prepare_contact(contact_input(call), *phones, require_identifier);
  if (!p.ok()) {
    std::string message;
    for (const auto& e : p.errors) message += (message.empty() ? "" : "; ") + e;
    throw ApiError::param(message);
  }
  p.values = field_values(call, fields, *phones);
  return p;
}

// Labels of required fields a new contact made from `in` would lack.
std::vector<std::string> missing_required(const std::vector<crm::FieldDefinition>& fields,
                                          const crm::PreparedContact& in) {
  std::vector<std::string> missing;
  for (const auto& f : fields) {
    if (!f.required) continue;
    bool given = std::any_of(in.values.begin(), in.values.end(),
                             [&](const auto& a) { return a.field_id == f.id && a.value.has_value(); });
    if (!given) missing.push_back(f.label);
  }
  return missing;
}

crm::UpsertContext context(Call& call, crm::Source source) {
  crm::UpsertContext ctx;
  ctx.user_id = call.user.id;
  ctx.actor = call.user.id;
  ctx.source = source;
  ctx.now = call.services.clock();
  return ctx;
}

crm::Contact load(Call& call, std::int64_t id) {
  auto c = call.services.store.contact(call.user.id, id);
  if (!c) throw ApiError::notfound("no contact " + std::to_string(id));
  return *c;
}

}  // namespace

storage::ContactFilter contact_filter(Call& call) {
  storage::ContactFilter f;
  f.user_id = call.user.id;
  f.q = call.params.text("q").value_or("");
  if (auto status = call.params.text("status")) {
    f.status = crm::parse_status(*status);
    if (!f.status) throw ApiError::param("status must be active, blocked or archived");
  }
  if (auto source = call.params.text("source")) {
    f.source = crm::parse_source(*source);
    if (!f.source) throw ApiError::param("source must be manual, file_upload, crawling, campaign or api");
  }
  if (auto tag = call.params.text("tag")) {
    for (const auto& t : call.services.store.tags(call.user.id)) {
      if (crm::username_key(t.name) == crm::username_key(*tag) || std::to_string(t.id) == *tag) f.tag_id = t.id;
    }
    if (!f.tag_id) f.tag_id = -1;  // an unknown tag matches nothing
  }
  if (auto segment_id = call.params.integer("segment")) {
    auto segment = call.services.store.segment(call.user.id, *segment_id);
    if (!segment) throw ApiError::notfound("no segment " + std::to_string(*segment_id));
    f.rules = segment_rules(call, *segment);
  }
  return f;
}

namespace {

http::Response list_contacts(Call& call) { return contact_page(call, contact_filter(call)); }

http::Response get_contact(Call& call) {
  crm::Contact c = load(call, call.params.required_integer("id"));
  json out = contact_json(c, call.services.store.fields(call.user.id));
  json history = json::array();
  for (const auto& h : call.services.store.contact_history(call.user.id, c.id, kHistoryShown)) {
    json detail = json::parse(h.detail, nullptr, false);
    if (detail.is_discarded()) detail = json::object();
    history.push_back({{"id", h.id}, {"time", util::format_datetime(h.time)}, {"kind", h.kind}, {"detail", detail}});
  }
  out["history"] = std::move(history);
  return ok(std::move(out));
}

http::Response add_contact(Call& call) {
  auto fields = call.services.store.fields(call.user.id);
  crm::PreparedContact in = prepared(call, true, fields);
  crm::UpsertContext ctx = context(call, crm::Source::Manual);
  ctx.required_missing = missing_required(fields, in);
  if (auto source = call.params.text("source")) {
    auto s = crm::parse_source(*source);
    if (!s) throw ApiError::param("source must be manual, file_upload, crawling, campaign or api");
    ctx.source = *s;
  }
  auto mode = crm::parse_mode(call.params.text("mode").value_or("create_update"));
  if (!mode || *mode == crm::Mode::Update) throw ApiError::param("mode must be create or create_update");
  ctx.mode = *mode;
  crm::UpsertResult result;
  call.services.store.write([&](storage::WriteTx& tx) { result = crm::upsert_contact(tx, ctx, in); });
  if (result.outcome == crm::Outcome::Conflict) {
    return error_with(ApiError::exists("conflicting identifiers: " + result.reason),
                      {{"conflicts", conflicts_json(result.conflicts)}});
  }
  if (result.outcome == crm::Outcome::Invalid) throw ApiError::param(result.reason);
  if (result.outcome == crm::Outcome::Skipped) {
    return error_with(ApiError::exists(result.reason),
                      {{"contact", result.contact_id}, {"matched_on", result.matched_on}});
  }
  json out{{"contact", contact_json(load(call, result.contact_id), fields)},
           {"created", result.outcome == crm::Outcome::Created},
           {"matched_on", result.matched_on}};
  return ok(std::move(out));
}

http::Response edit_contact(Call& call) {
  std::int64_t id = call.params.required_integer("id");
  load(call, id);
  auto fields = call.services.store.fields(call.user.id);
  crm::PreparedContact in = prepared(call, false, fields);
  // A detail sent empty is cleared (the contact page sends what the user emptied).
  for (const char* name : {"telegram_id", "username", "phone", "phone_number", "first_name", "last_name", "country",
                           "language", "group"}) {
    if (call.params.present(name) && call.params.text(name).value_or("").empty()) {
      in.cleared.emplace_back(std::string_view(name) == "phone_number" ? "phone" : name);
    }
  }
  for (const auto& a : in.values) {
    auto f = std::find_if(fields.begin(), fields.end(), [&](const auto& d) { return d.id == a.field_id; });
    if (!a.value && f->required) throw ApiError::param("fields." + a.name + ": " + f->label + " is required");
  }
  crm::UpsertResult result;
  call.services.store.write(
      [&](storage::WriteTx& tx) { result = crm::edit_contact(tx, context(call, crm::Source::Manual), id, in); });
  if (result.outcome == crm::Outcome::Conflict) {
    return error_with(ApiError::exists("conflicting identifiers: " + result.reason),
                      {{"conflicts", conflicts_json(result.conflicts)}});
  }
  if (result.outcome == crm::Outcome::Skipped) throw ApiError::notfound(result.reason);
  if (result.outcome == crm::Outcome::Invalid) throw ApiError::param(result.reason);
  return ok(contact_json(load(call, id), fields));
}

http::Response delete_contact(Call& call) {
  std::int64_t id = call.params.required_integer("id");
  load(call, id);
  bool purge = call.params.boolean("purge").value_or(false);
  std::int64_t now = call.services.clock();
  call.services.store.write([&](storage::WriteTx& tx) {
    if (purge) {
      tx.delete_contact(call.user.id, id);
      return;
    }
    crm::PreparedContact archive;
    archive.status = crm::Status::Archived;
    crm::UpsertContext ctx = context(call, crm::Source::Manual);
    ctx.now = now;
    crm::edit_contact(tx, ctx, id, archive);
  });
  return ok(true);
}

http::Response merge_contacts(Call& call) {
  std::int64_t primary = call.params.required_integer("primary");
  std::int64_t secondary = call.params.required_integer("secondary");
  load(call, primary);
  load(call, secondary);
  std::string error;
  std::int64_t now = call.services.clock();
  call.services.store.write(
      [&](storage::WriteTx& tx) { error = crm::merge_contacts(tx, call.user.id, primary, secondary, now); });
  if (!error.empty()) throw ApiError::param(error);
  return ok(contact_json(load(call, primary), call.services.store.fields(call.user.id)));
}

std::vector<std::string> tag_names(Call& call, const char* name) {
  std::vector<std::string> out;
  for (const auto& raw : call.params.list(name)) {
    auto tag = crm::clean_tag_name(raw);
    if (!tag) throw ApiError::param(std::string(name) + ": tag '" + raw + "' must be 1-64 characters without commas");
    out.push_back(*tag);
  }
  return out;
}

http::Response tag_contact(Call& call) {
  std::int64_t id = call.params.required_integer("id");
  load(call, id);
  auto add = tag_names(call, "add");
  auto remove = tag_names(call, "remove");
  if (add.empty() && remove.empty()) throw ApiError::param("give tags to add and/or remove");
  std::int64_t now = call.services.clock();
  call.services.store.write([&](storage::WriteTx& tx) {
    crm::add_tags(tx, call.user.id, id, add, now);
    crm::remove_tags(tx, call.user.id, id, remove, now);
  });
  return ok(contact_json(load(call, id), call.services.store.fields(call.user.id)));
}

http::Response export_contacts(Call& call) { return contact_csv(call, contact_filter(call), "contacts.csv"); }

http::Response list_tags(Call& call) {
  json data = json::array();
  auto tags = call.services.store.tags(call.user.id);
  for (const auto& t : tags) data.push_back(tag_json(t));
  return ok_list(std::move(data), static_cast<std::int64_t>(tags.size()));
}

http::Response add_tag(Call& call) {
  auto name = crm::clean_tag_name(call.params.required_text("name"));
  if (!name) throw ApiError::param("name must be 1-64 characters without commas");
  std::string colour = crm::default_tag_colour(*name);
  if (auto given = call.params.text("colour")) {
    auto c = crm::clean_colour(*given);
    if (!c) throw ApiError::param("colour must be #rrggbb");
    colour = *c;
  }
  std::int64_t now = call.services.clock();
  bool taken = false;
  crm::Tag tag;
  call.services.store.write([&](storage::WriteTx& tx) {
    taken = false;
    if (tx.tag_by_name(call.user.id, *name)) {
      taken = true;
      return;
    }
    tag = crm::Tag{0, call.user.id, *name, colour, 0};
    tag.id = tx.insert_tag(tag, now);
  });
  if (taken) throw ApiError::exists("a tag named '" + *name + "' exists");
  return ok(tag_json(tag));
}

// Renames and recolours; segments whose rules name the tag follow the new name in the same
// transaction, so a rename never empties a segment.
http::Response edit_tag(Call& call) {
  std::int64_t id = call.params.required_integer("id");
  std::optional<std::string> name;
  if (auto given = call.params.text("name")) {
    name = crm::clean_tag_name(*given);
    if (!name) throw ApiError::param("name must be 1-64 characters without commas");
  }
  std::optional<std::string> colour;
  if (auto given = call.params.text("colour")) {
    colour = crm::clean_colour(*given);
    if (!colour) throw ApiError::param("colour must be #rrggbb");
  }
  std::int64_t now = call.services.clock();
  std::optional<crm::Tag> tag;
  bool taken = false;
  call.services.store.write([&](storage::WriteTx& tx) {
    taken = false;
    tag = tx.tag(call.user.id, id);
    if (!tag) return;
    if (name && *name != tag->name) {
      if (auto other = tx.tag_by_name(call.user.id, *name); other && other->id != id) {
        taken = true;
        return;
      }
      for (auto segment : tx.segments(call.user.id)) {
        if (auto rules = crm::rename_tag_in_rules(segment.rules, tag->name, *name)) {
          segment.rules = *rules;
          segment.updated = now;
          tx.update_segment(segment);
        }
      }
      tag->name = *name;
    }
    if (colour) tag->colour = *colour;
    tx.update_tag(*tag);
  });
  if (!tag) throw ApiError::notfound("no tag " + std::to_string(id));
  if (taken) throw ApiError::exists("a tag named '" + *name + "' exists");
  return ok(tag_json(*tag));
}

http::Response delete_tag(Call& call) {
  std::int64_t id = call.params.required_integer("id");
  bool found = false;
  call.services.store.write([&](storage::WriteTx& tx) {
    found = tx.tag(call.user.id, id).has_value();
    if (found) tx.delete_tag(call.user.id, id);
  });
  if (!found) throw ApiError::notfound("no tag " + std::to_string(id));
  return ok(true);
}

}  // namespace

http::Response contact_page(Call& call, storage::ContactFilter filter) {
  filter.limit = call.params.limit();
  filter.offset = call.params.offset();
  auto fields = call.services.store.fields(call.user.id);
  std::int64_t total = 0;
  json data = json::array();
  for (const auto& c : call.services.store.contacts(filter, &total)) data.push_back(contact_json(c, fields));
  return ok_list(std::move(data), total);
}

// Custom fields follow the built-in columns under their names, so an export imports back as is.
http::Response contact_csv(Call& call, storage::ContactFilter filter, const std::string& file_name) {
  auto fields = call.services.store.fields(call.user.id);
  std::vector<std::string> header{"id",       "telegram_id", "username", "phone_number", "first_name",
                                  "last_name", "country",    "language", "group",        "source",
                                  "status",   "priority",    "tags",     "created",      "updated"};
  for (const auto& f : fields) header.push_back(f.name);
  std::string csv;
  util::append_csv_row(csv, header);
  filter.limit = 1000;
  std::vector<std::string> row;
  for (filter.offset = 0;; filter.offset += filter.limit) {
    auto page = call.services.store.contacts(filter, nullptr);
    for (const auto& c : page) {
      std::string tags;
      for (const auto& t : c.tags) tags += (tags.empty() ? "" : ",") + t;
      row = {std::to_string(c.id),
             c.telegram_id ? std::to_string(c.telegram_id) : "",
             c.username,
             c.phone,
             c.first_name,
             c.last_name,
             c.country,
             c.language,
             c.group,
             std::string(crm::source_name(c.source)),
             std::string(crm::status_name(c.status)),
             std::string(crm::priority_name(c.priority)),
             tags,
             util::format_datetime(c.created),
             util::format_datetime(c.updated)};
      for (const auto& f : fields) {
        auto v = std::find_if(c.values.begin(), c.values.end(), [&](const auto& x) { return x.first == f.id; });
        if (v == c.values.end()) {
          row.emplace_back();
        } else if (f.type == crm::FieldType::Multiselect) {
          // The list as the import reads it back: options joined by commas.
          std::string joined;
          for (const auto& o : crm::field_value_json(f, v->second)) joined += (joined.empty() ? "" : ",") + o.get<std::string>();
          row.push_back(joined);
        } else {
          row.push_back(v->second);
        }
      }
      util::append_csv_row(csv, row);
    }
    if (page.size() < static_cast<std::size_t>(filter.limit)) break;
  }
  http::Response response;
  response.content_type = "text/csv; charset=utf-8";
  response.body = std::move(csv);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  return response;
}

void add_contact_endpoints(EndpointMap& map) {
  map["/api/contacts/list.json"] = list_contacts;
  map["/api/contacts/get.json"] = get_contact;
  map["/api/contacts/add.json"] = add_contact;
  map["/api/contacts/edit.json"] = edit_contact;
  map["/api/contacts/del.json"] = delete_contact;
  map["/api/contacts/merge.json"] = merge_contacts;
  map["/api/contacts/tag.json"] = tag_contact;
  map["/api/contacts/export.csv"] = export_contacts;
  map["/api/tags/list.json"] = list_tags;
  map["/api/tags/add.json"] = add_tag;
  map["/api/tags/edit.json"] = edit_tag;
  map["/api/tags/del.json"] = delete_tag;
}

}  // namespace tglead::api
