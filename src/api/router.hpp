// Routes a plain http::Request to the webhook receiver, the User API or the
// health check, and turns errors into the §6.3 envelope. Knows no sockets.
//
// Contract: handle() never throws; it is called concurrently from the HTTP
// server's worker threads and may block on the store.
#pragma once

#include "api/endpoint.hpp"
#include "http/message.hpp"

namespace tglead::api {

class Router {
 public:
  explicit Router(Services& services);
  http::Response handle(const http::Request& request);

 private:
  http::Response handle_api(const http::Request& request);

  Services& services_;
  EndpointMap endpoints_;
};

}  // namespace tglead::api
