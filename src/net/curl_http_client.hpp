// HttpClient on libcurl's multi interface: one background thread drives every
// transfer with curl_multi_poll, so thousands of slow endpoints cost sockets,
// not threads. Connections, TLS sessions and DNS results are cached per client
// and reused across requests to the same host.
//
// Contract: at most Options::max_in_flight transfers run at once; further
// submissions wait in a FIFO queue. Only http and https URLs are accepted, also
// as redirect targets, and redirects are followed only when a request asks for
// it. Requests with block_private_addresses are checked both when a socket is
// opened and when a cached connection is about to be reused, and never go
// through a proxy (the proxy, not us, would pick the address). Destruction
// completes every unfinished request with error "shutdown" and joins the
// thread; submissions made while that is under way are completed at once, on
// the submitting thread, with the same error.
//
// Thread-safety: submit()/perform() from any thread; destroy the client only
// when no other thread can still submit to it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "net/http_client.hpp"

namespace tglead::net {

class CurlHttpClient final : public HttpClient {
 public:
  struct Options {
    std::size_t max_in_flight = 256;
    std::string user_agent = "tglead/0.1";
  };

  CurlHttpClient();
  explicit CurlHttpClient(Options options);
  ~CurlHttpClient() override;

  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  void submit(HttpRequest request, std::function<void(HttpResponse)> done) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tglead::net
