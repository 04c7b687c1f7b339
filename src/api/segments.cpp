// /api/segments/*: saved AND-ed contact filters with live counts, member
// lists and exports (PRODUCT.md §8.2; shapes in docs/api.md).
#include "api/endpoint.hpp"
#include "crm/segments.hpp"
#include "util/time_format.hpp"

namespace tglead::api {

using nlohmann::json;

namespace {

json segment_json(const crm::Segment& s, std::int64_t count) {
  json rules = json::parse(s.rules, nullptr, false);
  if (!rules.is_array()) rules = json::array();
  return {{"id", s.id},
          {"name", s.name},
          {"description", s.description},
          {"rules", std::move(rules)},
          {"active", s.active},
          {"count", count},
          {"created", util::format_datetime(s.created)},
          {"updated", util::format_datetime(s.updated)}};
}

std::int64_t member_count(Call& call, const crm::Segment& s) {
  storage::ContactFilter f;
  f.user_id = call.user.id;
  f.rules = segment_rules(call, s);
  return call.services.store.count_contacts(f);
}

crm::Segment owned_segment(Call& call) {
  std::int64_t id = call.params.required_integer("id");
  auto s = call.services.store.segment(call.user.id, id);
  if (!s) throw ApiError::notfound("no segment " + std::to_string(id));
  return *s;
}

// Validated rules from the request, in their saved form.
std::string rules_param(Call& call) {
  auto given = call.params.array("rules");
  if (!given) return "[]";
  crm::RulesResult parsed =
      crm::parse_rules(*given, call.services.store.fields(call.user.id), call.services.clock());
  if (!parsed.ok()) throw ApiError::param(parsed.error);
  return crm::rules_json(parsed.rules).dump();
}

std::string name_param(Call& call, const char* key) {
  auto name = crm::clean_segment_name(call.params.required_text(key));
  if (!name) throw ApiError::param("name must be 1-100 characters on one line");
  return *name;
}

http::Response list_segments(Call& call) {
  std::optional<bool> active = call.params.boolean("active");
  json data = json::array();
  for (const auto& s : call.services.store.segments(call.user.id)) {
    if (active && s.active != *active) continue;
    data.push_back(segment_json(s, member_count(call, s)));
  }
  auto total = static_cast<std::int64_t>(data.size());
  return ok_list(std::move(data), total);
}

http::Response get_segment(Call& call) {
  crm::Segment s = owned_segment(call);
  return ok(segment_json(s, member_count(call, s)));
}

http::Response save_segment(Call& call, crm::Segment s) {
  bool taken = false;
  call.services.store.write([&](storage::WriteTx& tx) {
    auto same = tx.segment_by_name(call.user.id, s.name);
    taken = same && same->id != s.id;
    if (taken) return;
    if (s.id == 0) {
      s.id = tx.insert_segment(s);
    } else {
      tx.update_segment(s);
    }
  });
  if (taken) throw ApiError::exists("a segment named '" + s.name + "' exists");
  return ok(segment_json(s, member_count(call, s)));
}

http::Response add_segment(Call& call) {
  crm::Segment s;
  s.user_id = call.user.id;
  s.name = name_param(call, "name");
  s.description = call.params.text("description").value_or("");
  s.rules = rules_param(call);
  s.active = call.params.boolean("active").value_or(true);
  s.created = s.updated = call.services.clock();
  return save_segment(call, std::move(s));
}

http::Response edit_segment(Call& call) {
  crm::Segment s = owned_segment(call);
  if (call.params.has("name")) s.name = name_param(call, "name");
  if (call.params.present("description")) s.description = call.params.text("description").value_or("");
  if (call.params.present("rules")) s.rules = rules_param(call);
  if (auto active = call.params.boolean("active")) s.active = *active;
  s.updated = call.services.clock();
  return save_segment(call, std::move(s));
}

http::Response delete_segment(Call& call) {
  crm::Segment s = owned_segment(call);
  call.services.store.write([&](storage::WriteTx& tx) { tx.delete_segment(call.user.id, s.id); });
  return ok(true);
}

http::Response preview_segment(Call& call) {
  auto given = call.params.array("rules");
  if (!given) throw ApiError::param("rules is required");
  crm::RulesResult parsed =
      crm::parse_rules(*given, call.services.store.fields(call.user.id), call.services.clock());
  if (!parsed.ok()) throw ApiError::param(parsed.error);
  storage::ContactFilter f;
  f.user_id = call.user.id;
  f.rules = std::move(parsed.rules);
  return ok(json{{"count", call.services.store.count_contacts(f)}});
}

storage::ContactFilter members_filter(Call& call) {
  crm::Segment s = owned_segment(call);
  storage::ContactFilter f;
  f.user_id = call.user.id;
  f.rules = segment_rules(call, s);
  return f;
}

http::Response segment_contacts(Call& call) { return contact_page(call, members_filter(call)); }

http::Response export_segment(Call& call) {
  crm::Segment s = owned_segment(call);
  return contact_csv(call, members_filter(call), "segment-" + std::to_string(s.id) + ".csv");
}

http::Response segment_fields(Call& call) {
  json catalog = crm::rule_catalog(call.services.store.fields(call.user.id));
  auto total = static_cast<std::int64_t>(catalog.size());
  return ok_list(std::move(catalog), total);
}

}  // namespace

std::vector<crm::SegmentRule> segment_rules(Call& call, const crm::Segment& segment) {
  json saved = json::parse(segment.rules, nullptr, false);
  if (saved.is_discarded()) saved = json::array();
  crm::RulesResult parsed = crm::parse_rules(saved, call.services.store.fields(call.user.id), call.services.clock());
  if (!parsed.ok()) throw ApiError::param("segment '" + segment.name + "' has an invalid rule: " + parsed.error);
  return std::move(parsed.rules);
}

void add_segment_endpoints(EndpointMap& map) {
  map["/api/segments/list.json"] = list_segments;
  map["/api/segments/get.json"] = get_segment;
  map["/api/segments/add.json"] = add_segment;
  map["/api/segments/edit.json"] = edit_segment;
  map["/api/segments/del.json"] = delete_segment;
  map["/api/segments/preview.json"] = preview_segment;
  map["/api/segments/contacts.json"] = segment_contacts;
  map["/api/segments/export.csv"] = export_segment;
  map["/api/segments/fields.json"] = segment_fields;
}

}  // namespace tglead::api
