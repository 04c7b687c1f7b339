// tglead: Telegram subscriptions as attributable leads. Wiring of the command
// line (§6.1) only; the commands live in app/.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/commands.hpp"

int main(int argc, char** argv) {
  // stdout carries command results (the API key of `user add`); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("tglead"));
  CLI::App cli{"tglead: Telegram subscription tracking, postbacks and CRM"};
  cli.require_subcommand(1);
  std::string db = "sqlite:tglead.db";

  tglead::app::ServeConfig serve;
  auto* serve_cmd = cli.add_subcommand("serve", "run the service");
  serve_cmd->add_option("--listen", serve.listen, "address to listen on")->envname("TGLEAD_LISTEN")->capture_default_str();
  serve_cmd->add_option("--db", serve.db, "sqlite:PATH")->envname("TGLEAD_DB")->capture_default_str();
  serve_cmd->add_option("--public-url", serve.public_url, "public base URL Telegram posts webhooks to")
      ->envname("TGLEAD_PUBLIC_URL")->capture_default_str();
  serve_cmd->add_option("--telegram-api", serve.telegram_api, "Bot API base URL")
      ->envname("TGLEAD_TELEGRAM_API")->capture_default_str();
  serve_cmd->add_option("--updates", serve.updates, "how updates arrive: webhook or poll (getUpdates)")
      ->envname("TGLEAD_UPDATES")->check(CLI::IsMember({"webhook", "poll"}))->capture_default_str();
  serve_cmd->add_flag("--allow-private-postbacks", serve.allow_private_postbacks,
                      "allow postbacks to private/loopback addresses (local testing only)")
      ->envname("TGLEAD_ALLOW_PRIVATE_POSTBACKS");
  serve_cmd->add_option("--log-level", serve.log_level, "trace, debug, info, warn, error")
      ->envname("TGLEAD_LOG_LEVEL")->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  serve_cmd->add_option("--reconcile-every", serve.reconcile_every, "getChatMember reconciliation period (0 = off)")
      ->envname("TGLEAD_RECONCILE_EVERY")->capture_default_str();
  serve_cmd->add_option("--postback-retry-delays", serve.postback_retry_delays,
                        "waits before postback retries 1, 2, ... (s/m/h, 1-10 entries); then failed")
      ->envname("TGLEAD_POSTBACK_RETRY_DELAYS")->capture_default_str();
  serve_cmd->add_option("--workers", serve.workers, "request handler threads")
      ->envname("TGLEAD_WORKERS")->check(CLI::Range(1, 1024))->capture_default_str();

  tglead::app::DemoOptions demo;
  auto* demo_cmd = cli.add_subcommand("demo", "serve with a simulated Telegram, a local tracker and live traffic");
  demo_cmd->add_option("--listen", demo.listen, "address to listen on")->capture_default_str();
  auto* demo_db = demo_cmd->add_option("--db", demo.db, "a fresh sqlite:PATH")->capture_default_str();
  demo_cmd->add_option("--log-level", demo.log_level, "trace, debug, info, warn, error")->capture_default_str();

  auto* migrate_cmd = cli.add_subcommand("migrate", "apply database migrations");
  migrate_cmd->add_option("--db", db, "sqlite:PATH")->envname("TGLEAD_DB")->capture_default_str();

  auto* user_cmd = cli.add_subcommand("user", "manage accounts");
  user_cmd->require_subcommand(1);
  tglead::app::UserAddOptions user_add;
  user_add.db = db;
  auto* user_add_cmd = user_cmd->add_subcommand("add", "create an account and print its API key");
  user_add_cmd->add_option("email", user_add.email, "login email")->required();
  user_add_cmd->add_option("--password", user_add.password, "dashboard password");
  user_add_cmd->add_option("--plan", user_add.plan, "kitten, kitty or tiger")->capture_default_str();
  user_add_cmd->add_option("--days", user_add.days, "paid days for kitty/tiger")->capture_default_str();
  user_add_cmd->add_option("--db", user_add.db, "sqlite:PATH")->envname("TGLEAD_DB")->capture_default_str();

  auto* plan_cmd = cli.add_subcommand("plan", "manage plans");
  plan_cmd->require_subcommand(1);
  std::string plan_email, plan_name;
  std::int64_t plan_days = 30;
  std::string plan_db = db;
  auto* plan_set_cmd = plan_cmd->add_subcommand("set", "set an account's plan");
  plan_set_cmd->add_option("email", plan_email, "account email")->required();
  plan_set_cmd->add_option("plan", plan_name, "kitten, kitty or tiger")->required();
  plan_set_cmd->add_option("--days", plan_days, "paid days from now")->required();
  plan_set_cmd->add_option("--db", plan_db, "sqlite:PATH")->envname("TGLEAD_DB")->capture_default_str();

  auto* import_cmd = cli.add_subcommand("import", "import data");
  import_cmd->require_subcommand(1);
  tglead::app::ImportContactsOptions import_contacts;
  import_contacts.db = db;
  auto* import_contacts_cmd = import_cmd->add_subcommand("contacts", "import CRM contacts from a CSV or XLSX file");
  import_contacts_cmd->add_option("file", import_contacts.file, "CSV (UTF-8, ',' ';' or TAB) or XLSX (first sheet)")
      ->required();
  import_contacts_cmd->add_option("--user", import_contacts.email, "account email")->required();
  import_contacts_cmd->add_option("--mode", import_contacts.mode, "create, create_update or update")
      ->check(CLI::IsMember({"create", "create_update", "update"}))->capture_default_str();
  import_contacts_cmd->add_option("--region", import_contacts.region,
                                  "country (ISO code) of phone numbers written without +country code");
  import_contacts_cmd->add_flag("--quiet", import_contacts.quiet, "no progress output");
  import_contacts_cmd->add_option("--db", import_contacts.db, "sqlite:PATH")->envname("TGLEAD_DB")->capture_default_str();
  tglead::app::ImportTelegramExportOptions import_export;
  import_export.db = db;
  auto* import_export_cmd = import_cmd->add_subcommand(
      "telegram-export", "collect the authors of a Telegram Desktop chat export (result.json) as contacts");
  import_export_cmd->add_option("file", import_export.file, "result.json (Export chat history, format JSON)")
      ->required();
  import_export_cmd->add_option("--user", import_export.user, "account email or id")->required();
  import_export_cmd->add_flag("--quiet", import_export.quiet, "no progress output");
  import_export_cmd->add_option("--db", import_export.db, "sqlite:PATH")->envname("TGLEAD_DB")->capture_default_str();

  CLI11_PARSE(cli, argc, argv);

  if (serve_cmd->parsed()) return tglead::app::serve(serve);
  if (demo_cmd->parsed()) {
    demo.db_is_default = demo_db->count() == 0;
    return tglead::app::demo(demo);
  }
  if (migrate_cmd->parsed()) return tglead::app::migrate_db(db);
  if (user_add_cmd->parsed()) return tglead::app::user_add(user_add);
  if (import_contacts_cmd->parsed()) return tglead::app::import_contacts(import_contacts);
  if (import_export_cmd->parsed()) return tglead::app::import_telegram_export(import_export);
  if (plan_set_cmd->parsed()) return tglead::app::plan_set(plan_db, plan_email, plan_name, plan_days);
  return 1;
}
