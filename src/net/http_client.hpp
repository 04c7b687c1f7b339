// Outbound HTTP(S) requests (Telegram Bot API calls, tracker postbacks) as
// plain values, behind an interface so that workers can be tested with a fake.
//
// Contract: submit() never throws and never blocks on the network; `done` is
// called exactly once per submission, with either a response (any HTTP status,
// including 4xx/5xx, counts as transport success) or a short error reason.
// Implementations call `done` on their own thread, so it must return quickly
// and must not call perform() on the same client (that would wait for itself).
//
// Thread-safety: submit() and perform() may be called concurrently from any
// number of threads.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace tglead::net {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;  // sent for POST (and for other non-GET methods when not empty)
  std::string content_type;  // e.g. "application/json"; no header when empty
  std::vector<std::string> headers;  // extra "Name: value" lines
  long timeout_ms = 10000;  // whole transfer, connect included
  bool follow_redirects = false;  // postbacks never follow redirects
  // SSRF guard: refuse to connect to non-public addresses (see
  // address_policy.hpp), checked on the address actually connected to.
  bool block_private_addresses = false;
  std::size_t max_response_bytes = 64 * 1024;  // body beyond this is dropped (transfer still completes)
};

struct HttpResponse {
  long status = 0;  // HTTP status; 0 when no response
  std::string body;
  // "" on transport success; else a short reason ("timeout", "connection
  // refused", "address not allowed: 127.0.0.1", "shutdown", curl's message...).
  std::string error;
  bool transport_ok() const { return error.empty(); }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Thread-safe. `done` is called exactly once, on the client's own thread; it must not block for long.
  virtual void submit(HttpRequest request, std::function<void(HttpResponse)> done) = 0;
  // Blocking convenience built on submit(); never call it from inside a `done` callback.
  HttpResponse perform(HttpRequest request);
};

}  // namespace tglead::net
