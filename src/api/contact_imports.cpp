// /api/contacts/import.json and /api/contacts/imports*: background contact
// imports from CSV or XLSX with progress, error files and revert (PRODUCT.md
// §8.2; shapes in docs/api.md).
#include <chrono>
#include <thread>

#include "api/endpoint.hpp"
#include "crm/import_jobs.hpp"
#include "crm/importer.hpp"
#include "util/csv.hpp"
#include "util/time_format.hpp"
#include "util/json_text.hpp"

namespace tglead::api {

using nlohmann::json;

namespace {

constexpr std::size_t kErrorsShown = 100;          // in get.json; the error file has them all
constexpr std::size_t kErrorsShownWaiting = 1000;  // import.json with wait=1, as the synchronous import did
constexpr auto kWaitLimit = std::chrono::seconds(120);

json run_json(Call& call, const storage::ContactImportRecord& r, std::size_t errors_shown) {
  json warnings = json::parse(r.warnings, nullptr, false);
  if (!warnings.is_array()) warnings = json::array();
  int percent = r.total > 0 ? static_cast<int>(std::min<std::int64_t>(100, r.done * 100 / r.total))
                            : (r.state == "queued" ? 0 : 100);
  json out{{"id", r.id},
           {"import", r.id},
           {"file_name", r.file_name},
           {"format", r.format},
           {"mode", r.mode},
           {"state", r.state},
           {"started", util::format_datetime(r.started)},
           {"finished", util::format_datetime(r.finished)},
           {"progress", {{"done", r.done}, {"total", r.total}, {"percent", percent}, {"unit", "bytes"}}},
           {"rows", r.rows},
           {"created", r.created},
           {"updated", r.updated},
           {"unchanged", r.unchanged},
           {"skipped", r.skipped},
           {"duplicates", r.duplicates},
           {"error_count", r.errors},
           {"warnings", warnings},
           {"fatal", r.fatal},
           {"errors_url", "/api/contacts/imports/errors.csv?id=" + std::to_string(r.id)},
           {"revert", nullptr}};
  if (r.reverted != 0) {
    out["revert"] = {{"time", util::format_datetime(r.reverted)},
                     {"deleted", r.revert_deleted},
                     {"changed", r.revert_changed},
                     {"kept", r.revert_kept}};
  }
  if (errors_shown > 0) {
    json errors = json::array();
    call.services.store.each_contact_import_error(r.id, [&](const storage::ContactImportError& e) {
      if (errors.size() < errors_shown) errors.push_back({{"row", e.row}, {"column", e.column}, {"reason", e.reason}});
    });
    out["errors"] = std::move(errors);
  }
  return out;
}

storage::ContactImportRecord owned_run(Call& call) {
  std::int64_t id = call.params.required_integer("id");
  auto run = call.services.store.contact_import(call.user.id, id);
  if (!run) throw ApiError::notfound("no import " + std::to_string(id));
  return *run;
}

// The file: the raw body of an upload (Content-Type text/csv, XLSX or
// application/octet-stream), else the `file` or `csv` parameter (CSV text).
std::string uploaded_file(Call& call) {
  if (call.request && !call.request->body.empty() && is_file_body(call.request->header("content-type"))) {
    return call.request->body;
  }
  if (auto text = call.params.text("file")) return *text;
  if (auto text = call.params.text("csv")) return *text;
  throw ApiError::param(
      "send the file as the request body (Content-Type text/csv or "
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet), or CSV text in `file`");
}

http::Response start_import(Call& call) {
  if (!call.services.imports) throw ApiError::busy("imports are not available in this process");
  std::string data = uploaded_file(call);
  crm::ImportOptions options;
  options.user_id = call.user.id;
  options.actor = call.user.id;
  auto mode = crm::parse_mode(call.params.text("mode").value_or("create_update"));
  if (!mode) throw ApiError::param("mode must be create, create_update or update");
  options.mode = *mode;
  if (auto region = call.params.text("region")) {
    auto n = crm::normalize_country(*region);
    if (!n.ok()) throw ApiError::param("region must be a two-letter country code such as DE");
    options.default_region = n.value;
  }
  options.file_name = call.params.text("file_name").value_or("");
  bool wait = call.params.boolean("wait").value_or(false);

  crm::ImportCheck check = crm::check_import_file(data, options.file_name, call.services.store.fields(call.user.id));
  if (!check.fatal.empty()) throw ApiError::param(check.fatal);
  // A dry run reads only the header: the wizard shows an XLSX file's mapping before importing it.
  if (call.params.boolean("check").value_or(false)) {
    json columns = json::array();
    for (const auto& c : check.columns) columns.push_back({{"header", c.header}, {"target", c.target}});
    return ok({{"format", check.format}, {"columns", std::move(columns)}, {"warnings", check.warnings}});
  }
  if (options.file_name.empty()) options.file_name = "upload." + check.format;

  storage::ContactImportRecord run;
  run.user_id = call.user.id;
  run.file_name = options.file_name;
  run.mode = std::string(crm::mode_name(options.mode));
  run.started = call.services.clock();
  run.state = "queued";
  run.format = check.format;
  run.total = static_cast<std::int64_t>(data.size());
  run.warnings = util::json_text(json(check.warnings));
  call.services.store.write([&](storage::WriteTx& tx) { run.id = tx.insert_contact_import(run); });
  options.import_id = run.id;
  call.services.imports->submit(std::move(options), std::move(data));

  if (wait) {
    auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto now = call.services.store.contact_import(call.user.id, run.id);
      if (now && now->state != "queued" && now->state != "running")
        return ok(run_json(call, *now, kErrorsShownWaiting));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  auto now = call.services.store.contact_import(call.user.id, run.id);
  return ok(run_json(call, now.value_or(run), 0));
}

http::Response list_imports(Call& call) {
  std::int64_t total = 0;
  json data = json::array();
  for (const auto& r :
       call.services.store.contact_imports(call.user.id, call.params.limit(), call.params.offset(), &total)) {
    data.push_back(run_json(call, r, 0));
  }
  return ok_list(std::move(data), total);
}

http::Response get_import(Call& call) { return ok(run_json(call, owned_run(call), kErrorsShown)); }

http::Response import_errors(Call& call) {
  storage::ContactImportRecord run = owned_run(call);
  std::string csv;
  util::append_csv_row(csv, {"row", "column", "reason"});
  std::int64_t stored = 0;
  call.services.store.each_contact_import_error(run.id, [&](const storage::ContactImportError& e) {
    ++stored;
    util::append_csv_row(csv, {std::to_string(e.row), e.column, e.reason});
  });
  if (stored >= static_cast<std::int64_t>(crm::kMaxStoredErrors)) {
    util::append_csv_row(csv, {"", "",
                               "the error file stops at " + std::to_string(stored) + " lines; " +
                                   std::to_string(run.errors) + " rows had errors"});
  }
  http::Response response;
  response.content_type = "text/csv; charset=utf-8";
  response.body = std::move(csv);
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"import-" + std::to_string(run.id) + "-errors.csv\"");
  return response;
}

http::Response revert(Call& call) {
  storage::ContactImportRecord run = owned_run(call);
  crm::RevertResult result = crm::revert_import(call.services.store, call.user.id, run.id, call.services.clock());
  if (!result.error.empty()) throw ApiError::param(result.error);
  return ok(run_json(call, result.record, 0));
}

}  // namespace

void add_contact_import_endpoints(EndpointMap& map) {
  map["/api/contacts/import.json"] = start_import;
  map["/api/contacts/imports.json"] = list_imports;
  map["/api/contacts/imports/get.json"] = get_import;
  map["/api/contacts/imports/errors.csv"] = import_errors;
  map["/api/contacts/imports/revert.json"] = revert;
}

}  // namespace tglead::api
