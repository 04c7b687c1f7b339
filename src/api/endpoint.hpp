// The shape of one User API endpoint: a function from an authenticated call
// to a response, registered by path. Handlers are thin: parse parameters,
// call the store or domain, serialise.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "api/envelope.hpp"
#include "api/params.hpp"
#include "api/services.hpp"

namespace tglead::api {

struct Call {
  Services& services;
  const domain::User& user;
  const Params& params;
};

using Endpoint = std::function<http::Response(Call&)>;
using EndpointMap = std::unordered_map<std::string, Endpoint>;

void add_bot_endpoints(EndpointMap& map);
void add_campaign_endpoints(EndpointMap& map);
void add_lead_endpoints(EndpointMap& map);
void add_stats_endpoints(EndpointMap& map);
void add_profile_endpoints(EndpointMap& map);
void add_postback_endpoints(EndpointMap& map);
void add_contact_endpoints(EndpointMap& map);  // /api/contacts/*, /api/tags/*
void add_transfer_endpoints(EndpointMap& map);

// Shared lookups that enforce ownership: another account's id is "not found".
domain::Bot owned_bot(Call& call, std::int64_t bot_id);
domain::Campaign owned_campaign(Call& call, std::int64_t campaign_id);

// Postback templates from a `postbacks` object: validated, SSRF-checked when
// the host is a literal address. Statuses not present keep `base`'s value.
domain::TemplateSet parse_templates(const nlohmann::json& object, const domain::TemplateSet& base,
                                    bool allow_private);

}  // namespace tglead::api
