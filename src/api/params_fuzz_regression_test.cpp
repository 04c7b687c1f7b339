// Regression tests for what fuzzing (fuzz/fuzz_params.cpp) and the hostile-input suite
// (tests/e2e/test_hostile.py) found in api::Params. See docs/reliability.md.
#include <gtest/gtest.h>

#include <string>

#include "api/api_error.hpp"
#include "api/params.hpp"

namespace tglead::api {
namespace {

http::Request json_post(std::string body) {
  http::Request r;
  r.method = "POST";
  r.path = "/api/campaigns/add.json";
  r.target = r.path;
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  return r;
}

std::string nested_objects(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s.append(static_cast<std::size_t>(depth), '}');
  return s;
}

std::string array_in_object(int depth) {
  return "{\"a\":" + std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']') + "}";
}

// Moderate nesting keeps working (and must keep working after the fix below).
TEST(ParamsFuzzRegression, ModeratelyNestedBodyIsHandled) {
  for (int depth : {1, 16, 64}) {
    try {
      Params p(json_post(nested_objects(depth)));
      EXPECT_TRUE(p.has("a"));
    } catch (const ApiError&) {
      // rejecting is acceptable too, as a clean `param` error
    }
  }
}

// Top-level deep arrays are refused before any copy (already true).
TEST(ParamsFuzzRegression, DeepTopLevelArrayIsAParamError) {
  std::string body(100000, '[');
  body.append(100000, ']');
  EXPECT_THROW(Params p(json_post(body)), ApiError);
}

// BUG (open): a body of ~600 KB nested 100k deep (under the 1 MiB body limit) overflows the
// stack: Params::Params copies each top-level value (`values_[key] = value`,
// src/api/params.cpp:48) and nlohmann::json's copy constructor recurses once per level. The
// router builds Params before authentication (src/api/router.cpp, `Params params(request)`),
// so one unauthenticated POST to any /api/ path kills the service. Expected: ApiError
// (`param`, e.g. "the JSON body is nested too deeply"), via a depth limit in the parse
// callback or a pre-scan, and moving instead of copying. Enable when fixed.
TEST(ParamsFuzzRegression, DeeplyNestedObjectBodyIsAParamError) {
  EXPECT_THROW(Params p(json_post(nested_objects(100000))), ApiError);
  EXPECT_THROW(Params p(json_post(array_in_object(100000))), ApiError);
}

}  // namespace
}  // namespace tglead::api
