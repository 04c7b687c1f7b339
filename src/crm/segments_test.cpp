// Segment rules: validation (pure) and evaluation by the SQLite store over
// contacts, tags, custom field values and campaign leads.
#include "crm/segments.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "crm/contacts.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace tglead::crm {
namespace {

using nlohmann::json;
using storage::WriteTx;

constexpr std::int64_t kNow = 1763740800;  // 2025-11-21 16:00:00 UTC
constexpr std::int64_t kDay = 86400;
std::atomic<int> g_counter{0};

FieldDefinition definition(std::int64_t id, std::string name, std::string label, FieldType type,
                           std::vector<std::string> options = {}) {
  FieldDefinition f;
  f.id = id;
  f.name = std::move(name);
  f.label = std::move(label);
  f.type = type;
  f.options = std::move(options);
  return f;
}

std::vector<FieldDefinition> sample_fields() {
  FieldDefinition spend = definition(2, "spend", "Spend", FieldType::Number);
  spend.min = 0.0;
  return {definition(1, "plan", "Plan", FieldType::Dropdown, {"Free", "Pro", "Team"}), spend,
          definition(3, "birthday", "Birthday", FieldType::Date),
          definition(4, "langs", "Languages", FieldType::Multiselect, {"EN", "DE", "RU"}),
          definition(5, "vip", "VIP", FieldType::Boolean), definition(6, "note", "Note", FieldType::Text)};
}

std::string error_of(const json& rules) { return parse_rules(rules, sample_fields(), kNow).error; }

TEST(SegmentRulesTest, ValidRulesResolve) {
  auto r = parse_rules(json::parse(R"([
      {"field":"first_name","op":"contains","value":" ann "},
      {"field":"status","op":"in","value":["active","blocked"]},
      {"field":"created","op":"last_days","value":7},
      {"field":"tag","op":"has","value":"VIP"},
      {"field":"lead_status","op":"eq","value":"approve","campaign":12},
      {"field":"field:spend","op":"gt","value":"1,5"},
      {"field":"field:plan","op":"eq","value":"pro"},
      {"field":"field:vip","op":"is_true"}])"),
                       sample_fields(), kNow);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.rules.size(), 8u);
  EXPECT_EQ(r.rules[0].value, "ann");
  EXPECT_EQ(r.rules[0].column, "first_name");
  EXPECT_EQ(r.rules[2].time, kNow - 7 * kDay);
  EXPECT_EQ(r.rules[4].number, 2);
  EXPECT_EQ(r.rules[4].campaign_id, 12);
  EXPECT_DOUBLE_EQ(r.rules[5].number, 1.5);
  EXPECT_EQ(r.rules[6].value, "Pro") << "operands take the stored canonical form";
  EXPECT_EQ(r.rules[6].field_id, 1);
  json saved = rules_json(r.rules);
  EXPECT_EQ(saved[6]["value"], "Pro");
  EXPECT_EQ(saved[4]["campaign"], 12);
  EXPECT_FALSE(saved[7].contains("value"));
  EXPECT_TRUE(parse_rules(saved, sample_fields(), kNow).ok()) << "saved rules parse again";
}

TEST(SegmentRulesTest, BadRulesNameTheProblem) {
  EXPECT_NE(error_of(json::object()), "");
  EXPECT_NE(error_of(json::parse(R"([{"field":"nope","op":"eq","value":"x"}])")).find("unknown field"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"([{"field":"first_name","op":"gt","value":"x"}])")).find("operator"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"([{"field":"first_name","op":"eq"}])")).find("required"), std::string::npos);
  EXPECT_NE(error_of(json::parse(R"([{"field":"status","op":"eq","value":"gone"}])")), "");
  EXPECT_NE(error_of(json::parse(R"([{"field":"created","op":"last_days","value":0}])")), "");
  EXPECT_NE(error_of(json::parse(R"([{"field":"created","op":"before","value":"2025-02-30"}])")), "");
  EXPECT_NE(error_of(json::parse(R"([{"field":"field:missing","op":"empty"}])")).find("no custom field"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"([{"field":"field:plan","op":"eq","value":"Gold"}])")).find("options"),
            std::string::npos);
  EXPECT_NE(error_of(json::parse(R"([{"field":"field:spend","op":"gt","value":"lots"}])")), "");
  EXPECT_NE(error_of(json::parse(R"([{"field":"first_name","op":"eq","value":"x","campaign":3}])")), "");
  EXPECT_NE(error_of(json::parse(R"([{"field":"lead_status","op":"eq","value":"approve","campaign":"x"}])")), "");
  EXPECT_NE(error_of(json::parse(R"([{"field":"status","op":"in","value":[]}])")), "");
  EXPECT_NE(error_of(json::parse(R"([{"field":"country","op":"in","value":["DE"]}])")), "") << "`in` is for enums";
  json many = json::array();
  for (int i = 0; i < 21; ++i) many.push_back({{"field", "status"}, {"op", "eq"}, {"value", "active"}});
  EXPECT_NE(error_of(many), "");
  EXPECT_EQ(error_of(json::parse(R"([{"field":"first_name","op":"eq","value":"x"}])")).find("rule 1"),
            std::string::npos);
  EXPECT_EQ(error_of(json::parse(R"([{"field":"status","op":"eq","value":"active"},{"field":"x","op":"eq"}])"))
                .rfind("rule 2", 0),
            0u);
}

TEST(SegmentRulesTest, RenamedTagsFollowInSavedRules) {
  std::string rules = R"([{"field":"tag","op":"has","value":"VIP"},{"field":"tag","op":"has_not","value":"cold"},)"
                      R"({"field":"country","op":"eq","value":"vip"}])";
  auto renamed = rename_tag_in_rules(rules, "vip", "Gold");
  ASSERT_TRUE(renamed);
  EXPECT_EQ(json::parse(*renamed), json::parse(R"([{"field":"tag","op":"has","value":"Gold"},)"
                                               R"({"field":"tag","op":"has_not","value":"cold"},)"
                                               R"({"field":"country","op":"eq","value":"vip"}])"));
  EXPECT_FALSE(rename_tag_in_rules(rules, "warm", "hot"));
  EXPECT_FALSE(rename_tag_in_rules("not json", "vip", "Gold"));
  EXPECT_FALSE(rename_tag_in_rules(R"([{"field":"tag","op":"has","value":3}])", "3", "x"));
}

TEST(SegmentRulesTest, CatalogOffersEveryFieldWithItsOperators) {
  json catalog = rule_catalog(sample_fields());
  auto entry = [&](const std::string& field) {
    for (const auto& e : catalog) {
      if (e["field"] == field) return e;
    }
    return json();
  };
  EXPECT_EQ(entry("status")["values"], json::array({"active", "blocked", "archived"}));
  EXPECT_EQ(entry("field:plan")["values"], json::array({"Free", "Pro", "Team"}));
  EXPECT_EQ(entry("field:vip")["ops"], json::array({"is_true", "is_false"}));
  EXPECT_EQ(entry("tag")["ops"], json::array({"has", "has_not"}));
}

class SegmentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/tglead_segments_test_" + std::to_string(::getpid()) + "_" + std::to_string(g_counter++) + ".db";
    remove_files();
    store_ = std::make_unique<storage::sqlite::SqliteStore>(path_);
    for (auto* id : {&user_, &other_}) {
      domain::User u;
      u.email = "s" + std::to_string(g_counter++) + "@example.com";
      u.api_key = "key-" + u.email;
      u.transfer_token = "t-" + u.email;
      store_->write([&](WriteTx& tx) { *id = tx.insert_user(u); });
    }
    store_->write([&](WriteTx& tx) {
      for (auto f : sample_fields()) {
        f.user_id = user_;
        f.id = 0;
        f.id = tx.insert_field(f);
      }
    });
    fields_ = store_->fields(user_);
    phones_ = make_phone_normalizer("DE");
  }
  void TearDown() override {
    store_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }

  std::int64_t add(ContactInput in, const json& values = json::object(), std::int64_t created = kNow,
                   std::int64_t user = 0) {
    PreparedContact p = prepare_contact(in, *phones_);
    EXPECT_TRUE(p.ok());
    for (const auto& [name, raw] : values.items()) {
      auto f = std::find_if(fields_.begin(), fields_.end(), [&](const auto& d) { return d.name == name; });
      ParsedValue v = parse_field_json(*f, raw, *phones_);
      EXPECT_TRUE(v.ok()) << v.error;
      p.values.push_back({f->id, f->name, v.value});
    }
    UpsertContext ctx;
    ctx.user_id = user ? user : user_;
    ctx.actor = ctx.user_id;
    ctx.now = created;
    UpsertResult r;
    store_->write([&](WriteTx& tx) { r = upsert_contact(tx, ctx, p); });
    EXPECT_EQ(r.outcome, Outcome::Created);
    return r.contact_id;
  }

  // A campaign of the workspace's bot 555 in chat `chat_id`, for lead status rules.
  std::int64_t add_campaign(WriteTx& tx, std::int64_t chat_id, const std::string& code) {
    domain::Bot bot;
    bot.id = 555;
    bot.user_id = user_;
    bot.token = "555:x";
    bot.username = "b";
    bot.secret = "s";
    tx.upsert_bot(bot);
    domain::Campaign c;
    c.user_id = user_;
    c.bot_id = bot.id;
    c.chat_id = chat_id;
    c.code = code;
    return tx.insert_campaign(c, kNow);
  }

  std::int64_t count(const std::string& rules_text, std::int64_t user = 0) {
    auto parsed = parse_rules(json::parse(rules_text), fields_, kNow);
    EXPECT_TRUE(parsed.ok()) << parsed.error;
    storage::ContactFilter f;
    f.user_id = user ? user : user_;
    f.rules = parsed.rules;
    std::int64_t n = store_->count_contacts(f);
    std::int64_t total = -1;
    f.limit = 1000;
    auto listed = store_->contacts(f, &total);
    EXPECT_EQ(total, n) << "listing and count agree";
    EXPECT_EQ(static_cast<std::int64_t>(listed.size()), n);
    return n;
  }

  void seed() {
    anna_ = add({.telegram_id = "1001", .username = "anna_k", .first_name = "Anna", .country = "DE",
                 .tags = {"VIP", "Leads"}},
                {{"plan", "Pro"}, {"spend", 120.5}, {"birthday", "1990-05-01"}, {"langs", json::array({"EN", "DE"})},
                 {"vip", true}, {"note", "Met at Expo"}},
                kNow - 2 * kDay);
    boris_ = add({.telegram_id = "1002", .first_name = "Boris", .country = "RU", .tags = {"leads"}},
                 {{"plan", "Free"}, {"spend", 0}, {"langs", json::array({"RU"})}, {"vip", false}}, kNow - 40 * kDay);
    add({.phone = "+49301234567", .first_name = "Carla", .last_name = "Ännchen"}, json::object(), kNow - 400 * kDay);
    add({.username = "someone_else", .first_name = "Anna"}, {{"plan", "Pro"}}, kNow, other_);
  }

  std::string path_;
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  std::unique_ptr<PhoneNormalizer> phones_;
  std::vector<FieldDefinition> fields_;
  std::int64_t user_ = 0, other_ = 0, anna_ = 0, boris_ = 0;
};

TEST_F(SegmentStoreTest, ContactColumns) {
  seed();
  EXPECT_EQ(count("[]"), 3);
  EXPECT_EQ(count(R"([{"field":"first_name","op":"eq","value":"anna"}])"), 1) << "case-insensitive; other workspace excluded";
  EXPECT_EQ(count(R"([{"field":"first_name","op":"neq","value":"anna"}])"), 2);
  EXPECT_EQ(count(R"([{"field":"first_name","op":"contains","value":"OR"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"first_name","op":"starts_with","value":"b"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"first_name","op":"contains","value":"%"}])"), 0) << "wildcards are literal";
  EXPECT_EQ(count(R"([{"field":"username","op":"empty"}])"), 2);
  EXPECT_EQ(count(R"([{"field":"username","op":"eq","value":"@ANNA_K"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"username","op":"not_contains","value":"anna"}])"), 2) << "NULL handles count as not containing";
  EXPECT_EQ(count(R"([{"field":"telegram_id","op":"not_empty"}])"), 2);
  EXPECT_EQ(count(R"([{"field":"telegram_id","op":"eq","value":"1002"}])"), 1);
}

TEST_F(SegmentStoreTest, EnumsDatesAndAndedRules) {
  seed();
  EXPECT_EQ(count(R"([{"field":"source","op":"eq","value":"manual"}])"), 3);
  EXPECT_EQ(count(R"([{"field":"status","op":"in","value":["blocked","archived"]}])"), 0);
  EXPECT_EQ(count(R"([{"field":"created","op":"last_days","value":7}])"), 1);
  EXPECT_EQ(count(R"([{"field":"created","op":"older_days","value":30}])"), 2);
  EXPECT_EQ(count(R"([{"field":"created","op":"before","value":"2025-11-19"}])"), 2);
  EXPECT_EQ(count(R"([{"field":"created","op":"after","value":"2025-11-18"}])"), 1) << "after the whole day";
  EXPECT_EQ(count(R"([{"field":"created","op":"after","value":"2025-11-19"}])"), 0);
  EXPECT_EQ(count(R"([{"field":"country","op":"eq","value":"de"},{"field":"created","op":"older_days","value":1}])"), 1);
  EXPECT_EQ(count(R"([{"field":"country","op":"eq","value":"de"},{"field":"created","op":"older_days","value":3}])"), 0);
}

TEST_F(SegmentStoreTest, Tags) {
  seed();
  EXPECT_EQ(count(R"([{"field":"tag","op":"has","value":"LEADS"}])"), 2);
  EXPECT_EQ(count(R"([{"field":"tag","op":"has","value":"vip"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"tag","op":"has_not","value":"vip"}])"), 2);
  EXPECT_EQ(count(R"([{"field":"tag","op":"has","value":"no such tag"}])"), 0);
  EXPECT_EQ(count(R"([{"field":"tag","op":"has_not","value":"no such tag"}])"), 3);
}

// The columns hold each contact's tags: they follow tagging, untagging and a deleted tag, whose id
// SQLite gives to the next tag created (no stale link may count for it).
TEST_F(SegmentStoreTest, TagRulesFollowTagChangesAndDeletedTags) {
  seed();
  EXPECT_EQ(count(R"([{"field":"tag","op":"has","value":"leads"}])"), 2);  // the columns are loaded from here on
  std::optional<Tag> vip, leads;
  store_->write([&](WriteTx& tx) {
    vip = tx.tag_by_name(user_, "vip");
    leads = tx.tag_by_name(user_, "leads");
    ASSERT_TRUE(vip && leads);
    EXPECT_TRUE(tx.untag_contact(user_, anna_, vip->id));
    EXPECT_TRUE(tx.tag_contact(user_, boris_, vip->id));
  });
  EXPECT_EQ(count(R"([{"field":"tag","op":"has","value":"VIP"}])"), 1);
  storage::ContactFilter tagged;
  tagged.user_id = user_;
  tagged.tag_id = vip->id;
  tagged.limit = 10;
  auto listed = store_->contacts(tagged, nullptr);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, boris_);

  ASSERT_GT(leads->id, vip->id) << "the deleted tag must be the newest for its id to be given again";
  std::int64_t fresh = 0;
  store_->write([&](WriteTx& tx) {
    tx.delete_tag(user_, leads->id);
    Tag t;
    t.user_id = user_;
    t.name = "fresh";
    t.colour = "#112233";
    fresh = tx.insert_tag(t, kNow);
  });
  EXPECT_EQ(fresh, leads->id);
  EXPECT_EQ(count(R"([{"field":"tag","op":"has","value":"fresh"}])"), 0);
  EXPECT_EQ(count(R"([{"field":"tag","op":"has_not","value":"fresh"}])"), 3);
  EXPECT_EQ(count(R"([{"field":"tag","op":"has","value":"leads"}])"), 0);
  for (const auto& t : store_->tags(user_)) EXPECT_EQ(t.contacts, t.name == "VIP" ? 1 : 0) << t.name;
}

TEST_F(SegmentStoreTest, CustomFields) {
  seed();
  EXPECT_EQ(count(R"([{"field":"field:plan","op":"eq","value":"pro"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:plan","op":"neq","value":"pro"}])"), 2) << "no value counts as not equal";
  EXPECT_EQ(count(R"([{"field":"field:plan","op":"in","value":["Free","Team"]}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:plan","op":"empty"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:spend","op":"gte","value":0}])"), 2);
  EXPECT_EQ(count(R"([{"field":"field:spend","op":"gt","value":"100"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:spend","op":"lt","value":-1}])"), 0) << "bounds do not apply to operands";
  EXPECT_EQ(count(R"([{"field":"field:spend","op":"eq","value":"120,5"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:birthday","op":"before","value":"01.01.2000"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:birthday","op":"after","value":"1990-05-01"}])"), 0);
  EXPECT_EQ(count(R"([{"field":"field:birthday","op":"eq","value":"1990-05-01"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:langs","op":"has","value":"de"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:langs","op":"has_not","value":"DE"}])"), 2);
  EXPECT_EQ(count(R"([{"field":"field:vip","op":"is_true"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:vip","op":"is_false"}])"), 2) << "unticked and never ticked";
  EXPECT_EQ(count(R"([{"field":"field:note","op":"contains","value":"expo"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"field:note","op":"eq","value":"met at expo"}])"), 1);
}

TEST_F(SegmentStoreTest, LeadStatusesOfTheContactsTelegramId) {
  seed();
  std::int64_t campaign = 0, other_campaign = 0;
  store_->write([&](WriteTx& tx) {
    campaign = add_campaign(tx, -100, "A");
    other_campaign = add_campaign(tx, -200, "B");
    domain::Lead lead;
    lead.user_id = user_;
    lead.campaign_id = campaign;
    lead.subscriber = 1001;
    lead.status = domain::LeadStatus::Approve;
    tx.insert_lead(lead);
    lead.campaign_id = other_campaign;
    lead.subscriber = 1002;
    lead.status = domain::LeadStatus::Cancel;
    tx.insert_lead(lead);
  });
  EXPECT_EQ(count(R"([{"field":"lead_status","op":"eq","value":"approve"}])"), 1);
  EXPECT_EQ(count(R"([{"field":"lead_status","op":"neq","value":"approve"}])"), 2);
  EXPECT_EQ(count(json::array({{{"field", "lead_status"}, {"op", "eq"}, {"value", "cancel"}, {"campaign", campaign}}})
                      .dump()),
            0);
  EXPECT_EQ(count(json::array({{{"field", "lead_status"}, {"op", "eq"}, {"value", "cancel"}, {"campaign", other_campaign}}})
                      .dump()),
            1);
  EXPECT_EQ(count(R"([{"field":"lead_status","op":"eq","value":"approve"}])", other_), 0) << "leads are per workspace";
}

TEST_F(SegmentStoreTest, ValuesFollowMergesAndDeletes) {
  seed();
  std::int64_t dup = add({.username = "anna_dup"}, {{"plan", "Team"}, {"note", "second"}, {"spend", 5}});
  std::string error;
  store_->write([&](WriteTx& tx) { error = merge_contacts(tx, user_, anna_, dup, kNow); });
  ASSERT_EQ(error, "");
  auto values = store_->contact(user_, anna_)->values;
  auto text_of = [&](const std::string& name) {
    auto f = std::find_if(fields_.begin(), fields_.end(), [&](const auto& d) { return d.name == name; });
    for (const auto& [id, text] : values) {
      if (id == f->id) return text;
    }
    return std::string("<none>");
  };
  EXPECT_EQ(text_of("plan"), "Pro") << "the primary keeps its own values";
  EXPECT_EQ(text_of("note"), "Met at Expo");
  EXPECT_EQ(count(R"([{"field":"field:plan","op":"eq","value":"Team"}])"), 0);
  store_->write([&](WriteTx& tx) { tx.delete_field(user_, fields_[0].id); });
  EXPECT_EQ(store_->contact(user_, anna_)->values.size(), values.size() - 1);
  store_->write([&](WriteTx& tx) { tx.delete_contact(user_, boris_); });
  EXPECT_EQ(count(R"([{"field":"field:spend","op":"not_empty"}])"), 1);
}

// Counts come from the store's in-memory copy of the workspace (crm/contact_columns.hpp) and
// listings from SQL (storage/sqlite/segment_sql.cpp): both must agree on every rule shape, and
// keep agreeing while contacts are created, edited, merged, deleted, tagged and given values,
// leads change status and another workspace changes too.
TEST_F(SegmentStoreTest, InMemoryCountsAgreeWithTheSqlListingThroughChanges) {
  std::mt19937 rng(20261206);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  const std::vector<std::string> names = {"Anna", "anna", "Boris", "Émile", "ÄNNE", "änne", "", "Zoë", "annabel", "Bo"};
  const std::vector<std::string> countries = {"DE", "RU", "", "US"};
  const std::vector<std::string> languages = {"en", "de", "pt-BR", ""};
  const std::vector<std::string> groups = {"Expo", "expo chat", "", "Crypto"};
  const std::vector<std::string> tag_names = {"vip", "Leads", "cold"};
  const std::vector<std::string> notes = {"Met at Expo", "call back", "EXPO 2025"};
  int serial = 0;
  auto random_values = [&] {
    json values = json::object();
    if (rng() % 2) values["plan"] = pick({"Free", "Pro", "Team"});
    if (rng() % 2) values["spend"] = static_cast<int>(rng() % 300);
    if (rng() % 3 == 0) values["vip"] = rng() % 2 == 0;
    if (rng() % 3 == 0) values["note"] = pick(notes);
    if (rng() % 3 == 0) values["langs"] = rng() % 2 ? json::array({"EN"}) : json::array({"DE", "RU"});
    if (rng() % 4 == 0) values["birthday"] = rng() % 2 ? "1990-05-01" : "2001-12-24";
    return values;
  };
  auto add_random = [&](std::int64_t user) {
    ContactInput in;
    int kind = static_cast<int>(rng() % 4);
    ++serial;
    if (kind != 1) in.telegram_id = std::to_string(5000 + serial);
    if (kind != 2) in.username = "user_" + std::to_string(serial) + (rng() % 2 ? "X" : "");
    if (kind == 1 || kind == 3) in.phone = "+4930" + std::to_string(1000000 + serial);
    in.first_name = pick(names);
    in.last_name = pick(names);
    in.country = pick(countries);
    in.language = pick(languages);
    in.group = pick(groups);
    if (auto t = rng() % 4; t < 3) in.tags = {tag_names[t]};
    if (rng() % 5 == 0) in.status = Status::Blocked;
    if (rng() % 3 == 0) in.priority = Priority::High;
    return add(in, random_values(), kNow - static_cast<std::int64_t>(rng() % 60) * kDay, user);
  };
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 80; ++i) ids.push_back(add_random(user_));
  for (int i = 0; i < 20; ++i) add_random(other_);

  std::int64_t campaign = 0;
  std::vector<domain::Lead> leads;
  store_->write([&](WriteTx& tx) {
    campaign = add_campaign(tx, -100, "A");
    for (int i = 1; i <= serial; i += 2) {
      domain::Lead lead;
      lead.user_id = user_;
      lead.campaign_id = campaign;
      lead.subscriber = 5000 + i;
      lead.status = static_cast<domain::LeadStatus>(rng() % 5);
      lead.id = tx.insert_lead(lead);
      leads.push_back(lead);
    }
  });

  std::vector<std::string> rules = {
      R"({"field":"first_name","op":"eq","value":"anna"})", R"({"field":"first_name","op":"neq","value":"ANNA"})",
      R"({"field":"first_name","op":"contains","value":"AN"})", R"({"field":"first_name","op":"not_contains","value":"n"})",
      R"({"field":"first_name","op":"starts_with","value":"bo"})", R"({"field":"first_name","op":"empty"})",
      R"({"field":"first_name","op":"eq","value":"änne"})", R"({"field":"last_name","op":"not_empty"})",
      R"({"field":"last_name","op":"contains","value":"ë"})", R"({"field":"username","op":"eq","value":"@USER_3"})",
      R"({"field":"username","op":"contains","value":"x"})", R"({"field":"username","op":"empty"})",
      R"({"field":"username","op":"not_contains","value":"_1"})", R"({"field":"phone","op":"starts_with","value":"+4930100001"})",
      R"({"field":"phone","op":"not_empty"})", R"({"field":"telegram_id","op":"empty"})",
      R"({"field":"telegram_id","op":"eq","value":"5003"})", R"({"field":"country","op":"eq","value":"de"})",
      R"({"field":"country","op":"neq","value":"DE"})", R"({"field":"country","op":"contains","value":"u"})",
      R"({"field":"country","op":"empty"})", R"({"field":"language","op":"eq","value":"PT-br"})",
      R"({"field":"language","op":"starts_with","value":"pt"})", R"({"field":"group","op":"contains","value":"EXPO"})",
      R"({"field":"group","op":"not_contains","value":"chat"})", R"({"field":"group","op":"neq","value":"expo"})",
      R"({"field":"source","op":"eq","value":"manual"})", R"({"field":"source","op":"in","value":["api","campaign"]})",
      R"({"field":"status","op":"eq","value":"blocked"})", R"({"field":"status","op":"neq","value":"active"})",
      R"({"field":"status","op":"in","value":["active","archived"]})", R"({"field":"priority","op":"eq","value":"high"})",
      R"({"field":"priority","op":"in","value":["low","medium"]})", R"({"field":"created","op":"last_days","value":10})",
      R"({"field":"created","op":"older_days","value":30})", R"({"field":"created","op":"before","value":"2025-10-15"})",
      R"({"field":"created","op":"after","value":"2025-11-01"})", R"({"field":"updated","op":"last_days","value":1})",
      R"({"field":"tag","op":"has","value":"VIP"})", R"({"field":"tag","op":"has_not","value":"leads"})",
      R"({"field":"tag","op":"has","value":"nobody"})", R"({"field":"lead_status","op":"eq","value":"approve"})",
      R"({"field":"lead_status","op":"neq","value":"wait"})",
      R"({"field":"field:plan","op":"eq","value":"pro"})", R"({"field":"field:plan","op":"neq","value":"Pro"})",
      R"({"field":"field:plan","op":"in","value":["Free","Team"]})", R"({"field":"field:plan","op":"empty"})",
      R"({"field":"field:spend","op":"gt","value":100})", R"({"field":"field:spend","op":"lte","value":50})",
      R"({"field":"field:spend","op":"not_empty"})", R"({"field":"field:vip","op":"is_true"})",
      R"({"field":"field:vip","op":"is_false"})", R"({"field":"field:note","op":"contains","value":"expo"})",
      R"({"field":"field:note","op":"eq","value":"CALL BACK"})", R"({"field":"field:note","op":"starts_with","value":"met"})",
      R"({"field":"field:langs","op":"has","value":"EN"})", R"({"field":"field:langs","op":"has_not","value":"DE"})",
      R"({"field":"field:langs","op":"empty"})", R"({"field":"field:birthday","op":"before","value":"2000-01-01"})"};
  rules.push_back(json{{"field", "lead_status"}, {"op", "eq"}, {"value", "cancel"}, {"campaign", campaign}}.dump());

  auto agree = [&](const std::string& rules_text, int round) {
    auto parsed = parse_rules(json::parse(rules_text), fields_, kNow);
    ASSERT_TRUE(parsed.ok()) << parsed.error << " in " << rules_text;
    storage::ContactFilter f;
    f.user_id = user_;
    f.rules = parsed.rules;
    f.limit = 100000;
    if (rng() % 6 == 0) f.status = Status::Active;
    if (rng() % 8 == 0) f.source = Source::Manual;
    if (auto tags = store_->tags(user_); rng() % 6 == 0 && !tags.empty()) f.tag_id = tags[rng() % tags.size()].id;
    // A search for " " matches every contact (first and last name are searched joined by a
    // space) and runs the listing in SQL: the in-memory listing must give the same contacts in
    // the same order.
    storage::ContactFilter by_sql = f;
    by_sql.q = " ";
    auto ids = [](const std::vector<Contact>& contacts) {
      std::vector<std::int64_t> out;
      for (const auto& c : contacts) out.push_back(c.id);
      return out;
    };
    std::int64_t total = -1;
    std::vector<std::int64_t> listed = ids(store_->contacts(f, &total));
    EXPECT_EQ(listed, ids(store_->contacts(by_sql, nullptr)))
        << "round " << round << ": " << rules_text << (f.status ? " +status" : "") << (f.source ? " +source" : "")
        << (f.tag_id ? " +tag" : "");
    EXPECT_EQ(store_->count_contacts(f), static_cast<std::int64_t>(listed.size()));
    EXPECT_EQ(store_->count_contacts(by_sql), total);
  };

  for (int round = 0; round < 12; ++round) {
    for (const auto& rule : rules) agree("[" + rule + "]", round);
    for (int i = 0; i < 15; ++i) agree("[" + pick(rules) + "," + pick(rules) + "," + pick(rules) + "]", round);
    if (HasFailure()) return;

    for (int change = 0; change < 6; ++change) {
      std::int64_t id = ids[rng() % ids.size()];
      UpsertContext ctx;
      ctx.user_id = user_;
      ctx.actor = user_;
      ctx.now = kNow + round;
      switch (rng() % 7) {
        case 0: {  // edit columns
          auto c = store_->contact(user_, id);
          if (!c) break;
          c->first_name = pick(names);
          c->country = pick(countries);
          c->group = pick(groups);
          c->status = static_cast<Status>(rng() % 3);
          c->priority = static_cast<Priority>(rng() % 3);
          if (!c->username.empty() || !c->phone.empty()) c->telegram_id = rng() % 2 ? 0 : 9000 + round * 10 + change;
          c->updated = kNow - static_cast<std::int64_t>(rng() % 3) * kDay;
          store_->write([&](WriteTx& tx) { tx.update_contact(*c); });
          break;
        }
        case 1:
          store_->write([&](WriteTx& tx) { tx.delete_contact(user_, id); });
          break;
        case 2: {
          std::int64_t other = ids[rng() % ids.size()];
          if (other == id) break;
          store_->write([&](WriteTx& tx) { merge_contacts(tx, user_, id, other, kNow + round); });
          break;
        }
        case 3: {
          auto tags = store_->tags(user_);
          if (tags.empty()) break;
          std::int64_t tag = tags[rng() % tags.size()].id;
          store_->write([&](WriteTx& tx) {
            if (!tx.untag_contact(user_, id, tag)) tx.tag_contact(user_, id, tag);
          });
          break;
        }
        case 4: {
          PreparedContact change_values;
          json values = random_values();
          for (const auto& [name, raw] : values.items()) {
            auto f = std::find_if(fields_.begin(), fields_.end(), [&](const auto& d) { return d.name == name; });
            change_values.values.push_back({f->id, f->name, parse_field_json(*f, raw, *phones_).value});
          }
          if (rng() % 3 == 0) change_values.values.push_back({fields_[0].id, fields_[0].name, std::nullopt});
          if (store_->contact(user_, id)) store_->write([&](WriteTx& tx) { edit_contact(tx, ctx, id, change_values); });
          break;
        }
        case 5: {
          if (leads.empty()) break;
          domain::Lead& lead = leads[rng() % leads.size()];
          lead.status = static_cast<domain::LeadStatus>(rng() % 5);
          store_->write([&](WriteTx& tx) { tx.update_lead(lead); });
          break;
        }
        default:
          ids.push_back(add_random(rng() % 3 ? user_ : other_));
          break;
      }
    }
  }
}

// Counts share one copy per workspace: many at once, while the writer changes contacts, must
// neither crash nor tear it (the sanitizer stage runs this too).
TEST_F(SegmentStoreTest, ConcurrentCountsDuringWritesStayConsistent) {
  seed();
  std::atomic<bool> writing{true};
  std::atomic<int> impossible{0};
  auto counter = [&](const std::string& rules_text) {
    auto parsed = parse_rules(json::parse(rules_text), fields_, kNow);
    storage::ContactFilter f;
    f.user_id = user_;
    f.rules = parsed.rules;
    while (writing) {
      std::int64_t n = store_->count_contacts(f);
      if (n < 0 || n > 1000) ++impossible;
    }
  };
  std::vector<std::thread> counters;
  counters.emplace_back(counter, R"([{"field":"first_name","op":"starts_with","value":"p"}])");
  counters.emplace_back(counter, R"([{"field":"tag","op":"has","value":"vip"},{"field":"status","op":"eq","value":"active"}])");
  counters.emplace_back(counter, R"([{"field":"country","op":"neq","value":"DE"}])");
  std::vector<std::int64_t> added;
  for (int i = 0; i < 150; ++i) {
    added.push_back(add({.username = "paula_" + std::to_string(i), .first_name = "Paula", .country = i % 2 ? "DE" : "FR",
                         .tags = {"vip"}}));
    if (i % 3 == 0) store_->write([&](WriteTx& tx) { tx.delete_contact(user_, added[added.size() / 2]); });
  }
  writing = false;
  for (auto& t : counters) t.join();
  EXPECT_EQ(impossible, 0);
  std::int64_t left = count(R"([{"field":"first_name","op":"starts_with","value":"p"}])");
  EXPECT_EQ(left, count(R"([{"field":"username","op":"starts_with","value":"paula_"}])"));
  EXPECT_GT(left, 90);
  EXPECT_LT(left, 150);
}

TEST_F(SegmentStoreTest, EditsRecordFieldChangesInHistory) {
  seed();
  FieldDefinition plan = fields_[0];
  for (const auto& f : fields_) {
    if (f.name == "plan") plan = f;
  }
  PreparedContact change;
  change.values.push_back({plan.id, "plan", FieldValue{"Team", std::nullopt}});
  UpsertContext ctx;
  ctx.user_id = user_;
  ctx.now = kNow + 10;
  UpsertResult r;
  store_->write([&](WriteTx& tx) { r = edit_contact(tx, ctx, anna_, change); });
  EXPECT_EQ(r.outcome, Outcome::Updated);
  auto history = store_->contact_history(user_, anna_, 10);
  ASSERT_FALSE(history.empty());
  json detail = json::parse(history.front().detail);
  EXPECT_EQ(detail["changes"]["field:plan"], json::array({"Pro", "Team"}));
  store_->write([&](WriteTx& tx) { r = edit_contact(tx, ctx, anna_, change); });
  EXPECT_EQ(r.outcome, Outcome::Unchanged);
  PreparedContact clear;
  clear.values.push_back({plan.id, "plan", std::nullopt});
  store_->write([&](WriteTx& tx) { r = edit_contact(tx, ctx, anna_, clear); });
  EXPECT_EQ(r.outcome, Outcome::Updated);
  EXPECT_EQ(count(R"([{"field":"field:plan","op":"empty"}])"), 2);
}

TEST_F(SegmentStoreTest, RequiredFieldsBlockOnlyCreation) {
  PreparedContact p = prepare_contact({.username = "new_person"}, *phones_);
  UpsertContext ctx;
  ctx.user_id = user_;
  ctx.now = kNow;
  ctx.required_missing = {"Plan"};
  UpsertResult r;
  store_->write([&](WriteTx& tx) { r = upsert_contact(tx, ctx, p); });
  EXPECT_EQ(r.outcome, Outcome::Invalid);
  EXPECT_NE(r.reason.find("Plan"), std::string::npos);
  ctx.required_missing.clear();
  store_->write([&](WriteTx& tx) { r = upsert_contact(tx, ctx, p); });
  ASSERT_EQ(r.outcome, Outcome::Created);
  ctx.required_missing = {"Plan"};
  p.fields.first_name = "Now known";
  store_->write([&](WriteTx& tx) { r = upsert_contact(tx, ctx, p); });
  EXPECT_EQ(r.outcome, Outcome::Updated) << "an existing contact is updated without the required field";
}

}  // namespace
}  // namespace tglead::crm
