// /api/fields/*: custom field definitions of the workspace (PRODUCT.md §8.2;
// shapes in docs/api.md). A field's name and type are fixed once created.
#include <algorithm>

#include "api/endpoint.hpp"
#include "crm/fields.hpp"
#include "util/time_format.hpp"

namespace tglead::api {

using nlohmann::json;

namespace {

json field_json(const crm::FieldDefinition& f) {
  json out = crm::field_definition_json(f);
  out["created"] = util::format_datetime(f.created);
  out["updated"] = util::format_datetime(f.updated);
  return out;
}

crm::FieldDefinition owned_field(Call& call, std::int64_t id) {
  for (auto& f : call.services.store.fields(call.user.id)) {
    if (f.id == id) return f;
  }
  throw ApiError::notfound("no field " + std::to_string(id));
}

// The editable attributes present in the request, applied onto `f`.
void apply_editable(Call& call, crm::FieldDefinition& f) {
  const Params& p = call.params;
  if (p.present("label")) f.label = p.text("label").value_or("");
  if (p.present("description")) f.description = p.text("description").value_or("");
  if (auto required = p.boolean("required")) f.required = *required;
  if (p.present("options")) f.options = p.list("options");
  if (p.present("min")) f.min = p.number("min");
  if (p.present("max")) f.max = p.number("max");
}

void normalize_or_throw(crm::FieldDefinition& f) {
  if (std::string error = crm::normalize_definition(f); !error.empty()) throw ApiError::param(error);
}

http::Response list_fields(Call& call) {
  json data = json::array();
  auto fields = call.services.store.fields(call.user.id);
  for (const auto& f : fields) data.push_back(field_json(f));
  return ok_list(std::move(data), static_cast<std::int64_t>(fields.size()));
}

http::Response add_field(Call& call) {
  crm::FieldDefinition f;
  f.user_id = call.user.id;
  f.name = call.params.required_text("name");
  auto type = crm::parse_field_type(call.params.required_text("type"));
  if (!type) {
    throw ApiError::param(
        "type must be text, textarea, number, date, dropdown, multiselect, boolean, email, phone or url");
  }
  f.type = *type;
  apply_editable(call, f);
  normalize_or_throw(f);
  f.created = f.updated = call.services.clock();
  bool taken = false;
  call.services.store.write([&](storage::WriteTx& tx) {
    auto existing = tx.fields(call.user.id);
    taken = std::any_of(existing.begin(), existing.end(), [&](const auto& e) { return e.name == f.name; });
    if (!taken) f.id = tx.insert_field(f);
  });
  if (taken) throw ApiError::exists("a field named '" + f.name + "' exists");
  return ok(field_json(f));
}

http::Response edit_field(Call& call) {
  crm::FieldDefinition f = owned_field(call, call.params.required_integer("id"));
  if (auto name = call.params.text("name"); name && *name != f.name) {
    throw ApiError::param("name is fixed after creation");
  }
  if (auto type = call.params.text("type"); type && *type != crm::field_type_name(f.type)) {
    throw ApiError::param("type is fixed after creation");
  }
  apply_editable(call, f);
  normalize_or_throw(f);
  f.updated = call.services.clock();
  call.services.store.write([&](storage::WriteTx& tx) { tx.update_field(f); });
  return ok(field_json(f));
}

http::Response delete_field(Call& call) {
  crm::FieldDefinition f = owned_field(call, call.params.required_integer("id"));
  // A segment whose rule names a vanished field would silently change meaning.
  for (const auto& segment : call.services.store.segments(call.user.id)) {
    json rules = json::parse(segment.rules, nullptr, false);
    if (!rules.is_array()) continue;
    for (const auto& rule : rules) {
      if (rule.is_object() && rule.value("field", "") == "field:" + f.name) {
        throw ApiError::param("field '" + f.name + "' is used by segment '" + segment.name +
                              "'; change that segment first");
      }
    }
  }
  call.services.store.write([&](storage::WriteTx& tx) { tx.delete_field(call.user.id, f.id); });
  return ok(true);
}

}  // namespace

void add_field_endpoints(EndpointMap& map) {
  map["/api/fields/list.json"] = list_fields;
  map["/api/fields/add.json"] = add_field;
  map["/api/fields/edit.json"] = edit_field;
  map["/api/fields/del.json"] = delete_field;
}

}  // namespace tglead::api
