#include "api/sessions.hpp"

#include <sodium.h>

#include <chrono>
#include <map>
#include <mutex>

#include "api/envelope.hpp"
#include "api/params.hpp"
#include "domain/plans.hpp"
#include "util/password.hpp"
#include "util/random.hpp"

namespace tglead::api {

using nlohmann::json;

namespace {

constexpr std::string_view kCookie = "tglead_session";
constexpr std::int64_t kSessionSeconds = 14 * 86400;
constexpr int kFailuresBeforeLockout = 10;
constexpr std::int64_t kLockoutSeconds = 600;

std::string sha256_hex(std::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

// Failed logins per email: slows down password guessing without a database write per attempt.
class LoginThrottle {
 public:
  bool locked(const std::string& email, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = failures_.find(email);
    return it != failures_.end() && it->second.first >= kFailuresBeforeLockout && now - it->second.second < kLockoutSeconds;
  }
  void failed(const std::string& email, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto& [count, since] = failures_[email];
    if (now - since >= kLockoutSeconds) count = 0;
    if (count == 0) since = now;
    ++count;
    if (failures_.size() > 100000) failures_.clear();  // bounded memory under a spray attack
  }
  void succeeded(const std::string& email) {
    std::lock_guard lock(mutex_);
    failures_.erase(email);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::pair<int, std::int64_t>> failures_;
};

LoginThrottle& throttle() {
  static LoginThrottle instance;
  return instance;
}

std::string cookie_attributes(const Services& services) {
  std::string attributes = "; Path=/; HttpOnly; SameSite=Strict";
  if (services.public_url.rfind("https://", 0) == 0) attributes += "; Secure";
  return attributes;
}

std::string access_name(domain::PlanAccess access) {
  switch (access) {
    case domain::PlanAccess::Full: return "full";
    case domain::PlanAccess::DashboardCut: return "expired";
    case domain::PlanAccess::ApiUnpaid: return "unpaid";
    case domain::PlanAccess::AutoPause: return "paused";
  }
  return "full";
}

json me_json(Services& services, const domain::User& user, const std::string& csrf) {
  return {{"profile", profile_json(user)},
          {"csrf", csrf},
          {"access", access_name(domain::plan_access(user.plan, user.paid_until, services.clock()))}};
}

http::Response login(Services& services, const http::Request& request) {
  if (request.method != "POST") throw ApiError::param("log in with POST");
  Params params(request);
  std::string email = params.required_text("email");
  std::string password = params.required_text("password");
  std::int64_t now = services.clock();
  if (throttle().locked(email, now)) {
    throw ApiError("busy", 429, "too many failed logins; wait 10 minutes and try again");
  }
  auto user = services.store.user_by_email(email);
  // Verify against a real hash even for unknown emails, so timing does not reveal which emails exist.
  static const std::string decoy = util::hash_password("decoy password for timing");
  bool valid = util::verify_password(password, user ? user->password_hash : decoy) && user;
  if (!valid) {
    throttle().failed(email, now);
    throw ApiError::auth("wrong email or password");
  }
  throttle().succeeded(email);

  std::string token = util::random_token(32);
  domain::Session session{sha256_hex(token), user->id, util::random_token(24), now + kSessionSeconds};
  services.store.write([&](storage::WriteTx& tx) {
    tx.delete_expired_sessions(now);
    tx.insert_session(session, now);
  });
  http::Response response = ok(me_json(services, *user, session.csrf));
  response.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + token + cookie_attributes(services) +
                                                  "; Max-Age=" + std::to_string(kSessionSeconds));
  return response;
}

http::Response logout(Services& services, const http::Request& request) {
  if (request.method != "POST") throw ApiError::param("log out with POST");
  if (auto user = session_user(services, request)) {
    std::string hash = sha256_hex(cookie_value(request.header("cookie"), kCookie));
    services.store.write([&](storage::WriteTx& tx) { tx.delete_session(hash); });
  }
  http::Response response = ok(true);
  response.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + cookie_attributes(services) + "; Max-Age=0");
  return response;
}

http::Response me(Services& services, const http::Request& request) {
  std::string token = cookie_value(request.header("cookie"), kCookie);
  if (token.empty()) throw ApiError::auth("not logged in");
  auto session = services.store.session(sha256_hex(token), services.clock());
  if (!session) throw ApiError::auth("the session expired; log in again");
  auto user = services.store.user_by_id(session->user_id);
  if (!user) throw ApiError::auth("not logged in");
  return ok(me_json(services, *user, session->csrf));
}

}  // namespace

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    std::size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

std::optional<domain::User> session_user(Services& services, const http::Request& request) {
  std::string token = cookie_value(request.header("cookie"), kCookie);
  if (token.empty()) return std::nullopt;
  auto session = services.store.session(sha256_hex(token), services.clock());
  if (!session) return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") {
    std::string_view csrf = request.header("x-csrf-token");
    if (csrf.size() != session->csrf.size() ||
        sodium_memcmp(csrf.data(), session->csrf.data(), csrf.size()) != 0) {
      throw ApiError::access("missing or wrong X-CSRF-Token header");
    }
  }
  return services.store.user_by_id(session->user_id);
}

std::optional<http::Response> handle_auth(Services& services, const http::Request& request) {
  if (request.path == "/auth/login") return login(services, request);
  if (request.path == "/auth/logout") return logout(services, request);
  if (request.path == "/auth/me") return me(services, request);
  return std::nullopt;
}

}  // namespace tglead::api
