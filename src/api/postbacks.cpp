// /api/postbacks/*: tracker presets and the "test" action that sends one
// sample postback and shows the tracker's answer.
#include "api/endpoint.hpp"
#include "domain/tracker_presets.hpp"
#include "util/random.hpp"

namespace tglead::api {

using namespace tglead::domain;
using nlohmann::json;

namespace {

constexpr std::size_t kShownBodyBytes = 1024;

http::Response presets(Call& call) {
  std::string base = call.params.text("base").value_or("");
  if (!base.empty()) {
    // Validated like a template, so a preset built on it can be saved as is.
    parse_templates(json{{"wait", base}}, {}, call.services.allow_private_postbacks);
  }
  std::optional<std::string> only = call.params.text("tracker");
  json data = json::array();
  for (const auto& p : tracker_presets(base)) {
    if (only && *only != p.id) continue;
    data.push_back({{"id", p.id},
                    {"name", p.name},
                    {"click_macro", p.click_macro},
                    {"base", base.empty() ? p.base : base},
                    {"postbacks", templates_json(p.postbacks)}});
  }
  if (only && data.empty()) throw ApiError::notfound("no preset for tracker " + *only);
  return ok_list(data, static_cast<std::int64_t>(data.size()));
}

http::Response test_postback(Call& call) {
  std::string tmpl = call.params.required_text("url");
  LeadStatus status = LeadStatus::Approve;
  if (auto name = call.params.text("status")) {
    auto parsed = parse_status_name(*name);
    if (!parsed) throw ApiError::param("status must be one of wait, hold, approve, cancel, trash");
    status = *parsed;
  }
  parse_templates(json{{"wait", tmpl}}, {}, call.services.allow_private_postbacks);

  MacroValues v;
  v.click = call.params.text("click").value_or("test-click");
  v.status = std::string(status_name(status));
  v.status_code = std::to_string(static_cast<int>(status));
  v.campaign = "TEST";
  v.campaign_id = "0";
  v.user = std::to_string(call.user.id);
  v.lead = "0";
  v.subscriber = "0";
  v.username = "tglead_test";
  v.first_name = "Test";
  v.chat = "0";
  v.time = std::to_string(call.services.clock());
  v.tid = util::random_hex(12);

  net::HttpRequest request;
  request.url = expand_url_template(tmpl, v);
  request.timeout_ms = 10000;
  request.follow_redirects = false;
  request.block_private_addresses = !call.services.allow_private_postbacks;
  request.max_response_bytes = kShownBodyBytes;
  auto response = call.services.http.perform(request);
  return ok({{"url", request.url},
             {"http_code", response.status},
             {"body", response.body.substr(0, kShownBodyBytes)},
             {"error", response.error}});
}

}  // namespace

void add_postback_endpoints(EndpointMap& map) {
  map["/api/postbacks/presets.json"] = presets;
  map["/api/postbacks/test.json"] = test_postback;
}

}  // namespace tglead::api
