// CurlHttpClient against the product's own Server on loopback.
#include "net/curl_http_client.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.hpp"

namespace tglead::net {
namespace {

using namespace std::chrono_literals;

http::Response route(const http::Request& request) {
  http::Response response;
  response.content_type = "text/plain";
  if (request.path == "/redirect") {
    response.status = 302;
    response.headers.emplace_back("Location", "/target");
    response.body = "moved";
  } else if (request.path == "/redirect-file") {
    response.status = 302;
    response.headers.emplace_back("Location", "file:///etc/passwd");
  } else if (request.path == "/slow") {
    std::this_thread::sleep_for(1s);
  } else if (request.path == "/big") {
    response.body = std::string(100'000, 'b');
  } else {
    response.body = request.method + " " + request.path + " " + request.body;
  }
  return response;
}

class CurlHttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<http::Server>(options, [this](const http::Request& request) {
      const int now = ++running_;
      int seen = peak_.load();
      while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
      }
      auto response = route(request);
      --running_;
      return response;
    });
    ASSERT_EQ(server_->start(), "");
  }

  std::string url(std::string_view host, std::string_view path) const {
    return "http://" + std::string(host) + ":" + std::to_string(server_->port()) + std::string(path);
  }

  std::atomic<int> running_{0};
  std::atomic<int> peak_{0};
  std::unique_ptr<http::Server> server_;
};

TEST_F(CurlHttpClientTest, MethodsAndBodies) {
  CurlHttpClient client;
  HttpRequest request;
  request.method = "PUT";
  request.url = url("127.0.0.1", "/put");
  request.body = "payload";
  auto response = client.perform(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "PUT /put payload");

  request.method = "DELETE";
  request.body.clear();
  request.url = url("127.0.0.1", "/thing");
  EXPECT_EQ(client.perform(request).body, "DELETE /thing ");

  request.method = "POST";
  request.url = url("127.0.0.1", "/empty");
  EXPECT_EQ(client.perform(request).body, "POST /empty ");
}

TEST_F(CurlHttpClientTest, RedirectsAreFollowedOnlyWhenAsked) {
  CurlHttpClient client;
  HttpRequest request;
  request.url = url("127.0.0.1", "/redirect");
  auto response = client.perform(request);
  ASSERT_TRUE(response.transport_ok()) << response.error;
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.body, "moved");

  request.follow_redirects = true;
  response = client.perform(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "GET /target ");

  request.url = url("127.0.0.1", "/redirect-file");
  response = client.perform(request);
  EXPECT_FALSE(response.transport_ok());
}

TEST_F(CurlHttpClientTest, OnlyHttpAndHttpsSchemes) {
  CurlHttpClient client;
  for (const char* target : {"file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/", "not a url"}) {
    HttpRequest request;
    request.url = target;
    const auto response = client.perform(request);
    EXPECT_FALSE(response.transport_ok()) << target;
    EXPECT_EQ(response.status, 0) << target;
  }
}

TEST_F(CurlHttpClientTest, TimeoutIsReported) {
  CurlHttpClient client;
  HttpRequest request;
  request.url = url("127.0.0.1", "/slow");
  request.timeout_ms = 200;
  const auto begin = std::chrono::steady_clock::now();
  const auto response = client.perform(request);
  EXPECT_EQ(response.error, "timeout");
  EXPECT_EQ(response.status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 900ms);
}

TEST_F(CurlHttpClientTest, ConnectionRefusedIsReported) {
  http::ServerOptions options;
  options.port = 0;
  http::Server closed(options, route);
  ASSERT_EQ(closed.start(), "");
  const auto port = closed.port();
  closed.stop();

  CurlHttpClient client;
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const auto response = client.perform(request);
  EXPECT_EQ(response.error, "connection refused");
  EXPECT_EQ(response.status, 0);
}

TEST_F(CurlHttpClientTest, ResponseBodyIsCappedButTransferCompletes) {
  CurlHttpClient client;
  HttpRequest request;
  request.url = url("127.0.0.1", "/big");
  request.max_response_bytes = 1000;
  const auto response = client.perform(request);
  ASSERT_TRUE(response.transport_ok()) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, std::string(1000, 'b'));
}

bool ipv6_sockets_available() {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  close(fd);
  return true;
}

TEST_F(CurlHttpClientTest, BlockPrivateAddresses) {
  CurlHttpClient client;
  struct Case {
    std::string host;
    std::string blocked_ip;  // "" when any loopback address may be the one refused
  };
  std::vector<Case> cases = {{"127.0.0.1", "127.0.0.1"}, {"2130706433", "127.0.0.1"}, {"0x7f.1", "127.0.0.1"},
                             {"localhost", ""}};
  // Kernels booted without IPv6 cannot reach even the mapped form.
  if (ipv6_sockets_available()) cases.push_back({"[::ffff:127.0.0.1]", "::ffff:127.0.0.1"});
  for (const Case& c : cases) {
    HttpRequest request;
    request.url = url(c.host, "/ok");
    request.block_private_addresses = true;
    auto response = client.perform(request);
    EXPECT_EQ(response.status, 0) << c.host;
    if (c.blocked_ip.empty()) {
      EXPECT_EQ(response.error.rfind("address not allowed: ", 0), 0u) << c.host << ": " << response.error;
    } else {
      EXPECT_EQ(response.error, "address not allowed: " + c.blocked_ip) << c.host;
    }

    // The same URL works without the guard...
    request.block_private_addresses = false;
    response = client.perform(request);
    EXPECT_EQ(response.status, 200) << c.host << ": " << response.error;
    EXPECT_EQ(response.body, "GET /ok ") << c.host;

    // ...and the guard still holds when curl has a pooled connection to reuse.
    request.block_private_addresses = true;
    response = client.perform(request);
    EXPECT_EQ(response.status, 0) << c.host;
    EXPECT_EQ(response.error.rfind("address not allowed: ", 0), 0u) << c.host << ": " << response.error;
  }
}

TEST_F(CurlHttpClientTest, RequestsBeyondMaxInFlightWait) {
  CurlHttpClient::Options options;
  options.max_in_flight = 2;
  CurlHttpClient client(options);
  std::mutex mutex;
  std::condition_variable cv;
  int done = 0;
  int ok = 0;
  for (int i = 0; i < 6; ++i) {
    HttpRequest request;
    request.url = url("127.0.0.1", "/q" + std::to_string(i));
    client.submit(request, [&](HttpResponse response) {
      std::lock_guard lock(mutex);
      ok += response.status == 200 ? 1 : 0;
      ++done;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return done == 6; }));
  EXPECT_EQ(ok, 6);
  EXPECT_LE(peak_.load(), 2);
}

TEST_F(CurlHttpClientTest, DestructionCompletesUnfinishedRequestsWithShutdown) {
  std::mutex mutex;
  std::vector<std::string> errors;
  {
    CurlHttpClient::Options options;
    options.max_in_flight = 1;  // one in flight, two queued
    CurlHttpClient client(options);
    for (int i = 0; i < 3; ++i) {
      HttpRequest request;
      request.url = url("127.0.0.1", "/slow");
      client.submit(request, [&](HttpResponse response) {
        std::lock_guard lock(mutex);
        errors.push_back(response.error);
      });
    }
    while (running_ == 0) std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(errors.size(), 3u);
  for (const auto& error : errors) EXPECT_EQ(error, "shutdown");
}

TEST_F(CurlHttpClientTest, ThrowingCallbackDoesNotKillTheClient) {
  CurlHttpClient client;
  HttpRequest request;
  request.url = url("127.0.0.1", "/x");
  client.submit(request, [](HttpResponse) { throw std::runtime_error("callback bug"); });
  EXPECT_EQ(client.perform(request).status, 200);
}

}  // namespace
}  // namespace tglead::net
