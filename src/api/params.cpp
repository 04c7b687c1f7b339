#include "api/params.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include "api/api_error.hpp"
#include "util/json_depth.hpp"
#include "util/url.hpp"

namespace tglead::api {

using nlohmann::json;

void put_bracketed(json& target, std::string_view key, std::string value) {
  std::size_t open = key.find('[');
  if (open == std::string_view::npos || open == 0 || key.back() != ']') {
    target[std::string(key)] = std::move(value);
    return;
  }
  json* node = &target;
  std::string_view head = key.substr(0, open);
  std::string_view rest = key.substr(open);
  std::string name(head);
  while (!rest.empty()) {
    if (!node->is_object()) *node = json::object();
    json& child = (*node)[name];
    std::size_t close = rest.find(']');
    if (rest.front() != '[' || close == std::string_view::npos) {
      target[std::string(key)] = std::move(value);  // not well-formed brackets: keep the key verbatim
      return;
    }
    name = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    node = &child;
  }
  if (!node->is_object()) *node = json::object();
  (*node)[name] = std::move(value);
}

Params::Params(const http::Request& request) {
  for (auto& [key, value] : util::parse_query(request.query)) put_bracketed(values_, key, std::move(value));
  if (request.body.empty()) return;
  std::string_view type = request.header("content-type");
  if (is_file_body(type)) return;  // an uploaded file: the endpoint reads the body itself
  bool looks_json = type.find("json") != std::string_view::npos ||
                    (type.find("form") == std::string_view::npos && request.body.front() == '{');
  if (looks_json) {
    if (!util::json_depth_within(request.body)) throw ApiError::param("the JSON body is nested too deeply");
    json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) throw ApiError::param("the request body is not valid JSON");
    if (!body.is_object()) throw ApiError::param("the JSON body must be an object");
    for (auto& [key, value] : body.items()) values_[key] = std::move(value);
    return;
  }
  if (type.find("multipart") != std::string_view::npos) {
    throw ApiError::param("multipart bodies are not supported; send JSON or a form");
  }
  for (auto& [key, value] : util::parse_query(request.body)) put_bracketed(values_, key, std::move(value));
}

bool is_file_body(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "text/csv" || type == "application/csv" || type == "text/tab-separated-values" ||
         type == "application/octet-stream" || type == "application/vnd.ms-excel" ||
         type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

const json* Params::find(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end() || it->is_null()) return nullptr;
  if (it->is_string() && it->get_ref<const std::string&>().empty()) return nullptr;
  return &*it;
}

bool Params::has(std::string_view name) const { return find(name) != nullptr; }

std::optional<std::string> Params::text(std::string_view name) const {
  const json* value = find(name);
  if (!value) return std::nullopt;
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_integer()) return value->dump();
  throw ApiError::param(std::string(name) + " must be a string");
}

std::string Params::required_text(std::string_view name) const {
  auto value = text(name);
  if (!value) throw ApiError::param(std::string(name) + " is required");
  return *value;
}

std::optional<std::int64_t> Params::integer(std::string_view name) const {
  const json* value = find(name);
  if (!value) return std::nullopt;
  if (value->is_number_unsigned() && value->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    throw ApiError::param(std::string(name) + " is out of range");
  }
  if (value->is_number_integer()) return value->get<std::int64_t>();
  if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    std::int64_t out = 0;
    auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (error == std::errc() && end == s.data() + s.size()) return out;
  }
  throw ApiError::param(std::string(name) + " must be an integer");
}

std::int64_t Params::required_integer(std::string_view name) const {
  auto value = integer(name);
  if (!value) throw ApiError::param(std::string(name) + " is required");
  return *value;
}

std::optional<bool> Params::boolean(std::string_view name) const {
  const json* value = find(name);
  if (!value) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_number_integer()) {
    auto n = value->get<std::int64_t>();
    if (n == 0 || n == 1) return n == 1;
  }
  if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
    if (s == "0" || s == "false" || s == "no" || s == "off") return false;
  }
  throw ApiError::param(std::string(name) + " must be a boolean (true/false or 1/0)");
}

std::optional<double> Params::number(std::string_view name) const {
  const json* value = find(name);
  if (!value) return std::nullopt;
  double out = 0;
  if (value->is_number()) {
    out = value->get<double>();
  } else if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (error != std::errc() || end != s.data() + s.size()) throw ApiError::param(std::string(name) + " must be a number");
  } else {
    throw ApiError::param(std::string(name) + " must be a number");
  }
  if (!std::isfinite(out)) throw ApiError::param(std::string(name) + " must be a finite number");
  return out;
}

bool Params::present(std::string_view name) const { return values_.contains(std::string(name)); }

std::optional<json> Params::array(std::string_view name) const {
  const json* value = find(name);
  if (!value) return std::nullopt;
  if (value->is_array()) return *value;
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    if (!util::json_depth_within(text)) throw ApiError::param(std::string(name) + " is nested too deeply");
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_array()) return parsed;
  }
  throw ApiError::param(std::string(name) + " must be a JSON array");
}

std::optional<json> Params::object(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end() || it->is_null()) return std::nullopt;
  if (it->is_object()) return *it;
  if (it->is_string()) {
    // A form may carry the whole object as JSON text.
    json parsed = json::parse(it->get<std::string>(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) return parsed;
  }
  throw ApiError::param(std::string(name) + " must be an object");
}

std::vector<std::string> Params::list(std::string_view name) const {
  std::vector<std::string> out;
  auto it = values_.find(std::string(name));
  if (it == values_.end() || it->is_null()) return out;
  auto add = [&](const json& item) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_number_integer()) {
      out.push_back(item.dump());
    } else {
      throw ApiError::param(std::string(name) + " must be a list of strings");
    }
  };
  if (it->is_array() || it->is_object()) {
    for (const auto& item : *it) add(item);
    return out;
  }
  if (!it->is_string()) throw ApiError::param(std::string(name) + " must be a list of strings");
  const std::string& text = it->get_ref<const std::string&>();
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::int64_t Params::limit() const {
  auto value = integer("limit").value_or(50);
  if (value < 1) throw ApiError::param("limit must be at least 1");
  return std::min<std::int64_t>(value, 200);
}

std::int64_t Params::offset() const {
  auto value = integer("offset").value_or(0);
  if (value < 0) throw ApiError::param("offset must not be negative");
  return value;
}

}  // namespace tglead::api
