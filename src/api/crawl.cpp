// /api/crawl/*: contact crawling (PRODUCT.md §8.2; shapes in docs/api.md):
// crawls of chats the bot administers and imports of Telegram Desktop exports.
#include <spdlog/spdlog.h>

#include "api/endpoint.hpp"
#include "crm/crawl.hpp"
#include "crm/telegram_export.hpp"
#include "util/time_format.hpp"

namespace tglead::api {

using nlohmann::json;

namespace {

json crawl_json(const storage::Crawl& c) {
  bool chat = c.kind == storage::CrawlKind::Chat;
  json out{{"id", c.id},
           {"kind", chat ? "chat" : "export"},
           {"title", c.title},
           {"started", util::format_datetime(c.started)},
           {"refreshed", util::format_datetime(c.refreshed)},
           {"cache_until", util::format_datetime(c.refreshed == 0 ? 0 : c.refreshed + crm::kCrawlCacheSeconds)},
           {"members", c.members},
           {"created", c.created},
           {"updated", c.updated},
           {"unchanged", c.unchanged},
           {"skipped", c.skipped}};
  if (chat) {
    out["bot"] = c.bot_id;
    out["chat"] = c.chat_id;
    out["active"] = c.active;
    out["stopped"] = util::format_datetime(c.stopped);
  } else {
    json report = json::parse(c.report, nullptr, /*allow_exceptions=*/false);
    out["report"] = report.is_object() ? report : json::object();
  }
  return out;
}

storage::Crawl owned_crawl(Call& call, std::int64_t id) {
  auto crawl = call.services.store.crawl(call.user.id, id);
  if (!crawl) throw ApiError::notfound("crawl " + std::to_string(id) + " not found");
  return *crawl;
}

// Reads a Bot API value without nlohmann's throwing conversions.
std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The people among getChatAdministrators' ChatMember list. Anonymous admins
// chose not to be seen in the chat, so they are not collected.
std::vector<telegram::User> admins_of(const json& result) {
  std::vector<telegram::User> out;
  if (!result.is_array()) return out;
  for (const json& member : result) {
    if (!member.is_object()) continue;
    auto anonymous = member.find("is_anonymous");
    if (anonymous != member.end() && anonymous->is_boolean() && anonymous->get<bool>()) continue;
    auto user = member.find("user");
    if (user == member.end() || !user->is_object()) continue;
    auto id = user->find("id");
    if (id == user->end() || !id->is_number_integer()) continue;
    telegram::User u;
    u.id = id->get<std::int64_t>();
    auto is_bot = user->find("is_bot");
    u.is_bot = is_bot != user->end() && is_bot->is_boolean() && is_bot->get<bool>();
    u.first_name = text_of(*user, "first_name");
    u.last_name = text_of(*user, "last_name");
    u.username = text_of(*user, "username");
    u.language_code = text_of(*user, "language_code");
    out.push_back(std::move(u));
  }
  return out;
}

http::Response start_crawl(Call& call) {
  domain::Bot bot = owned_bot(call, call.params.required_integer("bot"));
  std::int64_t chat_id = call.params.required_integer("chat");
  if (bot.status == domain::BotStatus::Deleted) throw ApiError::param("bot " + std::to_string(bot.id) + " is deleted");
  auto chat = call.services.store.chat(bot.id, chat_id);
  if (!chat) {
    throw ApiError::param("chat " + std::to_string(chat_id) + " is not a chat where the bot is administrator");
  }
  if (!chat->ok) {
    throw ApiError::param("the bot lost administrator rights in \"" + chat->title + "\"; promote it again first");
  }
  std::int64_t now = call.services.clock();
  std::int64_t id = 0;
  call.services.store.write(
      [&](storage::WriteTx& tx) { id = crm::resume_fresh_chat_crawl(tx, call.user.id, bot.id, chat_id, now); });
  if (id != 0) {
    json out = crawl_json(owned_crawl(call, id));
    out["cached"] = true;
    return ok(std::move(out));
  }

  auto answer = call.services.bot_api.call(bot.token, "getChatAdministrators", json{{"chat_id", chat_id}});
  std::vector<telegram::User> admins;
  std::string warning;
  if (answer.ok) {
    admins = admins_of(answer.result);
  } else {
    warning = "getChatAdministrators failed (" + answer.description + "); collecting anyway, a new start retries it";
    spdlog::warn("bot {}: crawl of chat {}: {}", bot.id, chat_id, warning);
  }
  call.services.store.write([&](storage::WriteTx& tx) {
    id = crm::start_chat_crawl(tx, call.user.id, bot.id, chat_id, chat->title, admins, answer.ok, now);
  });
  json out = crawl_json(owned_crawl(call, id));
  out["cached"] = false;
  if (!warning.empty()) out["warning"] = warning;
  return ok(std::move(out));
}

http::Response stop_crawl(Call& call) {
  storage::Crawl crawl = owned_crawl(call, call.params.required_integer("id"));
  if (crawl.kind != storage::CrawlKind::Chat) throw ApiError::param("only chat crawls can be stopped");
  std::int64_t now = call.services.clock();
  call.services.store.write([&](storage::WriteTx& tx) {
    auto current = tx.crawl(call.user.id, crawl.id);
    if (!current || !current->active) return;
    current->active = false;
    current->stopped = now;
    tx.update_crawl(*current);
  });
  return ok(crawl_json(owned_crawl(call, crawl.id)));
}

http::Response list_crawls(Call& call) {
  std::optional<storage::CrawlKind> kind;
  if (auto text = call.params.text("kind")) {
    if (*text == "chat") {
      kind = storage::CrawlKind::Chat;
    } else if (*text == "export") {
      kind = storage::CrawlKind::Export;
    } else {
      throw ApiError::param("kind must be chat or export");
    }
  }
  std::int64_t total = 0;
  auto crawls = call.services.store.crawls(call.user.id, kind, call.params.limit(), call.params.offset(), &total);
  json data = json::array();
  for (const auto& c : crawls) data.push_back(crawl_json(c));
  return ok_list(std::move(data), total);
}

http::Response get_crawl(Call& call) { return ok(crawl_json(owned_crawl(call, call.params.required_integer("id")))); }

http::Response crawl_members(Call& call) {
  storage::Crawl crawl = owned_crawl(call, call.params.required_integer("id"));
  std::int64_t total = 0;
  auto members =
      call.services.store.crawl_members(call.user.id, crawl.id, call.params.limit(), call.params.offset(), &total);
  json data = json::array();
  for (const auto& m : members) {
    data.push_back({{"telegram_id", m.telegram_id},
                    {"contact", m.contact_id},
                    {"username", m.username},
                    {"first_name", m.first_name},
                    {"last_name", m.last_name},
                    {"via", m.via},
                    {"first_seen", util::format_datetime(m.first_seen)},
                    {"recorded", util::format_datetime(m.recorded)}});
  }
  return ok_list(std::move(data), total);
}

http::Response import_export(Call& call) {
  std::string param_text;
  std::string_view text;
  if (call.request && !call.request->body.empty() && is_file_body(call.request->header("content-type"))) {
    text = call.request->body;
  } else if (auto given = call.params.text("export")) {
    param_text = std::move(*given);
    text = param_text;
  } else {
    throw ApiError::param(
        "send result.json as the request body (Content-Type application/octet-stream), or its text in `export`");
  }
  crm::ExportImportOptions options;
  options.user_id = call.user.id;
  options.actor = call.user.id;
  options.file_name = call.params.text("file_name").value_or("result.json");
  options.clock = call.services.clock;
  crm::ExportReport report = crm::import_telegram_export(call.services.store, options, crm::sha256_hex(text),
                                                         [&] { return crm::scan_telegram_export(text); });
  if (!report.error.empty()) {
    if (report.crawl_id == 0) throw ApiError::param(report.error);
    throw ApiError::busy(report.error);
  }
  return ok(crm::export_report_json(report));
}

}  // namespace

void add_crawl_endpoints(EndpointMap& map) {
  map["/api/crawl/start.json"] = start_crawl;
  map["/api/crawl/stop.json"] = stop_crawl;
  map["/api/crawl/list.json"] = list_crawls;
  map["/api/crawl/get.json"] = get_crawl;
  map["/api/crawl/members.json"] = crawl_members;
  map["/api/crawl/import.json"] = import_export;
}

}  // namespace tglead::api
