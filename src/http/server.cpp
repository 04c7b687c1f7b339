// The only translation unit that includes Asio/Beast (tens of seconds of
// compile time per TU on our 2-core machines). Callback style, after the
// Boost 1.74 Beast examples: one Connection object per socket, its operations
// serialised on a strand.
#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <exception>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tglead::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// After an error reply the client may still be sending the rejected body;
// closing with unread input makes the kernel send RST, which can destroy the
// reply before the client reads it. So we read and discard for a short while.
constexpr std::chrono::seconds kLingerLimit{2};
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

Response error_reply(int status, std::string_view error, std::string_view message) {
  Response response;
  response.status = status;
  response.body = R"({"status":"error","error":")";
  response.body.append(error).append(R"(","message":")").append(message).append(R"("})");
  return response;
}

bool has_line_break(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

std::string peer_address(const tcp::socket& socket) {
  beast::error_code ec;
  auto address = socket.remote_endpoint(ec).address();
  if (ec) return {};
  // Dual-stack listeners see IPv4 peers as ::ffff:a.b.c.d; report them as IPv4
  // so that per-IP logic sees one spelling.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

Request to_request(bhttp::request<bhttp::string_body>&& message, std::string remote_address) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  const auto question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  request.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = std::move(remote_address);
  return request;
}

// What connections share with the server; owned by Server::Impl, which
// outlives every connection (stop() destroys them before returning).
struct Context {
  ServerOptions options;
  Handler handler;
  std::optional<asio::thread_pool> workers;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, Context& context)
      : remote_address_(peer_address(socket)), stream_(std::move(socket)), context_(context) {}

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Connection::read_header, shared_from_this()));
  }

 private:
  void read_header() {
    parser_.emplace();
    // The header decides which limit applies (on_header); until then the larger one, because
    // Beast checks a Content-Length against the limit while it parses the header.
    parser_->body_limit(std::max(context_.options.body_limit, context_.options.upload_limit));
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(context_.options.header_limit, std::numeric_limits<std::uint32_t>::max())));
    stream_.expires_after(context_.options.io_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Connection::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return dispatch_request();
    const auto& message = parser_->get();
    std::size_t limit = body_limit_for(message.target());
    if (auto length = parser_->content_length(); length && *length > limit) {
      return write_error(error_reply(413, "param", "request body too large"));
    }
    parser_->body_limit(limit);
    // Clients that ask for 100-continue wait for it (curl: up to a second)
    // before sending the body; the header already passed the size checks.
    if (message.version() >= 11 && beast::iequals(message[bhttp::field::expect], "100-continue")) {
      stream_.expires_after(context_.options.io_timeout);
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        beast::bind_front_handler(&Connection::on_continue_sent, shared_from_this()));
      return;
    }
    read_body();
  }

  std::size_t body_limit_for(beast::string_view target) const {
    beast::string_view path = target.substr(0, target.find('?'));
    for (const auto& upload : context_.options.upload_paths) {
      if (path == beast::string_view(upload.data(), upload.size())) return context_.options.upload_limit;
    }
    return context_.options.body_limit;
  }

  void on_continue_sent(beast::error_code ec, std::size_t) {
    if (ec) return close();
    read_body();
  }

  void read_body() {
    stream_.expires_after(context_.options.io_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Connection::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    dispatch_request();
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return close();
    if (ec == bhttp::error::body_limit) {
      return write_error(error_reply(413, "param", "request body too large"));
    }
    if (ec == bhttp::error::header_limit) {
      return write_error(error_reply(431, "param", "request header too large"));
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
      spdlog::debug("http: malformed request from {}: {}", remote_address_, ec.message());
      return write_error(error_reply(400, "param", "malformed request"));
    }
    spdlog::debug("http: read from {}: {}", remote_address_, ec.message());
    close();
  }

  void dispatch_request() {
    auto& message = parser_->get();
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    is_head_ = message.method() == bhttp::verb::head;
    asio::post(*context_.workers,
               [self = shared_from_this(), request = to_request(parser_->release(), remote_address_)]() mutable {
                 self->run_handler(std::move(request));
               });
  }

  // Runs on a worker thread; touches no connection state except through the strand.
  void run_handler(Request request) {
    Response response;
    try {
      response = context_.handler(request);
    } catch (const std::exception& e) {
      spdlog::error("http: handler for {} {} threw: {}", request.method, request.path, e.what());
      response = error_reply(500, "internal", "internal error");
    } catch (...) {
      spdlog::error("http: handler for {} {} threw a non-exception", request.method, request.path);
      response = error_reply(500, "internal", "internal error");
    }
    asio::post(stream_.get_executor(), [self = shared_from_this(), response = std::move(response)]() mutable {
      self->write(std::move(response), self->keep_alive_ ? After::kReadNext : After::kClose);
    });
  }

  enum class After { kReadNext, kClose, kLingerClose };

  void write_error(Response response) {
    version_ = 11;
    is_head_ = false;
    write(std::move(response), After::kLingerClose);
  }

  void write(Response response, After after) {
    auto& message = message_.emplace();
    message.version(version_);
    message.result(response.status >= 100 && response.status <= 999 ? static_cast<unsigned>(response.status) : 500u);
    message.set(bhttp::field::server, "tglead");
    message.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      if (has_line_break(name) || has_line_break(value)) {
        spdlog::warn("http: dropped response header {:?} with a line break", name);
        continue;
      }
      message.insert(name, value);
    }
    message.keep_alive(after == After::kReadNext);
    message.body() = std::move(response.body);
    message.prepare_payload();
    if (is_head_) message.body().clear();  // Content-Length still announces the GET size
    if (after == After::kReadNext && message.need_eof()) after = After::kClose;

    stream_.expires_after(context_.options.io_timeout);
    bhttp::async_write(stream_, message,
                       beast::bind_front_handler(&Connection::on_write, shared_from_this(), after));
  }

  void on_write(After after, beast::error_code ec, std::size_t) {
    message_.reset();
    if (ec) {
      spdlog::debug("http: write to {}: {}", remote_address_, ec.message());
      return close();
    }
    switch (after) {
      case After::kReadNext:
        return read_header();
      case After::kClose:
        return close();
      case After::kLingerClose:
        return linger();
    }
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    // Returning without a pending operation drops the last reference; the
    // destructor closes the socket.
  }

  void linger() {
    close();
    stream_.expires_after(std::min<std::chrono::steady_clock::duration>(context_.options.io_timeout, kLingerLimit));
    drain();
  }

  void drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->drain();
                            });
  }

  const std::string remote_address_;
  beast::tcp_stream stream_;
  Context& context_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> message_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool is_head_ = false;
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Handler handler) {
    options.io_threads = std::max<std::size_t>(options.io_threads, 1);
    options.worker_threads = std::max<std::size_t>(options.worker_threads, 1);
    context_.options = std::move(options);
    context_.handler = std::move(handler);
  }

  ~Impl() { stop(); }

  std::string start() {
    std::lock_guard lock(lifecycle_);
    if (state_ != State::kNew) return "server already started";
    const auto& options = context_.options;
    const std::string where = options.host + ":" + std::to_string(options.port);

    ioc_.emplace(static_cast<int>(options.io_threads));
    beast::error_code ec;
    tcp::resolver resolver(*ioc_);
    const auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                            tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) {
      ioc_.reset();
      return "resolve " + where + ": " + (ec ? ec.message() : std::string("no address"));
    }
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();

    acceptor_.emplace(asio::make_strand(*ioc_));
    retry_timer_.emplace(acceptor_->get_executor());
    auto fail = [&](std::string_view step) {
      std::string message = std::string(step) + " " + where + ": " + ec.message();
      retry_timer_.reset();
      acceptor_.reset();
      ioc_.reset();
      return message;
    };
    if (acceptor_->open(endpoint.protocol(), ec)) return fail("open");
    if (acceptor_->set_option(asio::socket_base::reuse_address(true), ec)) return fail("reuse_address");
    if (acceptor_->bind(endpoint, ec)) return fail("bind");
    if (acceptor_->listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
    port_ = acceptor_->local_endpoint().port();

    context_.workers.emplace(context_.options.worker_threads);
    accept();
    for (std::size_t i = 0; i < options.io_threads; ++i) io_threads_.emplace_back([this] { run_io(); });
    state_ = State::kRunning;
    spdlog::info("http: listening on {}:{}", options.host, port_.load());
    return {};
  }

  std::uint16_t port() const { return port_; }

  void stop() {
    std::lock_guard lock(lifecycle_);
    if (state_ == State::kStopped) return;
    state_ = State::kStopped;
    if (!ioc_) return;
    // I/O first, so nothing runs on the strands while the worker pool drops
    // the connections its queued (never started) tasks still hold. Handlers
    // already running finish; their replies are posted to the stopped
    // io_context and destroyed with it.
    ioc_->stop();
    for (auto& thread : io_threads_) thread.join();
    io_threads_.clear();
    context_.workers->stop();
    context_.workers->join();
    context_.workers.reset();
    retry_timer_.reset();
    acceptor_.reset();
    ioc_.reset();  // destroys pending handlers, and with them every connection
  }

 private:
  void run_io() {
    for (;;) {
      try {
        ioc_->run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: I/O thread caught: {}", e.what());
      }
    }
  }

  void accept() {
    acceptor_->async_accept(asio::make_strand(*ioc_),
                            [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Typically EMFILE: retrying at once would spin on the same error.
      spdlog::warn("http: accept: {}", ec.message());
      retry_timer_->expires_after(kAcceptRetryDelay);
      retry_timer_->async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) accept();
      });
      return;
    }
    std::make_shared<Connection>(std::move(socket), context_)->start();
    accept();
  }

  enum class State { kNew, kRunning, kStopped };

  Context context_;
  std::mutex lifecycle_;
  State state_ = State::kNew;
  std::atomic<std::uint16_t> port_{0};
  // Destroyed in stop(), in reverse order of creation, while Impl lives on.
  std::optional<asio::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::steady_timer> retry_timer_;
  std::vector<std::thread> io_threads_;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

std::string Server::start() { return impl_->start(); }

std::uint16_t Server::port() const { return impl_->port(); }

void Server::stop() { impl_->stop(); }

}  // namespace tglead::http
