#include "api/router.hpp"

#include <spdlog/spdlog.h>

#include "api/sessions.hpp"
#include "api/webhook.hpp"
#include "domain/plans.hpp"
#include "web/assets.hpp"

namespace tglead::api {

Router::Router(Services& services) : services_(services) {
  add_bot_endpoints(endpoints_);
  add_campaign_endpoints(endpoints_);
  add_lead_endpoints(endpoints_);
  add_stats_endpoints(endpoints_);
  add_profile_endpoints(endpoints_);
  add_postback_endpoints(endpoints_);
  add_contact_endpoints(endpoints_);
  add_contact_import_endpoints(endpoints_);
  add_field_endpoints(endpoints_);
  add_segment_endpoints(endpoints_);
  add_transfer_endpoints(endpoints_);
  add_crawl_endpoints(endpoints_);
}

http::Response Router::handle(const http::Request& request) {
  try {
    std::string_view path = request.path;
    if (path.rfind("/tg/", 0) == 0) return receive_webhook(services_, request, path.substr(4));
    if (path.rfind("/api/", 0) == 0) return handle_api(request);
    if (path.rfind("/auth/", 0) == 0) {
      if (auto response = handle_auth(services_, request)) return *response;
    }
    if (path == "/healthz") return http::Response{200, "text/plain", "ok\n", {}};
    if (auto page = web::serve_static(request)) return *page;
    throw ApiError::notfound("no such page");
  } catch (const ApiError& error) {
    return error_response(error);
  } catch (const std::exception& error) {
    spdlog::error("{} {}: {}", request.method, request.path, error.what());
    return error_response(ApiError("busy", 503, "the service could not complete the request; retry later"));
  }
}

namespace {

std::string api_key_of(const http::Request& request, const Params& params) {
  std::string_view authorization = request.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer) {
    return std::string(authorization.substr(kBearer.size()));
  }
  return params.text("key").value_or("");
}

}  // namespace

http::Response Router::handle_api(const http::Request& request) {
  auto endpoint = endpoints_.find(request.path);
  if (endpoint == endpoints_.end()) throw ApiError::notfound("unknown API method " + request.path);
  if (request.method != "GET" && request.method != "POST") throw ApiError::param("use GET or POST");

  Params params(request);
  std::string key = api_key_of(request, params);
  std::optional<domain::User> user;
  bool by_session = false;
  if (!key.empty()) {
    user = services_.store.user_by_key(key);
  } else {
    user = session_user(services_, request);
    by_session = true;
  }
  if (!user) throw ApiError::auth();
  auto access = domain::plan_access(user->plan, user->paid_until, services_.clock());
  bool plan_page = by_session && request.path == "/api/profile/get.json";
  if (by_session && access != domain::PlanAccess::Full && !plan_page) {
    // §7: after paid_until the dashboard shows only the plan page.
    throw ApiError::unpaid("the plan expired; renew it to use the dashboard");
  }
  if (!plan_page && (access == domain::PlanAccess::ApiUnpaid || access == domain::PlanAccess::AutoPause)) {
    throw ApiError::unpaid("the plan expired more than 7 days ago; renew it to use the API");
  }
  Call call{services_, *user, params, &request};
  return endpoint->second(call);
}

}  // namespace tglead::api
