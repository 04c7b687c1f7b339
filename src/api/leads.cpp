// /api/leads/*, /api/journal/list.json: leads, their postbacks, the CSV
// export and the chat activity journal.
#include "api/endpoint.hpp"
#include "util/csv.hpp"
#include "util/time_format.hpp"

namespace tglead::api {

using namespace tglead::domain;
using nlohmann::json;

namespace {

storage::LeadFilter lead_filter(Call& call) {
  storage::LeadFilter f;
  f.user_id = call.user.id;
  if (auto campaign = call.params.integer("campaign")) f.campaign_id = owned_campaign(call, *campaign).id;
  if (auto status = call.params.integer("status")) {
    f.status = status_from_code(*status);
    if (!f.status) throw ApiError::param("status must be a lead status code 0-4");
  }
  f.from = call.params.integer("from");
  f.to = call.params.integer("to");
  return f;
}

http::Response list_leads(Call& call) {
  storage::LeadFilter f = lead_filter(call);
  f.limit = call.params.limit();
  f.offset = call.params.offset();
  std::int64_t total = 0;
  json data = json::array();
  for (const auto& lead : call.services.store.leads(f, &total)) data.push_back(lead_json(lead));
  return ok_list(std::move(data), total);
}

http::Response export_leads(Call& call) {
  storage::LeadFilter f = lead_filter(call);
  std::string csv;
  util::append_csv_row(csv, {"id", "campaign", "campaign_code", "subscriber", "username", "click", "status",
                             "start_time", "join_time", "leave_time"});
  call.services.store.each_lead(f, [&](const Lead& l) {
    util::append_csv_row(csv, {std::to_string(l.id), std::to_string(l.campaign_id), l.campaign_code,
                               std::to_string(l.subscriber), l.username, l.click, status_name(l.status),
                               util::format_datetime(l.start_time), util::format_datetime(l.join_time),
                               util::format_datetime(l.leave_time)});
  });
  http::Response response{200, "text/csv; charset=utf-8", std::move(csv), {}};
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"leads.csv\"");
  return response;
}

http::Response lead_postbacks(Call& call) {
  std::int64_t id = call.params.required_integer("lead");
  auto lead = call.services.store.lead_by_id(id);
  if (!lead || lead->user_id != call.user.id) throw ApiError::notfound("lead " + std::to_string(id) + " not found");
  json data = json::array();
  auto postbacks = call.services.store.postbacks_of_lead(id);
  for (const auto& p : postbacks) data.push_back(postback_json(p));
  return ok_list(std::move(data), static_cast<std::int64_t>(postbacks.size()));
}

std::optional<JournalAction> parse_action(const std::string& name) {
  for (auto action : {JournalAction::Join, JournalAction::Leave, JournalAction::Ban, JournalAction::Request,
                      JournalAction::Approve}) {
    if (journal_action_name(action) == name) return action;
  }
  return std::nullopt;
}

http::Response list_journal(Call& call) {
  storage::JournalFilter f;
  f.bot_id = owned_bot(call, call.params.required_integer("bot")).id;
  f.chat_id = call.params.required_integer("chat");
  if (auto action = call.params.text("action")) {
    f.action = parse_action(*action);
    if (!f.action) throw ApiError::param("action must be one of join, leave, ban, request, approve");
  }
  f.from = call.params.integer("from");
  f.to = call.params.integer("to");
  f.limit = call.params.limit();
  f.offset = call.params.offset();
  std::int64_t total = 0;
  json data = json::array();
  for (const auto& entry : call.services.store.journal(f, &total)) data.push_back(journal_json(entry));
  return ok_list(std::move(data), total);
}

}  // namespace

void add_lead_endpoints(EndpointMap& map) {
  map["/api/leads/list.json"] = list_leads;
  map["/api/leads/export.csv"] = export_leads;
  map["/api/leads/postbacks.json"] = lead_postbacks;
  map["/api/journal/list.json"] = list_journal;
}

}  // namespace tglead::api
