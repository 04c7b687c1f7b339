#include "web/assets.hpp"

#include <gtest/gtest.h>

#include "web/embedded.hpp"

namespace tglead::web {
namespace {

http::Request get(std::string path, std::string method = "GET") {
  http::Request request;
  request.method = std::move(method);
  request.path = path;
  request.target = path;
  return request;
}

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(WebAssets, RootServesTheAppShellWithSecurityHeaders) {
  auto response = serve_static(get("/"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->content_type, "text/html; charset=utf-8");
  EXPECT_NE(response->body.find("<script type=\"module\" src=\"/app.js\">"), std::string::npos);
  EXPECT_EQ(header(*response, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(*response, "Content-Security-Policy"), kContentSecurityPolicy);
  EXPECT_EQ(header(*response, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(*response, "Referrer-Policy"), "same-origin");
}

TEST(WebAssets, EveryEmbeddedFileIsServedWithItsTypeAndEtag) {
  ASSERT_FALSE(embedded_files().empty());
  for (const auto& file : embedded_files()) {
    auto response = serve_static(get(std::string(file.path)));
    ASSERT_TRUE(response) << file.path;
    EXPECT_EQ(response->body.size(), file.body.size()) << file.path;
    EXPECT_EQ(response->content_type, file.mime) << file.path;
    EXPECT_EQ(header(*response, "ETag"), file.etag) << file.path;
  }
  auto js = serve_static(get("/vendor/uplot.esm.js"));
  ASSERT_TRUE(js);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
}

TEST(WebAssets, MatchingEtagGives304WithoutBody) {
  auto first = serve_static(get("/app.js"));
  ASSERT_TRUE(first);
  auto request = get("/app.js");
  request.headers.emplace_back("if-none-match", "\"other\", W/" + header(*first, "ETag"));
  auto second = serve_static(request);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
  request.headers = {{"if-none-match", "\"stale\""}};
  EXPECT_EQ(serve_static(request)->status, 200);
}

TEST(WebAssets, HeadIsAnsweredOtherMethodsAndUnknownPathsAreNot) {
  EXPECT_TRUE(serve_static(get("/app.css", "HEAD")));
  EXPECT_FALSE(serve_static(get("/", "POST")));
  EXPECT_FALSE(serve_static(get("/nope.js")));
  EXPECT_FALSE(serve_static(get("/vendor/../app.js")));
  EXPECT_FALSE(serve_static(get("/vendor/README.md")));  // notes stay out of the binary
}

}  // namespace
}  // namespace tglead::web
