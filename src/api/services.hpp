// What API handlers and the webhook receiver are given to do their work: the
// store, the Bot API client, configuration and a clock. Built once by the
// composition root (app/), shared read-only by all request threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "net/http_client.hpp"
#include "storage/store.hpp"
#include "telegram/bot_api.hpp"

namespace tglead::crm {
class ImportJobs;
}

namespace tglead::api {

struct Services {
  storage::Store& store;
  telegram::BotApi& bot_api;
  net::HttpClient& http;                // for the postback test action
  std::string public_url;              // webhooks are registered at <public_url>/tg/<bot id>
  bool allow_private_postbacks = false;
  bool poll_updates = false;           // --updates poll: no webhook; getUpdates instead
  std::function<std::int64_t()> clock;  // Unix seconds
  std::function<void()> wake_senders;   // new postbacks / bot messages were committed
  crm::ImportJobs* imports = nullptr;   // background contact imports
};

}  // namespace tglead::api
