// Server behaviour over real loopback sockets: through the product's own
// CurlHttpClient for ordinary traffic, and through a raw socket where the test
// needs byte-level control (keep-alive, pipelining, malformed input, limits).
#include "http/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/curl_http_client.hpp"

namespace tglead::http {
namespace {

using namespace std::chrono_literals;

// A blocking TCP client with a receive timeout, so a misbehaving server fails
// the test instead of hanging it.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawConnection() { close(fd_); }

  bool connected() const { return connected_; }

  void send_all(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // One response: status line, headers and a Content-Length body (none when
  // `head` or when the header has no Content-Length). "" on EOF or timeout.
  std::string read_response(bool head = false) {
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return {};
    }
    header_end += 4;
    std::size_t length = 0;
    const std::string header = lower(buffer_.substr(0, header_end));
    if (const auto at = header.find("\r\ncontent-length: "); at != std::string::npos && !head) {
      length = std::stoul(header.substr(at + 18));
    }
    while (buffer_.size() < header_end + length) {
      if (!fill()) return {};
    }
    std::string response = buffer_.substr(0, header_end + length);
    buffer_.erase(0, header_end + length);
    return response;
  }

  // True when the peer closes (EOF or reset) with nothing more to read.
  bool closed_by_peer() {
    char byte;
    const ssize_t n = recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  static std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

  bool fill() {
    char chunk[4096];
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

Response echo(const Request& request) {
  Response response;
  response.content_type = "text/plain";
  response.body = request.method + " " + request.path + " q=" + request.query + " h=" +
                  std::string(request.header("x-test")) + " from=" + request.remote_address + " body=" + request.body;
  return response;
}

class ServerTest : public ::testing::Test {
 protected:
  void start(Handler handler, ServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<Server>(options, std::move(handler));
    ASSERT_EQ(server_->start(), "");
    ASSERT_NE(server_->port(), 0);
  }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }

  std::unique_ptr<Server> server_;
  net::CurlHttpClient client_;
};

TEST_F(ServerTest, GetAndPostRoundTrip) {
  start(echo);
  net::HttpRequest get;
  get.url = url("/api/leads/list.json?key=a%20b");
  auto response = client_.perform(get);
  ASSERT_TRUE(response.transport_ok()) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "GET /api/leads/list.json q=key=a%20b h= from=127.0.0.1 body=");

  net::HttpRequest post;
  post.method = "POST";
  post.url = url("/hook");
  post.content_type = "application/json";
  post.body = std::string(200'000, 'x');  // several TCP segments, and above curl's old 100-continue threshold
  post.max_response_bytes = 300'000;
  response = client_.perform(post);
  ASSERT_TRUE(response.transport_ok()) << response.error;
  EXPECT_EQ(response.body, "POST /hook q= h= from=127.0.0.1 body=" + post.body);
}

TEST_F(ServerTest, HeadersAreLowerCasedAndResponseCarriesTransportHeaders) {
  start([](const Request& request) {
    Response response = echo(request);
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"leads.csv\"");
    response.headers.emplace_back("Set-Cookie", "a=1");
    response.headers.emplace_back("Set-Cookie", "b=2");
    response.headers.emplace_back("X-Evil", "x\r\nInjected: yes");
    return response;
  });
  RawConnection c(server_->port());
  ASSERT_TRUE(c.connected());
  c.send_all("GET /p?x=1 HTTP/1.1\r\nHost: t\r\nX-TEST: Value\r\n\r\n");
  const std::string response = c.read_response();
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("Server: tglead\r\n"), std::string::npos);
  EXPECT_NE(response.find("Content-Type: text/plain\r\n"), std::string::npos);
  EXPECT_NE(response.find("Content-Length: 41\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("Content-Disposition: attachment; filename=\"leads.csv\"\r\n"), std::string::npos);
  EXPECT_NE(response.find("Set-Cookie: a=1\r\n"), std::string::npos);
  EXPECT_NE(response.find("Set-Cookie: b=2\r\n"), std::string::npos);
  EXPECT_EQ(response.find("Injected"), std::string::npos);
  EXPECT_NE(response.find("h=Value"), std::string::npos) << response;
}

TEST_F(ServerTest, KeepAliveAndPipeliningOnOneConnection) {
  start(echo);
  RawConnection c(server_->port());
  ASSERT_TRUE(c.connected());
  c.send_all("GET /one HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(c.read_response().find("GET /one"), std::string::npos);
  c.send_all("GET /two HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_NE(c.read_response().find("GET /two"), std::string::npos);
  // Pipelined: answered in order even though handlers run on a pool.
  c.send_all(
      "POST /three HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
      "GET /four HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /five HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(c.read_response().find("POST /three q= h= from=127.0.0.1 body=abc"), std::string::npos);
  EXPECT_NE(c.read_response().find("GET /four"), std::string::npos);
  const std::string last = c.read_response();
  EXPECT_NE(last.find("GET /five"), std::string::npos);
  EXPECT_NE(last.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveRequested) {
  start(echo);
  {
    RawConnection c(server_->port());
    c.send_all("GET /old HTTP/1.0\r\n\r\n");
    const std::string response = c.read_response();
    EXPECT_EQ(response.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << response;
    EXPECT_TRUE(c.closed_by_peer());
  }
  RawConnection c(server_->port());
  c.send_all("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const std::string response = c.read_response();
  EXPECT_NE(response.find("Connection: keep-alive\r\n"), std::string::npos) << response;
  c.send_all("GET /b HTTP/1.0\r\n\r\n");
  EXPECT_NE(c.read_response().find("GET /b"), std::string::npos);
}

TEST_F(ServerTest, HeadGetsLengthButNoBody) {
  start(echo);
  RawConnection c(server_->port());
  c.send_all("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n");
  const std::string response = c.read_response(/*head=*/true);
  EXPECT_NE(response.find("Content-Length: 34\r\n"), std::string::npos) << response;
  // The connection is still in sync: the next response starts right away.
  c.send_all("GET /g HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(c.read_response().rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
}

TEST_F(ServerTest, UploadPathsTakeBodiesUpToTheUploadLimit) {
  ServerOptions options;
  options.body_limit = 1024;
  options.upload_paths = {"/upload"};
  options.upload_limit = 4096;
  start(echo, options);

  net::HttpRequest post;
  post.method = "POST";
  post.url = url("/upload?wait=1");
  post.body = std::string(4096, 'x');
  auto response = client_.perform(post);
  ASSERT_TRUE(response.transport_ok()) << response.error;
  EXPECT_EQ(response.status, 200);

  post.body = std::string(4097, 'x');
  EXPECT_EQ(client_.perform(post).status, 413);

  // Other paths keep the API limit, also ones the upload path is a prefix of.
  post.body = std::string(1025, 'x');
  for (const char* other : {"/other", "/upload/x", "/uploads"}) {
    post.url = url(other);
    EXPECT_EQ(client_.perform(post).status, 413) << other;
  }
}

TEST_F(ServerTest, BodyOverLimitGets413) {
  ServerOptions options;
  options.body_limit = 1024;
  std::atomic<int> calls{0};
  start(
      [&](const Request& request) {
        ++calls;
        return echo(request);
      },
      options);

  net::HttpRequest post;
  post.method = "POST";
  post.url = url("/big");
  post.body = std::string(1025, 'x');
  auto response = client_.perform(post);
  ASSERT_TRUE(response.transport_ok()) << response.error;
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.body, R"({"status":"error","error":"param","message":"request body too large"})");

  post.body = std::string(1024, 'x');
  response = client_.perform(post);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(calls, 1);

  // Chunked bodies are counted as they arrive.
  RawConnection c(server_->port());
  c.send_all("POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + std::string(1024, 'y') +
             "\r\n1\r\nz\r\n0\r\n\r\n");
  const std::string raw = c.read_response();
  EXPECT_EQ(raw.rfind("HTTP/1.1 413 Payload Too Large\r\n", 0), 0u) << raw;
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(calls, 1);
}

TEST_F(ServerTest, HeaderOverLimitGets431) {
  ServerOptions options;
  options.header_limit = 1024;
  start(echo, options);
  RawConnection c(server_->port());
  c.send_all("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  const std::string response = c.read_response();
  EXPECT_EQ(response.rfind("HTTP/1.1 431 ", 0), 0u) << response;
  EXPECT_NE(response.find(R"({"status":"error","error":"param","message":"request header too large"})"),
            std::string::npos);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, MalformedRequestGets400AndClose) {
  start(echo);
  for (const char* garbage : {"THIS IS NOT HTTP\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                              "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"}) {
    RawConnection c(server_->port());
    c.send_all(garbage);
    const std::string response = c.read_response();
    EXPECT_EQ(response.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << garbage << response;
    EXPECT_NE(response.find(R"({"status":"error","error":"param","message":"malformed request"})"), std::string::npos);
    EXPECT_TRUE(c.closed_by_peer());
  }
}

TEST_F(ServerTest, HandlerStatusAndExceptions) {
  start([](const Request& request) -> Response {
    if (request.path == "/throw") throw std::runtime_error("boom");
    if (request.path == "/throw-int") throw 42;
    Response response;
    response.status = 404;
    response.body = R"({"status":"error","error":"not_found"})";
    return response;
  });
  net::HttpRequest request;
  request.url = url("/missing");
  auto response = client_.perform(request);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, R"({"status":"error","error":"not_found"})");

  for (const char* path : {"/throw", "/throw-int"}) {
    request.url = url(path);
    response = client_.perform(request);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body, R"({"status":"error","error":"internal","message":"internal error"})");
  }
  request.url = url("/still-alive");
  EXPECT_EQ(client_.perform(request).status, 404);
}

TEST_F(ServerTest, ConcurrentRequestsRunOnTheWorkerPool) {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  ServerOptions options;
  options.io_threads = 1;
  options.worker_threads = 16;
  start(
      [&](const Request& request) {
        const int now = ++running;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(20ms);  // blocking here must not stall the I/O thread
        --running;
        return echo(request);
      },
      options);

  constexpr int kRequests = 200;
  std::mutex mutex;
  std::condition_variable cv;
  int done = 0;
  int ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    net::HttpRequest request;
    request.url = url("/n/" + std::to_string(i));
    client_.submit(request, [&, i](net::HttpResponse response) {
      std::lock_guard lock(mutex);
      if (response.status == 200 && response.body.find("GET /n/" + std::to_string(i) + " ") == 0) ++ok;
      ++done;
      cv.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, 30s, [&] { return done == kRequests; }));
  EXPECT_EQ(ok, kRequests);
  EXPECT_GT(peak.load(), 1);
  EXPECT_LE(peak.load(), 16);
}

TEST_F(ServerTest, Expect100ContinueIsAnswered) {
  start(echo);
  RawConnection c(server_->port());
  c.send_all("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(c.read_response(), "HTTP/1.1 100 Continue\r\n\r\n");
  c.send_all("hello");
  EXPECT_NE(c.read_response().find("body=hello"), std::string::npos);
}

TEST_F(ServerTest, IdleConnectionIsClosed) {
  ServerOptions options;
  options.io_timeout = 1s;
  start(echo, options);
  RawConnection c(server_->port());
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 4s);

  // A request that trickles in slower than the timeout is dropped too.
  RawConnection slow(server_->port());
  slow.send_all("GET / HTTP/1.1\r\n");
  EXPECT_TRUE(slow.closed_by_peer());
}

TEST_F(ServerTest, StartFailsOnBusyPortAndStopIsIdempotent) {
  start(echo);
  ServerOptions options;
  options.port = server_->port();
  Server second(options, echo);
  const std::string error = second.start();
  EXPECT_NE(error, "");
  EXPECT_NE(error.find("bind"), std::string::npos) << error;
  second.stop();

  EXPECT_EQ(server_->start(), "server already started");
  server_->stop();
  server_->stop();
  RawConnection c(options.port);
  EXPECT_FALSE(c.connected());
}

TEST_F(ServerTest, StopWhileAHandlerIsRunning) {
  std::atomic<bool> entered{false};
  start([&](const Request& request) {
    entered = true;
    std::this_thread::sleep_for(300ms);
    return echo(request);
  });
  RawConnection c(server_->port());
  c.send_all("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  while (!entered) std::this_thread::sleep_for(1ms);
  server_->stop();
  EXPECT_TRUE(c.closed_by_peer());
}

}  // namespace
}  // namespace tglead::http
