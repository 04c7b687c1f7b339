// The User API's error vocabulary (§6.3): a code, its HTTP status and a
// human-readable message naming what was wrong.
//
// Contract: handlers throw ApiError; the router turns it into the error
// envelope. Anything else thrown is an internal error. Plain value type.
#pragma once

#include <stdexcept>
#include <string>

namespace tglead::api {

class ApiError : public std::runtime_error {
 public:
  ApiError(std::string code, int http_status, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)), http_status_(http_status) {}

  const std::string& code() const { return code_; }
  int http_status() const { return http_status_; }

  static ApiError auth(const std::string& m = "missing or wrong API key") { return {"auth", 401, m}; }
  static ApiError unpaid(const std::string& m) { return {"unpaid", 402, m}; }
  static ApiError access(const std::string& m) { return {"access", 403, m}; }
  static ApiError notfound(const std::string& m) { return {"notfound", 404, m}; }
  static ApiError param(const std::string& m) { return {"param", 400, m}; }
  static ApiError limit(const std::string& m) { return {"limit", 409, m}; }
  static ApiError exists(const std::string& m) { return {"exists", 409, m}; }
  static ApiError token(const std::string& m) { return {"token", 400, m}; }
  static ApiError webhook(const std::string& m) { return {"webhook", 502, m}; }
  static ApiError postback(const std::string& m) { return {"postback", 400, m}; }
  static ApiError busy(const std::string& m) { return {"busy", 503, m}; }

 private:
  std::string code_;
  int http_status_;
};

}  // namespace tglead::api
