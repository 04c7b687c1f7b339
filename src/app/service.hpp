// The running service: store, senders, reconciler, poller and HTTP server,
// wired together. `tglead serve` runs one until a signal; `tglead demo` runs
// one beside a simulated Telegram.
//
// Contract: the constructor validates the configuration and opens the
// database (throws std::runtime_error with a user-facing message); start()
// binds and starts every background worker ("" or an error); stop() shuts
// down in dependency order and is idempotent (the destructor calls it).
// start()/stop() from one thread; store() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "app/config.hpp"
#include "storage/store.hpp"

namespace tglead::app {

class Service {
 public:
  explicit Service(const ServeConfig& config);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  std::string start();
  void stop();
  std::uint16_t port() const;
  storage::Store& store();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace tglead::app
