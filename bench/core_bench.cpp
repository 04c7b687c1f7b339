// Micro-benchmarks of the hot functions on the webhook path (Google Benchmark).
//
//   build/bench/tglead_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// Fixtures are read from tests/fixtures/telegram next to this file (override
// with TGLEAD_FIXTURES_DIR). The store benchmarks use a fresh SQLite file in
// /tmp, the same pragmas and writer as `tglead serve`.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>

#include "domain/deeplink.hpp"
#include "domain/model.hpp"
#include "domain/postback_template.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "telegram/update.hpp"
#include "tracking/tracker.hpp"
#include "util/csv.hpp"

namespace {

using namespace tglead;

std::filesystem::path fixtures_dir() {
  if (const char* env = std::getenv("TGLEAD_FIXTURES_DIR")) return env;
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "fixtures" / "telegram";
}

std::string read_fixture(const std::string& prefix) {
  for (const auto& entry : std::filesystem::directory_iterator(fixtures_dir())) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      return ss.str();
    }
  }
  throw std::runtime_error("fixture " + prefix + " not found in " + fixtures_dir().string());
}

// ------------------------------------------------------------------ parse_update

void BM_ParseUpdate(benchmark::State& state, const char* prefix) {
  std::string body = read_fixture(prefix);
  for (auto _ : state) {
    auto parsed = telegram::parse_update(body);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_ParseUpdate, start_03, "03_");
BENCHMARK_CAPTURE(BM_ParseUpdate, join_invite_05, "05_");
BENCHMARK_CAPTURE(BM_ParseUpdate, leave_06, "06_");

// ------------------------------------------------------------------ deep links

void BM_ParseStartCommand(benchmark::State& state) {
  const std::string texts[] = {"/start CAMP42-3tq8v1m0c9hsa7e2kxd", "/start@SubTrack_Demo_Bot CAMP42-a_b-c-1234567890",
                               "/start", "hello there"};
  std::size_t i = 0;
  for (auto _ : state) {
    auto cmd = domain::parse_start_command(texts[i++ & 3], "subtrack_demo_bot");
    benchmark::DoNotOptimize(cmd);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseStartCommand);

// ------------------------------------------------------------------ postback templates

void BM_ExpandUrlTemplate(benchmark::State& state) {
  const std::string tmpl =
      "https://tracker.example.com/postback?subid={click}&status={status}&code={status_code}&camp={campaign}"
      "&camp_id={campaign_id}&user={user}&lead={lead}&sub={subscriber}&un={username}&fn={first_name}"
      "&ln={last_name}&chat={chat}&time={time}&tid={tid}&keep={unknown}";
  domain::MacroValues v;
  v.click = "3tq8v1m0c9hsa7e2kxd";
  v.status = "approve";
  v.status_code = "2";
  v.campaign = "CAMP42";
  v.campaign_id = "17";
  v.user = "3";
  v.lead = "1234567";
  v.subscriber = "5318008421";
  v.username = "alina_k";
  v.first_name = "Алина & Co";
  v.last_name = "Korneeva";
  v.chat = "-1002381745923";
  v.time = "1763740858";
  v.tid = "9f86d081884c7d659a2feaa0";
  for (auto _ : state) {
    auto url = domain::expand_url_template(tmpl, v);
    benchmark::DoNotOptimize(url);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExpandUrlTemplate);

// ------------------------------------------------------------------ CSV export

void BM_AppendCsvRow(benchmark::State& state) {
  std::string out;
  out.reserve(1 << 20);
  for (auto _ : state) {
    util::append_csv_row(out, {"1234567", "CAMP42", "5318008421", "alina_k", "Алина, \"A\"", "Korneeva",
                               "=HYPERLINK(\"x\")", "approve", "2025-11-21 16:00:31", "2025-11-21 16:00:58", "",
                               "-1002381745923"});
    if (out.size() > (1 << 20) - 512) out.clear();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendCsvRow);

// ------------------------------------------------------------------ apply_update on SQLite

constexpr std::int64_t kBotId = 7412583690;
constexpr std::int64_t kChatId = -1002381745923;

struct StoreFixture {
  std::string dir;
  std::unique_ptr<storage::sqlite::SqliteStore> store;
  domain::Bot bot;
  std::atomic<std::int64_t> next_update{1000};
  std::atomic<std::int64_t> next_subscriber{5000000000LL};

  StoreFixture() {
    spdlog::set_level(spdlog::level::warn);
    char tmpl[] = "/tmp/tglead_bench.XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    store = std::make_unique<storage::sqlite::SqliteStore>(dir + "/bench.db");
    std::int64_t now = std::time(nullptr);
    store->write([&](storage::WriteTx& tx) {
      domain::User user;
      user.email = "bench@example.com";
      user.api_key = "bench-key";
      user.transfer_token = "bench-transfer";
      user.plan = domain::Plan::Tiger;
      user.paid_until = now + 30 * 86400;
      user.id = tx.insert_user(user);
      bot.id = kBotId;
      bot.user_id = user.id;
      bot.token = "7412583690:AAbench";
      bot.username = "subtrack_demo_bot";
      bot.secret = "secret";
      tx.upsert_bot(bot);
      domain::Chat chat;
      chat.bot_id = kBotId;
      chat.id = kChatId;
      chat.title = "Crypto Signals Daily";
      chat.type = "channel";
      tx.upsert_chat(chat);
      domain::Campaign c;
      c.user_id = user.id;
      c.bot_id = kBotId;
      c.chat_id = kChatId;
      c.code = "CAMP42";
      c.unsub_window = 86400;
      for (auto s : domain::kAllStatuses) {
        c.postbacks[s] = "http://tracker.example.com/pb?click={click}&status={status}&tid={tid}";
      }
      c.welcome.text = "Hi {first_name}!";
      tx.insert_campaign(c, now);
    });
  }
  ~StoreFixture() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

StoreFixture& store_fixture() {
  static StoreFixture fixture;
  return fixture;
}

telegram::Update parse_or_throw(const std::string& body) {
  auto parsed = telegram::parse_update(body);
  if (auto* e = std::get_if<telegram::ParseError>(&parsed)) throw std::runtime_error(e->message);
  return std::get<telegram::Update>(parsed);
}

// One subscriber per iteration: `/start CAMP42-<click>` then a chat_member join,
// each its own write unit (as two webhooks would be). With ->Threads(N), N
// units are in flight and the writer batches them into shared transactions.
void BM_ApplyStartJoin(benchmark::State& state) {
  StoreFixture& f = store_fixture();
  telegram::Update start = parse_or_throw(read_fixture("03_"));
  telegram::Update join = parse_or_throw(read_fixture("05_"));
  join.member.chat.id = kChatId;
  for (auto _ : state) {
    std::int64_t sub = f.next_subscriber.fetch_add(1);
    start.update_id = f.next_update.fetch_add(1);
    start.message.from.id = sub;
    start.message.chat.id = sub;
    start.message.text = "/start CAMP42-c" + std::to_string(sub);
    join.update_id = f.next_update.fetch_add(1);
    join.member.from.id = sub;
    join.member.old_member.user.id = sub;
    join.member.new_member.user.id = sub;
    std::int64_t now = std::time(nullptr);
    tracking::Outcome a{}, b{};
    f.store->write([&](storage::WriteTx& tx) { a = tracking::apply_update(tx, f.bot, start, now); });
    f.store->write([&](storage::WriteTx& tx) { b = tracking::apply_update(tx, f.bot, join, now); });
    if (a != tracking::Outcome::Applied || b != tracking::Outcome::Applied) {
      state.SkipWithError("update not applied");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * 2);  // updates
  state.counters["subscribers"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ApplyStartJoin)->UseRealTime()->Threads(1)->Threads(8)->Threads(32);

// The same two updates as a single write unit: the cost of the tracking logic
// and SQL without the per-unit handoff (what an in-process batch would pay).
void BM_ApplyStartJoinOneUnit(benchmark::State& state) {
  StoreFixture& f = store_fixture();
  telegram::Update start = parse_or_throw(read_fixture("03_"));
  telegram::Update join = parse_or_throw(read_fixture("05_"));
  join.member.chat.id = kChatId;
  const int per_unit = static_cast<int>(state.range(0));
  for (auto _ : state) {
    std::int64_t now = std::time(nullptr);
    f.store->write([&](storage::WriteTx& tx) {
      for (int i = 0; i < per_unit; ++i) {
        std::int64_t sub = f.next_subscriber.fetch_add(1);
        start.update_id = f.next_update.fetch_add(1);
        start.message.from.id = sub;
        start.message.chat.id = sub;
        start.message.text = "/start CAMP42-c" + std::to_string(sub);
        join.update_id = f.next_update.fetch_add(1);
        join.member.from.id = sub;
        join.member.old_member.user.id = sub;
        join.member.new_member.user.id = sub;
        tracking::apply_update(tx, f.bot, start, now);
        tracking::apply_update(tx, f.bot, join, now);
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * 2 * per_unit);
}
BENCHMARK(BM_ApplyStartJoinOneUnit)->UseRealTime()->Arg(1)->Arg(64);

}  // namespace
