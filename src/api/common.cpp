#include "api/endpoint.hpp"
#include "net/address_policy.hpp"
#include "util/url.hpp"

namespace tglead::api {

using namespace tglead::domain;

Bot owned_bot(Call& call, std::int64_t bot_id) {
  auto bot = call.services.store.bot(bot_id);
  if (!bot || bot->user_id != call.user.id) throw ApiError::notfound("bot " + std::to_string(bot_id) + " not found");
  return *bot;
}

Campaign owned_campaign(Call& call, std::int64_t campaign_id) {
  auto campaign = call.services.store.campaign(campaign_id);
  if (!campaign || campaign->user_id != call.user.id) {
    throw ApiError::notfound("campaign " + std::to_string(campaign_id) + " not found");
  }
  return *campaign;
}

namespace {

bool is_local_name(std::string_view host) {
  return host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost");
}

// "127.0.0.1." and "LOCALHOST." name the same hosts as without the root dot.
std::string canonical_host(std::string host) {
  while (!host.empty() && host.back() == '.') host.pop_back();
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

}  // namespace

TemplateSet parse_templates(const nlohmann::json& object, const TemplateSet& base, bool allow_private) {
  TemplateSet out = base;
  for (auto& [key, value] : object.items()) {
    auto status = parse_status_name(key);
    if (!status) throw ApiError::param("postbacks." + key + " is not a lead status (wait/hold/approve/cancel/trash)");
    if (!value.is_string() && !value.is_null()) throw ApiError::param("postbacks." + key + " must be a string");
    std::string tmpl = value.is_string() ? value.get<std::string>() : std::string();
    if (auto problem = check_template(tmpl); problem != TemplateProblem::None) {
      throw ApiError::postback("postbacks." + key + ": " + std::string(describe(problem)));
    }
    if (!tmpl.empty() && !allow_private) {
      auto parts = util::split_url(tmpl);
      if (!parts) throw ApiError::postback("postbacks." + key + ": not a valid URL");
      std::string host = canonical_host(parts->host);
      auto is_public = net::is_public_ip_literal(host);
      if ((is_public && !*is_public) || is_local_name(host)) {
        throw ApiError::postback("postbacks." + key + ": the target host is not a public address");
      }
    }
    out[*status] = std::move(tmpl);
  }
  return out;
}

}  // namespace tglead::api
