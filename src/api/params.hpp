// Request parameters of the User API, merged from the query string and the
// body (JSON object, or a form with `postbacks[wait]=...` bracket keys).
//
// Contract: construction throws ApiError::param for a body that is neither a
// JSON object nor a form. Typed getters throw ApiError::param naming the
// parameter when a value has the wrong type or range; absent or empty values
// are "not given". Body values win over query values. Not thread-safe (one
// request, one thread).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace tglead::api {

class Params {
 public:
  explicit Params(const http::Request& request);
  explicit Params(nlohmann::json values) : values_(std::move(values)) {}

  bool has(std::string_view name) const;
  std::optional<std::string> text(std::string_view name) const;
  std::string required_text(std::string_view name) const;
  std::optional<std::int64_t> integer(std::string_view name) const;
  std::int64_t required_integer(std::string_view name) const;
  std::optional<bool> boolean(std::string_view name) const;
  // A finite number (JSON number or decimal text).
  std::optional<double> number(std::string_view name) const;
  // True when the key is present at all, even empty or null ("clear this").
  bool present(std::string_view name) const;
  // A JSON array, or a form value holding one as JSON text; nullopt when absent.
  std::optional<nlohmann::json> array(std::string_view name) const;
  // A nested object (`postbacks`, `welcome`); nullopt when absent.
  std::optional<nlohmann::json> object(std::string_view name) const;
  // A list of strings: a JSON array, a form's `name[0]=..` keys, or one comma-separated string.
  std::vector<std::string> list(std::string_view name) const;

  // Paging per §6.3: limit defaults to 50 and is clamped to 200.
  std::int64_t limit() const;
  std::int64_t offset() const;

 private:
  const nlohmann::json* find(std::string_view name) const;
  nlohmann::json values_ = nlohmann::json::object();
};

// True for the content types of an uploaded file (CSV, XLSX, octet-stream): such a
// body is not parameters; only the query string is.
bool is_file_body(std::string_view content_type);

// Adds `key=value` into `target`, expanding bracket keys (`a[b][c]`) into nested objects.
void put_bracketed(nlohmann::json& target, std::string_view key, std::string value);

}  // namespace tglead::api
