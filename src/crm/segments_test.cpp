// Segment rules: validation (pure) and evaluation by the SQLite store over
// contacts, tags, custom field values and campaign leads.
#include "crm/segments.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>

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
    domain::Bot bot;
    bot.id = 555;
    bot.user_id = user_;
    bot.token = "555:x";
    bot.username = "b";
    bot.secret = "s";
    tx.upsert_bot(bot);
    domain::Campaign c;
    c.user_id = user_;
    c.bot_id = 555;
    c.chat_id = -100;
    c.code = "A";
    campaign = tx.insert_campaign(c, kNow);
    c.code = "B";
    c.chat_id = -200;
    other_campaign = tx.insert_campaign(c, kNow);
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
