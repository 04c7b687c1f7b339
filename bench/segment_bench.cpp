// Segment evaluation over a large workspace (PRODUCT.md §8.2; target: a
// segment count over 1,000,000 contacts in at most 100 ms).
//
//   build/bench/tglead_bench --benchmark_filter=Segment --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// The first run builds /tmp/tglead_segment_bench_1m.db (1M contacts of one
// workspace, 10 % tagged `vip`, half with a `plan` dropdown and a `spend`
// number, plus a second workspace of 100k contacts that must not be counted)
// through the real store writer; later runs reuse it. Counts go through the
// same code as the API: rules parsed by crm::parse_rules, then the store's
// in-memory copy of the workspace (loaded by the first count, brought up to
// date from the change log by every later one) and the member lists of rules
// on other tables read with SQL. `ColdLoad` times a status count by a freshly
// opened store (the full load) and reports the heap it keeps; `AfterWrites` edits
// 100 contacts (untimed) before every count.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "crm/segments.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace {

using namespace tglead;
using nlohmann::json;

constexpr std::int64_t kContacts = 1'000'000;
constexpr std::int64_t kOtherContacts = 100'000;
constexpr std::int64_t kNow = 1763740800;
const char* const kPath = "/tmp/tglead_segment_bench_1m.db";

struct Workspace {
  std::unique_ptr<storage::sqlite::SqliteStore> store;
  std::int64_t user = 0;
  std::vector<crm::FieldDefinition> fields;
};

std::int64_t add_user(storage::Store& store, const std::string& email) {
  domain::User u;
  u.email = email;
  u.api_key = "key-" + email;
  u.transfer_token = "t-" + email;
  std::int64_t id = 0;
  store.write([&](storage::WriteTx& tx) { id = tx.insert_user(u); });
  return id;
}

void fill(storage::Store& store, std::int64_t user, std::int64_t count, bool with_values) {
  static const char* kCountries[] = {"DE", "RU", "US", "BR", "IN", "FR", "ES", "IT", "UA", "KZ"};
  static const char* kPlans[] = {"Free", "Pro", "Team"};
  std::int64_t vip = 0, plan = 0, spend = 0;
  if (with_values) {
    store.write([&](storage::WriteTx& tx) {
      vip = tx.insert_tag(crm::Tag{0, user, "vip", "#dc2626", 0}, kNow);
      crm::FieldDefinition p;
      p.user_id = user;
      p.name = p.label = "plan";
      p.type = crm::FieldType::Dropdown;
      p.options = {"Free", "Pro", "Team"};
      plan = tx.insert_field(p);
      crm::FieldDefinition s = p;
      s.name = s.label = "spend";
      s.type = crm::FieldType::Number;
      s.options.clear();
      spend = tx.insert_field(s);
    });
  }
  constexpr std::int64_t kBatch = 20'000;
  for (std::int64_t first = 0; first < count; first += kBatch) {
    store.write([&](storage::WriteTx& tx) {
      for (std::int64_t i = first; i < std::min(count, first + kBatch); ++i) {
        crm::Contact c;
        c.user_id = user;
        c.telegram_id = user * 10'000'000'000 + i + 1;
        c.username = "user_" + std::to_string(user) + "_" + std::to_string(i);
        c.first_name = "Name" + std::to_string(i % 5000);
        c.country = kCountries[i % 10];
        c.status = i % 20 == 0 ? crm::Status::Blocked : crm::Status::Active;
        c.source = i % 3 == 0 ? crm::Source::Campaign : crm::Source::FileUpload;
        c.created = c.updated = kNow - (i % 365) * 86400;
        std::int64_t id = tx.insert_contact(c);
        if (!with_values) continue;
        if (i % 10 == 0) tx.tag_contact(user, id, vip);
        if (i % 2 == 0) {
          tx.set_contact_value(id, plan, crm::FieldValue{kPlans[i % 3], std::nullopt});
          double amount = static_cast<double>(i % 1000);
          tx.set_contact_value(id, spend, crm::FieldValue{std::to_string(i % 1000), amount});
        }
      }
    });
  }
}

Workspace& workspace() {
  static Workspace w = [] {
    Workspace out;
    bool fresh = !std::filesystem::exists(kPath);
    out.store = std::make_unique<storage::sqlite::SqliteStore>(kPath);
    if (fresh) {
      out.user = add_user(*out.store, "segments@bench.local");
      fill(*out.store, out.user, kContacts, true);
      fill(*out.store, add_user(*out.store, "other@bench.local"), kOtherContacts, false);
    } else {
      out.user = out.store->user_by_email("segments@bench.local")->id;
    }
    out.fields = out.store->fields(out.user);
    // A filtered count loads the in-memory copy that every timed count but ColdLoad then uses.
    storage::ContactFilter all;
    all.user_id = out.user;
    all.status = crm::Status::Active;
    out.store->count_contacts(all);
    all.status.reset();
    if (out.store->count_contacts(all) != kContacts) {
      throw std::runtime_error(std::string("remove the incomplete ") + kPath + " and run again");
    }
    return out;
  }();
  return w;
}

void count_segment(benchmark::State& state, const char* rules_json) {
  Workspace& w = workspace();
  crm::RulesResult rules = crm::parse_rules(json::parse(rules_json), w.fields, kNow);
  if (!rules.ok()) throw std::runtime_error(rules.error);
  storage::ContactFilter filter;
  filter.user_id = w.user;
  filter.rules = rules.rules;
  std::int64_t members = 0;
  for (auto _ : state) {
    members = w.store->count_contacts(filter);
    benchmark::DoNotOptimize(members);
  }
  state.counters["members"] = static_cast<double>(members);
}

// Heap in use: what the in-memory copy keeps (RSS would also count the mapped database file).
double heap_mib() { return static_cast<double>(mallinfo2().uordblks) / (1024.0 * 1024.0); }

void BM_SegmentCount_ColdLoad(benchmark::State& state) {
  std::int64_t user = workspace().user;
  storage::ContactFilter filter;
  filter.user_id = user;
  filter.status = crm::Status::Active;  // a plain total would be counted by SQL, not load the copy
  double grown = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = std::make_unique<storage::sqlite::SqliteStore>(kPath);
    double before = heap_mib();
    state.ResumeTiming();
    benchmark::DoNotOptimize(store->count_contacts(filter));
    state.PauseTiming();
    grown = heap_mib() - before;
    store.reset();
    state.ResumeTiming();
  }
  state.counters["heap_growth_mib"] = grown;
}

void BM_SegmentCount_AfterWrites(benchmark::State& state) {
  Workspace& w = workspace();
  crm::RulesResult rules = crm::parse_rules(
      json::parse(R"([{"field":"status","op":"eq","value":"active"},{"field":"tag","op":"has","value":"vip"}])"),
      w.fields, kNow);
  storage::ContactFilter filter;
  filter.user_id = w.user;
  filter.rules = rules.rules;
  storage::ContactFilter page;
  page.user_id = w.user;
  page.limit = 100;
  std::vector<crm::Contact> edited = w.store->contacts(page, nullptr);
  std::int64_t round = 0, members = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ++round;
    w.store->write([&](storage::WriteTx& tx) {
      for (auto c : edited) {
        c.last_name = "Edited" + std::to_string(round);
        c.updated = kNow + round;
        tx.update_contact(c);
      }
    });
    state.ResumeTiming();
    members = w.store->count_contacts(filter);
    benchmark::DoNotOptimize(members);
  }
  state.counters["members"] = static_cast<double>(members);
}

// A page of the contacts list (50 contacts with their tags and values, and the total) in listing
// order, which the in-memory copy gives: at the top, and half a million contacts down.
void BM_ContactPage(benchmark::State& state) {
  Workspace& w = workspace();
  storage::ContactFilter page;
  page.user_id = w.user;
  page.limit = 50;
  page.offset = state.range(0);
  std::int64_t total = 0;
  for (auto _ : state) {
    auto contacts = w.store->contacts(page, &total);
    if (contacts.size() != 50) throw std::runtime_error("short page");
    benchmark::DoNotOptimize(contacts);
  }
  state.counters["total"] = static_cast<double>(total);
}
BENCHMARK(BM_ContactPage)->ArgName("offset")->Arg(0)->Arg(500000)->Unit(benchmark::kMillisecond);

void BM_SegmentCount_All(benchmark::State& s) { count_segment(s, "[]"); }
void BM_SegmentCount_Status(benchmark::State& s) {
  count_segment(s, R"([{"field":"status","op":"eq","value":"active"}])");
}
void BM_SegmentCount_CountryAndSource(benchmark::State& s) {
  count_segment(s, R"([{"field":"country","op":"eq","value":"de"},{"field":"source","op":"eq","value":"campaign"}])");
}
void BM_SegmentCount_Tag(benchmark::State& s) { count_segment(s, R"([{"field":"tag","op":"has","value":"VIP"}])"); }
void BM_SegmentCount_CustomNumber(benchmark::State& s) {
  count_segment(s, R"([{"field":"field:spend","op":"gt","value":900}])");
}
void BM_SegmentCount_FourRules(benchmark::State& s) {
  count_segment(s, R"([{"field":"status","op":"eq","value":"active"},
                       {"field":"created","op":"last_days","value":90},
                       {"field":"tag","op":"has","value":"vip"},
                       {"field":"field:plan","op":"eq","value":"pro"}])");
}
void BM_SegmentCount_NameContains(benchmark::State& s) {
  count_segment(s, R"([{"field":"first_name","op":"contains","value":"e12"}])");
}

BENCHMARK(BM_SegmentCount_All)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SegmentCount_Status)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SegmentCount_CountryAndSource)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SegmentCount_Tag)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SegmentCount_CustomNumber)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SegmentCount_FourRules)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SegmentCount_NameContains)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SegmentCount_AfterWrites)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SegmentCount_ColdLoad)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
