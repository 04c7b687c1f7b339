// User API parameter parsing (PRODUCT.md §6.3): query + form + JSON bodies.
#include "api/params.hpp"

#include <gtest/gtest.h>

#include <string>

#include "api/api_error.hpp"
#include "util/url.hpp"

namespace tglead::api {
namespace {

using nlohmann::json;

http::Request get(std::string query) {
  http::Request r;
  r.method = "GET";
  r.path = "/api/leads/list.json";
  r.query = std::move(query);
  r.target = r.path + (r.query.empty() ? "" : "?" + r.query);
  return r;
}

http::Request post(std::string query, std::string content_type, std::string body) {
  http::Request r = get(std::move(query));
  r.method = "POST";
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

http::Request form(std::string body, std::string query = "") {
  return post(std::move(query), "application/x-www-form-urlencoded", std::move(body));
}

http::Request json_body(std::string body, std::string query = "") {
  return post(std::move(query), "application/json", std::move(body));
}

// Runs `fn`, expecting ApiError param whose message mentions `name`.
template <typename Fn>
void expect_param_error(Fn fn, const std::string& name) {
  try {
    fn();
    ADD_FAILURE() << "no ApiError for " << name;
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "param") << e.what();
    EXPECT_EQ(e.http_status(), 400);
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << "message does not name " << name << ": "
                                                                   << e.what();
  }
}

// ---- sources -----------------------------------------------------------------

TEST(ApiParams, QueryString) {
  Params p(get("key=abc&campaign=12&status=2&name=a+b%20c"));
  EXPECT_EQ(p.text("key"), "abc");
  EXPECT_EQ(p.integer("campaign"), 12);
  EXPECT_EQ(p.integer("status"), 2);
  EXPECT_EQ(p.text("name"), "a b c");
  EXPECT_FALSE(p.has("missing"));
  EXPECT_EQ(p.text("missing"), std::nullopt);
  EXPECT_EQ(p.integer("missing"), std::nullopt);
}

TEST(ApiParams, FormBody) {
  Params p(form("token=123%3AABC&approve_requests=1&code=CAMP42"));
  EXPECT_EQ(p.text("token"), "123:ABC");
  EXPECT_EQ(p.boolean("approve_requests"), true);
  EXPECT_EQ(p.text("code"), "CAMP42");
}

TEST(ApiParams, JsonBody) {
  Params p(json_body(R"({"code": "CAMP42", "unsub_window": 3600, "approve_requests": true,
                          "chat": -1002381745923, "postbacks": {"wait": "http://t.example/a?c={click}"},
                          "welcome": {"text": "Hi", "buttons": [{"text": "Go", "url": "https://x.example"}]}})"));
  EXPECT_EQ(p.text("code"), "CAMP42");
  EXPECT_EQ(p.integer("unsub_window"), 3600);
  EXPECT_EQ(p.boolean("approve_requests"), true);
  EXPECT_EQ(p.integer("chat"), -1002381745923LL);
  auto postbacks = p.object("postbacks");
  ASSERT_TRUE(postbacks.has_value());
  EXPECT_EQ((*postbacks)["wait"], "http://t.example/a?c={click}");
  auto welcome = p.object("welcome");
  ASSERT_TRUE(welcome.has_value());
  EXPECT_EQ((*welcome)["buttons"][0]["url"], "https://x.example");
}

TEST(ApiParams, JsonBodyWithCharsetAndWithoutContentType) {
  Params a(post("", "application/json; charset=utf-8", R"({"id": 5})"));
  EXPECT_EQ(a.integer("id"), 5);
  Params b(post("", "", R"({"id": 6})"));
  EXPECT_EQ(b.integer("id"), 6);
}

TEST(ApiParams, QueryAndBodyMerge) {
  Params p(json_body(R"({"code": "X1"})", "key=k1&campaign=3"));
  EXPECT_EQ(p.text("key"), "k1");
  EXPECT_EQ(p.integer("campaign"), 3);
  EXPECT_EQ(p.text("code"), "X1");
}

TEST(ApiParams, BodyWinsOverQuery) {
  Params f(form("limit=20&name=body", "limit=10&name=query"));
  EXPECT_EQ(f.limit(), 20);
  EXPECT_EQ(f.text("name"), "body");
  Params j(json_body(R"({"limit": 30, "name": "body"})", "limit=10&name=query"));
  EXPECT_EQ(j.limit(), 30);
  EXPECT_EQ(j.text("name"), "body");
}

// ---- bracket keys ------------------------------------------------------------

TEST(ApiParams, BracketKeysInFormBecomeNestedObject) {
  Params p(form("postbacks%5Bwait%5D=http%3A%2F%2Ft.example%2Fpb%3Fc%3D%7Bclick%7D&postbacks[cancel]=&"
                "postbacks[approve]=https://t.example/a"));
  auto postbacks = p.object("postbacks");
  ASSERT_TRUE(postbacks.has_value());
  ASSERT_TRUE(postbacks->is_object());
  EXPECT_EQ((*postbacks)["wait"], "http://t.example/pb?c={click}");
  EXPECT_EQ((*postbacks)["approve"], "https://t.example/a");
  EXPECT_EQ((*postbacks)["cancel"], "");  // given as empty: "no postback" for that status
  EXPECT_FALSE(postbacks->contains("hold"));
}

TEST(ApiParams, BracketKeysInQueryAndDeepNesting) {
  Params p(get("welcome[text]=Hello&welcome[buttons][0][text]=Go&welcome[buttons][0][url]=https://x.example"));
  auto welcome = p.object("welcome");
  ASSERT_TRUE(welcome.has_value());
  EXPECT_EQ((*welcome)["text"], "Hello");
  EXPECT_EQ((*welcome)["buttons"]["0"]["text"], "Go");
  EXPECT_EQ((*welcome)["buttons"]["0"]["url"], "https://x.example");
}

TEST(ApiParams, PutBracketedDirect) {
  json target = json::object();
  put_bracketed(target, "postbacks[wait]", "a");
  put_bracketed(target, "postbacks[hold]", "b");
  put_bracketed(target, "plain", "c");
  put_bracketed(target, "[odd]", "d");      // no name before the bracket: kept verbatim
  put_bracketed(target, "broken[x", "e");   // unbalanced: kept verbatim
  EXPECT_EQ(target["postbacks"]["wait"], "a");
  EXPECT_EQ(target["postbacks"]["hold"], "b");
  EXPECT_EQ(target["plain"], "c");
  EXPECT_EQ(target["[odd]"], "d");
  EXPECT_EQ(target["broken[x"], "e");
}

TEST(ApiParams, ObjectGivenAsJsonText) {
  Params p(form("postbacks=%7B%22wait%22%3A%22http%3A%2F%2Fa.example%22%7D"));
  auto postbacks = p.object("postbacks");
  ASSERT_TRUE(postbacks.has_value());
  EXPECT_EQ((*postbacks)["wait"], "http://a.example");
}

TEST(ApiParams, ObjectOfWrongTypeIsAnError) {
  Params p(json_body(R"({"postbacks": [1, 2], "welcome": "not json"})"));
  expect_param_error([&] { (void)p.object("postbacks"); }, "postbacks");
  expect_param_error([&] { (void)p.object("welcome"); }, "welcome");
  EXPECT_EQ(p.object("absent"), std::nullopt);
}

// ---- integers ------------------------------------------------------------------

TEST(ApiParams, IntegersAreStrict) {
  for (const char* bad : {"12a", "1.5", "a12", "1e3", "0x10", "+5", " 5", "5 ", "--1", "1,000", "true"}) {
    Params q(get("campaign=" + util::url_encode(bad)));
    expect_param_error([&] { (void)q.integer("campaign"); }, "campaign");
    Params f(form("campaign=" + util::url_encode(bad)));
    expect_param_error([&] { (void)f.required_integer("campaign"); }, "campaign");
    Params j(json_body(json{{"campaign", bad}}.dump()));
    expect_param_error([&] { (void)j.integer("campaign"); }, "campaign");
  }
}

TEST(ApiParams, IntegersAcceptSignedDecimal) {
  Params p(get("a=0&b=-1002381745923&c=9223372036854775807&d=-9223372036854775808&e=007"));
  EXPECT_EQ(p.integer("a"), 0);
  EXPECT_EQ(p.integer("b"), -1002381745923LL);
  EXPECT_EQ(p.integer("c"), INT64_MAX);
  EXPECT_EQ(p.integer("d"), INT64_MIN);
  EXPECT_EQ(p.integer("e"), 7);
}

TEST(ApiParams, IntegerOverflowIsAnError) {
  Params p(get("from=9223372036854775808&to=-9223372036854775809&bot=99999999999999999999999"));
  expect_param_error([&] { (void)p.integer("from"); }, "from");
  expect_param_error([&] { (void)p.integer("to"); }, "to");
  expect_param_error([&] { (void)p.integer("bot"); }, "bot");
}

TEST(ApiParams, FormBodyWithoutContentType) {
  Params p(post("", "", "a=1&b=x"));
  EXPECT_EQ(p.integer("a"), 1);
  EXPECT_EQ(p.text("b"), "x");
}

TEST(ApiParams, JsonNumbersMustBeIntegral) {
  Params p(json_body(R"({"a": 1.5, "b": 2.0, "c": 1e3, "d": true, "e": [1], "f": {"x": 1}})"));
  for (const char* name : {"a", "b", "c", "d", "e", "f"}) {
    expect_param_error([&] { (void)p.integer(name); }, name);
  }
}

// A JSON number above INT64_MAX is stored by nlohmann as unsigned; it must not wrap to a negative id.
TEST(ApiParams, JsonIntegerAboveInt64IsAnError) {
  Params p(json_body(R"({"campaign": 9223372036854775808, "bot": 18446744073709551615})"));
  expect_param_error([&] { (void)p.integer("campaign"); }, "campaign");
  expect_param_error([&] { (void)p.integer("bot"); }, "bot");
  // As text, the number must not wrap to a negative value either.
  try {
    auto text = p.text("campaign");
    EXPECT_EQ(text, "9223372036854775808");
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "param");
  }
}

TEST(ApiParams, RequiredInteger) {
  Params p(get("id=&other=1"));
  expect_param_error([&] { (void)p.required_integer("id"); }, "id");  // empty = not given
  expect_param_error([&] { (void)p.required_integer("missing"); }, "missing");
  EXPECT_EQ(p.required_integer("other"), 1);
}

TEST(ApiParams, RequiredText) {
  Params p(json_body(R"({"token": "", "n": null, "num": 42, "t": "abc"})"));
  expect_param_error([&] { (void)p.required_text("token"); }, "token");
  expect_param_error([&] { (void)p.required_text("n"); }, "n");
  EXPECT_EQ(p.required_text("num"), "42");
  EXPECT_EQ(p.required_text("t"), "abc");
  EXPECT_FALSE(p.has("token"));
  EXPECT_FALSE(p.has("n"));
}

// ---- booleans ------------------------------------------------------------------

TEST(ApiParams, Booleans) {
  Params p(get("a=1&b=0&c=true&d=false&e=yes&f=no&g=on&h=off"));
  EXPECT_EQ(p.boolean("a"), true);
  EXPECT_EQ(p.boolean("b"), false);
  EXPECT_EQ(p.boolean("c"), true);
  EXPECT_EQ(p.boolean("d"), false);
  EXPECT_EQ(p.boolean("e"), true);
  EXPECT_EQ(p.boolean("f"), false);
  EXPECT_EQ(p.boolean("g"), true);
  EXPECT_EQ(p.boolean("h"), false);
  EXPECT_EQ(p.boolean("absent"), std::nullopt);
  Params j(json_body(R"({"t": true, "f": false, "one": 1, "zero": 0})"));
  EXPECT_EQ(j.boolean("t"), true);
  EXPECT_EQ(j.boolean("f"), false);
  EXPECT_EQ(j.boolean("one"), true);
  EXPECT_EQ(j.boolean("zero"), false);
}

TEST(ApiParams, BadBooleansAreErrors) {
  Params p(get("a=2&b=maybe&c=-1"));
  expect_param_error([&] { (void)p.boolean("a"); }, "a");
  expect_param_error([&] { (void)p.boolean("b"); }, "b");
  expect_param_error([&] { (void)p.boolean("c"); }, "c");
  Params j(json_body(R"({"x": 2, "y": "TRUEISH", "z": 0.5, "w": [true]})"));
  for (const char* name : {"x", "y", "z", "w"}) expect_param_error([&] { (void)j.boolean(name); }, name);
}

// ---- paging --------------------------------------------------------------------

TEST(ApiParams, LimitDefaultsTo50) {
  EXPECT_EQ(Params(get("")).limit(), 50);
  EXPECT_EQ(Params(get("limit=")).limit(), 50);
}

TEST(ApiParams, LimitIsClampedTo200) {
  EXPECT_EQ(Params(get("limit=1")).limit(), 1);
  EXPECT_EQ(Params(get("limit=200")).limit(), 200);
  EXPECT_EQ(Params(get("limit=201")).limit(), 200);
  EXPECT_EQ(Params(get("limit=100000")).limit(), 200);
  EXPECT_EQ(Params(json_body(R"({"limit": 9223372036854775807})")).limit(), 200);
}

TEST(ApiParams, LimitZeroOrNegativeIsAnError) {
  for (const char* q : {"limit=0", "limit=-1", "limit=-200", "limit=abc", "limit=1.5"}) {
    Params p(get(q));
    expect_param_error([&] { (void)p.limit(); }, "limit");
  }
}

TEST(ApiParams, Offset) {
  EXPECT_EQ(Params(get("")).offset(), 0);
  EXPECT_EQ(Params(get("offset=0")).offset(), 0);
  EXPECT_EQ(Params(get("offset=150")).offset(), 150);
  for (const char* q : {"offset=-1", "offset=x"}) {
    Params p(get(q));
    expect_param_error([&] { (void)p.offset(); }, "offset");
  }
}

// ---- malformed bodies ----------------------------------------------------------

TEST(ApiParams, MalformedJsonBodyIsAParamError) {
  for (const char* body : {"{", "{\"a\": }", "{\"a\": 1,}", "{'a': 1}", "{\"a\": \"\xff\"}"}) {
    try {
      Params p(json_body(body));
      ADD_FAILURE() << "accepted: " << body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), "param");
      EXPECT_EQ(e.http_status(), 400);
    }
  }
}

TEST(ApiParams, NonObjectJsonBodyIsAParamError) {
  for (const char* body : {"[1,2]", "42", "\"x\"", "null", "true"}) {
    try {
      Params p(json_body(body));
      ADD_FAILURE() << "accepted: " << body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), "param");
    }
  }
}

TEST(ApiParams, MultipartIsRejected) {
  try {
    Params p(post("", "multipart/form-data; boundary=x", "--x\r\n\r\n--x--"));
    ADD_FAILURE() << "multipart accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "param");
  }
}

TEST(ApiParams, DeeplyNestedJsonBodyDoesNotCrash) {
  std::string body = "{\"a\": " + std::string(100'000, '[') + std::string(100'000, ']') + "}";
  try {
    Params p(json_body(body));
    (void)p.has("a");
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "param");
  }
}

TEST(ApiParams, FromJsonValueConstructor) {
  Params p(json{{"limit", 500}, {"offset", 3}, {"campaign", "7"}});
  EXPECT_EQ(p.limit(), 200);
  EXPECT_EQ(p.offset(), 3);
  EXPECT_EQ(p.integer("campaign"), 7);
}

}  // namespace
}  // namespace tglead::api
