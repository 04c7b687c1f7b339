// The HTTP request and response as plain values: the only HTTP types that
// routing, API handlers and webhook receivers see, so none of them depends on
// Boost.Beast (which stays inside src/http/*.cpp).
//
// Contract: a Request is complete when a Handler gets it (the whole body has
// been read and is within the server's limits). The transport adds
// Content-Length, Server and Connection to a Response; handlers set status,
// content type, body and any extra headers.
//
// Thread-safety: plain values; a Handler is called concurrently from several
// worker threads, with each Request owned by one call.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tglead::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/api/leads/list.json?key=a%20b"
  std::string path;    // target before '?', not percent-decoded
  std::string query;   // raw text after '?', "" if none
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;  // peer IP, without port
  // First header with that name; "" when absent. Pass the name in lower case.
  std::string_view header(std::string_view lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (e.g. Content-Disposition, Set-Cookie)
};

using Handler = std::function<Response(const Request&)>;

}  // namespace tglead::http
