// libFuzzer target: api::Params built from a request (query + body + content type), then
// every getter. Only ApiError (a clean `param` answer) may escape; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/api_error.hpp"
#include "api/params.hpp"
#include "http/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const char* const kTypes[] = {"application/json", "application/x-www-form-urlencoded", "",
                                       "text/plain", "multipart/form-data; boundary=x", "application/json; charset=utf-8"};
  tglead::http::Request request;
  request.method = "POST";
  request.path = "/api/campaigns/add.json";
  std::string content_type = kTypes[data[0] % 6];
  request.headers.emplace_back("content-type", content_type);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  // query \n body
  std::size_t nl = rest.find('\n');
  if (nl != std::string_view::npos) {
    request.query = std::string(rest.substr(0, nl));
    request.body = std::string(rest.substr(nl + 1));
  } else {
    request.body = std::string(rest);
  }
  request.target = request.path + (request.query.empty() ? "" : "?" + request.query);
  try {
    tglead::api::Params params(request);
    for (const char* name : {"id", "bot", "chat", "code", "name", "postbacks", "welcome", "limit", "offset",
                             "approve_requests", "unsub_window", "a", ""}) {
      try { (void)params.has(name); } catch (const tglead::api::ApiError&) {}
      try { (void)params.text(name); } catch (const tglead::api::ApiError&) {}
      try { (void)params.integer(name); } catch (const tglead::api::ApiError&) {}
      try { (void)params.boolean(name); } catch (const tglead::api::ApiError&) {}
      try { (void)params.object(name); } catch (const tglead::api::ApiError&) {}
    }
    try { (void)params.limit(); } catch (const tglead::api::ApiError&) {}
    try { (void)params.offset(); } catch (const tglead::api::ApiError&) {}
  } catch (const tglead::api::ApiError&) {
  }
  return 0;
}
