// The inbound HTTP/1.1 server (Boost.Beast underneath, hidden behind a pimpl so
// that only server.cpp pays for the Beast headers).
//
// Contract: every complete request is passed to the Handler on a worker pool,
// never on an I/O thread, so handlers may block (database, locks). Requests of
// one connection are handled one at a time, in order; keep-alive follows
// HTTP/1.0 and 1.1 rules. The transport answers by itself, in the product's
// JSON error envelope, with 413 (body over body_limit, or upload_limit on the
// upload_paths), 431 (header over
// header_limit) and 400 (malformed request), and closes those connections; a
// Handler that throws gets 500 "internal error" and the server carries on. A
// connection that stays silent for io_timeout, or a single read or write that
// takes longer, is closed.
//
// Thread-safety: start(), stop() and port() may be called from any thread, but
// stop() (and the destructor) must not be called from inside a Handler: it
// waits for running handlers to return. start() succeeds at most once per
// Server.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace tglead::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = ephemeral, see Server::port()
  std::size_t io_threads = 1;  // Asio threads doing socket I/O
  std::size_t worker_threads = 32;  // pool that runs Handler (handlers may block on the DB)
  std::size_t body_limit = 1 << 20;  // larger bodies -> 413
  // File uploads (contact imports, chat exports) are bigger than API calls; these exact paths
  // (query string aside) take bodies up to upload_limit instead.
  std::vector<std::string> upload_paths;
  std::size_t upload_limit = 64 << 20;
  std::size_t header_limit = 16 * 1024;  // -> 431
  std::chrono::seconds io_timeout{30};  // per read/write; slow clients are dropped
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();  // stops and joins

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Returns "" on success, else an
  // error message (e.g. "bind 127.0.0.1:8080: Address already in use").
  std::string start();
  // The bound port (useful with port 0); 0 before a successful start().
  std::uint16_t port() const;
  // Stops accepting, lets running handlers finish, closes every connection and
  // joins all threads. Idempotent.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tglead::http
