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
  const http::Request* request = nullptr;  // the raw request, for endpoints taking an uploaded file
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
void add_contact_import_endpoints(EndpointMap& map);  // /api/contacts/import.json, /api/contacts/imports*
void add_field_endpoints(EndpointMap& map);    // /api/fields/*
void add_segment_endpoints(EndpointMap& map);  // /api/segments/*
void add_transfer_endpoints(EndpointMap& map);
void add_crawl_endpoints(EndpointMap& map);  // /api/crawl/*

// Shared lookups that enforce ownership: another account's id is "not found".
domain::Bot owned_bot(Call& call, std::int64_t bot_id);
domain::Campaign owned_campaign(Call& call, std::int64_t campaign_id);

// Contact listings shared by /api/contacts/* and /api/segments/*: the filter
// from the request (`q`, `status`, `source`, `tag`, `segment`), one page as
// JSON (with custom field values), or every match as CSV.
storage::ContactFilter contact_filter(Call& call);
http::Response contact_page(Call& call, storage::ContactFilter filter);
http::Response contact_csv(Call& call, storage::ContactFilter filter, const std::string& file_name);
// A saved segment's rules resolved against today's fields and clock.
std::vector<crm::SegmentRule> segment_rules(Call& call, const crm::Segment& segment);

// Postback templates from a `postbacks` object: validated, SSRF-checked when
// the host is a literal address. Statuses not present keep `base`'s value.
domain::TemplateSet parse_templates(const nlohmann::json& object, const domain::TemplateSet& base,
                                    bool allow_private);

}  // namespace tglead::api
